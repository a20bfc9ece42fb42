package org.sparktrain.engine.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.data.MiniBatch;

class LossTest {

    @Test
    void softmaxCrossEntropyOnHugeLogitsIsFinite() {
        // logits of ±1000: log(softmax) would give log(0) = -inf; log-sum-exp gives exact values
        float[] z = {1000f, -1000f, 0f, -1000f, 1000f, 0f};
        MiniBatch b = new MiniBatch(null, new int[] {0, 0}, null, 2);
        float[] d = new float[6];
        double l = new SoftmaxCrossEntropy().forwardBackward(z, 3, b, d);
        // example 1: label 0 has the max logit: loss = log(1 + e^-2000 + e^-1000) = 0
        // example 2: label 0 is 2000 below the max: loss = 2000
        assertEquals((0 + 2000) / 2.0, l, 1e-9);
        for (float v : d) {
            assertTrue(Float.isFinite(v));
        }
        assertEquals(0f, d[0], 1e-7f);   // (p - 1)/2 with p = 1
        assertEquals(-0.5f, d[3], 1e-7f); // (0 - 1)/2
        assertEquals(0.5f, d[4], 1e-7f);  // (1 - 0)/2
        float[] p = new float[6];
        new SoftmaxCrossEntropy().toPredictions(z, 3, 2, p);
        assertEquals(1f, p[0], 0f);
        assertEquals(1f, p[4], 0f);
        assertEquals(0f, p[1], 0f);
    }

    @Test
    void softmaxCrossEntropyMatchesDefinition() {
        float[] z = {0.5f, -1f, 2f, 0.1f};
        MiniBatch b = new MiniBatch(null, new int[] {2}, null, 1);
        double l = new SoftmaxCrossEntropy().forwardBackward(z, 4, b, null);
        double s = Math.exp(0.5) + Math.exp(-1) + Math.exp(2) + Math.exp(0.1);
        assertEquals(-Math.log(Math.exp(2) / s), l, 1e-6);
    }

    @Test
    void gradientsOfEveryLoss() {
        int n = 3;
        int k = 4;
        float[] z = GradientCheck.uniform(n * k, -2f, 2f, 3);
        MiniBatch labels = new MiniBatch(null, new int[] {1, 3, 0}, null, n);
        float[] t01 = {0, 1, 1, 0, 1, 0, 0, 1, 0.5f, 0.2f, 1, 0};
        MiniBatch targets = new MiniBatch(null, null, t01, n);
        Loss[] losses = {new SoftmaxCrossEntropy(), new MeanSquaredError(), new SigmoidBinaryCrossEntropy()};
        MiniBatch[] batches = {labels, targets, targets};
        for (int i = 0; i < losses.length; i++) {
            Loss loss = losses[i];
            MiniBatch b = batches[i];
            float[] d = new float[n * k];
            loss.forwardBackward(z, k, b, d);
            GradientCheck.check(loss.name(), z, 0, n * k, d, 0, () -> loss.forwardBackward(z, k, b, null), 100,
                    1e-2f, 1e-3, 1e-6);
        }
    }

    /**
     * docs/architecture.md, "Multi-label": sigmoid binary cross-entropy over K = 3 labels of 0/1 targets, the
     * gradient checked numerically and the loss against its definition {@code −t·log σ(z) − (1−t)·log(1−σ(z))}.
     */
    @Test
    void multiLabelSigmoidBinaryCrossEntropy() {
        int n = 4;
        int k = 3;
        float[] z = GradientCheck.uniform(n * k, -3f, 3f, 12);
        float[] t = {1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1};
        MiniBatch b = new MiniBatch(null, null, t, n);
        Loss loss = Loss.parse("sigmoid_binary_cross_entropy");
        float[] d = new float[n * k];
        double l = loss.forwardBackward(z, k, b, d);
        GradientCheck.check("multi-label " + loss.name(), z, 0, n * k, d, 0, () -> loss.forwardBackward(z, k, b, null),
                100, 1e-2f, 1e-3, 1e-6);
        double want = 0;
        for (int i = 0; i < n * k; i++) {
            double p = 1 / (1 + Math.exp(-z[i]));
            want -= t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p);
        }
        assertEquals(want / (n * k), l, 1e-6);
    }

    /** Numerical gradient checks of the regression losses; outputs kept away from MAE's and Huber's kinks. */
    @Test
    void gradientsOfMaeAndHuber() {
        int n = 3;
        int k = 2;
        float[] z = {0.3f, -1.2f, 2.5f, 0.9f, -0.4f, 1.7f};
        float[] t = {0.0f, 0.4f, 0.1f, 0.2f, -3.0f, 1.2f}; // |z - t|: 0.3 1.6 2.4 0.7 2.6 0.5
        MiniBatch b = new MiniBatch(null, null, t, n);
        Loss[] losses = {new MeanAbsoluteError(), new HuberLoss(1.0), new HuberLoss(0.4)};
        for (Loss loss : losses) {
            float[] d = new float[n * k];
            loss.forwardBackward(z, k, b, d);
            GradientCheck.check(loss.name(), z, 0, n * k, d, 0, () -> loss.forwardBackward(z, k, b, null), 100,
                    1e-2f, 1e-3, 1e-6);
        }
    }

    @Test
    void maeAndHuberMatchTheirDefinitions() {
        float[] z = {0.5f, 3f};
        MiniBatch b = new MiniBatch(null, null, new float[] {0f, 0f}, 2);
        assertEquals((0.5 + 3) / 2, new MeanAbsoluteError().forwardBackward(z, 1, b, null), 1e-7);
        // delta 1: 0.5·0.5² inside, 1·(3 − 0.5) outside
        assertEquals((0.125 + 2.5) / 2, new HuberLoss(1.0).forwardBackward(z, 1, b, null), 1e-7);
        float[] d = new float[2];
        new HuberLoss(1.0).forwardBackward(z, 1, b, d);
        assertEquals(0.25f, d[0], 1e-7f); // d / n inside
        assertEquals(0.5f, d[1], 1e-7f);  // delta / n outside
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss(0));
    }

    @Test
    void classWeightedSoftmaxCrossEntropyGradient() {
        int n = 4;
        int k = 3;
        float[] z = GradientCheck.uniform(n * k, -2f, 2f, 5);
        MiniBatch b = new MiniBatch(null, new int[] {0, 2, 2, 1}, null, n);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        loss.setClassWeights(new float[] {3f, 0.5f, 1.25f});
        float[] d = new float[n * k];
        loss.forwardBackward(z, k, b, d);
        GradientCheck.check("weighted softmax_cross_entropy", z, 0, n * k, d, 0,
                () -> loss.forwardBackward(z, k, b, null), 100, 1e-2f, 1e-3, 1e-6);
    }

    /**
     * docs/architecture.md, Conventions: a class weight of w is up-sampling that class w times in expectation. The
     * mean over every minibatch of two distinct rows of a small set equals the gradient of the set with class 0's
     * rows repeated w times, over its rows, exactly when the weights sum to the rows (as {@code balanced} does):
     * {@code Σ w_y L / batch} is unbiased, {@code Σ w_y L / Σ w_y} (the earlier form) is not.
     */
    @Test
    void classWeightsEqualUpSamplingTheClass() {
        int k = 3;
        int n = 6;
        int[] labels = {0, 1, 1, 2, 2, 2};
        // balanced: N / (k · n_c) = 6 / (3 · {1, 2, 3}); they sum to N over the rows
        float[] weights = {2f, 1f, 2f / 3f};
        float[] z = GradientCheck.uniform(n * k, -2f, 2f, 6);
        SoftmaxCrossEntropy weighted = new SoftmaxCrossEntropy();
        weighted.setClassWeights(weights);
        double[] expected = new double[n * k];
        double expectedLoss = 0;
        int pairs = 0;
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                float[] zp = new float[2 * k];
                System.arraycopy(z, a * k, zp, 0, k);
                System.arraycopy(z, b * k, zp, k, k);
                float[] d = new float[2 * k];
                expectedLoss += weighted.forwardBackward(zp, k, new MiniBatch(null, new int[] {labels[a], labels[b]},
                        null, 2), d);
                for (int j = 0; j < k; j++) {
                    expected[a * k + j] += d[j];
                    expected[b * k + j] += d[k + j];
                }
                pairs++;
            }
        }
        // each row is in n − 1 of the n(n − 1)/2 pairs, with 1/2 of each: on average w_y g / n. The up-sampled set
        // (class 0's row twice, each class-2 row 2/3 of a time in expectation: Σ w = n rows), unweighted, its mean:
        float[] du = new float[n * k];
        double lu = 0;
        SoftmaxCrossEntropy plain = new SoftmaxCrossEntropy();
        for (int r = 0; r < n; r++) {
            float[] d = new float[k];
            float[] zr = java.util.Arrays.copyOfRange(z, r * k, r * k + k);
            lu += weights[labels[r]] * plain.forwardBackward(zr, k, new MiniBatch(null, new int[] {labels[r]}, null, 1),
                    d) / n;
            for (int j = 0; j < k; j++) {
                du[r * k + j] = (float) (weights[labels[r]] * d[j] / n);
            }
        }
        assertEquals(lu, expectedLoss / pairs, 1e-6, "the expected minibatch loss is the up-sampled set's");
        for (int i = 0; i < n * k; i++) {
            assertEquals(du[i], expected[i] / pairs, 1e-6, "gradient entry " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> new MeanSquaredError().setClassWeights(new float[] {1f}));
        weighted.setClassWeights(new float[] {1f, 1f});
        assertThrows(IllegalArgumentException.class, () -> weighted.forwardBackward(z, k,
                new MiniBatch(null, new int[] {0, 1, 2}, null, 3), null), "2 weights for 3 classes");
    }

    @Test
    void mseValue() {
        float[] o = {1f, 2f};
        MiniBatch b = new MiniBatch(null, null, new float[] {0f, 4f}, 1);
        // (1² + 2²) / 2 = 2.5
        assertEquals(2.5, new MeanSquaredError().forwardBackward(o, 2, b, null), 1e-9);
    }

    @Test
    void labelOutsideClassesIsRefused() {
        MiniBatch b = new MiniBatch(null, new int[] {5}, null, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SoftmaxCrossEntropy().forwardBackward(new float[3], 3, b, null));
        assertTrue(e.getMessage().contains("label 5"), e.getMessage());
    }

    @Test
    void unknownLossIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.parse("hinge"));
        assertTrue(e.getMessage().contains("softmax_cross_entropy"), e.getMessage());
    }
}
