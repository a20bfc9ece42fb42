package org.sparktrain.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;

/** A warm-up trains a throwaway copy and never changes a result (docs/architecture.md, "Measured facts"). */
class WarmupTest {
    static final String CONV = """
            input: [1, 8, 8]
            layers:
              - {type: conv2d, filters: 4, kernel: 3, padding: 1, activation: relu}
              - {type: batchnorm}
              - {type: maxpool2d, size: 2}
              - flatten
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 16, epochs: 1, seed: 3}
            """;
    static final String LSTM = """
            input: [5, 4]
            layers:
              - {type: lstm, units: 6}
              - {type: dense, units: 2, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 8, epochs: 1, seed: 3}
            """;

    static float[] trainOnce(ModelSpec spec, int n) {
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
        DataSet d = DataSet.classification(Shape.of(spec.input().dims()), x, y);
        Trainer t = Trainer.fromSpec(Network.build(spec, spec.training().seed()), spec.training());
        t.trainEpoch(d, 1);
        return t.network().params().clone();
    }

    /** Waits (at most 60 s) until {@code steps} is positive. */
    private static void waitForAStep(java.util.function.IntSupplier steps) {
        long until = System.nanoTime() + 60_000_000_000L;
        while (steps.getAsInt() <= 0 && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aWarmUpTakesStepsAndLeavesTheRunsBitsAlone() {
        for (String text : new String[] {CONV, LSTM}) {
            ModelSpec spec = ModelSpec.parse(text, "t.yaml");
            float[] before = trainOnce(spec, 64);
            Warmup w = Warmup.start(spec, spec.training(), spec.training().batchSize(), 300);
            float[] during = trainOnce(spec, 64); // the warm-up trains beside it, on its own copy
            // a cold run's kernels are the fast plain-Java twins (ColdPhase) while the warm-up's first steps run the
            // not yet compiled vector kernels: the run may end before the warm-up's first step
            waitForAStep(w::steps);
            w.close();
            assertTrue(w.steps() > 0, "the warm-up took no step");
            float[] after = trainOnce(spec, 64);
            assertArrayEquals(before, during);
            assertArrayEquals(before, after);
        }
    }

    @Test
    void anExecutorWarmsOnceAndStopsWhenTrainingStarts() throws InterruptedException {
        ModelSpec spec = ModelSpec.parse(CONV, "t.yaml");
        float[] before = trainOnce(spec, 64);
        assertTrue(Warmup.inThisJvm(spec, spec.training(), 8, 1_000_000), "the first call starts the JVM's warm-up");
        assertFalse(Warmup.inThisJvm(spec, spec.training(), 8, 1_000_000), "an executor warms once");
        float[] during = trainOnce(spec, 64);
        waitForAStep(Warmup::stepsInThisJvm);
        Warmup.stopInThisJvm(); // what a training task does first (it waits for the step under way)
        int steps = Warmup.stepsInThisJvm();
        assertTrue(steps > 0, "the warm-up took no step");
        Thread.sleep(300);
        assertEquals(steps, Warmup.stepsInThisJvm(), "stopped: no step after stopInThisJvm");
        assertFalse(Warmup.inThisJvm(spec, spec.training(), 8, 1_000_000), "not restarted after training began");
        assertArrayEquals(before, during);
    }
}
