package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.DivergedLossException;
import org.sparktrain.engine.train.DivergenceGuard;
import org.sparktrain.engine.train.NonFiniteLossException;
import org.sparktrain.engine.train.Trainer;

/** An interrupted run resumed from its checkpoint ends where an uninterrupted one does, bit for bit. */
class CheckpointResumeTest {

    static Trainer trainer(String specText, int epochs) {
        ModelSpec spec = ModelSpec.parse(specText, "t.yaml");
        TrainingConfig cfg = spec.training().withEpochs(epochs);
        return Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
    }

    static float[] run(Trainer t, DataSet d, MasterConfig mc, String dir, boolean resume) throws Exception {
        JavaSparkContext sc = TestSpark.jsc();
        EpochData data = new InMemoryEpochData(sc, d, mc.workers(), t.config().batchSize(), t.config().seed());
        DistributedTraining.run(sc, t, mc, data, null, dir, resume, new PrintStream(new ByteArrayOutputStream()));
        return t.network().params().clone();
    }

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(200, 7);
        MasterConfig mc = new MasterConfig(2, 3, AveragingMode.PARAMETER, 2, "t");
        String spec = ParameterAveragingMasterTest.WITH_DROPOUT_AND_BN;
        float[] straight = run(trainer(spec, 3), d, mc, tmp.resolve("a").toString(), false);
        // "interrupted" after epoch 2: a 2-epoch run leaves its checkpoint, then a 3-epoch run resumes it
        String dir = tmp.resolve("b").toString();
        run(trainer(spec, 2), d, mc, dir, false);
        assertTrue(Files.exists(tmp.resolve("b").resolve(Checkpoint.FILE)));
        float[] resumed = run(trainer(spec, 3), d, mc, dir, true);
        assertArrayEquals(straight, resumed);
    }

    /** SlowMo (β = 0.5, α = 1) on parameter averaging, K = 3 after 2 warm-up rounds, 2 workers. */
    static MasterConfig slowMo(MasterConfig.RoundTransport transport) {
        return new MasterConfig(2, new org.sparktrain.driver.round.Averaging(AveragingMode.PARAMETER, 3, 2)
                .withSlowMo(new org.sparktrain.driver.round.SlowMo(0.5f, 1f)), "t", transport);
    }

    /** {@link #run}, returning the trainer's whole state: parameters, optimizer and network state, SlowMo's u. */
    static float[] runState(Trainer t, DataSet d, MasterConfig mc, String dir, boolean resume) throws Exception {
        run(t, d, mc, dir, resume);
        return org.sparktrain.engine.train.RoundVector.packState(t);
    }

    @Test
    void withSlowMoAResumedRunEqualsTheUninterruptedRunMomentumIncluded(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(200, 7);
        String spec = ParameterAveragingMasterTest.WITH_DROPOUT_AND_BN;
        for (MasterConfig.RoundTransport transport : MasterConfig.RoundTransport.values()) {
            MasterConfig mc = slowMo(transport);
            float[] straight = runState(trainer(spec, 3), d, mc, tmp.resolve(transport + "-a").toString(), false);
            // stopped after epoch 1: a 1-epoch run leaves its checkpoint (u in it), then a 3-epoch run resumes it
            String dir = tmp.resolve(transport + "-b").toString();
            Trainer first = trainer(spec, 1);
            runState(first, d, mc, dir, false);
            assertTrue(first.outerMomentum() != null && java.util.Arrays.toString(first.outerMomentum())
                    .matches(".*[1-9].*"), "u moved in epoch 1");
            Trainer probe = trainer(spec, 3);
            probe.setOuterMomentum(new float[probe.network().params().length]);
            Checkpoint.restore(TestSpark.jsc().hadoopConfiguration(), dir, probe);
            assertArrayEquals(first.outerMomentum(), probe.outerMomentum(), "the checkpoint holds u");
            float[] resumed = runState(trainer(spec, 3), d, mc, dir, true);
            assertArrayEquals(straight, resumed, transport + ": resumed with SlowMo, the same bits, u included");
        }
    }

    @Test
    void aCheckpointWithoutAMomentumResumesASlowMoRunWithUZero(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(64, 8);
        String spec = ParameterAveragingMasterTest.WITH_DROPOUT_AND_BN;
        String dir = tmp.toString();
        run(trainer(spec, 1), d, new MasterConfig(2, 3, AveragingMode.PARAMETER, 2, "t"), dir, false); // no SlowMo
        Trainer t = trainer(spec, 2);
        float[] u = new float[t.network().params().length];
        java.util.Arrays.fill(u, 7f);
        t.setOuterMomentum(u);
        Checkpoint.Position pos = Checkpoint.restore(TestSpark.jsc().hadoopConfiguration(), dir, t);
        assertEquals(1, pos.epoch());
        assertArrayEquals(new float[u.length], t.outerMomentum(), 0f, "an old checkpoint means u = 0");
        // and a SlowMo run resumes from it (its epoch 2 starts with u = 0)
        float[] resumed = runState(trainer(spec, 2), d, slowMo(MasterConfig.RoundTransport.JOB), dir, true);
        assertEquals(org.sparktrain.engine.train.RoundVector.stateLength(t), resumed.length);
        // a run without SlowMo ignores a checkpoint's u
        Trainer plain = trainer(spec, 2);
        Checkpoint.restore(TestSpark.jsc().hadoopConfiguration(), dir, plain);
        assertEquals(null, plain.outerMomentum());
    }

    @Test
    void aCheckpointOfAnotherSpecIsRefused(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(64, 8);
        MasterConfig mc = new MasterConfig(1, 2, AveragingMode.PARAMETER, 0, "t");
        String dir = tmp.toString();
        run(trainer(ParameterAveragingMasterTest.MLP, 1), d, mc, dir, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(trainer(ParameterAveragingMasterTest.WITH_DROPOUT_AND_BN, 2), d, mc, dir, true));
        assertTrue(e.getMessage().contains("another model spec"), e.getMessage());
    }

    @Test
    void aNaNLossStopsNamingTheRoundAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(64, 9);
        MasterConfig mc = new MasterConfig(2, 2, AveragingMode.PARAMETER, 0, "t");
        String dir = tmp.toString();
        Trainer t = trainer(ParameterAveragingMasterTest.MLP, 1);
        run(t, d, mc, dir, false);
        byte[] good = Files.readAllBytes(tmp.resolve(Checkpoint.FILE));
        Trainer bad = trainer(ParameterAveragingMasterTest.MLP, 3);
        JavaSparkContext sc = TestSpark.jsc();
        EpochData data = new InMemoryEpochData(sc, d, 2, 8, 5);
        // resume epoch 1's checkpoint, then make the learning rate absurd: epoch 2 diverges
        bad.optimizer().setLearningRate(Float.MAX_VALUE);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> DistributedTraining.run(sc, bad,
                mc, data, null, dir, true, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("averaging round"), e.getMessage());
        assertEquals(2, e.epoch());
        assertArrayEquals(good, Files.readAllBytes(tmp.resolve(Checkpoint.FILE)));
    }

    @Test
    void aDivergingLossStopsNamingTheRoundAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(160, 9);
        String spec = ParameterAveragingMasterTest.MLP;
        for (MasterConfig.RoundTransport transport : MasterConfig.RoundTransport.values()) {
            // 5 rounds an epoch; the guard's window holds 7 rounds: it is full in epoch 3 (the window starts again
            // with the resume) and fires there, and epoch 2, which ends above the limit, leaves no checkpoint
            MasterConfig mc = new MasterConfig(2, 2, AveragingMode.PARAMETER, 0, "t").withTransport(transport)
                    .withDivergence(new DivergenceGuard.Settings(10, 7));
            String dir = tmp.resolve(transport.name()).toString();
            run(trainer(spec, 1), d, mc, dir, false);
            byte[] good = Files.readAllBytes(Path.of(dir, Checkpoint.FILE));
            Trainer bad = trainer(spec, 3);
            JavaSparkContext sc = TestSpark.jsc();
            EpochData data = new InMemoryEpochData(sc, d, 2, bad.config().batchSize(), bad.config().seed());
            // resume epoch 1's checkpoint with a rate that makes the loss run away, finite, from epoch 2 on
            bad.optimizer().setLearningRate(1e3f);
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            DivergedLossException e = assertThrows(DivergedLossException.class, () -> DistributedTraining.run(sc, bad,
                    mc, data, null, dir, true, new PrintStream(said, true)));
            assertTrue(e.getMessage().contains("epoch 3 in averaging round") && e.getMessage().contains("over the last 7 rounds"),
                    e.getMessage());
            assertEquals(3, e.epoch());
            assertTrue(said.toString().contains("checkpoint not written after epoch 2"), said.toString());
            assertArrayEquals(good, Files.readAllBytes(Path.of(dir, Checkpoint.FILE)), transport.name());
        }
    }

    /** {@code inner}'s epochs, but in {@code failEpoch} every worker fails when it reaches minibatch {@code failAt}. */
    record FailingEpochData(EpochData inner, int failEpoch, int failAt) implements EpochData {
        @Override
        public org.apache.spark.api.java.JavaRDD<org.sparktrain.engine.data.MiniBatch> blocks(int epoch) {
            return epoch == failEpoch ? failing(inner.blocks(epoch), failAt) : inner.blocks(epoch);
        }

        @Override
        public org.apache.spark.api.java.JavaRDD<org.sparktrain.engine.data.MiniBatch> blocksReadOnce(int epoch) {
            return epoch == failEpoch ? failing(inner.blocksReadOnce(epoch), failAt) : inner.blocksReadOnce(epoch);
        }

        private static org.apache.spark.api.java.JavaRDD<org.sparktrain.engine.data.MiniBatch> failing(
                org.apache.spark.api.java.JavaRDD<org.sparktrain.engine.data.MiniBatch> b, int at) {
            return b.mapPartitions(it -> new java.util.Iterator<org.sparktrain.engine.data.MiniBatch>() {
                private int taken;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public org.sparktrain.engine.data.MiniBatch next() {
                    if (taken++ == at) {
                        throw new IllegalStateException("the run is stopped here (as a killed driver would be)");
                    }
                    return it.next();
                }
            }, true);
        }

        @Override
        public int maxBlocksPerWorker(int epoch) {
            return inner.maxBlocksPerWorker(epoch);
        }

        @Override
        public long examples() {
            return inner.examples();
        }

        @Override
        public void release(int epoch) {
            inner.release(epoch);
        }
    }

    @Test
    void aCheckpointInsideAnEpochResumesToTheUninterruptedRunsBits(@TempDir Path tmp) throws Exception {
        insideAnEpoch(tmp, false);
    }

    @Test
    void withSlowMoACheckpointInsideAnEpochResumesToTheUninterruptedRunsBits(@TempDir Path tmp) throws Exception {
        insideAnEpoch(tmp, true);
    }

    private static void insideAnEpoch(Path tmp, boolean slowMo) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(240, 11);
        String spec = ParameterAveragingMasterTest.WITH_DROPOUT_AND_BN;
        JavaSparkContext sc = TestSpark.jsc();
        for (MasterConfig.RoundTransport transport : MasterConfig.RoundTransport.values()) {
            // 120 rows per worker in minibatches of 8: 15 steps an epoch; K = 2 after 3 warm-up rounds
            MasterConfig plainConfig = new MasterConfig(2, 2, AveragingMode.PARAMETER, 3, "t").withTransport(transport);
            MasterConfig mc = !slowMo ? plainConfig : new MasterConfig(2, plainConfig.averaging().withSlowMo(
                    new org.sparktrain.driver.round.SlowMo(0.5f, 1f)), "t", transport);
            float[] straight = runState(trainer(spec, 2), d, mc, tmp.resolve(transport + "-a").toString(), false);

            // the same run with a checkpoint every 3 rounds, stopped in epoch 2 when the workers reach minibatch 11
            String dir = tmp.resolve(transport + "-b").toString();
            Trainer t = trainer(spec, 2);
            EpochData failing = new FailingEpochData(new InMemoryEpochData(sc, d, 2, t.config().batchSize(),
                    t.config().seed()), 2, 11);
            DistributedTraining.Options opts = DistributedTraining.Options.quiet().checkpoints(dir, false)
                    .checkpointEvery(3);
            Exception stopped = assertThrows(Exception.class, () -> DistributedTraining.run(sc, t, mc, failing, opts));
            assertTrue(String.valueOf(BarrierEpochMessages.root(stopped)).contains("the run is stopped here"),
                    stopped.toString());
            Trainer probe = trainer(spec, 2);
            Checkpoint.Position pos = Checkpoint.restore(sc.hadoopConfiguration(), dir, probe.network(),
                    probe.optimizer());
            assertEquals(1, pos.epoch(), transport.name());
            assertEquals(2, pos.partial().epoch());
            assertTrue(pos.partial().roundsDone() > 0 && pos.partial().step() <= 11, pos.partial().toString());
            assertEquals(0, (pos.rounds() + pos.partial().roundsDone()) % 3, "a checkpoint every 3 rounds of the run");

            assertEquals(2, pos.partial().workers());
            // another number of workers would cut the epoch into other rounds: refused, naming the workers to use
            MasterConfig one = new MasterConfig(1, 2, AveragingMode.PARAMETER, 3, "t").withTransport(transport);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> run(trainer(spec, 2),
                    d, one, dir, true));
            assertTrue(refused.getMessage().contains("--workers 2"), refused.getMessage());

            // resumed inside epoch 2: the uninterrupted run's bits, and the rounds before the checkpoint not redone
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            Trainer resumed = trainer(spec, 2);
            EpochData data = new InMemoryEpochData(sc, d, 2, resumed.config().batchSize(), resumed.config().seed());
            DistributedTraining.run(sc, resumed, mc, data, DistributedTraining.Options.quiet().checkpoints(dir, true)
                    .printingTo(new PrintStream(said, true)));
            // the whole state: parameters, optimizer and network state, and with SlowMo its u
            assertArrayEquals(straight, org.sparktrain.engine.train.RoundVector.packState(resumed), transport.name()
                    + (slowMo ? ", SlowMo" : ""));
            assertTrue(said.toString().contains("in epoch 2 after its round " + pos.partial().roundsDone()),
                    said.toString());
        }
    }

    /** The innermost cause's message. */
    static final class BarrierEpochMessages {
        static String root(Throwable e) {
            StringBuilder b = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                b.append(t).append(" <- ");
            }
            return b.toString();
        }
    }
}
