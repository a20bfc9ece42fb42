package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.barrier.BarrierEpoch;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.SlowMo;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Trainer;

/**
 * docs/architecture.md, "Threads inside a task": a barrier task trains T engine threads, each on a slice of the
 * task's rows of every step, and joins the all-reduce with their sum. Plain SGD (as in {@link GlobalBatchTest}) so
 * that a wrong weighting shows.
 */
class ThreadsInTaskTest {

    @AfterEach
    void clearThreads() {
        TestSpark.jsc().setLocalProperty(BarrierEpoch.THREADS, null);
    }

    static float[] barrier(ModelSpec spec, DataSet d, int workers, int threads, int k, AveragingMode mode) {
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(BarrierEpoch.THREADS, Integer.toString(threads));
        try {
            return GlobalBatchTest.distributed(spec, d,
                    new MasterConfig(workers, k, mode, 0, "t", MasterConfig.RoundTransport.BARRIER), 2);
        } finally {
            sc.setLocalProperty(BarrierEpoch.THREADS, null);
        }
    }

    /** Rows [from, to) of b. */
    static MiniBatch rows(MiniBatch b, int from, int to, int features) {
        return new MiniBatch(Arrays.copyOfRange(b.features, from * features, to * features),
                Arrays.copyOfRange(b.labels, from, to), null, to - from);
    }

    /**
     * Two trainers run by hand as the two threads of one task, K = 2: thread j takes rows [4j, 4j + 4) of every 8-row
     * global minibatch as worker j; after each round the two models are averaged and, with {@code slowMo}, the outer
     * step follows (u ← β·u + (x0 − x̄)/γ, x = x0 − α·γ·u, x0 the round's start). 40 rows: 5 steps per epoch, rounds of
     * 2, 2 and 1; two epochs. Answers the parameters after them.
     */
    private static float[] handRun(ModelSpec spec, DataSet d, SlowMo slowMo) {
        TrainingConfig cfg = spec.training();
        Trainer master = GlobalBatchTest.fresh(spec);
        Trainer[] threads = {GlobalBatchTest.fresh(spec), GlobalBatchTest.fresh(spec)};
        float[] u = new float[master.network().params().length];
        float lr = master.optimizer().learningRate();
        for (int e = 1; e <= 2; e++) {
            List<MiniBatch> steps = InMemoryEpochData.globalBlocksFor(d, e, 0, 1, cfg.batchSize(), cfg.seed());
            assertEquals(8, steps.get(0).size);
            int step = 0;
            for (int k : new int[] {2, 2, 1}) {
                float[] p = master.network().params();
                float[] x0 = p.clone();
                for (int j = 0; j < 2; j++) {
                    System.arraycopy(p, 0, threads[j].network().params(), 0, p.length);
                    for (int i = 0; i < k; i++) {
                        threads[j].stepAt(rows(steps.get(step + i), 4 * j, 4 * j + 4, 6), e, j, step + i);
                    }
                }
                float[] a = threads[0].network().params();
                float[] b = threads[1].network().params();
                for (int i = 0; i < p.length; i++) {
                    p[i] = (a[i] + b[i]) / 2f;
                }
                if (slowMo != null) {
                    org.sparktrain.engine.train.RoundVector.outerMomentumStep(p, x0, u, slowMo.momentum(),
                            slowMo.learningRate(), lr);
                }
                step += k;
            }
        }
        return master.network().params();
    }

    @Test
    void twoThreadsOfOneTaskAverageLikeTwoWorkersOnTheTwoHalvesOfEveryMinibatch() {
        DataSet d = ParameterAveragingMasterTest.data(40, 31);
        ModelSpec spec = ModelSpec.parse(GlobalBatchTest.SGD, "t.yaml");
        float[] dist = barrier(spec, d, 1, 2, 2, AveragingMode.PARAMETER);
        assertArrayEquals(handRun(spec, d, null), dist);
        assertFalse(Arrays.equals(dist, barrier(spec, d, 1, 1, 2, AveragingMode.PARAMETER)),
                "one thread takes whole minibatches: another model");
    }

    @Test
    void withSlowMoTwoThreadsOfOneTaskTakeTheOuterStepFromTheAverageOfTheHalves() {
        // every replica keeps its own u and x0, and they stay identical; across both epochs
        SlowMo slowMo = new SlowMo(0.5f, 1.5f);
        DataSet d = ParameterAveragingMasterTest.data(40, 31);
        ModelSpec spec = ModelSpec.parse(GlobalBatchTest.SGD, "t.yaml");
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(BarrierEpoch.THREADS, "2");
        float[] dist;
        try {
            dist = GlobalBatchTest.distributed(spec, d, new MasterConfig(1, new Averaging(AveragingMode.PARAMETER, 2, 0)
                    .withSlowMo(slowMo), "t", MasterConfig.RoundTransport.BARRIER), 2);
        } finally {
            sc.setLocalProperty(BarrierEpoch.THREADS, null);
        }
        assertArrayEquals(handRun(spec, d, slowMo), dist);
        assertFalse(Arrays.equals(dist, barrier(spec, d, 1, 2, 2, AveragingMode.PARAMETER)), "SlowMo moved the model");
    }

    @Test
    void gradientModeWithThreadsIsStillOneMachineWithTheGlobalMinibatch() {
        // 101 rows, minibatch 8: the last step has 5 rows. W = 2, T = 4: slices of 1 row, and in the last step
        // shares of 3 and 2 rows cut into 1,1,1,0 and 1,1,0,0 (threads without rows take no part)
        DataSet d = ParameterAveragingMasterTest.data(101, 32);
        ModelSpec spec = ModelSpec.parse(GlobalBatchTest.SGD, "t.yaml");
        TrainingConfig cfg = spec.training();
        Trainer single = GlobalBatchTest.fresh(spec);
        for (int e = 1; e <= 2; e++) {
            List<MiniBatch> steps = InMemoryEpochData.globalBlocksFor(d, e, 0, 1, cfg.batchSize(), cfg.seed());
            for (int s = 0; s < steps.size(); s++) {
                single.stepAt(steps.get(s), e, 0, s);
            }
        }
        float[] ref = single.network().params();
        for (int[] shape : new int[][] {{1, 2}, {2, 2}, {2, 4}}) {
            float[] dist = barrier(spec, d, shape[0], shape[1], 1, AveragingMode.GRADIENT);
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], dist[i], 2e-6f + 2e-5f * Math.abs(ref[i]),
                        "W = " + shape[0] + ", T = " + shape[1] + ", parameter " + i);
            }
        }
    }

    @Test
    void theSameTasksAndThreadsGiveTheSameBits() {
        DataSet d = ParameterAveragingMasterTest.data(90, 33);
        ModelSpec spec = ModelSpec.parse(GlobalBatchTest.SGD, "t.yaml");
        float[] once = barrier(spec, d, 2, 2, 3, AveragingMode.PARAMETER);
        float[] again = barrier(spec, d, 2, 2, 3, AveragingMode.PARAMETER);
        assertArrayEquals(once, again);
        assertTrue(Float.isFinite(once[0]));
    }

    @Test
    void threadsAreRefusedWhereTheyCannotWork() {
        JavaSparkContext sc = TestSpark.jsc();
        ModelSpec spec = ModelSpec.parse(GlobalBatchTest.SGD, "t.yaml"); // global minibatch 8
        sc.setLocalProperty(BarrierEpoch.THREADS, "4");
        RunOptions two = RunOptions.of(spec).withWorkers(2);
        DistributedTraining.checkThreads(sc, two); // 4 rows per worker, 4 threads: fine
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> DistributedTraining.checkThreads(sc, two.withWorkers(4)));
        assertTrue(few.getMessage().contains("gives 2") && few.getMessage().contains("--batch-size to 16"),
                few.getMessage());
        IllegalArgumentException job = assertThrows(IllegalArgumentException.class,
                () -> DistributedTraining.checkThreads(sc, two.withTransport(MasterConfig.RoundTransport.JOB)));
        assertTrue(job.getMessage().contains("barrier transport"), job.getMessage());
        sc.setLocalProperty(BarrierEpoch.THREADS, "0");
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> BarrierEpoch.threadsPerTask(sc));
        assertTrue(zero.getMessage().contains(BarrierEpoch.THREADS), zero.getMessage());
        sc.setLocalProperty(BarrierEpoch.THREADS, null);
        assertEquals(1, BarrierEpoch.threadsPerTask(sc), "spark.task.cpus, 1 by default");
    }
}
