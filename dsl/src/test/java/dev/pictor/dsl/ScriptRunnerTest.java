package dev.pictor.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Pictor;
import dev.pictor.api.PictorException;
import dev.pictor.api.artifact.ArtifactStore;
import dev.pictor.api.spi.TokenBatch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ScriptRunnerTest {
    @TempDir
    Path dir;

    private Pictor pictor;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        pictor = Pictor.builder().plugins(null).artifacts(new ArtifactStore(dir.resolve("cache"), false)).build();
        Files.writeString(dir.resolve("corpus.txt"), "a red circle\na blue square\na red square above a circle\n");
    }

    @AfterEach
    void stop() {
        pictor.close();
    }

    private Object run(String script, String... args) throws Exception {
        Path file = Files.writeString(dir.resolve("s.groovy"), script);
        return new ScriptRunner(pictor, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(file, List.of(args));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void composesAPipelineTokenizesAndEncodes() throws Exception {
        Object result = run("""
                device cpu(threads: 2)
                def words = pipeline('encoding') {
                    tokenizer 'word', corpus: "$scriptDir/corpus.txt"
                    encoder 'one-hot'
                }
                def batch = tokenize words, file: args[0]
                println "rows=${batch.size()} vocab=${batch.vocabularySize()}"
                println((tokenize(words, text: 'a zebra')).tokens())
                encode words, texts: ['a red circle', 'square']
                """, dir.resolve("corpus.txt").toString());
        assertThat(stdout()).contains("rows=3 vocab=8").contains("[a, [UNK]]");
        INDArray x = (INDArray) result;
        assertThat(x.shape()).containsExactly(2, 3, 8);
        assertThat(x.sumNumber().intValue()).isEqualTo(4);
    }

    @Test
    void theSamePipelineValueIsOpenedOnce() throws Exception {
        Object same = run("""
                def words = pipeline('encoding') { tokenizer 'word', corpus: "$scriptDir/corpus.txt" }
                def a = tokenize words, texts: ['a red circle']
                def b = tokenize words, texts: ['a blue square']
                [a, b]
                """);
        List<?> batches = (List<?>) same;
        assertThat(((TokenBatch) batches.get(0)).vocabularySize()).isEqualTo(((TokenBatch) batches.get(1))
                .vocabularySize());
    }

    @Test
    void zooPipelinesAndPluginTasksAreVerbs() throws Exception {
        Object n = run("""
                def shapes = zoo 'shapes-words'
                println encode(shapes, text: 'a red circle').shape()
                countTokens shapes, text: 'a small red circle above a blue square'
                """);
        assertThat(n).isEqualTo(8);
        assertThat(stdout()).contains("[1, 35]");
    }

    @Test
    void javaBuilderAndDslMakeTheSamePipeline() throws Exception {
        Object p = run("""
                pipeline('encoding') {
                    tokenizer 'word', corpus: 'c.txt', minCount: 2
                    encoder 'bag-of-words', normalize: true
                }
                """);
        assertThat(p).isEqualTo(dev.pictor.api.pipeline.Pipeline.builder("encoding")
                .tokenizer("word", java.util.Map.of("corpus", "c.txt", "minCount", 2))
                .encoder("bag-of-words", java.util.Map.of("normalize", true)).build());
        Object tuned = run("""
                pipeline('encoding') {
                    tokenizer 'word', corpus: 'c.txt'
                    defaults guidance: 3, guidanceRescale: 0.7
                }
                """);
        assertThat(tuned).isEqualTo(dev.pictor.api.pipeline.Pipeline.builder("encoding")
                .tokenizer("word", java.util.Map.of("corpus", "c.txt"))
                // kept as the script wrote them (Groovy's 0.7 is a BigDecimal); tasks read numbers either way
                .defaults(java.util.Map.of("guidance", 3, "guidanceRescale", new java.math.BigDecimal("0.7"))).build());
    }

    @Test
    void unknownComponentIsReportedAtItsLine() {
        assertThatThrownBy(() -> run("""
                def words = pipeline('encoding') {
                    tokenizer 'wrod', corpus: 'c.txt'
                }
                """)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("s.groovy:2: unknown tokenizer 'wrod': did you mean 'word'? (known: ")
                .hasMessageContaining("see `pictor plugins`)");
    }

    @Test
    void unknownZooNameAndVerbSuggestTheClosest() {
        assertThatThrownBy(() -> run("\n\nzoo 'shape-words'")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("s.groovy:3: unknown zoo pipeline 'shape-words': did you mean 'shapes-words'?");
        assertThatThrownBy(() -> run("tokenise 'x'")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("s.groovy:1: unknown verb 'tokenise': did you mean 'tokenize'?");
    }

    @Test
    void syntaxErrorsGiveFileAndLine() {
        assertThatThrownBy(() -> run("def x = 1\ndef y = (2 +\n")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("s.groovy:").hasMessageContaining("syntax error")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> run("def x = 1\n  x = }\n")).hasMessageStartingWith("s.groovy:2: syntax error");
    }

    @Test
    void runtimeErrorsGiveTheScriptLine() {
        assertThatThrownBy(() -> run("def a = 1\n\ndef b = a / 0\n")).isInstanceOf(PictorException.class)
                .hasMessageStartingWith("s.groovy:3: ArithmeticException");
        assertThatThrownBy(() -> run("println undefinedThing")).isInstanceOf(BadInputException.class)
                .hasMessage("s.groovy:1: unknown name 'undefinedThing': define it with def, or check the spelling");
        assertThatThrownBy(() -> run("def w = pipeline { tokenizer 'word', corpus: 'c.txt' }\n"
                + "tokenize w, txt: 'a'")).hasMessageStartingWith("s.groovy:2: tokenize: unknown option 'txt': did you"
                + " mean 'text'?");
    }

    @Test
    void errorsJavaDoesNotCallExceptionsAreOneLineToo() {
        assertThatThrownBy(() -> run("def x = 2\nassert x == 3\n")).isInstanceOf(PictorException.class)
                .hasMessageStartingWith("s.groovy:2: assertion failed: assert x == 3")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> run("\nnew File('/no/such/file.txt').text\n")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("s.groovy:2: FileNotFoundException: /no/such/file.txt");
    }

    @Test
    void aBuiltInVerbWithWrongArgumentsShowsItsUsage() {
        assertThatThrownBy(() -> run("def w = zoo 'shapes-words'\nencode w\n")).isInstanceOf(BadInputException.class)
                .hasMessage("s.groovy:2: encode: these arguments don't fit ([Pipeline]); usage: encode PIPELINE,"
                        + " text: '…' | texts: [...] | file: 'path'");
        assertThatThrownBy(() -> run("device cuda()")).hasMessageStartingWith("s.groovy:1: device cuda:0 asked for,"
                + " but this build has no CUDA backend");
    }

    @Test
    void tasksShareTheScriptsOpenedPipelines() throws Exception {
        Object same = run("""
                def shapes = zoo 'shapes-words'
                encode shapes, text: 'a red circle'
                countTokens shapes, text: 'a red circle'
                """);
        assertThat(same).isEqualTo(3);
    }

    @Test
    void badSettingsAndFilesAreReportedAtTheLineThatUsesThem() {
        assertThatThrownBy(() -> run("def w = pipeline { tokenizer 'word', corpus: 'absent.txt' }\n"
                + "tokenize w, text: 'a'")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("s.groovy:2: tokenizer 'word': file for setting 'corpus' not found");
        assertThatThrownBy(() -> run("def w = pipeline { tokenizer 'word', corpus: \"$scriptDir/corpus.txt\" }\n"
                + "tokenize w, file: 'nope.txt'")).hasMessageContaining("file not found");
    }

    @Test
    void deviceCannotChangeAfterAPipelineRuns() {
        assertThatThrownBy(() -> run("""
                device cpu(threads: 1)
                encode zoo('shapes-words'), text: 'a red circle'
                device cpu(threads: 2)
                """)).hasMessageStartingWith("s.groovy:3: device cpu (2 threads) chosen after pipelines started");
    }

    @Test
    void missingScriptIsABadInput() {
        assertThatThrownBy(() -> new ScriptRunner(pictor, System.out, System.err).run(dir.resolve("none.groovy"),
                List.of())).isInstanceOf(BadInputException.class).hasMessageContaining("script not found");
    }

    @Test
    void kebabAndCamelCaseNamesMap() {
        assertThat(ScriptRuntime.kebab("countTokens")).isEqualTo("count-tokens");
        assertThat(ScriptRuntime.camel("count-tokens")).isEqualTo("countTokens");
    }
}
