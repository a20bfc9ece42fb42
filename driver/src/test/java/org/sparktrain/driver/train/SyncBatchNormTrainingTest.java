package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.barrier.BarrierEpoch;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.round.GradientRounds;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;

/**
 * docs/architecture.md, "The global minibatch": with {@code --sync-batchnorm} (gradient mode) the workers' BatchNorm
 * layers normalise with the statistics of the whole global minibatch, so W tasks of T threads train as one machine
 * does, BatchNorm included; without it each worker normalises over its share and the run learns another model.
 * Plain SGD (as in {@link GlobalBatchTest}), so that a wrong scale of any gradient shows.
 */
class SyncBatchNormTrainingTest {

    static final String SPEC = """
            input: [6]
            layers:
              - {type: dense, units: 12}
              - {type: batchnorm}
              - tanh
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: sgd, lr: 0.5}
            training: {batch_size: 8, epochs: 2, seed: 5}
            """;

    @AfterEach
    void clearThreads() {
        TestSpark.jsc().setLocalProperty(BarrierEpoch.THREADS, null);
    }

    /** Parameters and BatchNorm running statistics after two epochs on one machine, the global minibatches in order. */
    static float[] single(ModelSpec spec, DataSet d) {
        TrainingConfig cfg = spec.training();
        Trainer t = GlobalBatchTest.fresh(spec);
        for (int e = 1; e <= 2; e++) {
            List<MiniBatch> steps = InMemoryEpochData.globalBlocksFor(d, e, 0, 1, cfg.batchSize(), cfg.seed());
            for (int s = 0; s < steps.size(); s++) {
                t.stepAt(steps.get(s), e, 0, s);
            }
        }
        return RoundVector.packParamsAndState(t.network());
    }

    /** The same, on the barrier transport with W tasks of T threads, gradient mode. */
    static float[] barrier(ModelSpec spec, DataSet d, int workers, int threads, boolean sync) {
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(BarrierEpoch.THREADS, Integer.toString(threads));
        try {
            TrainingConfig cfg = spec.training();
            Trainer t = GlobalBatchTest.fresh(spec);
            Averaging a = new Averaging(AveragingMode.GRADIENT, 1, 0).withSyncBatchNorm(sync);
            ParameterAveragingMaster m = new ParameterAveragingMaster(sc, new MasterConfig(workers, a, "t",
                    MasterConfig.RoundTransport.BARRIER), t);
            InMemoryEpochData data = InMemoryEpochData.globalBatch(sc, d, workers, cfg.batchSize(), cfg.seed());
            for (int e = 1; e <= 2; e++) {
                m.trainEpoch(data, e);
            }
            m.close();
            return RoundVector.packParamsAndState(t.network());
        } finally {
            sc.setLocalProperty(BarrierEpoch.THREADS, null);
        }
    }

    /** The largest |a − b| over the vectors, relative to 1 + |a|. */
    static double gap(float[] a, float[] b) {
        double g = 0;
        for (int i = 0; i < a.length; i++) {
            g = Math.max(g, Math.abs(a[i] - b[i]) / (1 + Math.abs(a[i])));
        }
        return g;
    }

    @Test
    void tasksAndThreadsWithSynchronisedBatchNormTrainAsOneMachine() {
        // 101 rows, global minibatch 8: 12 steps of 8 rows and one of 5. Shares of 4 and 4, the last 3 and 2: the
        // weights m in the backward sums matter there
        DataSet d = ParameterAveragingMasterTest.data(101, 31);
        ModelSpec spec = ModelSpec.parse(SPEC, "bn.yaml");
        float[] ref = single(spec, d);
        float[] twoTasks = barrier(spec, d, 2, 1, true);
        float[] twoThreads = barrier(spec, d, 1, 2, true);
        double tol = 2e-5;
        assertTrue(gap(ref, twoTasks) < tol, "2 tasks, synchronised: " + gap(ref, twoTasks));
        assertTrue(gap(ref, twoThreads) < tol, "1 task of 2 threads, synchronised: " + gap(ref, twoThreads));
        // the same run again: the same bits
        assertArrayEquals(twoTasks, barrier(spec, d, 2, 1, true));
        // and the comparison can fail: each worker normalising over its share learns another model
        float[] own = barrier(spec, d, 2, 1, false);
        assertTrue(gap(ref, own) > 100 * tol, "2 tasks, per-share BatchNorm: " + gap(ref, own));
    }

    @Test
    void oneRowSharesAndWorkersWithoutRowsTakePartInTheSum() {
        // 10 rows, global minibatch 4 over 2 tasks of 2 threads: every worker has one row per step (per-share
        // BatchNorm cannot train on that), and the last step's 2 rows leave one thread of each task without any:
        // those take part in the statistics' sums with nothing (Network.idleTrainingStep)
        DataSet d = ParameterAveragingMasterTest.data(10, 32);
        ModelSpec spec = ModelSpec.parse(SPEC.replace("batch_size: 8", "batch_size: 4"), "bn.yaml");
        float[] ref = single(spec, d);
        float[] got = barrier(spec, d, 2, 2, true);
        assertTrue(gap(ref, got) < 2e-5, "2 tasks of 2 threads: " + gap(ref, got));
        // BatchNorm inside a residual block is synchronised too
        ModelSpec nested = ModelSpec.parse(SPEC.replace("batch_size: 8", "batch_size: 4").replace(
                "  - {type: batchnorm}\n  - tanh\n",
                "  - {type: residual, layers: [{type: dense, units: 12}, {type: batchnorm}, tanh]}\n"), "res.yaml");
        assertTrue(nested.text().contains("residual"), nested.text());
        float[] nestedRef = single(nested, d);
        float[] nestedGot = barrier(nested, d, 2, 2, true);
        assertTrue(gap(nestedRef, nestedGot) < 2e-5, "residual, 2 tasks of 2 threads: " + gap(nestedRef, nestedGot));
    }

    @Test
    void aLastRoundWhereNoWorkerHasRowsPassesOnAnyShape() {
        // 17 rows, global minibatch 8: two steps and a one-row remainder that the data leaves out, as one machine
        // does; the plan still has a third round, in which every worker is idle (M = 0 on all of them)
        DataSet d = ParameterAveragingMasterTest.data(17, 33);
        ModelSpec spec = ModelSpec.parse(SPEC, "bn.yaml");
        float[] ref = single(spec, d);
        assertTrue(gap(ref, barrier(spec, d, 2, 1, true)) < 2e-5, "2 tasks");
        assertTrue(gap(ref, barrier(spec, d, 1, 2, true)) < 2e-5, "1 task of 2 threads");
        // one worker has nothing to synchronise with: nothing is installed, the idle round does nothing
        assertArrayEquals(ref, barrier(spec, d, 1, 1, true));
    }

    @Test
    void synchronisedBatchNormIsAGradientModeAndBarrierSetting() {
        assertEquals(new GradientRounds(true), new Averaging(AveragingMode.GRADIENT, 1, 0).withSyncBatchNorm(true)
                .rule(1));
        assertEquals(new GradientRounds(false), new Averaging(AveragingMode.GRADIENT, 1, 0).rule(1));
        assertTrue(new Averaging(AveragingMode.GRADIENT, 1, 0).withSyncBatchNorm(true).describe()
                .contains("BatchNorm statistics over the whole minibatch"));
        String parameter = assertThrows(IllegalArgumentException.class,
                () -> new Averaging(AveragingMode.PARAMETER, 5, 0).withSyncBatchNorm(true)).getMessage();
        assertEquals(Averaging.SYNC_BATCHNORM_NEEDS_GRADIENT, parameter);
        Averaging sync = new Averaging(AveragingMode.GRADIENT, 1, 0).withSyncBatchNorm(true);
        String job = assertThrows(IllegalArgumentException.class,
                () -> new MasterConfig(2, sync, "t", MasterConfig.RoundTransport.JOB)).getMessage();
        assertEquals(MasterConfig.SYNC_BATCHNORM_NEEDS_BARRIER, job);
        // one worker on the job transport has nothing to synchronise with
        assertEquals(1, new MasterConfig(1, sync, "t", MasterConfig.RoundTransport.JOB).workers());
    }
}
