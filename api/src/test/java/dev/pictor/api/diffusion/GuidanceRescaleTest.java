package dev.pictor.api.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.pictor.api.BadInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Guidance rescale (Lin et al. 2023, §3.4) against the formula written out per sample in doubles. */
class GuidanceRescaleTest {
    @Test
    void eachSampleMovesItsStandardDeviationTheAskedShareTowardTheConditionalOne() {
        Nd4j.getRandom().setSeed(5);
        INDArray cond = Nd4j.randn(DataType.DOUBLE, 3, 2, 4, 4);
        INDArray guided = cond.mul(4).addi(Nd4j.randn(DataType.DOUBLE, 3, 2, 4, 4));
        guided.slice(2).muli(0.1);   // one sample below the conditional scale: rescale enlarges it
        for (double phi : new double[] {0.7, 1}) {
            INDArray out = GuidanceLoop.rescaled(guided.dup(), cond, phi);
            for (int b = 0; b < 3; b++) {
                double[] g = guided.slice(b).dup().data().asDouble();
                double factor = phi * std(cond.slice(b).dup().data().asDouble()) / std(g) + (1 - phi);
                double[] o = out.slice(b).dup().data().asDouble();
                for (int i = 0; i < g.length; i++) {
                    assertThat(o[i]).isCloseTo(g[i] * factor, offset(1e-12));
                }
            }
        }
        INDArray full = GuidanceLoop.rescaled(guided.dup(), cond, 1);
        for (int b = 0; b < 3; b++) {
            assertThat(full.slice(b).stdNumber().doubleValue()).as("phi 1: the conditional scale, sample " + b)
                    .isCloseTo(cond.slice(b).stdNumber().doubleValue(), offset(1e-12));
        }
    }

    @Test
    void zeroLeavesThePredictionAsItIsAndAConstantOneIsNotDividedByZero() {
        INDArray guided = Nd4j.rand(DataType.FLOAT, 2, 3, 4);
        INDArray copy = guided.dup();
        assertThat(GuidanceLoop.rescaled(guided, Nd4j.rand(DataType.FLOAT, 2, 3, 4), 0)).isSameAs(guided);
        assertThat(guided).isEqualTo(copy);
        INDArray flat = Nd4j.ones(DataType.FLOAT, 1, 3, 4);
        assertThat(GuidanceLoop.rescaled(flat.dup(), Nd4j.rand(DataType.FLOAT, 1, 3, 4), 1)).isEqualTo(flat);
    }

    @Test
    void outsideZeroToOneIsOneLineNamingIt() {
        assertThatThrownBy(() -> DiffusionRequest.builder(1).guidanceRescale(1.5).build())
                .isInstanceOf(BadInputException.class).hasMessageContaining("guidance rescale must lie in [0, 1]");
        assertThatThrownBy(() -> DiffusionRequest.builder(1).guidanceRescale(Double.NaN).build())
                .isInstanceOf(BadInputException.class);
    }

    private static double std(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / (v.length - 1));
    }
}
