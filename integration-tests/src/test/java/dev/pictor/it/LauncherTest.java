package dev.pictor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled app through the {@code ./pictor} launcher at the repository root, as a user runs it. */
class LauncherTest {
    static final Path REPO = Path.of(System.getProperty("pictor.repo")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private Run pictor(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", REPO.resolve("pictor").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().put("PICTOR_CACHE", dir.resolve("cache").toString());
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./pictor " + String.join(" ", args) + " did not finish in 180 s");
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void doctorShowsTheCpuAndTheNativesChosenForIt() throws Exception {
        Run r = pictor(dir, Map.of(), "doctor", "--no-peak");
        assertThat(r.code()).as(r.err()).isZero();
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        boolean avx512 = cpuinfo.contains(" avx512bw") && cpuinfo.contains(" avx512vl");
        boolean avx2 = cpuinfo.contains(" avx2");
        String forced = System.getenv("PICTOR_ISA");
        String expected = forced != null ? forced : avx512 ? "avx512" : avx2 ? "avx2" : "generic";
        assertThat(r.out()).contains("cpu: ").contains("instruction sets: ").contains("threads: ")
                .contains("natives: linux-x86_64-onednn" + (expected.equals("generic") ? " (" : "-" + expected + " ("))
                .contains("onednn: Pictor's kernels on oneDNN 2.5.2 (cpu isa ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void isaForcesABuildAndCapsOneDnnAtIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.readString(Path.of("/proc/cpuinfo")).contains(" avx2"));
        Run r = pictor(dir, Map.of(), "--isa", "avx2", "doctor", "--no-peak");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("natives: linux-x86_64-onednn-avx2 (forced by --isa avx2)")
                .contains("(cpu isa avx2); DNNL_MAX_CPU_ISA=AVX2");
        Run bad = pictor(dir, Map.of(), "--isa", "sse9", "zoo", "list");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("error: unknown instruction set 'sse9' for --isa (pictor.isa): use auto,"
                + " avx512, avx2 or generic\n");
        assertThat(bad.out()).isEmpty();
    }

    @Test
    void aJvmCrashLeavesItsReportInTheCacheAndNothingOnStdoutOrInTheWorkingDirectory() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("work"));
        // A heap too small to start the CLI, and HotSpot told to crash on it: a real fatal error, hs_err and all.
        Run r = pictor(cwd, Map.of("PICTOR_JAVA_OPTS", "-Xmx8m -XX:+CrashOnOutOfMemoryError"), "zoo", "list");
        assertThat(r.code()).isNotZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("A fatal error has been detected by the Java Runtime Environment");
        try (var files = Files.list(cwd)) {
            assertThat(files).isEmpty();
        }
        try (var files = Files.list(dir.resolve("cache").resolve("crash"))) {
            assertThat(files.map(f -> f.getFileName().toString())).singleElement().asString()
                    .startsWith("hs_err_pid");
        }
    }

    @Test
    void aCorruptCachedArtifactIsRefusedWithTheRepairNeverUsed() throws Exception {
        Run first = pictor(dir, Map.of(), "embed", "--pipeline", "minilm-l6", "--text", "a red circle");
        assertThat(first.code()).as(first.err()).isZero();
        Path onnx;
        Path tokenizer;
        try (var files = Files.walk(dir.resolve("cache"))) {
            List<Path> cached = files.filter(Files::isRegularFile).toList();
            onnx = cached.stream().filter(f -> f.toString().endsWith("all-minilm-l6-v2.onnx")).findFirst().orElseThrow();
            tokenizer = cached.stream().filter(f -> f.toString().endsWith("all-minilm-l6-v2-tokenizer.json"))
                    .findFirst().orElseThrow();
        }
        for (Path victim : List.of(onnx, tokenizer)) {
            byte[] original = Files.readAllBytes(victim);
            byte[] flipped = original.clone();
            flipped[flipped.length / 2] ^= 0x10; // one bit in the middle: a weight, or a character of the JSON
            Files.write(victim, flipped);
            Run r = pictor(dir, Map.of(), "embed", "--pipeline", "minilm-l6", "--text", "a red circle");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines()).singleElement().asString()
                    .startsWith("error: cached artifact '" + victim.getFileName() + "' is corrupt (SHA-256 ")
                    .endsWith("delete it with `rm '" + victim + "'` and run again to copy it anew from its source");
            // The repair the message names.
            Files.delete(victim);
            Run repaired = pictor(dir, Map.of(), "embed", "--pipeline", "minilm-l6", "--text", "a red circle");
            assertThat(repaired.code()).as(repaired.err()).isZero();
            assertThat(repaired.out()).isEqualTo(first.out());
            assertThat(Files.readAllBytes(victim)).isEqualTo(original);
        }
    }

    @Test
    void listsBuiltInAndDroppedInPluginsFromTheDefaultFolder() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins.d"));
        Files.copy(ThirdPartyPluginTest.SAMPLE_JAR, plugins.resolve("sample.jar"));
        Run r = pictor(dir, Map.of(), "plugins");   // ./plugins.d relative to the working directory
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("text 0.1.0 (built-in").contains("zoo 0.1.0 (built-in")
                .contains("sample 1.0.0 (sample.jar");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void runsTheOneHotExample() throws Exception {
        Path none = Files.createDirectories(dir.resolve("none"));
        Run r = pictor(REPO, Map.of(), "--plugins", none.toString(), "run", "examples/onehot.groovy");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("texts: 120,").contains("one-hot: [120, ")
                .contains("cosine(bag of words) of two captions: 0.");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void runsTheMainJobTextToImageWithShapesLdm() throws Exception {
        // the README's main job, as written there but for the output folder
        Path none = Files.createDirectories(dir.resolve("none"));
        Path out = dir.resolve("out");
        Run r = pictor(REPO, Map.of(), "--plugins", none.toString(), "run", "examples/text-to-image.groovy",
                "a red circle above a blue square", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("4 images and a grid");
        for (String name : new String[] {"0-0.png", "0-1.png", "0-2.png", "0-3.png", "grid.png"}) {
            assertThat(out.resolve(name)).isRegularFile();
        }
        assertThat(dev.pictor.api.image.Png.readText(out.resolve("0-2.png"))).containsEntry("pipeline", "shapes-ldm")
                .containsEntry("seed", "3").containsEntry("prompt", "a red circle above a blue square")
                // the DSL's generate takes the zoo entry's sampling defaults as the CLI does
                .containsEntry("guidance", "3").containsEntry("guidance rescale", "0.7");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void verifiesTheZoo() throws Exception {
        Run r = pictor(dir, Map.of(), "zoo", "verify");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("OK\tshapes-words\tshapes-words.vocab")
                .contains("OK\tshapes-ldm\tshapes-ldm-unet.safetensors")
                .contains("OK\tfashion-ldm\tfashion-ldm-unet.safetensors")
                .contains("OK\tminilm-l6\tall-minilm-l6-v2-tokenizer.json");
    }

    @Test
    void badUsageIsOneLineWithExitTwo() throws Exception {
        Run r = pictor(dir, Map.of(), "zoo", "info", "shapes-word");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString()
                .startsWith("error: unknown zoo pipeline 'shapes-word': did you mean 'shapes-words'?");
    }

    @Test
    void tellsHowToBuildWhenTheAppIsMissing() throws Exception {
        Run r = pictor(dir, Map.of("PICTOR_LIB", dir.resolve("no-app").toString()), "plugins");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("pictor is not built yet: run `mvn -B -DskipTests package`");
    }
}
