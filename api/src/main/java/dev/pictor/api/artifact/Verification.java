package dev.pictor.api.artifact;

import java.nio.file.Path;

/**
 * The result of checking one artifact against its pinned SHA-256.
 *
 * @param artifact the artifact checked
 * @param status   OK, NOT_DOWNLOADED (no source has it here yet: an on-demand artifact) or CORRUPT (bytes differ
 *                 from the pin, in the cache or at the source)
 * @param local    the local copy checked, or null when missing
 * @param actual   the SHA-256 found, or null when missing
 * @param problem  one line naming the problem and the fix (for NOT_DOWNLOADED the command that fetches it);
 *                 empty when OK
 *
 * <pre>{@code
 * Verification v = store.verify(artifact, loader);
 * if (v.status() != Verification.Status.OK) System.err.println(v.problem());
 * }</pre>
 */
public record Verification(Artifact artifact, Status status, Path local, String actual, String problem) {
    /** Outcome of a check. */
    public enum Status {
        OK, NOT_DOWNLOADED, CORRUPT;

        /** As {@code pictor zoo verify} prints it: "OK", "NOT DOWNLOADED", "CORRUPT". */
        public String label() {
            return name().replace('_', ' ');
        }
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
