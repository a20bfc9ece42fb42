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

    static void check(String layer, boolean seq) {
        int batch = 3;
        float[] x = GradientCheck.uniform(batch * T * F, -1f, 1f, 1);
        int[] labels = {0, 2, 1};
        // per-step regression targets; zero at padded steps (see TimeDistributedDense: a padded step then adds 0)
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
            // mse averages over the values of an example: T·2 padded, len·2 alone
            double scale = seq ? (double) len / T : 1.0;
            lossSum += l * scale;
            for (int i = 0; i < grad.length; i++) {
                gradSum[i] += single.grads()[i] * scale;
            }
        }
        assertEquals(lossSum / batch, loss, 1e-6 * Math.max(1, Math.abs(loss)), layer + ": loss");
        for (int i = 0; i < grad.length; i++) {
            assertEquals(gradSum[i] / batch, grad[i], 1e-6, layer + ": gradient " + i);
        }
    }
}
