package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.LayerGradientCheck;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.Shape;

/** {@link BatchNorm}: gradients in training mode, running statistics, inference, shapes. */
class BatchNormTest {
    private static final double TOL = 1e-5;

    /** A bound BatchNorm with γ, β set to the given values (or init when null). */
    private static Layer bn(Shape in, float momentum, float[] gammaBeta, float[][] holder) {
        Layer l = new BatchNorm.Config(momentum, 1e-5f).create(in, "layer 2 (batchnorm)");
        float[] p = new float[l.paramCount()];
        float[] g = new float[l.paramCount()];
        float[] s = new float[l.stateCount()];
        l.bind(p, g, 0, s, 0);
        l.initParams(new SplittableRandom(1));
        l.initState();
        if (gammaBeta != null) {
            System.arraycopy(gammaBeta, 0, p, 0, p.length);
        }
        holder[0] = p;
        holder[1] = g;
        holder[2] = s;
        return l;
    }

    @Test
    void gradientDenseTraining() {
        Shape in = Shape.of(5);
        float[] x = GradientCheck.uniform(6 * 5, -1f, 1f, 41);
        LayerGradientCheck.check(new BatchNorm.Config(), in, x, 6, 2, 1000);
    }

    @Test
    void gradientConvTraining() {
        Shape in = Shape.of(3, 3, 4);
        float[] x = GradientCheck.uniform(2 * in.size(), -1f, 1f, 42);
        LayerGradientCheck.check(new BatchNorm.Config(), in, x, 2, 3, 1000);
    }

    @Test
    void gradientWithNonTrivialGammaBeta() {
        // LayerGradientCheck initialises γ = 1, β = 0; check γ ≠ 1 by hand with the same harness pieces
        Shape in = Shape.of(2, 2, 3);
        int batch = 3;
        float[][] h = new float[3][];
        Layer l = bn(in, 0.1f, new float[] {1.5f, -0.7f, 0.3f, 0.2f}, h);
        float[] x = GradientCheck.uniform(batch * in.size(), -1f, 1f, 43);
        float[] r = GradientCheck.uniform(batch * in.size(), -1f, 1f, 44);
        float[] state0 = h[2].clone();
        l.forward(x, batch, true);
        float[] dx = l.backward(r, batch).clone();
        float[] g = h[1].clone();
        java.util.function.DoubleSupplier obj = () -> {
            System.arraycopy(state0, 0, h[2], 0, state0.length);
            return GradientCheck.dot(r, l.forward(x, batch, true), batch * in.size());
        };
        GradientCheck.check("bn params", h[0], 0, 4, g, 0, obj, 100);
        GradientCheck.check("bn input", x, 0, x.length, dx, 0, obj, 100);
    }

    @Test
    void runningStatisticsAfterTwoTrainingForwards() {
        Shape in = Shape.of(2, 2, 2);
        int batch = 3;
        int groups = 2;
        int s = 4;
        float m = 0.1f;
        float[][] h = new float[3][];
        Layer l = bn(in, m, null, h);
        double[] rm = {0, 0};
        double[] rv = {1, 1};
        for (int step = 0; step < 2; step++) {
            float[] x = GradientCheck.uniform(batch * in.size(), -2f, 3f, 50 + step);
            l.forward(x, batch, true);
            for (int c = 0; c < groups; c++) {
                double sum = 0;
                int cnt = 0;
                for (int n = 0; n < batch; n++) {
                    for (int i = 0; i < s; i++) {
                        sum += x[(n * groups + c) * s + i];
                        cnt++;
                    }
                }
                double mu = sum / cnt;
                double ss = 0;
                for (int n = 0; n < batch; n++) {
                    for (int i = 0; i < s; i++) {
                        double d = x[(n * groups + c) * s + i] - mu;
                        ss += d * d;
                    }
                }
                double unbiased = ss / (cnt - 1);
                rm[c] = (1 - m) * rm[c] + m * mu;
                rv[c] = (1 - m) * rv[c] + m * unbiased;
            }
        }
        for (int c = 0; c < groups; c++) {
            assertEquals(rm[c], h[2][c], TOL, "running mean of channel " + c);
            assertEquals(rv[c], h[2][groups + c], TOL, "running variance (unbiased) of channel " + c);
        }
    }

    @Test
    void runningStatisticsDense() {
        float[][] h = new float[3][];
        Layer l = bn(Shape.of(2), 0.5f, null, h);
        // feature 0: 1, 3 -> mean 2, unbiased var 2; feature 1: 0, 0 -> mean 0, var 0
        l.forward(new float[] {1, 0, 3, 0}, 2, true);
        assertArrayEquals(new float[] {1f, 0f, 1.5f, 0.5f}, h[2], 1e-6f);
    }

    @Test
    void inferenceUsesRunningStatistics() {
        Shape in = Shape.of(2, 2, 3);
        int batch = 2;
        float[][] h = new float[3][];
        float[] gb = {1.5f, 0.5f, -0.2f, 0.7f};
        Layer l = bn(in, 0.1f, gb, h);
        float[] rs = {0.3f, -1.2f, 2.0f, 0.25f};
        System.arraycopy(rs, 0, h[2], 0, 4);
        float[] x = GradientCheck.uniform(batch * in.size(), -2f, 2f, 60);
        float[] y = l.forward(x, batch, false);
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 6; i++) {
                    int k = (n * 2 + c) * 6 + i;
                    double want = (x[k] - rs[c]) / Math.sqrt(rs[2 + c] + 1e-5) * gb[c] + gb[2 + c];
                    assertEquals(want, y[k], 1e-5);
                }
            }
        }
        assertArrayEquals(rs, h[2], "inference does not move the running statistics");
    }

    @Test
    void trainingOutputHasZeroMeanUnitBiasedVariancePerChannel() {
        Shape in = Shape.of(3, 4, 4);
        int batch = 5;
        float[][] h = new float[3][];
        Layer l = bn(in, 0.1f, null, h);
        float[] x = GradientCheck.uniform(batch * in.size(), 3f, 7f, 61);
        float[] y = l.forward(x, batch, true);
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sq = 0;
            int cnt = batch * 16;
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < 16; i++) {
                    double v = y[(n * 3 + c) * 16 + i];
                    sum += v;
                    sq += v * v;
                }
            }
            double mean = sum / cnt;
            double var = sq / cnt - mean * mean;
            assertEquals(0, mean, 1e-5, "mean of channel " + c);
            // σ²/(σ² + ε) with σ² ≈ 4/3
            assertEquals(1, var, 1e-4, "biased variance of channel " + c);
        }
    }

    @Test
    void parametersStateAndPenalty() {
        float[][] h = new float[3][];
        Layer l = bn(Shape.of(4, 2, 2), 0.1f, null, h);
        assertEquals(8, l.paramCount());
        assertEquals(8, l.stateCount());
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0}, h[0]);
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1, 1, 1}, h[2]);
        ParamRanges.Builder b = new ParamRanges.Builder();
        l.addPenalizedRanges(b);
        assertEquals(0, b.build().count(), "gamma and beta are not penalised");
    }

    @Test
    void noInputGradientWhenNotNeeded() {
        float[][] h = new float[3][];
        Layer l = bn(Shape.of(3), 0.1f, null, h);
        l.setNeedInputGrad(false);
        l.forward(GradientCheck.uniform(12, -1, 1, 1), 4, true);
        assertNull(l.backward(GradientCheck.uniform(12, -1, 1, 2), 4));
    }

    @Test
    void trainingWithOneValuePerFeatureIsRefused() {
        float[][] h = new float[3][];
        Layer l = bn(Shape.of(3), 0.1f, null, h);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> l.forward(new float[3], 1, true));
        assertTrue(e.getMessage().contains("layer 2 (batchnorm)"), e.getMessage());
    }
}
