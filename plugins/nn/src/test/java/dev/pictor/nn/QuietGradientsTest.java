package dev.pictor.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.nn.layers.Linear;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class QuietGradientsTest {
    private PrintStream original;
    private ByteArrayOutputStream captured;
    private PrintStream capture;

    @BeforeEach
    void captureStdout() {
        original = System.out;
        captured = new ByteArrayOutputStream();
        capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(original);
    }

    private String stdout() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static Graph model(SDVariable[] loss) {
        Graph g = new Graph(DataType.FLOAT, 7, Graph.Mode.TRAIN);
        SDVariable h = new Linear(4, 3, true).apply(g, "fc1", g.input("x", -1, 4));
        SDVariable y = new Linear(3, 2, true).apply(g, "fc2", g.sameDiff().nn().relu(h, 0));
        loss[0] = y.mul(y).mean();
        return g;
    }

    @Test
    void sameDiffItselfPrintsWhileBuildingGradients() {
        // The premise: without the filter ND4J prints a line per op on stdout. Should ND4J ever stop doing so,
        // this fails and QuietGradients can go.
        SDVariable[] loss = new SDVariable[1];
        Graph g = model(loss);
        g.sameDiff().setLossVariables(loss[0]);
        g.sameDiff().createGradFunction();
        assertThat(stdout()).contains(QuietGradients.PREFIX);
    }

    @Test
    void buildingAGradientRunnerPrintsNothing() {
        SDVariable[] loss = new SDVariable[1];
        Graph g = model(loss);
        Graph.Gradients runner = g.gradientRunner(loss[0], List.of("fc1.weight", "fc2.bias"));
        assertThat(runner).isNotNull();
        assertThat(stdout()).isEmpty();
        assertThat(System.out).as("stdout is put back").isSameAs(capture);
    }

    @Test
    void computingGradientsPrintsNothing() {
        SDVariable[] loss = new SDVariable[1];
        Graph g = model(loss);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> grads = g.gradients(
                Map.of("x", Nd4j.rand(DataType.FLOAT, 5, 4)), loss[0], List.of("fc1.weight"));
        assertThat(grads).containsKey("fc1.weight");
        assertThat(stdout()).isEmpty();
        assertThat(System.out).isSameAs(capture);
    }

    @Test
    void dropsOnlyThoseLinesAndOnlyOnTheQuietThread() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch printed = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<?> f = other.submit(() -> {
                inside.await(10, TimeUnit.SECONDS);
                // another thread's line that looks the same is not ND4J's gradient builder: it passes
                System.out.println(QuietGradients.PREFIX + "from another thread");
                printed.countDown();
                return null;
            });
            String result = QuietGradients.run(() -> {
                System.out.println("kept");
                System.out.println(QuietGradients.PREFIX + "x");
                System.out.print("a ");
                System.out.printf("%d%n", 42);
                inside.countDown();
                try {
                    printed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return "done";
            });
            f.get(10, TimeUnit.SECONDS);
            assertThat(result).isEqualTo("done");
        } finally {
            other.shutdownNow();
        }
        String nl = System.lineSeparator();
        assertThat(stdout()).isEqualTo("kept" + nl + "a 42" + nl + QuietGradients.PREFIX + "from another thread" + nl);
        assertThat(System.out).isSameAs(capture);
    }

    @Test
    void nestedAndConcurrentScopesRestoreStdoutOnce() throws Exception {
        CountDownLatch bothIn = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Object>> runs = pool.invokeAll(List.of(
                    () -> QuietGradients.run(() -> {
                        bothIn.countDown();
                        await(bothIn);
                        return QuietGradients.run(() -> {
                            System.out.println(QuietGradients.PREFIX + "inner");
                            return null;
                        });
                    }),
                    () -> QuietGradients.run(() -> {
                        bothIn.countDown();
                        await(bothIn);
                        System.out.println(QuietGradients.PREFIX + "second");
                        return null;
                    })));
            for (Future<Object> r : runs) {
                r.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(stdout()).isEmpty();
        assertThat(System.out).isSameAs(capture);
        System.out.println(QuietGradients.PREFIX + "outside any scope");
        assertThat(stdout()).contains("outside any scope");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
