package dev.pictor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pictor new-plugin} writes a project that builds as a third party builds it, apart from this build
 * ({@code mvn -B -o package}: compiles, runs its JUnit test, makes the jar), and the jar works dropped in.
 *
 * <p>The project needs {@code pictor-api} in a local Maven repository, and this build runs {@code verify}, not
 * {@code install}. So Maven runs with a local repository of its own: links to every folder of the user's
 * {@code ~/.m2/repository} (for plugins and libraries, read only) except {@code dev/pictor}, which holds the
 * pictor-api jar this build just made and the parent pom. Nothing is installed into {@code ~/.m2}.
 */
class NewPluginBuildTest {
    static final Path REPO = Path.of(System.getProperty("pictor.repo")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    @Tag("slow")   // about 25 s: a Maven build of its own
    void theSkeletonBuildsAndItsJarWorksAsADropIn() throws Exception {
        Path apiJar = apiJar();
        String version = apiJar.getFileName().toString().replaceFirst("^pictor-api-", "").replaceFirst("\\.jar$", "");
        Path project = dir.resolve("word-count");
        var made = ThirdPartyPluginTest.cli("new-plugin", "word-count", "--dir", project.toString(), "--package",
                "org.acme.wordcount");
        assertThat(made.code()).as(made.err()).isZero();
        assertThat(Files.readString(project.resolve("pom.xml")))
                .as("the skeleton asks for the API this build made")
                .contains("<pictor.version>" + version + "</pictor.version>");

        // apart from dir: JUnit would warn about every link when it cleans dir up
        Path m2 = Files.createTempDirectory("pictor-m2-");
        Path log = dir.resolve("mvn.log");
        try {
            localRepository(m2, apiJar, version);
            Process mvn = new ProcessBuilder("mvn", "-B", "-o", "-q", "package", "-Dmaven.repo.local=" + m2)
                    .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!mvn.waitFor(300, TimeUnit.SECONDS)) {
                mvn.destroyForcibly();
                throw new AssertionError("mvn package of the skeleton took over 300 s:\n" + Files.readString(log));
            }
            assertThat(mvn.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            deleteWithoutFollowingLinks(m2);
        }
        Path jar = project.resolve("target/word-count-0.1.0.jar");
        assertThat(jar).isRegularFile();
        assertThat(project.resolve("target/surefire-reports/org.acme.wordcount.WordCountPluginTest.txt")).content()
                .as("its own test ran").contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0");

        Path plugins = Files.createDirectories(dir.resolve("plugins.d"));
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        var listed = ThirdPartyPluginTest.cli("--plugins", plugins.toString(), "plugins");
        assertThat(listed.code()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("word-count 0.1.0 (word-count-0.1.0.jar, API 2.0)  word count: number of"
                + " tokens per text").contains("  encoder: word-count").doesNotContain("failed to load");

        Path corpus = Files.writeString(dir.resolve("corpus.txt"), "a red circle\na square\n");
        Path script = Files.writeString(dir.resolve("count.groovy"), """
                def p = pipeline { tokenizer 'word', corpus: '%s'; encoder 'word-count', scale: 2 }
                println encode(p, texts: ['a red circle', 'a square']).toFloatMatrix().collect { it.toList() }
                """.formatted(corpus.toString().replace("\\", "/")));
        var run = ThirdPartyPluginTest.cli("--plugins", plugins.toString(), "run", script.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo("[[6.0], [4.0]]");
    }

    private static Path apiJar() throws IOException {
        try (Stream<Path> files = Files.list(REPO.resolve("api/target"))) {
            List<Path> jars = files.filter(f -> f.getFileName().toString().matches("pictor-api-[^-]+(-SNAPSHOT)?\\.jar"))
                    .toList();
            assertThat(jars).as("api/target holds the pictor-api jar (built before this module)").hasSize(1);
            return jars.get(0);
        }
    }

    /** A local repository: the user's, linked folder by folder, with this build's pictor-api in dev/pictor. */
    private static void localRepository(Path m2, Path apiJar, String version) throws IOException {
        Path user = System.getProperty("maven.repo.local") != null ? Path.of(System.getProperty("maven.repo.local"))
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        assertThat(user).as("the Maven repository this build resolved from").isDirectory();
        linkAllBut(user, m2, "dev");
        Path dev = Files.createDirectories(m2.resolve("dev"));
        if (Files.isDirectory(user.resolve("dev"))) {
            linkAllBut(user.resolve("dev"), dev, "pictor");
        }
        Path api = Files.createDirectories(dev.resolve("pictor/pictor-api").resolve(version));
        Files.copy(apiJar, api.resolve("pictor-api-" + version + ".jar"));
        Files.copy(REPO.resolve("api/pom.xml"), api.resolve("pictor-api-" + version + ".pom"));
        Path parent = Files.createDirectories(dev.resolve("pictor/pictor-parent").resolve(version));
        Files.copy(REPO.resolve("pom.xml"), parent.resolve("pictor-parent-" + version + ".pom"));
    }

    /** Deletes the folder; links are deleted, never what they point to (Files.walk does not follow them). */
    private static void deleteWithoutFollowingLinks(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static void linkAllBut(Path from, Path to, String except) throws IOException {
        try (Stream<Path> entries = Files.list(from)) {
            for (Path e : (Iterable<Path>) entries::iterator) {
                if (!e.getFileName().toString().equals(except)) {
                    Files.createSymbolicLink(to.resolve(e.getFileName().toString()), e.toAbsolutePath());
                }
            }
        }
    }
}
