package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.spec.ModelSpec;

/**
 * Padded steps change neither the loss nor the gradients: a padded minibatch gives the loss and
 * gradient of its unpadded sequences taken one by one (each in a network of its own length, same
 * parameters), and garbage in the padded steps changes nothing, bit for bit.
 */
class RnnMaskTest {
    static final int F = 3;
    static final int T = 6;

    static final String[] MANY_TO_ONE = {"{type: lstm, units: 4}", "{type: gru, units: 4}",
        "{type: gru, units: 4, variant: pytorch}", "{type: simple_rnn, units: 4}"};

    static Network net(String layer, int steps, boolean seq) {
        String head = seq ? "  - {type: time_distributed, units: 2}\nloss: mse\n"
                : "  - {type: dense, units: 3, activation: softmax}\nloss: softmax_cross_entropy\n";
        return Network.build(ModelSpec.parse("input: [" + steps + ", " + F + "]\nlayers:\n  - " + layer + "\n" + head,
                "mask-test.yaml"), 11);
    }

    /** Real steps of each example: 0 = padding. Ends padded, start padded, a gap inside. */
    static final float[] MASK = {
        1, 1, 1, 1, 0, 0,
        0, 1, 1, 1, 1, 1,
        1, 1, 0, 1, 1, 1};

    @Test
    void paddedBatchEqualsTheUnpaddedSequencesManyToOne() {
        for (String layer : new String[] {"{type: lstm, units: 4}", "{type: gru, units: 4}",
                "{type: gru, units: 4, variant: pytorch}", "{type: simple_rnn, units: 4}"}) {
            check(layer, false);
        }
    }

    @Test
    void paddedBatchEqualsTheUnpaddedSequencesManyToMany() {
        for (String layer : new String[] {"{type: lstm, units: 4, return_sequences: true}",
                "{type: gru, units: 4, return_sequences: true}", "{type: simple_rnn, units: 4, return_sequences: true}"}) {
            check(layer, true);
        }
    }

    /** Sequences padded at the end (lengths 4, 6, 2, 5, 1): the packed path, padded steps not computed. */
    static final float[] PREFIX_MASK = prefixMask(T, 4, 6, 2, 5, 1);

    static float[] prefixMask(int steps, int... lengths) {
        float[] m = new float[lengths.length * steps];
        for (int b = 0; b < lengths.length; b++) {
            java.util.Arrays.fill(m, b * steps, b * steps + lengths[b], 1f);
        }
        return m;
    }

    @Test
    void packedBatchEqualsTheUnpaddedSequences() {
        for (String layer : MANY_TO_ONE) {
            check(layer, false, PREFIX_MASK);
            // tbptt boundaries count from step 0 in both; a finished sequence is not cut by a later boundary
            check(layer.replace("}", ", tbptt: 2}"), false, PREFIX_MASK);
        }
        for (String layer : new String[] {"{type: lstm, units: 4, return_sequences: true}",
                "{type: gru, units: 4, return_sequences: true, tbptt: 3}", "{type: simple_rnn, units: 4, return_sequences: true}"}) {
            check(layer, true, PREFIX_MASK);
        }
    }

    /**
     * The same sequences padded to 6 or to 11 steps: loss, gradient and predictions bit for bit (many-to-one):
     * packed steps depend on the real steps only.
     */
    @Test
    void moreEndPaddingChangesNoBit() {
        int[] lengths = {4, 6, 2, 5, 1, 6, 3};
        int batch = lengths.length;
        int longT = 11;
        float[] shortX = GradientCheck.uniform(batch * T * F, -1f, 1f, 5);
        float[] longX = new float[batch * longT * F];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(shortX, b * T * F, longX, b * longT * F, lengths[b] * F);
            for (int k = lengths[b] * F; k < longT * F; k++) {
                longX[b * longT * F + k] = 7f; // garbage: never read
            }
        }
        int[] labels = {0, 2, 1, 1, 0, 2, 2};
        for (String layer : new String[] {"{type: lstm, units: 5}", "{type: gru, units: 5}",
                "{type: gru, units: 5, variant: pytorch, tbptt: 2}", "{type: simple_rnn, units: 5, tbptt: 3}"}) {
            Network a = net(layer, T, false);
            Network b = net(layer, longT, false);
            System.arraycopy(a.params(), 0, b.params(), 0, a.params().length);
            MiniBatch ma = new MiniBatch(shortX, labels, null, batch);
            ma.mask = prefixMask(T, lengths);
            MiniBatch mb = new MiniBatch(longX, labels, null, batch);
            mb.mask = prefixMask(longT, lengths);
            assertEquals(a.computeGradient(ma), b.computeGradient(mb), 0.0, layer + ": loss");
            assertArrayEquals(a.grads(), b.grads(), layer + ": gradient");
            float[] pa = new float[batch * 3];
            float[] pb = new float[batch * 3];
            a.predict(shortX, ma.mask, batch, pa);
            b.predict(longX, mb.mask, batch, pb);
            assertArrayEquals(pa, pb, layer + ": predictions");
        }
    }

    static void check(String layer, boolean seq) {
        check(layer, seq, MASK);
    }

    static void check(String layer, boolean seq, float[] mask) {
        final float[] MASK = mask;
        int batch = mask.length / T;
        float[] x = GradientCheck.uniform(batch * T * F, -1f, 1f, 1);
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            labels[b] = (b * 2) % 3;
        }
        // per-step regression targets; those of padded steps are never read (zeroed here all the same)
        float[] targets = GradientCheck.uniform(batch * T * 2, -1f, 1f, 2);
        for (int r = 0; r < batch * T; r++) {
            if (MASK[r] == 0f) {
                targets[2 * r] = 0f;
                targets[2 * r + 1] = 0f;
            }
        }
        Network padded = net(layer, T, seq);
        MiniBatch mb = new MiniBatch(x, seq ? null : labels, seq ? targets : null, batch);
        mb.mask = MASK;
        double loss = padded.computeGradient(mb);
        float[] grad = padded.grads().clone();

        // garbage in the padded steps changes nothing at all
        float[] x2 = x.clone();
        for (int r = 0; r < batch * T; r++) {
            if (MASK[r] == 0f) {
                for (int f = 0; f < F; f++) {
                    x2[r * F + f] = 100f * (f + 1);
                }
            }
        }
        mb.features = x2;
        assertEquals(loss, padded.computeGradient(mb), 0.0, layer + ": loss with garbage padding");
        assertArrayEquals(grad, padded.grads(), layer + ": gradient with garbage padding");

        // the same as the real steps alone, one sequence at a time
        double lossSum = 0;
        double[] gradSum = new double[grad.length];
        for (int b = 0; b < batch; b++) {
            int len = 0;
            for (int t = 0; t < T; t++) {
                len += (int) MASK[b * T + t];
            }
            float[] xb = new float[len * F];
            float[] yb = new float[len * 2];
            int k = 0;
            for (int t = 0; t < T; t++) {
                if (MASK[b * T + t] != 0f) {
                    System.arraycopy(x, (b * T + t) * F, xb, k * F, F);
                    System.arraycopy(targets, (b * T + t) * 2, yb, k * 2, 2);
                    k++;
                }
            }
            Network single = net(layer, len, seq);
            System.arraycopy(padded.params(), 0, single.params(), 0, grad.length);
            double l = single.computeGradient(new MiniBatch(xb, seq ? null : new int[] {labels[b]},
                    seq ? yb : null, 1));
            // a per-step output's loss is the mean over the minibatch's real steps: weight len / Σ len
            double scale = seq ? len : 1.0;
            lossSum += l * scale;
            for (int i = 0; i < grad.length; i++) {
                gradSum[i] += single.grads()[i] * scale;
            }
        }
        double norm = batch;
        if (seq) {
            norm = 0;
            for (float v : MASK) {
                norm += v;
            }
        }
        assertEquals(lossSum / norm, loss, 1e-6 * Math.max(1, Math.abs(loss)), layer + ": loss");
        for (int i = 0; i < grad.length; i++) {
            assertEquals(gradSum[i] / norm, grad[i], 1e-6, layer + ": gradient " + i);
        }
    }
}
