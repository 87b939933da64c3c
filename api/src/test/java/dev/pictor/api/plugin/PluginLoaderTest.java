package dev.pictor.api.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.testing.JarBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {
    @TempDir
    Path dir;

    /** Source of a drop-in plugin providing one sampler. */
    static String samplerPlugin(String pkg, String pluginName, String api, String sampler, String extraInModule) {
        return """
                package %1$s;
                import com.google.inject.Module;
                import dev.pictor.api.plugin.*;
                import dev.pictor.api.spi.*;
                import dev.pictor.api.run.*;
                import org.nd4j.linalg.api.ndarray.INDArray;
                public class P implements Plugin {
                    public String name() { return "%2$s"; }
                    public String version() { return "1.2.3"; }
                    public ApiVersion apiVersion() { return ApiVersion.parse("%3$s"); }
                    public Module module() {
                        %5$s
                        return new PluginModule() {
                            protected void configureComponents() { sampler("%4$s", F.class); }
                        };
                    }
                    public static class F implements ComponentFactory<Sampler> {
                        public String description() { return "returns the denoised estimate at once"; }
                        public Sampler create(ComponentConfig c) {
                            return new DiffusionSampler() {
                                public String name() { return "%4$s"; }
                                public dev.pictor.api.diffusion.Trajectory trajectory(
                                        dev.pictor.api.diffusion.NoiseSchedule s, int steps) {
                                    return dev.pictor.api.diffusion.Trajectory.atTimesteps(s, new double[] {999});
                                }
                                public Stepper stepper(dev.pictor.api.diffusion.Trajectory t,
                                        dev.pictor.api.diffusion.GaussianNoise n) {
                                    return (i, x, d) -> d.at(x, t.sigma(i));
                                }
                                public boolean stochastic() { return false; }
                            };
                        }
                    }
                }
                """.formatted(pkg, pluginName, api, sampler, extraInModule);
    }

    private Path jar(String file, String pkg, String pluginName, String api, String sampler) throws Exception {
        return new JarBuilder().source(pkg + ".P", samplerPlugin(pkg, pluginName, api, sampler, ""))
                .service(pkg + ".P").write(dir.resolve(file));
    }

    @Test
    void loadsBuiltInsFromTheClassPath() {
        try (PluginRegistry r = PluginLoader.builder().load()) {
            assertThat(r.failures()).isEmpty();
            assertThat(r.plugins()).extracting(PluginInfo::name).containsExactly("core", "echo");
            PluginInfo echo = r.plugins().get(1);
            assertThat(r.plugins().get(0).components()).containsEntry("sampler", java.util.List.of("categorical"));
            assertThat(echo.source()).isEqualTo("built-in");
            assertThat(echo.components()).containsEntry("tokenizer", java.util.List.of("lines"));
            assertThat(echo.tasks()).containsExactly("count-lines");
            assertThat(echo.zoo()).containsExactly("echo-test");
            assertThat(r.factory(ComponentKind.TOKENIZER, "lines").description()).contains("line numbers");
            assertThat(r.task("count-lines")).isPresent();
        }
    }

    @Test
    void loadsADropInJarInItsOwnClassLoader() throws Exception {
        jar("good.jar", "good", "good", "2.0", "constant");
        try (PluginRegistry r = PluginLoader.builder().dropIns(dir).load()) {
            assertThat(r.failures()).isEmpty();
            assertThat(r.plugins()).extracting(PluginInfo::name).containsExactly("core", "echo", "good");
            assertThat(r.plugins().get(2).source()).isEqualTo("good.jar");
            assertThat(r.provider(ComponentKind.SAMPLER, "constant")).contains("good");
            Object sampler = r.factory(ComponentKind.SAMPLER, "constant").create(null);
            assertThat(sampler.getClass().getClassLoader().getName()).isEqualTo("plugin:good.jar");
        }
    }

    @Test
    void skipsBrokenJarsWithOneLineReasonsAndKeepsTheRest() throws Exception {
        jar("a-good.jar", "good", "good", "2.0", "constant");
        Files.writeString(dir.resolve("b-not-a-jar.jar"), "this is text, not a zip");
        new JarBuilder().file("readme.txt", "x".getBytes(StandardCharsets.UTF_8)).write(dir.resolve("c-no-service.jar"));
        new JarBuilder().service("nowhere.Missing").file("x.txt", new byte[] {1}).write(dir.resolve("d-bad-service.jar"));
        jar("e-future.jar", "future", "future", "3.0", "future-sampler");
        jar("f-dup.jar", "dup", "dup", "2.0", "constant");
        new JarBuilder()
                .source("missing.P", samplerPlugin("missing", "missing", "2.0", "m", "new Helper();"))
                .source("missing.Helper", "package missing; public class Helper {}")
                .omitClass("missing.Helper").service("missing.P").write(dir.resolve("g-missing-class.jar"));
        new JarBuilder().source("notplugin.P", "package notplugin; public class P {}").service("notplugin.P")
                .write(dir.resolve("h-not-plugin.jar"));
        Files.writeString(dir.resolve("notes.txt"), "not a jar name: ignored");

        try (PluginRegistry r = PluginLoader.builder().dropIns(dir).load()) {
            assertThat(r.plugins()).extracting(PluginInfo::name).containsExactly("core", "echo", "good");
            assertThat(r.failures()).extracting(PluginFailure::source).containsExactly("b-not-a-jar.jar",
                    "c-no-service.jar", "d-bad-service.jar", "e-future.jar", "f-dup.jar", "g-missing-class.jar",
                    "h-not-plugin.jar");
            assertThat(r.failures()).allSatisfy(f -> assertThat(f.reason()).doesNotContain("\n"));
            assertThat(reason(r, "b-not-a-jar.jar")).contains("not a readable jar");
            assertThat(reason(r, "c-no-service.jar")).contains("not a Pictor plugin").contains("META-INF/services");
            assertThat(reason(r, "d-bad-service.jar")).contains("nowhere.Missing").contains("not in the jar");
            assertThat(reason(r, "e-future.jar")).contains("needs API 3.0").contains("API 2.0");
            assertThat(reason(r, "f-dup.jar")).contains("sampler 'constant' is already provided by plugin 'good'");
            assertThat(reason(r, "g-missing-class.jar")).contains("missing class missing.Helper");
            assertThat(reason(r, "h-not-plugin.jar")).contains("does not implement");
            // the rejected duplicate left nothing behind
            assertThat(r.names(ComponentKind.SAMPLER)).containsExactly("categorical", "constant");
            assertThat(r.provider(ComponentKind.SAMPLER, "constant")).contains("good");
        }
    }

    @Test
    void aPluginBuiltForTheFirstApiIsRefusedNamingBothVersions() throws Exception {
        // API 2.0 reshaped the Denoiser and Sampler SPIs: a 1.x plugin's components would not link, so it is
        // refused before any of them load, with a message that says what to get
        jar("v1.jar", "vone", "vone", "1.0", "v1-sampler");
        try (PluginRegistry r = PluginLoader.builder().dropIns(dir).load()) {
            assertThat(r.plugins()).extracting(PluginInfo::name).doesNotContain("vone");
            assertThat(reason(r, "v1.jar")).isEqualTo("plugin 'vone' needs API 1.0 but this Pictor has API 2.0: get"
                    + " a version of the plugin built for API 2.0");
        }
    }

    @Test
    void olderMinorApiIsAcceptedNewerIsNot() throws Exception {
        jar("old.jar", "old", "old", "2.0", "old-sampler");
        jar("newer.jar", "newer", "newer", "2.1", "newer-sampler");
        try (PluginRegistry r = PluginLoader.builder().dropIns(dir).apiVersion(new ApiVersion(2, 0)).load()) {
            assertThat(r.plugins()).extracting(PluginInfo::name).contains("old").doesNotContain("newer");
            assertThat(reason(r, "newer.jar")).contains("upgrade Pictor");
        }
    }

    @Test
    void aGuiceErrorInOnePluginIsReported() throws Exception {
        String src = samplerPlugin("guicebad", "guicebad", "2.0", "s", "")
                .replace("sampler(\"s\", F.class);", "sampler(\"s\", F.class); bind(Runnable.class);");
        new JarBuilder().source("guicebad.P", src).service("guicebad.P").write(dir.resolve("guice.jar"));
        try (PluginRegistry r = PluginLoader.builder().dropIns(dir).load()) {
            assertThat(reason(r, "guice.jar")).startsWith("plugin 'guicebad' failed to start: ");
            assertThat(r.plugins()).extracting(PluginInfo::name).containsExactly("core", "echo");
        }
    }

    @Test
    void aPluginWhoseDescriptionIsNullRegistersNothing() throws Exception {
        String src = samplerPlugin("nulldesc", "nulldesc", "2.0", "nd-sampler", "")
                .replace("public String version() { return \"1.2.3\"; }",
                        "public String version() { return \"1.2.3\"; } public String description() { return null; }");
        new JarBuilder().source("nulldesc.P", src).service("nulldesc.P").write(dir.resolve("nulldesc.jar"));
        String throwing = samplerPlugin("badversion", "badversion", "2.0", "bv-sampler", "")
                .replace("return \"1.2.3\";", "throw new IllegalStateException(\"no version\");");
        new JarBuilder().source("badversion.P", throwing).service("badversion.P").write(dir.resolve("badversion.jar"));
        try (PluginRegistry r = PluginLoader.builder().dropIns(dir).load()) {
            assertThat(reason(r, "nulldesc.jar")).contains("one-line description (not null)");
            assertThat(reason(r, "badversion.jar")).contains("failed to start").contains("no version");
            assertThat(r.names(ComponentKind.SAMPLER)).containsExactly("categorical");
            assertThat(r.plugins()).extracting(PluginInfo::name).containsExactly("core", "echo");
        }
    }

    @Test
    void unknownNamesSuggestTheClosest() {
        try (PluginRegistry r = PluginLoader.builder().load()) {
            assertThatThrownBy(() -> r.factory(ComponentKind.TOKENIZER, "line"))
                    .isInstanceOf(BadInputException.class)
                    .hasMessage("unknown tokenizer 'line': did you mean 'lines'? (known: lines; see `pictor plugins`)");
            assertThatThrownBy(() -> r.zooEntry("echo-tset")).hasMessageContaining("did you mean 'echo-test'?");
        }
    }

    @Test
    void unknownNamesMentionTheJarsThatFailedToLoad() throws Exception {
        Files.writeString(dir.resolve("broken.jar"), "not a zip");
        try (PluginRegistry r = PluginLoader.builder().dropIns(dir).load()) {
            String note = " (note: 1 plugin jar failed to load: broken.jar: " + reason(r, "broken.jar")
                    + "; see `pictor plugins`)";
            assertThat(r.failureNote()).contains(note.substring(2, note.length() - 1));
            assertThatThrownBy(() -> r.factory(ComponentKind.ENCODER, "x")).isInstanceOf(BadInputException.class)
                    .hasMessage("unknown encoder 'x' (known: none; see `pictor plugins`)" + note);
            assertThatThrownBy(() -> r.zooEntry("nope")).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("unknown zoo pipeline 'nope'").hasMessageEndingWith(note);
            assertThat(r.factory(ComponentKind.TOKENIZER, "lines")).as("what loaded still works").isNotNull();
        }
        jar("a.jar", "pa", "a", "9.0", "s1");
        Files.writeString(dir.resolve("c.jar"), "not a zip");
        Files.writeString(dir.resolve("d.jar"), "not a zip");
        try (PluginRegistry r = PluginLoader.builder().dropIns(dir).load()) {
            assertThat(r.failureNote().orElseThrow()).startsWith("note: 4 plugin jars failed to load: a.jar: ")
                    .contains("; broken.jar: ").contains("; c.jar: ").doesNotContain("d.jar")
                    .endsWith("; and 1 more; see `pictor plugins`");
        }
        try (PluginRegistry r = PluginLoader.builder().load()) {
            assertThat(r.failureNote()).isEmpty();
            BadInputException e = BadInputException.unknown("encoder", "x", java.util.List.of(), "");
            assertThat(r.withFailureNote(e)).isSameAs(e);
        }
    }

    @Test
    void pluginInfoListsComponentsSorted() {
        // Map.copyOf iterates in an order that changes between JVM runs; ten kinds make a lucky sorted order
        // (1 in 10!) practically impossible if PluginInfo kept it.
        java.util.Map<String, java.util.List<String>> given = new java.util.LinkedHashMap<>();
        for (String kind : new String[] {"k9", "k3", "k7", "k0", "k5", "k1", "k8", "k2", "k6", "k4"}) {
            given.put(kind, java.util.List.of("z", "b", "m"));
        }
        PluginInfo info = new PluginInfo("p", "1", ApiVersion.CURRENT, "", "built-in", given,
                java.util.List.of(), java.util.List.of());
        assertThat(info.components().keySet()).containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8",
                "k9");
        assertThat(info.components().get("k4")).containsExactly("b", "m", "z");
        assertThatThrownBy(() -> info.components().put("x", java.util.List.of()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void missingDropInFolderIsNotAnError() {
        try (PluginRegistry r = PluginLoader.builder().dropIns(dir.resolve("absent")).load()) {
            assertThat(r.failures()).isEmpty();
        }
    }

    @Test
    void serviceFilesAllowCommentsAndBlankLines() throws Exception {
        var in = new java.io.ByteArrayInputStream("# header\n\n a.B # note\nc.D\n".getBytes(StandardCharsets.UTF_8));
        assertThat(PluginLoader.serviceClassNames(in)).containsExactly("a.B", "c.D");
    }

    private static String reason(PluginRegistry r, String source) {
        return r.failures().stream().filter(f -> f.source().equals(source)).findFirst().orElseThrow().reason();
    }
}
