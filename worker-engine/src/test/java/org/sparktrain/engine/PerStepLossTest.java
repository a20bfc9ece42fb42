package org.sparktrain.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.SpecException;

/**
 * Many-to-many: a network whose output is one vector per step ({@code [T, K]}) takes its loss per real step,
 * averaged over the real steps of the minibatch; padded steps (and whatever label they carry) take no part.
 */
class PerStepLossTest {
    static final int T = 5;
    static final int F = 2;
    static final float[] MASK = {
        1, 1, 1, 0, 0,
        1, 1, 1, 1, 1,
        1, 0, 0, 0, 0};

    static Network net(String loss, String head) {
        return Network.build(ModelSpec.parse("input: [" + T + ", " + F + "]\n" + head + "\nlayers:\n"
                + "  - {type: lstm, units: 4, return_sequences: true}\n"
                + "  - {type: time_distributed, units: 3}\n" + "loss: " + loss + "\n", "per-step.yaml"), 5);
    }

    /** Labels per step; padded steps hold -1 (out of range: would fail if they were read). */
    static int[] labels() {
        int[] y = new int[3 * T];
        for (int r = 0; r < y.length; r++) {
            y[r] = MASK[r] == 0f ? -1 : (r * 7) % 3;
        }
        return y;
    }

    @Test
    void gradientOfTheMaskedPerStepCrossEntropy() {
        Network n = net("softmax_cross_entropy", "classes: 3");
        MiniBatch b = new MiniBatch(GradientCheck.uniform(3 * T * F, -1f, 1f, 8), labels(), null, 3);
        b.mask = MASK;
        n.computeGradient(b);
        float[] g = n.grads().clone();
        GradientCheck.check("per-step cross-entropy", n.params(), 0, n.params().length, g, 0, () -> n.loss(b), 400);
    }

    @Test
    void gradientOfTheMaskedPerStepMse() {
        Network n = net("mse", "outputs: 3");
        float[] targets = GradientCheck.uniform(3 * T * 3, -1f, 1f, 9);
        MiniBatch b = new MiniBatch(GradientCheck.uniform(3 * T * F, -1f, 1f, 8), null, targets, 3);
        b.mask = MASK;
        n.computeGradient(b);
        float[] g = n.grads().clone();
        GradientCheck.check("per-step mse", n.params(), 0, n.params().length, g, 0, () -> n.loss(b), 400);
    }

    /**
     * docs/architecture.md, Conventions, "Row weights": every real step of a sequence weighs its row's weight, over
     * the real steps: gradient-checked, and the loss is {@code Σ_real w_b L_bt / N_real} (from the unweighted per-step
     * losses of the same sequences).
     */
    @Test
    void rowWeightsWeighEveryStepOfTheirSequence() {
        Network n = net("softmax_cross_entropy", "classes: 3");
        float[] x = GradientCheck.uniform(3 * T * F, -1f, 1f, 8);
        MiniBatch b = masked(x);
        b.weights = new float[] {2f, 0.5f, 3f};
        n.computeGradient(b);
        float[] g = n.grads().clone();
        GradientCheck.check("row-weighted per-step cross-entropy", n.params(), 0, n.params().length, g, 0,
                () -> n.loss(b), 400);
        assertEquals(meanOverRealSteps(n, x, b.weights), n.loss(b), 1e-5);
        MiniBatch unmasked = new MiniBatch(x, java.util.Arrays.stream(labels()).map(y -> Math.max(y, 0)).toArray(), null,
                3);
        double plain = n.loss(unmasked);
        unmasked.weights = new float[] {2f, 2f, 2f};
        assertEquals(2 * plain, n.loss(unmasked), 1e-6, "no mask: every step weighs its row's weight too");
    }

    @Test
    void theLossIsTheMeanOverRealSteps() {
        Network n = net("softmax_cross_entropy", "classes: 3");
        float[] x = GradientCheck.uniform(3 * T * F, -1f, 1f, 8);
        assertEquals(meanOverRealSteps(n, x, null), n.loss(masked(x)), 1e-5);
    }

    /** Sequences {@code x} with {@link #labels()} and {@link #MASK}. */
    static MiniBatch masked(float[] x) {
        MiniBatch b = new MiniBatch(x, labels(), null, 3);
        b.mask = MASK;
        return b;
    }

    /**
     * The cross-entropy of {@code n}'s per-step predictions for {@link #labels()}, each real step weighing its
     * sequence's weight ({@code weights}; null: 1), over the real steps of {@link #MASK}.
     */
    static double meanOverRealSteps(Network n, float[] x, float[] weights) {
        float[] probs = new float[3 * T * 3];
        n.predict(x, MASK, 3, probs);
        double sum = 0;
        int real = 0;
        for (int r = 0; r < 3 * T; r++) {
            if (MASK[r] != 0f) {
                sum -= (weights == null ? 1 : weights[r / T]) * Math.log(probs[r * 3 + labels()[r]]);
                real++;
            }
            assertEquals(1.0, probs[r * 3] + probs[r * 3 + 1] + probs[r * 3 + 2], 1e-5, "softmax per step");
        }
        return sum / real;
    }

    @Test
    void labelsArePerStepAndCountsArePerStep() {
        Network n = net("softmax_cross_entropy", "classes: 3");
        MiniBatch b = new MiniBatch(new float[3 * T * F], new int[] {0, 1, 2}, null, 3);
        String m = assertThrows(IllegalArgumentException.class, () -> n.computeGradient(b)).getMessage();
        assertTrue(m.contains("needs 15 step labels"), m);
        String s = assertThrows(SpecException.class, () -> net("softmax_cross_entropy", "classes: 15")).getMessage();
        assertTrue(s.contains("3 outputs per step"), s);
    }

    @Test
    void withoutAMaskEveryStepCounts() {
        Network n = net("softmax_cross_entropy", "classes: 3");
        float[] x = GradientCheck.uniform(3 * T * F, -1f, 1f, 8);
        int[] y = new int[3 * T];
        for (int r = 0; r < y.length; r++) {
            y[r] = r % 3;
        }
        MiniBatch all = new MiniBatch(x, y, null, 3);
        MiniBatch ones = new MiniBatch(x, y, null, 3);
        ones.mask = new float[3 * T];
        java.util.Arrays.fill(ones.mask, 1f);
        double a = n.computeGradient(all);
        float[] ga = n.grads().clone();
        assertEquals(a, n.computeGradient(ones), 1e-6);
        assertArrayEquals(ga, n.grads(), 1e-6f);
        assertArrayEquals(new int[] {0, 1, 2}, java.util.Arrays.copyOf(y, 3), "the caller's labels are not touched");
    }
}
