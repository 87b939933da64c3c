package dev.pictor.api.artifact;

import java.nio.file.Path;

/**
 * The result of checking one artifact against its pinned SHA-256.
 *
 * @param artifact the artifact checked
 * @param status   OK, MISSING (no source had it) or MISMATCH (bytes differ from the pin)
 * @param local    the local copy checked, or null when missing
 * @param actual   the SHA-256 found, or null when missing
 * @param problem  one line naming the problem and the fix; empty when OK
 *
 * <pre>{@code
 * Verification v = store.verify(artifact, loader);
 * if (v.status() != Verification.Status.OK) System.err.println(v.problem());
 * }</pre>
 */
public record Verification(Artifact artifact, Status status, Path local, String actual, String problem) {
    /** Outcome of a check. */
    public enum Status {
        OK, MISSING, MISMATCH
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
