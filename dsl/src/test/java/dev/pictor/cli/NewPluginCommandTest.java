package dev.pictor.cli;

import static dev.pictor.cli.CliRun.cli;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pictor new-plugin}: what it writes and what it refuses. That the project builds: NewPluginBuildTest. */
class NewPluginCommandTest {
    @TempDir
    Path dir;



    @Test
    void writesAProjectWithPomPluginFactoryServiceFileAndTest() throws Exception {
        Path project = dir.resolve("wc");
        CliRun r = cli("new-plugin", "word-count", "--dir", project.toString(), "--package", "org.acme.wc");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("wrote " + project + ": 8 files, plugin class org.acme.wc.WordCountPlugin")
                .contains("mvn -B package").contains("-pl api -am install");
        Path src = project.resolve("src/main/java/org/acme/wc");
        assertThat(project.resolve("src/main/resources/META-INF/services/dev.pictor.api.plugin.Plugin"))
                .hasContent("org.acme.wc.WordCountPlugin");
        assertThat(src.resolve("WordCountPlugin.java")).content().contains("public final class WordCountPlugin")
                .contains("encoder(\"word-count\", WordCountEncoderFactory.class);")
                .contains("return new ApiVersion(2, 0);");
        assertThat(src.resolve("WordCountEncoderFactory.java")).content()
                .contains("implements ComponentFactory<Encoder<?>>").contains("public WordCountEncoderFactory() {");
        assertThat(src.resolve("WordCountEncoder.java")).content().contains("implements Encoder<TokenBatch>");
        assertThat(project.resolve("src/test/java/org/acme/wc/WordCountPluginTest.java")).exists();
        String pom = Files.readString(project.resolve("pom.xml"));
        assertThat(pom).contains("<artifactId>maven-compiler-plugin</artifactId>\n        <version>3.13.0</version>")
                .contains("<release>17</release>").contains("<artifactId>pictor-api</artifactId>")
                .contains("<scope>provided</scope>").contains("<pictor.version>0.1.0-SNAPSHOT</pictor.version>")
                .contains("<artifactId>word-count</artifactId>").doesNotContain("${name}").doesNotContain("${Camel}");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no staging folder left beside it").containsExactly(project);
        }
    }

    @Test
    void theDefaultsAreTheNameAsFolderAndACom_examplePackage() {
        PluginSkeleton s = new PluginSkeleton("my-tokens2", null, "1.2.3");
        assertThat(s.pluginClass()).isEqualTo("com.example.mytokens2.MyTokens2Plugin");
        assertThat(s.files()).containsKeys("pom.xml", "README.md",
                "src/main/java/com/example/mytokens2/MyTokens2EncoderFactory.java",
                "src/test/java/com/example/mytokens2/MyTokens2PluginTest.java");
        assertThat(s.files().get("pom.xml")).contains("<pictor.version>1.2.3</pictor.version>");
    }

    @Test
    void neverOverwritesAFolder() throws Exception {
        Path existing = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(existing.resolve("keep.txt"), "mine");
        CliRun r = cli("new-plugin", "word-count", "--dir", existing.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: folder " + existing + " already exists: give another --dir, or remove it"
                + " first (new-plugin never overwrites)" + System.lineSeparator());
        try (var files = Files.list(existing)) {
            assertThat(files).containsExactly(existing.resolve("keep.txt"));
        }
        Path file = Files.writeString(dir.resolve("afile"), "x");
        assertThat(cli("new-plugin", "word-count", "--dir", file.toString()).code()).isEqualTo(2);
        assertThat(file).hasContent("x");
    }

    @Test
    void badNamesAndPackagesAreExit2() {
        CliRun name = cli("new-plugin", "Word Count", "--dir", dir.resolve("a").toString());
        assertThat(name.code()).isEqualTo(2);
        assertThat(name.err()).startsWith("error: plugin name 'Word Count' is not usable: give lower-case words"
                + " joined by hyphens");
        CliRun pkg = cli("new-plugin", "wc", "--dir", dir.resolve("b").toString(), "--package", "org.acme.class");
        assertThat(pkg.code()).isEqualTo(2);
        assertThat(pkg.err()).startsWith("error: --package org.acme.class is not a Java package name");
        assertThat(dir.resolve("a")).doesNotExist();
        assertThat(dir.resolve("b")).doesNotExist();
        assertThat(cli("new-plugin").code()).isEqualTo(2);
    }

    @Test
    void helpListsTheVerb() {
        assertThat(cli("--help").out()).contains("new-plugin");
        CliRun help = cli("new-plugin", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: pictor new-plugin").contains("--package=P").contains("--dir=DIR");
    }
}
