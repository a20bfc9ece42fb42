package org.sparktrain.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.ParamRanges;

/**
 * Each optimizer over several steps against a plain double-precision re-implementation of its formula
 * written here from the Javadoc and docs/architecture.md (Conventions), on random parameters and gradients.
 */
class ReferenceImplementationTest {
    private static final int N = 37;
    private static final int STEPS = 6;

    /** A double reference: updates w in place from g, keeping its own state. */
    private interface Ref {
        void step(double[] w, double[] g, int t);
    }

    private static void compare(Optimizer opt, Ref ref, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[N];
        double[] wd = new double[N];
        for (int i = 0; i < N; i++) {
            w[i] = (float) rnd.nextGaussian();
            wd[i] = w[i];
        }
        opt.initialise(N);
        float[] g = new float[N];
        double[] gd = new double[N];
        for (int t = 1; t <= STEPS; t++) {
            for (int i = 0; i < N; i++) {
                // Mix of scales, and some exact zeros, as real gradients have.
                g[i] = i % 7 == 0 ? 0f : (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(4) - 2));
                gd[i] = g[i];
            }
            float[] gBefore = g.clone();
            opt.step(w, g);
            ref.step(wd, gd, t);
            assertEquals(java.util.Arrays.toString(gBefore), java.util.Arrays.toString(g), "step() must not modify grads");
            for (int i = 0; i < N; i++) {
                assertEquals(wd[i], w[i], 1e-5 * Math.max(1, Math.abs(wd[i])),
                        opt.describe() + " step " + t + " element " + i);
            }
        }
        assertEquals(STEPS, opt.stepCount());
    }

    @Test
    void plainSgd() {
        double lr = 0.1;
        compare(new Sgd(lr), (w, g, t) -> {
            for (int i = 0; i < N; i++) {
                w[i] -= lr * g[i];
            }
        }, 1);
    }

    @Test
    void sgdMomentum() {
        double lr = 0.05;
        double mu = 0.9;
        double[] v = new double[N];
        compare(new Sgd(lr, mu, false), (w, g, t) -> {
            for (int i = 0; i < N; i++) {
                v[i] = mu * v[i] + g[i];
                w[i] -= lr * v[i];
            }
        }, 2);
    }

    @Test
    void sgdNesterov() {
        double lr = 0.05;
        double mu = 0.8;
        double[] v = new double[N];
        compare(new Sgd(lr, mu, true), (w, g, t) -> {
            for (int i = 0; i < N; i++) {
                v[i] = mu * v[i] + g[i];
                w[i] -= lr * (g[i] + mu * v[i]);
            }
        }, 3);
    }

    @Test
    void rmsProp() {
        double lr = 0.01;
        double alpha = 0.99;
        double eps = 1e-8;
        double[] s = new double[N];
        compare(new RmsProp(lr), (w, g, t) -> {
            for (int i = 0; i < N; i++) {
                s[i] = alpha * s[i] + (1 - alpha) * g[i] * g[i];
                w[i] -= lr * g[i] / (Math.sqrt(s[i]) + eps);
            }
        }, 4);
    }

    @Test
    void adagrad() {
        double lr = 0.1;
        double[] acc = new double[N];
        compare(new Adagrad(lr), (w, g, t) -> {
            for (int i = 0; i < N; i++) {
                acc[i] += g[i] * g[i];
                w[i] -= lr * g[i] / (Math.sqrt(acc[i]) + 1e-10);
            }
        }, 5);
    }

    private static Ref adamRef(double lr, double b1, double b2, double eps, double wd, ParamRanges decay) {
        double[] m = new double[N];
        double[] v = new double[N];
        return (w, g, t) -> {
            for (int i = 0; i < N; i++) {
                if (decay.contains(i)) {
                    w[i] -= lr * wd * w[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mhat = m[i] / (1 - Math.pow(b1, t));
                double vhat = v[i] / (1 - Math.pow(b2, t));
                w[i] -= lr * mhat / (Math.sqrt(vhat) + eps);
            }
        };
    }

    @Test
    void adam() {
        compare(new Adam(0.01, 0.8, 0.99, 1e-7, 0), adamRef(0.01, 0.8, 0.99, 1e-7, 0, ParamRanges.none()), 6);
    }

    @Test
    void adamWDecaysOnlyItsRanges() {
        // Large lr·wd so the decay is far above the tolerance; ranges leave out 0..4, 15..19 and 30..36.
        ParamRanges decay = new ParamRanges.Builder().add(5, 10).add(20, 10).build();
        Adam opt = new Adam(0.05, 0.9, 0.999, 1e-8, 0.5);
        opt.setDecayRanges(decay);
        compare(opt, adamRef(0.05, 0.9, 0.999, 1e-8, 0.5, decay), 7);
    }

    @Test
    void adamWWithZeroGradientShrinksByExactlyOneMinusLrWd() {
        Adam opt = Adam.adamW(0.1, 0.2);
        opt.setDecayRanges(ParamRanges.of(new int[] {1}, new int[] {1}));
        opt.initialise(2);
        float[] w = {2f, 2f};
        opt.step(w, new float[2]);
        // Zero gradient: Adam's part is 0/(0+ε) = 0, so only w1 decays: 2·(1 − 0.1·0.2) = 1.96.
        assertEquals(2f, w[0], 0f);
        assertEquals(1.96f, w[1], 1e-7f);
    }
}
