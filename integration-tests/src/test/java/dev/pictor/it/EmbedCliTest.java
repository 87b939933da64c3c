package dev.pictor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pictor embed} with the real all-MiniLM-L6-v2 from the zoo. */
class EmbedCliTest {
    @TempDir
    Path dir;

    private static double[] parse(String csv) {
        return Arrays.stream(csv.replace("[", "").replace("]", "").split(",")).mapToDouble(Double::parseDouble)
                .toArray();
    }

    @Test
    void embedsTextsInOrderAsUnitVectors() throws Exception {
        Files.createDirectories(dir.resolve("none"));
        Path texts = Files.write(dir.resolve("t.txt"), List.of("A man is playing a guitar.",
                "Someone plays the guitar.", "The stock market fell sharply today."));
        var r = ThirdPartyPluginTest.cli("--plugins", dir.resolve("none").toString(), "embed", "--pipeline",
                "minilm-l6", "--texts", texts.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        double[][] v = lines.stream().map(EmbedCliTest::parse).toArray(double[][]::new);
        for (double[] row : v) {
            assertThat(row).hasSize(384);
            assertThat(Math.sqrt(Arrays.stream(row).map(x -> x * x).sum())).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-5));
        }
        double similar = dot(v[0], v[1]);
        double unrelated = dot(v[0], v[2]);
        assertThat(similar).isGreaterThan(unrelated + 0.4);

        var json = ThirdPartyPluginTest.cli("--plugins", dir.resolve("none").toString(), "embed", "--pipeline",
                "minilm-l6", "--text", "Someone plays the guitar.", "--format", "json");
        assertThat(json.out().strip()).startsWith("[").endsWith("]");
        assertThat(parse(json.out().strip())).containsExactly(v[1], org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void badInputIsOneLineWithExitTwo() throws Exception {
        var empty = ThirdPartyPluginTest.cli("embed", "--pipeline", "minilm-l6", "--text", " ");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("text is empty").doesNotContain("\tat ");
        Path latin1 = Files.write(dir.resolve("l.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        var bad = ThirdPartyPluginTest.cli("embed", "--pipeline", "minilm-l6", "--texts", latin1.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("is not valid UTF-8");
        var noPipeline = ThirdPartyPluginTest.cli("embed", "--pipeline", "minilm", "--text", "x");
        assertThat(noPipeline.err()).contains("did you mean 'minilm-l6'?");
    }

    @Test
    void theSearchExampleRanksByMeaning() throws Exception {
        Path corpus = Files.write(dir.resolve("c.txt"), List.of("The cat sleeps on the sofa.",
                "Stock prices dropped on Monday.", "A kitten is napping on the couch.", "Rain is expected tomorrow."));
        var r = ThirdPartyPluginTest.cli("run", Path.of(System.getProperty("pictor.repo"), "examples", "search.groovy")
                .toString(), "a small cat asleep on a couch", corpus.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        // the two sentences about a sleeping cat come first, in either order, the unrelated ones after
        assertThat(lines.subList(0, 2)).allSatisfy(l -> assertThat(l).containsAnyOf("kitten", "cat"));
        assertThat(lines.subList(2, 4)).noneSatisfy(l -> assertThat(l).containsAnyOf("kitten", "cat"));
    }

    @Test
    void theBertPretrainingRecipeRunsAndLearns() throws Exception {
        Path out = dir.resolve("bert.safetensors");
        var r = ThirdPartyPluginTest.cli("run", Path.of(System.getProperty("pictor.repo"), "zoo", "recipes",
                "bert-pretrain.groovy").toString(), "80", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String summary = r.out().lines().reduce((a, b) -> b).orElseThrow();
        var m = java.util.regex.Pattern.compile("MLM ([0-9.]+) -> ([0-9.]+), NSP ([0-9.]+) -> ([0-9.]+)")
                .matcher(summary);
        assertThat(m.find()).as(summary).isTrue();
        assertThat(Double.parseDouble(m.group(2))).isLessThan(Double.parseDouble(m.group(1)) * 0.7);
        try (var weights = dev.pictor.api.weights.Safetensors.open(out)) {
            assertThat(weights.names()).contains("bert.embeddings.word_embeddings.weight", "cls.seq_relationship.weight");
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
