package dev.pictor.nn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.pictor.nn.Fixture;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OptimizerTest {

    /** Six steps of clipping + AdamW + warm-up/cosine against torch.optim.AdamW (fixture adamw.safetensors). */
    @Test
    void adamWWithClippingAndScheduleMatchesPyTorch() {
        Fixture f = Fixture.load("adamw");
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("p", f.get("param.p").dup());
        params.put("q", f.get("param.q").dup());
        AdamW adam = new AdamW(0.9, 0.999, 1e-8, 0.01);
        LearningRateSchedule lr = LearningRateSchedule.warmupCosine(0.1, 2, 6, 0.01);
        for (int step = 0; step < 6; step++) {
            Map<String, INDArray> grads = new LinkedHashMap<>();
            grads.put("p", f.get("grad." + step + ".p").dup());
            grads.put("q", f.get("grad." + step + ".q").dup());
            GradientClipping.clipByGlobalNorm(grads, 1.0);
            adam.step(params, grads, lr.at(step));
            Fixture.assertClose(params.get("p"), f.get("after." + step + ".p"), "p after step " + step);
            Fixture.assertClose(params.get("q"), f.get("after." + step + ".q"), "q after step " + step);
        }
        assertThat(adam.steps()).isEqualTo(6);
    }

    @Test
    void warmupCosineSchedule() {
        LearningRateSchedule lr = LearningRateSchedule.warmupCosine(1.0, 4, 14, 0.1);
        assertThat(lr.at(0)).isEqualTo(0.25);
        assertThat(lr.at(3)).isEqualTo(1.0);
        assertThat(lr.at(4)).isEqualTo(1.0);
        assertThat(lr.at(9)).isCloseTo(0.55, offset(1e-12)); // half-way down the cosine
        assertThat(lr.at(14)).isEqualTo(0.1);
        assertThat(lr.at(100)).isEqualTo(0.1);
    }

    @Test
    void clippingScalesToTheMaximumNormOnlyWhenAbove() {
        Map<String, INDArray> g = new LinkedHashMap<>();
        g.put("a", Nd4j.createFromArray(3.0, 0.0));
        g.put("b", Nd4j.createFromArray(new double[][] {{4.0}}));
        assertThat(GradientClipping.clipByGlobalNorm(g, 1.0)).isCloseTo(5.0, offset(1e-12));
        double after = Math.sqrt(Math.pow(g.get("a").getDouble(0), 2) + Math.pow(g.get("b").getDouble(0), 2));
        assertThat(after).isCloseTo(1.0, offset(1e-6));
        Map<String, INDArray> small = Map.of("a", Nd4j.createFromArray(0.3, 0.4));
        GradientClipping.clipByGlobalNorm(small, 1.0);
        assertThat(small.get("a").toDoubleVector()).containsExactly(0.3, 0.4);
    }

    @Test
    void emaFollowsTheClosedForm() {
        Ema ema = new Ema(0.9);
        INDArray p = Nd4j.scalar(DataType.DOUBLE, 0.0);
        ema.update(Map.of("w", p));
        for (int i = 1; i <= 3; i++) {
            p.assign(10.0 * i);
            ema.update(Map.of("w", p));
        }
        // 0 → 0.1·10 = 1 → 0.9·1 + 0.1·20 = 2.9 → 0.9·2.9 + 0.1·30 = 5.61
        assertThat(ema.shadow().get("w").getDouble(0)).isCloseTo(5.61, offset(1e-12));
        // with LitEma's warm-up, update n uses min(0.9, (1 + n) / (10 + n)): 2/11, 3/12, 4/13 after the copy
        Ema warm = new Ema(0.9, true);
        INDArray q = Nd4j.scalar(DataType.DOUBLE, 0.0);
        warm.update(Map.of("w", q));
        double expected = 0;
        for (int i = 1; i <= 3; i++) {
            q.assign(10.0 * i);
            warm.update(Map.of("w", q));
            double d = Math.min(0.9, (1.0 + i) / (10.0 + i));
            expected = d * expected + (1 - d) * 10.0 * i;
        }
        assertThat(warm.shadow().get("w").getDouble(0)).isCloseTo(expected, offset(1e-12));
    }
}
