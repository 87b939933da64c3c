package dev.pictor.api.artifact;

import dev.pictor.api.BadInputException;
import dev.pictor.api.PictorException;
import dev.pictor.api.io.AtomicFiles;
import dev.pictor.api.run.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds artifacts, checks their SHA-256 and keeps verified copies in a cache folder.
 *
 * <p>The cache is {@code $PICTOR_CACHE} (or the system property {@code pictor.cache}), else
 * {@code ~/.cache/pictor}; each artifact lives at {@code artifacts/<sha256>/<name>}, written atomically after its
 * hash matched. A cached file is hashed again the first time a process opens it (disks and people change files),
 * so a flipped byte is refused with the command that repairs it instead of giving wrong results. The store is
 * offline by default: URL sources are only fetched by a store made with {@code online = true} (the CLI's
 * {@code --online}). A file whose hash differs from the one pinned is refused, never used.
 *
 * <pre>{@code
 * ArtifactStore store = ArtifactStore.defaults();
 * Path vocab = store.resolve(artifact, plugin.getClass().getClassLoader());
 * }</pre>
 */
public final class ArtifactStore {
    /** Cached files hashed in this process, with the size and time they had then: each is hashed once. */
    private static final java.util.Map<Path, String> CHECKED = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path cacheDir;
    private final boolean online;

    public ArtifactStore(Path cacheDir, boolean online) {
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir").toAbsolutePath();
        this.online = online;
    }

    /** The default cache folder, offline. */
    public static ArtifactStore defaults() {
        return new ArtifactStore(defaultCacheDir(), false);
    }

    /** {@code pictor.cache} property, else {@code PICTOR_CACHE}, else {@code ~/.cache/pictor}. */
    public static Path defaultCacheDir() {
        String prop = System.getProperty("pictor.cache");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("PICTOR_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "pictor");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    public boolean online() {
        return online;
    }

    /** The same store with URL fetching allowed or not. */
    public ArtifactStore withOnline(boolean allowed) {
        return new ArtifactStore(cacheDir, allowed);
    }

    /** Where a verified copy of {@code artifact} lives (whether or not it is there yet). */
    public Path cachePath(Artifact artifact) {
        return cacheDir.resolve("artifacts").resolve(artifact.sha256()).resolve(artifact.name());
    }

    /** The verified local copy of {@code artifact}; classpath sources are looked up in {@code loader}. */
    public Path resolve(Artifact artifact, ClassLoader loader) {
        return resolve(artifact, loader, ProgressListener.NONE);
    }

    /** As {@link #resolve(Artifact, ClassLoader)}, reporting bytes copied. */
    public Path resolve(Artifact artifact, ClassLoader loader, ProgressListener progress) {
        Path cached = cachePath(artifact);
        if (Files.isRegularFile(cached)) {
            checkCached(artifact, cached);
            return cached;
        }
        List<String> tried = new ArrayList<>();
        for (String source : artifact.sources()) {
            Source s = Source.parse(source);
            if (s.remote() && !online) {
                tried.add(source + " (not fetched: offline)");
                continue;
            }
            try (InputStream in = s.open(loader)) {
                if (in == null) {
                    tried.add(source + (s.kind().equals("maven") && !s.mavenJarPresent()
                            ? " (not in the local Maven repository: get it with `" + s.mavenGetCommand() + "`)"
                            : " (not found)"));
                    continue;
                }
                copyVerified(artifact, in, s.length(loader), cached, progress);
                return cached;
            } catch (IOException e) {
                tried.add(source + " (" + e.getMessage() + ")");
            }
        }
        boolean anyRemote = artifact.sources().stream().anyMatch(src -> Source.parse(src).remote());
        throw new ArtifactNotFoundException("artifact '" + artifact.name() + "' not available: tried "
                + (tried.isEmpty() ? "no sources" : String.join(", ", tried))
                + (anyRemote && !online ? "; run again with --online to download it" : "")
                + "; or copy the file to " + cached);
    }

    /**
     * Hashes a cached file the first time this process opens it (again if its size or time changed) and refuses
     * it when the hash is not the pinned one, naming the file and the command that repairs it.
     */
    private static void checkCached(Artifact artifact, Path cached) {
        try {
            String stamp = Files.size(cached) + "@" + Files.getLastModifiedTime(cached).toMillis();
            if (stamp.equals(CHECKED.get(cached))) {
                return;
            }
            String actual = Sha256.of(cached);
            if (!actual.equals(artifact.sha256())) {
                throw new ArtifactMismatchException("cached artifact '" + artifact.name() + "' is corrupt (SHA-256 "
                        + actual + ", pinned " + artifact.sha256() + "): delete it with `rm '" + cached
                        + "'` and run again to copy it anew from its source");
            }
            CHECKED.put(cached, stamp);
        } catch (IOException e) {
            throw new PictorException("cannot read cached artifact '" + artifact.name() + "' at " + cached + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Checks one artifact: OK (a verified copy is cached, or a source has the pinned bytes and is now cached),
     * NOT_DOWNLOADED (no source has it on this machine yet; the problem names the command that fetches it) or
     * CORRUPT (the cached copy or the source has other bytes than the pinned ones).
     */
    public Verification verify(Artifact artifact, ClassLoader loader) {
        Path cached = cachePath(artifact);
        try {
            if (Files.isRegularFile(cached)) {
                CHECKED.remove(cached); // verify always hashes anew
            }
            Path local = resolve(artifact, loader);
            return new Verification(artifact, Verification.Status.OK, local, artifact.sha256(), "");
        } catch (ArtifactMismatchException e) {
            return new Verification(artifact, Verification.Status.CORRUPT, Files.isRegularFile(cached) ? cached : null,
                    null, e.getMessage());
        } catch (ArtifactNotFoundException e) {
            return new Verification(artifact, Verification.Status.NOT_DOWNLOADED, null, null,
                    fetchCommand(artifact).map(c -> "not downloaded: fetch it with `" + c + "`")
                            .orElse(e.getMessage()));
        }
    }

    /**
     * The command that brings an on-demand artifact onto this machine: {@code mvn dependency:get …} for a Maven
     * source, {@code pictor --online zoo verify} for a URL; empty for other sources.
     */
    public static java.util.Optional<String> fetchCommand(Artifact artifact) {
        for (String source : artifact.sources()) {
            Source s = Source.parse(source);
            if (s.kind().equals("maven")) {
                return java.util.Optional.of(s.mavenGetCommand());
            }
        }
        for (String source : artifact.sources()) {
            if (Source.parse(source).remote()) {
                return java.util.Optional.of("pictor --online zoo verify");
            }
        }
        return java.util.Optional.empty();
    }

    private void copyVerified(Artifact artifact, InputStream in, long length, Path target,
            ProgressListener progress) throws IOException {
        MessageDigest md = Sha256.digest();
        // Hash while writing the temporary file; the atomic move happens only if the hash matches, so a wrong
        // or truncated download never becomes visible under the cache name.
        class Mismatch extends RuntimeException {
            private static final long serialVersionUID = 1L;
            final String actual;

            Mismatch(String actual) {
                super(actual, null, false, false);
                this.actual = actual;
            }
        }
        try {
            AtomicFiles.write(target, out -> {
                try (DigestOutputStream dout = new DigestOutputStream(nonClosing(out), md)) {
                    byte[] buf = new byte[1 << 16];
                    long done = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        dout.write(buf, 0, n);
                        done += n;
                        progress.onProgress("fetching " + artifact.name(), done, length);
                    }
                }
                String actual = Sha256.hex(md.digest());
                if (!actual.equals(artifact.sha256())) {
                    throw new Mismatch(actual);
                }
            });
        } catch (Mismatch m) {
            throw new ArtifactMismatchException("artifact '" + artifact.name() + "' has SHA-256 " + m.actual
                    + " but " + artifact.sha256() + " is pinned: the source is corrupt or was replaced; refusing"
                    + " it (fix the source or the pinned hash)");
        } catch (PictorException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /** One parsed artifact source. */
    private record Source(String kind, String location) {
        static Source parse(String text) {
            int colon = text.indexOf(':');
            String scheme = colon > 1 ? text.substring(0, colon) : "";
            return switch (scheme) {
                case "classpath" -> new Source("classpath", stripSlash(text.substring(colon + 1)));
                case "maven" -> new Source("maven", text.substring(colon + 1));
                case "http", "https" -> new Source("url", text);
                case "file" -> new Source("file", Path.of(URI.create(text)).toString());
                default -> new Source("file", text);
            };
        }

        boolean remote() {
            return kind.equals("url");
        }

        InputStream open(ClassLoader loader) throws IOException {
            switch (kind) {
                case "classpath":
                    return loader.getResourceAsStream(location);
                case "file":
                    Path p = Path.of(location);
                    return Files.isRegularFile(p) ? Files.newInputStream(p) : null;
                case "maven":
                    return openMaven();
                default:
                    URLConnection c = new URL(location).openConnection();
                    c.setConnectTimeout(30_000);
                    c.setReadTimeout(60_000);
                    return c.getInputStream();
            }
        }

        long length(ClassLoader loader) {
            if (kind.equals("file")) {
                try {
                    return Files.size(Path.of(location));
                } catch (IOException e) {
                    return -1;
                }
            }
            return -1;
        }

        private InputStream openMaven() throws IOException {
            int bang = location.indexOf('!');
            if (bang < 0) {
                throw new IOException("maven source needs '!path/in/jar' after the coordinates");
            }
            String[] gav = gav();
            if (gav.length < 3 || gav.length > 4) {
                throw new IOException("maven coordinates must be group:artifact:version[:classifier]");
            }
            Path jar = mavenJar(gav);
            if (!Files.isRegularFile(jar)) {
                return null; // not downloaded: ArtifactStore.verify names mavenGetCommand
            }
            // "jar!entry" or, for an archive inside the jar, "jar!archive!entry" (any depth).
            String[] path = location.substring(bang + 1).split("!");
            ZipFile zip = new ZipFile(jar.toFile());
            ZipEntry entry = zip.getEntry(path[0]);
            if (entry == null) {
                zip.close();
                return null;
            }
            InputStream in = new java.io.FilterInputStream(zip.getInputStream(entry)) {
                @Override
                public void close() throws IOException {
                    super.close();
                    zip.close();
                }
            };
            try {
                for (int i = 1; i < path.length; i++) {
                    java.util.zip.ZipInputStream inner = new java.util.zip.ZipInputStream(in);
                    in = inner;
                    ZipEntry e = inner.getNextEntry();
                    while (e != null && !e.getName().equals(path[i])) {
                        e = inner.getNextEntry();
                    }
                    if (e == null) {
                        inner.close();
                        return null;
                    }
                }
                return in;
            } catch (IOException | RuntimeException e) {
                in.close(); // closes the jar too
                throw e;
            }
        }

        private static Path mavenJar(String[] gav) {
            String jarName = gav[1] + "-" + gav[2] + (gav.length == 4 ? "-" + gav[3] : "") + ".jar";
            return mavenRepository().resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2])
                    .resolve(jarName);
        }

        /** A maven source's coordinates: group, artifact, version[, classifier]. */
        private String[] gav() {
            return location.substring(0, location.indexOf('!')).split(":");
        }

        boolean mavenJarPresent() {
            return Files.isRegularFile(mavenJar(gav()));
        }

        /** {@code mvn dependency:get -Dartifact=G:A:V[:jar:C]} for a maven source. */
        String mavenGetCommand() {
            String[] gav = gav();
            return "mvn dependency:get -Dartifact=" + String.join(":", gav[0], gav[1], gav[2])
                    + (gav.length == 4 ? ":jar:" + gav[3] : "");
        }

        private static Path mavenRepository() {
            String local = System.getProperty("maven.repo.local");
            return local != null ? Path.of(local) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        }

        private static String stripSlash(String s) {
            return s.startsWith("/") ? s.substring(1) : s;
        }
    }
}
