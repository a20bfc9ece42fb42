package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.train.Trainer;

/**
 * What the gates are for: the label of a sequence of {@value #T} steps is the sign of its FIRST step;
 * every later step is noise U(±0.5). An LSTM's cell (forget gate starting near 1) carries that bit from
 * the first minibatches on; a simple tanh RNN of the same size must first grow a latch through a
 * gradient that crosses 29 factors {@code W·diag(1 − s²)}.
 *
 * <p>Measured (fixed seeds; runs are bit-for-bit repeatable), validation accuracy per epoch:
 * lstm 0.99 1.00 …; simple_rnn 0.48 0.49 0.50 1.00 …; gru (seed and pytorch forms, zero-bias init)
 * ≈ 0.49 for 10 epochs. So with Adam and clipping the simple RNN DOES learn this lag, only later
 * (it also learned at 50 and 100 steps in other settings); what holds robustly is that the LSTM learns it
 * at once and the simple RNN does not within the same budget of 2 epochs. A GRU whose update gate
 * starts at 0.5 (zero bias) halves its state every step and does not learn the lag in 10 epochs; with the
 * update-gate bias set to keep the state ({@code update_bias: -2} in the seed form, {@code +2} in the
 * PyTorch form — the analogue of LSTM's forget bias 1) it learns it at once: measured 0.996 and 0.997
 * after 2 epochs (update_bias −1: 0.51).
 */
class RnnGatesTest {
    static final int T = 30;
    static final int UNITS = 8;

    static DataSet data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * T];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            x[i * T] = y[i] == 1 ? 1f : -1f;
            for (int t = 1; t < T; t++) {
                x[i * T + t] = (float) (0.5 * (2 * r.nextDouble() - 1));
            }
        }
        return DataSet.classification(Shape.of(T, 1), x, y);
    }

    static double accuracy(String layer, int epochs) {
        String yaml = "input: [" + T + ", 1]\nclasses: 2\nlayers:\n  - " + layer + "\n"
                + "  - {type: dense, units: 2, activation: softmax}\n"
                + "optimizer: {type: adam, lr: 0.01}\nclipping: {clip_norm: 5.0}\n"
                + "training: {batch_size: 32, epochs: " + epochs + ", seed: 3}\n";
        ModelSpec spec = ModelSpec.parse(yaml, "gates-test.yaml");
        Network net = Network.build(spec, 5);
        Trainer.fromSpec(net, spec.training()).fit(data(1024, 1), null, null);
        return Trainer.evaluate(net, data(1000, 2), 100).accuracy();
    }

    @Test
    void anLstmLearnsAFirstStepDependencyThatASimpleRnnHasNotLearnedYet() {
        double lstm = accuracy("{type: lstm, units: " + UNITS + "}", 2);
        double rnn = accuracy("{type: simple_rnn, units: " + UNITS + "}", 2);
        System.out.printf("gates test, accuracy after 2 epochs: lstm %.3f, simple_rnn %.3f%n", lstm, rnn);
        assertTrue(lstm >= 0.95, "lstm accuracy " + lstm + " (measured 1.00)");
        assertTrue(rnn <= 0.65, "simple_rnn accuracy " + rnn + " (measured 0.49; chance is 0.5)");
    }

    @Test
    void aGruWithAStateKeepingUpdateGateLearnsItToo() {
        double seed = accuracy("{type: gru, units: " + UNITS + ", update_bias: -2}", 2);
        double pytorch = accuracy("{type: gru, units: " + UNITS + ", variant: pytorch, update_bias: 2}", 2);
        assertTrue(seed >= 0.95, "gru (seed form) accuracy " + seed + " (measured 0.996)");
        assertTrue(pytorch >= 0.95, "gru (pytorch form) accuracy " + pytorch + " (measured 0.997)");
    }
}
