package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Trainer;

/**
 * docs/architecture.md, "The global minibatch": {@code batch_size} is split over the workers, so W workers take
 * one machine's steps. Plain SGD throughout: unlike Adam and norm clipping, it does not forgive a gradient of the
 * wrong scale, so these references tell an average from a sum and a row-weighted average from a per-worker one.
 */
class GlobalBatchTest {

    static final String SGD = """
            input: [6]
            layers:
              - {type: dense, units: 12, activation: tanh}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: sgd, lr: 0.5}
            regularization: {l2: 0.001}
            training: {batch_size: 8, epochs: 2, seed: 5}
            """;

    static Trainer fresh(ModelSpec spec) {
        TrainingConfig cfg = spec.training();
        return Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
    }

    static float[] distributed(ModelSpec spec, DataSet d, MasterConfig mc, int epochs) {
        JavaSparkContext sc = TestSpark.jsc();
        TrainingConfig cfg = spec.training();
        Trainer t = fresh(spec);
        ParameterAveragingMaster m = new ParameterAveragingMaster(sc, mc, t);
        InMemoryEpochData data = InMemoryEpochData.globalBatch(sc, d, mc.workers(), cfg.batchSize(), cfg.seed());
        for (int e = 1; e <= epochs; e++) {
            m.trainEpoch(data, e);
        }
        m.close();
        return t.network().params().clone();
    }

    @Test
    void gradientModeWithAnyNumberOfWorkersIsOneMachineWithTheSameGlobalMinibatch() {
        // 101 rows, global minibatch 8: 12 full steps and a last one of 5 rows. With W = 3 the shares are 3, 3, 2
        // (and 1, 2, 2 of the last step): an average that weighed workers instead of rows would be off.
        DataSet d = ParameterAveragingMasterTest.data(101, 21);
        ModelSpec spec = ModelSpec.parse(SGD, "t.yaml");
        TrainingConfig cfg = spec.training();
        Trainer single = fresh(spec);
        for (int e = 1; e <= 2; e++) {
            List<MiniBatch> steps = InMemoryEpochData.globalBlocksFor(d, e, 0, 1, cfg.batchSize(), cfg.seed());
            assertEquals(13, steps.size());
            for (int s = 0; s < steps.size(); s++) {
                single.stepAt(steps.get(s), e, 0, s);
            }
        }
        float[] ref = single.network().params();
        for (int w = 1; w <= 3; w++) {
            // the job transport: W = 3 exceeds local[2]'s slots, which a barrier stage needs at once
            float[] dist = distributed(spec, d, new MasterConfig(w, 1, AveragingMode.GRADIENT, 0, "t"), 2);
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], dist[i], 2e-6f + 2e-5f * Math.abs(ref[i]), "W = " + w + ", parameter " + i);
            }
        }
    }

    @Test
    void parameterModeAveragesTheWorkersModelsAfterKLocalSteps() {
        // Two trainers run by hand on the two shares of each global minibatch, K = 2 steps each, then their
        // parameters averaged; 40 rows / 8 = 5 steps per epoch: rounds of 2, 2 and 1 steps.
        DataSet d = ParameterAveragingMasterTest.data(40, 22);
        ModelSpec spec = ModelSpec.parse(SGD, "t.yaml");
        TrainingConfig cfg = spec.training();
        Trainer master = fresh(spec);
        Trainer[] workers = {fresh(spec), fresh(spec)};
        for (int e = 1; e <= 2; e++) {
            List<List<MiniBatch>> shares = List.of(
                    InMemoryEpochData.globalBlocksFor(d, e, 0, 2, cfg.batchSize(), cfg.seed()),
                    InMemoryEpochData.globalBlocksFor(d, e, 1, 2, cfg.batchSize(), cfg.seed()));
            assertEquals(4, shares.get(0).get(0).size);
            int step = 0;
            for (int k : new int[] {2, 2, 1}) {
                float[] p = master.network().params();
                for (int w = 0; w < 2; w++) {
                    System.arraycopy(p, 0, workers[w].network().params(), 0, p.length);
                    for (int i = 0; i < k; i++) {
                        workers[w].stepAt(shares.get(w).get(step + i), e, w, step + i);
                    }
                }
                float[] a = workers[0].network().params();
                float[] b = workers[1].network().params();
                for (int i = 0; i < p.length; i++) {
                    p[i] = (float) ((double) a[i] + b[i]) / 2f; // a double sum rounded once, halved exactly
                }
                step += k;
            }
        }
        float[] dist = distributed(spec, d, new MasterConfig(2, 2, AveragingMode.PARAMETER, 0, "t"), 2);
        assertArrayEquals(master.network().params(), dist);
    }

    @Test
    void sharesOfTheRemainderThatAreEmptyTakeNoStep() {
        // 9 rows, minibatch 4 over 3 workers: steps of 4 (shares 1, 1, 2) and 4 again; the last row is left out
        DataSet d = ParameterAveragingMasterTest.data(9, 23);
        int[] sizes = new int[3];
        for (int w = 0; w < 3; w++) {
            List<MiniBatch> mine = InMemoryEpochData.globalBlocksFor(d, 1, w, 3, 4, 7);
            assertEquals(2, mine.size(), "worker " + w);
            sizes[w] = mine.get(0).size;
        }
        assertArrayEquals(new int[] {1, 1, 2}, sizes);
        // 10 rows: a last step of 2 rows, shared 0, 1, 1: worker 0 has no minibatch in it
        DataSet ten = ParameterAveragingMasterTest.data(10, 23);
        assertEquals(2, InMemoryEpochData.globalBlocksFor(ten, 1, 0, 3, 4, 7).size());
        assertEquals(3, InMemoryEpochData.globalBlocksFor(ten, 1, 1, 3, 4, 7).size());
        assertTrue(InMemoryEpochData.globalBlocksFor(ten, 1, 2, 3, 4, 7).size() == 3);
    }

    @Test
    void aSynchronousFirstEpochIsGradientModeThenLocalSteps() {
        DataSet d = ParameterAveragingMasterTest.data(64, 24);
        ModelSpec spec = ModelSpec.parse(SGD, "t.yaml");
        org.sparktrain.driver.round.Averaging local = new org.sparktrain.driver.round.Averaging(
                AveragingMode.PARAMETER, 4, 0);
        MasterConfig postLocal = new MasterConfig(2, local.withSyncEpochs(1), "t", MasterConfig.RoundTransport.JOB);
        MasterConfig gradient = new MasterConfig(2, 1, AveragingMode.GRADIENT, 0, "t");
        assertArrayEquals(distributed(spec, d, gradient, 1), distributed(spec, d, postLocal, 1),
                "epoch 1 is synchronous");
        float[] g2 = distributed(spec, d, gradient, 2);
        float[] p2 = distributed(spec, d, postLocal, 2);
        assertTrue(!java.util.Arrays.equals(g2, p2), "epoch 2 takes local steps");
    }

    @Test
    void theScalingRuleSetsEveryEpochsRateOnTheMaster() {
        DataSet d = ParameterAveragingMasterTest.data(48, 25);
        ModelSpec spec = ModelSpec.parse(SGD, "t.yaml"); // lr 0.5 for batch 8
        JavaSparkContext sc = TestSpark.jsc();
        Trainer t = fresh(spec);
        MasterConfig mc = new MasterConfig(2, new org.sparktrain.driver.round.Averaging(AveragingMode.PARAMETER, 2, 0),
                "t", MasterConfig.RoundTransport.JOB, new org.sparktrain.driver.round.LearningRateScaling(4, 1));
        ParameterAveragingMaster m = new ParameterAveragingMaster(sc, mc, t);
        InMemoryEpochData data = InMemoryEpochData.globalBatch(sc, d, 2, 8, 5);
        m.trainEpoch(data, 1);
        assertEquals(0.5f, t.optimizer().learningRate(), 0f, "epoch 1: the spec's rate");
        m.trainEpoch(data, 2);
        assertEquals(1.0f, t.optimizer().learningRate(), 0f, "then lr * 8 / 4");
        m.close();
    }
}
