package dev.pictor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.testing.JarBuilder;
import dev.pictor.cli.PictorCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin built in its own module, never on the app's class path, dropped into a plugins folder. */
class ThirdPartyPluginTest {
    static final Path SAMPLE_JAR = Path.of(System.getProperty("pictor.dropins"), "pictor-sample-plugin.jar");

    @TempDir
    Path dir;
    Path plugins;

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PictorCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void dropIn() throws Exception {
        assertThat(SAMPLE_JAR).as("built by the sample-plugin module").isRegularFile();
        plugins = Files.createDirectories(dir.resolve("plugins.d"));
        Files.copy(SAMPLE_JAR, plugins.resolve(SAMPLE_JAR.getFileName()));
    }

    @Test
    void theSamplePluginIsNotOnTheTestClassPath() {
        assertThatThrownBy(() -> Class.forName("dev.pictor.sample.SamplePlugin"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void pluginsListsTheDropInBesideBrokenJars() throws Exception {
        Files.writeString(plugins.resolve("broken.jar"), "this is not a zip file");
        new JarBuilder().source("halfbuilt.P", """
                package halfbuilt;
                public class P implements dev.pictor.api.plugin.Plugin {
                    public String name() { return "half"; }
                    public String version() { return "0"; }
                    public dev.pictor.api.plugin.ApiVersion apiVersion() { return new Helper().api(); }
                    public com.google.inject.Module module() { return b -> { }; }
                }
                """).source("halfbuilt.Helper", """
                package halfbuilt;
                class Helper { dev.pictor.api.plugin.ApiVersion api() { return dev.pictor.api.plugin.ApiVersion.CURRENT; } }
                """).omitClass("halfbuilt.Helper").service("halfbuilt.P").write(plugins.resolve("half-built.jar"));
        Files.copy(SAMPLE_JAR, plugins.resolve("zz-second-copy.jar"));

        Result r = cli("--plugins", plugins.toString(), "plugins");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("text 0.1.0 (built-in, API 2.0)")
                .contains("sample 1.0.0 (pictor-sample-plugin.jar, API 2.0)  third-party example")
                .contains("  tokenizer: utf8-bytes")
                .contains("  task: token-stats")
                .contains("failed to load:")
                .contains("  broken.jar: not a readable jar")
                .contains("  half-built.jar: plugin 'half' failed to start: missing class halfbuilt.Helper")
                .contains("  zz-second-copy.jar: plugin 'sample' is already loaded (from pictor-sample-plugin.jar)");
    }

    @Test
    void aScriptRunThroughTheCliUsesTheDropInWithABuiltInEncoder() throws Exception {
        Files.writeString(plugins.resolve("broken.jar"), "a broken jar beside the good one changes nothing");
        Path script = Files.writeString(dir.resolve("bytes.groovy"), """
                def bytes = pipeline('encoding') {
                    tokenizer 'utf8-bytes', maxLength: 16
                    encoder 'one-hot'
                }
                def x = encode bytes, texts: ['hé', 'a']
                println x.shape().toList()
                println x.argMax(2).toLongMatrix().collect { it.toList() }
                println tokenStats(bytes, texts: ['hé', 'a'])
                """);
        Result r = cli("--plugins", plugins.toString(), "run", script.toString());
        assertThat(r.code()).as(r.err()).isZero();
        // 'h' = 0x68 -> 105, 'é' = C3 A9 -> 196, 170, 'a' = 0x61 -> 98; padding rows argmax to 0
        assertThat(r.out().lines()).containsExactly("[2, 3, 257]", "[[105, 196, 170], [98, 0, 0]]",
                "[texts:2, tokens:4, distinct:4]");
    }

    @Test
    void withoutTheDropInTheScriptFailsAtItsLine() throws Exception {
        Path script = Files.writeString(dir.resolve("bytes.groovy"),
                "\ndef bytes = pipeline { tokenizer 'utf8-bytes' }\n");
        Result r = cli("--plugins", Files.createDirectories(dir.resolve("empty")).toString(), "run",
                script.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: bytes.groovy:2: unknown tokenizer 'utf8-bytes'");
    }
}
