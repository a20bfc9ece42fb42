package org.sparktrain.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.kernel.ColdPhase;
import org.sparktrain.engine.spec.ModelSpec;

/**
 * The same seed gives the same bits whatever the JVM's warmth: training on the plain-Java twins throughout, on
 * the Vector API kernels throughout, switching from one to the other between epochs, toggling them every few
 * hundred microseconds from another thread, and under the cold-phase rule, all end with identical parameters
 * (docs/architecture.md, "Cold JVMs").
 */
class ColdTwinTrainingTest {
    static final String MLP = """
            input: [37]
            layers:
              - {type: dense, units: 29, activation: relu}
              - {type: dense, units: 17, activation: relu}
              - {type: dense, units: 5, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 19, epochs: 1, seed: 5}
            """;
    static final String GRU = """
            input: [7, 5]
            layers:
              - {type: gru, units: 9}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 13, epochs: 1, seed: 4}
            """;

    /** Two convolutions (the second one's input gradient goes through col2im), batch norm, pooling. */
    static final String CONV = """
            input: [2, 9, 10]
            layers:
              - {type: conv2d, filters: 4, kernel: 3, padding: 1, activation: relu}
              - {type: batchnorm}
              - {type: maxpool2d, size: 2}
              - {type: conv2d, filters: 5, kernel: 3, padding: 1, activation: relu}
              - flatten
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 11, epochs: 1, seed: 3}
            """;

    @AfterEach
    void rule() {
        ColdPhase.force(null);
    }

    private static DataSet data(ModelSpec spec, int n) {
        SplittableRandom r = new SplittableRandom(9);
        int fs = spec.input().size();
        float[] x = new float[n * fs];
        int[] y = new int[n];
        int classes = Network.build(spec, 1).outputShape().size();
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(classes);
            for (int j = 0; j < fs; j++) {
                x[i * fs + j] = (float) r.nextGaussian() + (j % classes == y[i] ? 1 : 0);
            }
        }
        return DataSet.classification(Shape.of(spec.input().dims()), x, y);
    }

    /** Two epochs, the kernels chosen per epoch by {@code sides} (null: the rule). */
    private static float[] train(ModelSpec spec, DataSet d, ColdPhase.Side first, ColdPhase.Side second) {
        Trainer t = Trainer.fromSpec(Network.build(spec, spec.training().seed()), spec.training());
        ColdPhase.force(first);
        t.trainEpoch(d, 1);
        ColdPhase.force(second);
        t.trainEpoch(d, 2);
        ColdPhase.force(null);
        return t.network().params().clone();
    }

    /** Two epochs while another thread flips the forced side every ~200 µs. */
    private static float[] toggled(ModelSpec spec, DataSet d) throws InterruptedException {
        Trainer t = Trainer.fromSpec(Network.build(spec, spec.training().seed()), spec.training());
        ColdPhase.force(ColdPhase.Side.TWIN);
        Thread flipper = new Thread(() -> {
            boolean twin = true;
            while (!Thread.currentThread().isInterrupted()) {
                twin = !twin;
                ColdPhase.force(twin ? ColdPhase.Side.TWIN : ColdPhase.Side.VECTOR);
                long until = System.nanoTime() + 200_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        });
        flipper.start();
        try {
            t.trainEpoch(d, 1);
            t.trainEpoch(d, 2);
        } finally {
            flipper.interrupt();
            flipper.join();
            ColdPhase.force(null);
        }
        return t.network().params().clone();
    }

    private static void sameBitsWhateverTheKernels(String text, int rows, String... phases) throws InterruptedException {
        ModelSpec spec = ModelSpec.parse(text, "t.yaml");
        DataSet d = data(spec, rows);
        long[] before = new long[phases.length];
        for (int i = 0; i < phases.length; i++) {
            before[i] = ColdPhase.twinCalls(phases[i]);
        }
        float[] twin = train(spec, d, ColdPhase.Side.TWIN, ColdPhase.Side.TWIN);
        for (int i = 0; i < phases.length; i++) {
            assertTrue(ColdPhase.twinCalls(phases[i]) > before[i], phases[i] + ": the twin was never called");
        }
        float[] vector = train(spec, d, ColdPhase.Side.VECTOR, ColdPhase.Side.VECTOR);
        float[] twinThenVector = train(spec, d, ColdPhase.Side.TWIN, ColdPhase.Side.VECTOR);
        float[] vectorThenTwin = train(spec, d, ColdPhase.Side.VECTOR, ColdPhase.Side.TWIN);
        float[] rule = train(spec, d, null, null);
        float[] flipping = toggled(spec, d);
        assertArrayEquals(twin, vector, "twins vs vector kernels");
        assertArrayEquals(twin, twinThenVector, "switched after epoch 1");
        assertArrayEquals(twin, vectorThenTwin, "vector then twins");
        assertArrayEquals(twin, rule, "the cold-phase rule");
        assertArrayEquals(twin, flipping, "toggled every ~200 µs");
        // and the run is not trivial: it moved the parameters
        float[] init = Network.build(spec, spec.training().seed()).params();
        assertTrue(!java.util.Arrays.equals(init, twin), "training changed nothing");
    }

    @Test
    void mlp() throws InterruptedException {
        sameBitsWhateverTheKernels(MLP, 300, "gemm", "relu", "relu-backward", "adam");
    }

    @Test
    void lstm() throws InterruptedException {
        sameBitsWhateverTheKernels(WarmupTest.LSTM, 120, "gemm", "sigmoid", "tanh", "adam");
    }

    @Test
    void gru() throws InterruptedException {
        sameBitsWhateverTheKernels(GRU, 120, "gemm", "sigmoid", "tanh");
    }

    @Test
    void convolution() throws InterruptedException {
        sameBitsWhateverTheKernels(CONV, 70, "gemm", "gemm-dot", "im2col-batch", "col2im", "maxpool2x2",
                "norm-sum", "relu");
    }
}
