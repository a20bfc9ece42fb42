package org.sparktrain.engine.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.data.MiniBatch;

/**
 * docs/architecture.md, Conventions, "Row weights": with per-row weights w ({@link MiniBatch#weights}) every loss is
 * {@code Σ w_i L_i / B} over a minibatch of B rows, gradient {@code w_i dL_i / B}; class weights multiply them.
 */
class RowWeightTest {
    static final int N = 4;
    static final float[] W = {0.5f, 2f, 0f, 1.5f};

    /** Every loss with its kind of minibatch (labels, or K float targets). */
    static List<Object[]> cases(int k) {
        float[] t = GradientCheck.uniform(N * k, 0f, 1f, 21); // in [0, 1]: fits the binary cross-entropy too
        List<Object[]> c = new ArrayList<>();
        c.add(new Object[] {new SoftmaxCrossEntropy(), new int[] {1, 3, 0, 2}, null});
        SoftmaxCrossEntropy classWeighted = new SoftmaxCrossEntropy();
        classWeighted.setClassWeights(new float[] {3f, 0.5f, 1.25f, 2f});
        c.add(new Object[] {classWeighted, new int[] {1, 3, 0, 2}, null});
        for (Loss l : new Loss[] {new MeanSquaredError(), new MeanAbsoluteError(), new HuberLoss(1.0), new HuberLoss(0.3),
            new SigmoidBinaryCrossEntropy()}) {
            c.add(new Object[] {l, null, t});
        }
        return c;
    }

    static MiniBatch batch(Object[] c, float[] weights) {
        MiniBatch b = new MiniBatch(null, (int[]) c[1], (float[]) c[2], N);
        b.weights = weights;
        return b;
    }

    /** Gradient-checked, and the value is Σ w_i L_i / B with L_i each row's loss alone (class weight included). */
    @Test
    void everyWeightedLossIsTheWeightedSumOverTheRowsAndGradientChecked() {
        int k = 4;
        float[] z = GradientCheck.uniform(N * k, -2f, 2f, 22);
        for (Object[] c : cases(k)) {
            Loss loss = (Loss) c[0];
            MiniBatch b = batch(c, W);
            float[] d = new float[N * k];
            double l = loss.forwardBackward(z, k, b, d);
            String what = "row-weighted " + loss.name();
            GradientCheck.check(what, z, 0, N * k, d, 0, () -> loss.forwardBackward(z, k, b, null), 100, 1e-2f, 1e-3,
                    1e-6);
            double want = 0;
            for (int r = 0; r < N; r++) {
                MiniBatch one = new MiniBatch(null, c[1] == null ? null : new int[] {((int[]) c[1])[r]},
                        c[2] == null ? null : java.util.Arrays.copyOfRange((float[]) c[2], r * k, r * k + k), 1);
                float[] dr = new float[k];
                want += W[r] * loss.forwardBackward(java.util.Arrays.copyOfRange(z, r * k, r * k + k), k, one, dr) / N;
                for (int j = 0; j < k; j++) {
                    assertEquals(W[r] * dr[j] / N, d[r * k + j], 1e-7, what + ": gradient of row " + r);
                }
            }
            assertEquals(want, l, 1e-6, what);
            double plain = loss.forwardBackward(z, k, batch(c, null), null);
            assertNotEquals(plain, l, 1e-3, what + ": the weights change the loss");
        }
    }

    /**
     * Integer row weights are duplicated rows in expectation (as LossTest.classWeightsEqualUpSamplingTheClass for
     * class weights): the mean over every minibatch of two distinct rows of a set of 6 equals the gradient of the set
     * with row i repeated w_i times, over its rows, when the weights sum to the row count (here 2+0+1+1+2+0 = 6).
     */
    @Test
    void integerRowWeightsEqualDuplicatingTheRowsInExpectation() {
        int n = 6;
        int k = 3;
        float[] w = {2f, 0f, 1f, 1f, 2f, 0f};
        int[] labels = {0, 1, 1, 2, 2, 0};
        float[] targets = GradientCheck.uniform(n * k, 0f, 1f, 23);
        float[] z = GradientCheck.uniform(n * k, -2f, 2f, 24);
        SoftmaxCrossEntropy both = new SoftmaxCrossEntropy();
        both.setClassWeights(new float[] {0.5f, 1f, 1.5f}); // multiplies: row i counts c_{y_i} · w_i times
        Loss[] losses = {new SoftmaxCrossEntropy(), both, new MeanSquaredError(), new HuberLoss(0.5),
            new SigmoidBinaryCrossEntropy()};
        for (Loss loss : losses) {
            boolean classes = loss instanceof SoftmaxCrossEntropy;
            double[] mean = new double[n * k];
            double meanLoss = 0;
            int pairs = 0;
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    float[] zp = new float[2 * k];
                    float[] tp = new float[2 * k];
                    System.arraycopy(z, a * k, zp, 0, k);
                    System.arraycopy(z, b * k, zp, k, k);
                    System.arraycopy(targets, a * k, tp, 0, k);
                    System.arraycopy(targets, b * k, tp, k, k);
                    MiniBatch mb = new MiniBatch(null, classes ? new int[] {labels[a], labels[b]} : null,
                            classes ? null : tp, 2);
                    mb.weights = new float[] {w[a], w[b]};
                    float[] d = new float[2 * k];
                    meanLoss += loss.forwardBackward(zp, k, mb, d);
                    for (int j = 0; j < k; j++) {
                        mean[a * k + j] += d[j];
                        mean[b * k + j] += d[k + j];
                    }
                    pairs++;
                }
            }
            // the duplicated set: row i written w_i times, unweighted (class weights as they are), over its 6 rows
            List<Integer> dup = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < (int) w[r]; c++) {
                    dup.add(r);
                }
            }
            assertEquals(n, dup.size());
            float[] zd = new float[n * k];
            float[] td = new float[n * k];
            int[] yd = new int[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(z, dup.get(i) * k, zd, i * k, k);
                System.arraycopy(targets, dup.get(i) * k, td, i * k, k);
                yd[i] = labels[dup.get(i)];
            }
            float[] dd = new float[n * k];
            double lossDup = loss.forwardBackward(zd, k, new MiniBatch(null, classes ? yd : null, classes ? null : td, n),
                    dd);
            double[] want = new double[n * k]; // the duplicates' gradients summed back onto their row
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < k; j++) {
                    want[dup.get(i) * k + j] += dd[i * k + j];
                }
            }
            assertEquals(lossDup, meanLoss / pairs, 1e-6, loss.name() + ": the expected minibatch loss");
            for (int i = 0; i < n * k; i++) {
                assertEquals(want[i], mean[i] / pairs, 1e-6, loss.name() + ": gradient entry " + i);
            }
        }
    }

    /**
     * A weight-0 row takes no gradient and adds no loss; whatever its outputs, label or targets, the minibatch's loss
     * and the other rows' gradients keep every bit. (It still counts in B, the divisor: the convention is the rows'
     * mean, docs/architecture.md.)
     */
    @Test
    void weightZeroRowsChangeNothing() {
        int k = 4;
        float[] z = GradientCheck.uniform(N * k, -2f, 2f, 25);
        for (Object[] c : cases(k)) {
            Loss loss = (Loss) c[0];
            float[] d = new float[N * k];
            double l = loss.forwardBackward(z, k, batch(c, W), d);
            for (int j = 0; j < k; j++) {
                assertEquals(0f, d[2 * k + j], 0f, loss.name() + ": the weight-0 row's gradient");
            }
            float[] z2 = z.clone();
            for (int j = 0; j < k; j++) {
                z2[2 * k + j] = 40f * (j + 1); // row 2 weighs 0
            }
            Object[] c2 = c.clone();
            if (c[1] != null) {
                int[] y = ((int[]) c[1]).clone();
                y[2] = (y[2] + 1) % k;
                c2[1] = y;
            } else {
                float[] t = ((float[]) c[2]).clone();
                java.util.Arrays.fill(t, 2 * k, 3 * k, 0.25f);
                c2[2] = t;
            }
            float[] d2 = new float[N * k];
            double l2 = loss.forwardBackward(z2, k, batch(c2, W), d2);
            assertEquals(l, l2, 0.0, loss.name() + ": the loss");
            assertArrayEquals(d, d2, 0f, loss.name() + ": the gradients");
        }
    }

    /** Weights of 1 everywhere are no weights, bit for bit. */
    @Test
    void unitWeightsAreTheUnweightedLossBitForBit() {
        int k = 4;
        float[] z = GradientCheck.uniform(N * k, -2f, 2f, 26);
        float[] ones = {1f, 1f, 1f, 1f};
        for (Object[] c : cases(k)) {
            Loss loss = (Loss) c[0];
            float[] d = new float[N * k];
            float[] d1 = new float[N * k];
            assertEquals(loss.forwardBackward(z, k, batch(c, null), d), loss.forwardBackward(z, k, batch(c, ones), d1),
                    0.0, loss.name());
            assertArrayEquals(d, d1, 0f, loss.name());
        }
    }
}
