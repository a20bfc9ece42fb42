package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.round.RoundRule;
import org.sparktrain.driver.round.SlowMo;
import org.sparktrain.driver.train.InMemoryEpochData;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.driver.train.MasterConfig.RoundTransport;
import org.sparktrain.driver.train.ParameterAveragingMaster;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;

/** The barrier transport against the job-per-round reference, on local[2]. */
class BarrierTrainingTest {

    /** The reference test's models and data, so both transports are checked on the same cases. */
    static final String MLP = org.sparktrain.driver.train.ParameterAveragingMasterTest.MLP;

    static final String WITH_DROPOUT_AND_BN = """
            input: [6]
            layers:
              - {type: dense, units: 12}
              - {type: batchnorm}
              - relu
              - {type: dropout, rate: 0.2}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            regularization: {l2: 0.001}
            training: {batch_size: 8, epochs: 2, seed: 5}
            """;

    @AfterEach
    void cleanUp() {
        FaultInjection.disarm();
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(AllReduceSettings.IO_TIMEOUT, null);
        sc.setLocalProperty(AllReduceSettings.RENDEZVOUS, null);
        sc.setLocalProperty(AllReduceSettings.ENCRYPT, null);
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, null);
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, null);
    }

    static DataSet data(int n, long seed) {
        return org.sparktrain.driver.train.ParameterAveragingMasterTest.data(n, seed);
    }

    /**
     * Final {@code [params | optimizer state | network state]} after {@code epochs} epochs, followed by SlowMo's
     * outer momentum when the run has one.
     */
    static float[] train(String specText, DataSet d, MasterConfig mc, int epochs, ParameterAveragingMaster[] out) {
        return train(specText, d, mc, epochs, out, FaultInjection.HOOK, e -> { }, e -> { });
    }

    /** As above, with {@code hook} in every task. */
    static float[] trainWithHook(String specText, DataSet d, MasterConfig mc, int epochs, TaskHook hook) {
        return train(specText, d, mc, epochs, null, hook, e -> { }, e -> { });
    }

    /**
     * As above, calling {@code before} and {@code after} with the epoch's number around every epoch (the master is in
     * {@code out[0]} from the start).
     */
    static float[] train(String specText, DataSet d, MasterConfig mc, int epochs, ParameterAveragingMaster[] out,
                         TaskHook hook, java.util.function.IntConsumer before, java.util.function.IntConsumer after) {
        JavaSparkContext sc = TestSpark.jsc();
        ModelSpec spec = ModelSpec.parse(specText, "t.yaml");
        TrainingConfig cfg = spec.training();
        Trainer t = Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
        ParameterAveragingMaster m = new ParameterAveragingMaster(sc, mc, t);
        if (out != null) {
            out[0] = m;
        }
        m.setTaskHook(hook);
        InMemoryEpochData data = new InMemoryEpochData(sc, d, mc.workers(), cfg.batchSize(), cfg.seed());
        try {
            for (int e = 1; e <= epochs; e++) {
                before.accept(e);
                m.trainEpoch(data, e);
                after.accept(e);
            }
        } finally {
            m.close();
        }
        return RoundVector.packState(t);
    }

    static float[] train(String specText, DataSet d, MasterConfig mc, int epochs) {
        return train(specText, d, mc, epochs, null);
    }

    @Test
    void oneWorkerEveryStepEqualsTheJobTransportBitForBit() {
        DataSet d = data(100, 1);
        for (String spec : new String[] {MLP, WITH_DROPOUT_AND_BN}) {
            MasterConfig job = new MasterConfig(1, 1, AveragingMode.PARAMETER, 0, "t");
            assertArrayEquals(train(spec, d, job, 2), train(spec, d, job.withTransport(RoundTransport.BARRIER), 2));
        }
    }

    @Test
    void twoWorkersMatchTheJobTransportInBothModes() {
        // 115 examples, minibatch 8: worker 0 has 57 (7 minibatches; the 1-example rest is dropped), worker 1
        // has 58 (8): in the last round only worker 1 takes a step, and worker 0 must have no weight.
        DataSet d = data(115, 2);
        for (AveragingMode mode : AveragingMode.values()) {
            MasterConfig job = new MasterConfig(2, 3, mode, 1, "t");
            float[] a = train(WITH_DROPOUT_AND_BN, d, job, 2);
            ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
            float[] b = train(WITH_DROPOUT_AND_BN, d, job.withTransport(RoundTransport.BARRIER), 2, m);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5f + 1e-5f * Math.abs(a[i]), mode + ", entry " + i);
            }
            // With two workers the ring's float sum equals the driver's double sum rounded, and halving is
            // exact: the transports agree bit for bit (RoundVector.divideSum).
            assertArrayEquals(a, b, mode + ": bit for bit with two workers");
            BarrierEpoch.Outcome o = m[0].lastBarrierOutcome();
            assertNotNull(o);
            assertEquals(1, o.attempts());
            assertEquals(mode == AveragingMode.GRADIENT ? 8 : 3, o.roundsDone()); // 8 steps: 1 + 3 + 3 + 1
            assertEquals(58 + 57 - 1, (long) java.util.Arrays.stream(o.examples()).sum());
        }
    }

    /** SlowMo (β = 0.5, α = 1.5) on parameter averaging, K = 3 after a warm-up round, 2 workers. */
    static MasterConfig slowMo(RoundTransport transport) {
        return new MasterConfig(2, new Averaging(AveragingMode.PARAMETER, 3, 1)
                .withSlowMo(new SlowMo(0.5f, 1.5f)), "t", transport);
    }

    @Test
    void withSlowMoTheTransportsGiveTheSameBitsMomentumIncluded() {
        // as twoWorkersMatchTheJobTransportInBothModes: the last round has one contributor; two epochs, so the
        // barrier stage of epoch 2 starts from the u that epoch 1's stage returned
        DataSet d = data(115, 2);
        float[] job = train(WITH_DROPOUT_AND_BN, d, slowMo(RoundTransport.JOB), 2);
        float[] barrier = train(WITH_DROPOUT_AND_BN, d, slowMo(RoundTransport.BARRIER), 2);
        int params = Network.build(ModelSpec.parse(WITH_DROPOUT_AND_BN, "t.yaml"), 5).params().length;
        float[] plain = train(WITH_DROPOUT_AND_BN, d, new MasterConfig(2, 3, AveragingMode.PARAMETER, 1, "t"), 2);
        assertEquals(plain.length + params, job.length, "the state carries u, one float per parameter");
        assertArrayEquals(job, barrier, "job and barrier transports, SlowMo on: bit for bit");
        float[] u = java.util.Arrays.copyOfRange(job, plain.length, job.length);
        assertTrue(java.util.Arrays.stream(toDoubles(u)).anyMatch(v -> v != 0), "u moved");
        assertTrue(!java.util.Arrays.equals(java.util.Arrays.copyOf(job, params), java.util.Arrays.copyOf(plain,
                params)), "SlowMo changes what is learned");
    }

    @Test
    void momentumZeroAndOuterRateOneTrainAsWithoutSlowMo() {
        DataSet d = data(115, 2);
        for (RoundTransport transport : RoundTransport.values()) {
            MasterConfig plain = new MasterConfig(2, 3, AveragingMode.PARAMETER, 1, "t", transport);
            MasterConfig off = new MasterConfig(2, plain.averaging().withSlowMo(new SlowMo(0f, 1f)), "t", transport);
            assertArrayEquals(train(WITH_DROPOUT_AND_BN, d, plain, 2), train(WITH_DROPOUT_AND_BN, d, off, 2),
                    transport + ": beta 0, alpha 1 is the run without the flags, bit for bit");
        }
    }

    @Test
    void withSlowMoARerunFromAHandedOverStateGivesTheUninterruptedBits() {
        JavaSparkContext sc = TestSpark.jsc();
        // 240 examples, 120 per worker in minibatches of 8 = 15 steps, K = 3 after a warm-up round: 6 rounds;
        // a hand-over after every 2 rounds
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, "0");
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "2");
        DataSet d = data(240, 8);
        MasterConfig mc = slowMo(RoundTransport.BARRIER);
        float[] clean = train(WITH_DROPOUT_AND_BN, d, mc, 2);
        // task 1 throws in round 5 of attempt 0 (in both epochs): the rerun starts from the state handed over after
        // round 4, which must carry u
        FaultInjection.arm(FaultInjection.Kind.THROW, 0, 4, 1);
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        float[] rerun = train(WITH_DROPOUT_AND_BN, d, mc, 2, m);
        assertTrue(FaultInjection.fired() >= 2, "fired in both epochs' first attempts: " + FaultInjection.fired());
        assertEquals(2, m[0].lastBarrierOutcome().attempts());
        assertEquals(4, m[0].lastBarrierOutcome().firstRound());
        assertArrayEquals(clean, rerun, "rerun from a hand-over with SlowMo: the same bits, u included");
        assertArrayEquals(clean, train(WITH_DROPOUT_AND_BN, d, slowMo(RoundTransport.JOB), 2), "and the job transport's");
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void sameSeedSameBitsAcrossBarrierRuns() {
        DataSet d = data(120, 3);
        MasterConfig mc = new MasterConfig(2, 3, AveragingMode.PARAMETER, 1, "t").withTransport(RoundTransport.BARRIER);
        assertArrayEquals(train(WITH_DROPOUT_AND_BN, d, mc, 2), train(WITH_DROPOUT_AND_BN, d, mc, 2));
    }

    @Test
    void sparksAllGatherAsTheRendezvousGivesTheSameBits() {
        DataSet d = data(64, 7);
        MasterConfig mc = new MasterConfig(2, 2, AveragingMode.PARAMETER, 0, "t").withTransport(RoundTransport.BARRIER);
        float[] viaDriver = train(MLP, d, mc, 1);
        TestSpark.jsc().setLocalProperty(AllReduceSettings.RENDEZVOUS, "allgather");
        assertArrayEquals(viaDriver, train(MLP, d, mc, 1));
    }

    @Test
    void anEncryptedStageGivesThePlainStagesBitsAlsoWhenRerunFromAHandedOverState() {
        JavaSparkContext sc = TestSpark.jsc();
        // 240 examples, 120 per worker in minibatches of 8, K = 1: 15 rounds; a hand-over after every 4 rounds
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, "0");
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "4");
        DataSet d = data(240, 8);
        MasterConfig mc = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t").withTransport(RoundTransport.BARRIER);
        sc.setLocalProperty(AllReduceSettings.ENCRYPT, "false");
        float[] plain = train(WITH_DROPOUT_AND_BN, d, mc, 1);
        sc.setLocalProperty(AllReduceSettings.ENCRYPT, "true");
        assertTrue(BarrierEpoch.settings(sc).encrypt());
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        assertArrayEquals(plain, train(WITH_DROPOUT_AND_BN, d, mc, 1, m), "encrypted: the same bits");
        assertEquals(3, m[0].lastBarrierOutcome().handovers(), "encrypted hand-overs after rounds 4, 8 and 12");
        // task 1 throws in round 10 of attempt 0: the rerun starts from the state handed over, encrypted, after round 8
        FaultInjection.arm(FaultInjection.Kind.THROW, 0, 9, 1);
        float[] rerun = train(WITH_DROPOUT_AND_BN, d, mc, 1, m);
        assertEquals(2, m[0].lastBarrierOutcome().attempts());
        assertEquals(8, m[0].lastBarrierOutcome().firstRound());
        assertArrayEquals(plain, rerun, "encrypted and rerun: the same bits");
    }

    @Test
    void everyTaskEndsWithTheSameBits() {
        JavaSparkContext sc = TestSpark.jsc();
        DataSet d = data(120, 4);
        for (AveragingMode mode : AveragingMode.values()) {
            ModelSpec spec = ModelSpec.parse(WITH_DROPOUT_AND_BN, "t.yaml");
            TrainingConfig cfg = spec.training();
            Trainer t = Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
            InMemoryEpochData data = new InMemoryEpochData(sc, d, 2, cfg.batchSize(), cfg.seed());
            int[] rounds = mode == AveragingMode.GRADIENT ? new int[] {1, 1, 1, 1, 1, 1, 1, 1} : new int[] {3, 3, 2};
            RoundRule rule = new Averaging(mode, 3, 0).rule();
            assertArrayEquals(rounds, rule.plan(0, 8));
            BarrierEpoch.Outcome o = BarrierEpoch.run(sc, data.blocks(1), t, rule, 1, rounds, "t",
                    BarrierEpoch.settings(sc), true, TaskHook.NONE);
            assertEquals(2, o.finalVectors().length);
            assertArrayEquals(o.finalVectors()[0], o.finalVectors()[1], mode.toString());
            assertArrayEquals(o.finalVectors()[0], RoundVector.packState(t.network(), t.optimizer()));
            assertEquals(rounds.length, o.roundMillis().length);
            assertTrue(o.meanComputeSeconds() > 0);
            data.release(1);
        }
    }

    @Test
    void aFailedTaskMakesTheDriverRerunTheStageToTheSameResult() {
        DataSet d = data(120, 5);
        for (AveragingMode mode : AveragingMode.values()) {
            MasterConfig mc = new MasterConfig(2, 2, mode, 0, "t").withTransport(RoundTransport.BARRIER);
            float[] clean = train(WITH_DROPOUT_AND_BN, d, mc, 2);
            FaultInjection.arm(FaultInjection.Kind.THROW, 0, 2, 1); // task 1 throws in round 2 of attempt 0
            ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
            float[] rerun = train(WITH_DROPOUT_AND_BN, d, mc, 2, m);
            assertTrue(FaultInjection.fired() >= 2, "fired in both epochs' first attempts: " + FaultInjection.fired());
            assertEquals(2, m[0].lastBarrierOutcome().attempts());
            assertArrayEquals(clean, rerun, mode.toString());
            FaultInjection.disarm();
        }
    }

    @Test
    void aHungTaskTimesOutAndTheStageIsRerun() {
        JavaSparkContext sc = TestSpark.jsc();
        // a short wait so the test is quick; a healthy round of this small model computes in milliseconds
        sc.setLocalProperty(AllReduceSettings.IO_TIMEOUT, "1500ms");
        DataSet d = data(64, 6);
        MasterConfig mc = new MasterConfig(2, 2, AveragingMode.PARAMETER, 0, "t").withTransport(RoundTransport.BARRIER);
        float[] clean = train(MLP, d, mc, 1);
        FaultInjection.arm(FaultInjection.Kind.HANG, 0, 1, 0); // task 0 goes silent, sockets open
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        float[] rerun = train(MLP, d, mc, 1, m);
        assertEquals(1, FaultInjection.fired());
        assertTrue(FaultInjection.killedWhileHung(), "the hung task ended by Spark's kill, not the hook's 120 s limit");
        // the hang lasts until the peer's timeout fails the stage (the hook would give up only after 120 s)
        assertTrue(m[0].lastBarrierOutcome().attempts() >= 2, "attempts " + m[0].lastBarrierOutcome().attempts());
        assertArrayEquals(clean, rerun);
    }

    static final String IMAGES = """
            input: [16]
            layers:
              - {type: dense, units: 10}
              - {type: batchnorm}
              - relu
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 8, epochs: 2, seed: 9}
            """;

    /** 4×4 8-bit images with labels 0..2 in an IDX pair (the format a byte-cached source reads). */
    static java.nio.file.Path idx(int n, long seed) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("idx");
        SplittableRandom r = new SplittableRandom(seed);
        java.nio.ByteBuffer im = java.nio.ByteBuffer.allocate(16 + n * 16);
        im.putInt(0x803).putInt(n).putInt(4).putInt(4);
        java.nio.ByteBuffer lb = java.nio.ByteBuffer.allocate(8 + n);
        lb.putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(3);
            lb.put((byte) label);
            for (int k = 0; k < 16; k++) {
                im.put((byte) Math.min(255, r.nextInt(120) + (k % 3 == label ? 100 : 0)));
            }
        }
        java.nio.file.Files.write(dir.resolve("train-images-idx3-ubyte"), im.array());
        java.nio.file.Files.write(dir.resolve("train-labels-idx1-ubyte"), lb.array());
        return dir;
    }

    static float[] trainFold(java.nio.file.Path dir, MasterConfig mc, int epochs) {
        JavaSparkContext sc = TestSpark.jsc();
        org.sparktrain.partitioning.LabeledData data = org.sparktrain.partitioning.Readers.idx(TestSpark.session(),
                dir.toString(), "train", org.sparktrain.partitioning.ReadOptions.classes(3).partitions(2)
                        .shape(Shape.of(16)));
        ModelSpec spec = ModelSpec.parse(IMAGES, "t.yaml");
        TrainingConfig cfg = spec.training();
        org.sparktrain.partitioning.PreparedFold fold = org.sparktrain.partitioning.DataPipeline.defaults()
                .split(org.sparktrain.partitioning.SplitSpec.none()).workers(2).batchSize(cfg.batchSize())
                .seed(cfg.seed()).prepare(data).fold(0);
        Trainer t = Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
        ParameterAveragingMaster m = new ParameterAveragingMaster(sc, mc, t);
        m.setTaskHook(FaultInjection.HOOK);
        org.sparktrain.driver.train.FoldEpochData epochs0 = new org.sparktrain.driver.train.FoldEpochData(fold);
        for (int e = 1; e <= epochs; e++) {
            m.trainEpoch(epochs0, e);
        }
        m.close();
        fold.unpersist();
        data.unpersist();
        return RoundVector.packState(t.network(), t.optimizer());
    }

    @Test
    void aFoldsEpochComputedInsideTheStageGivesTheJobTransportsBits() throws Exception {
        // The barrier stage reads each epoch once and computes it in its own tasks (raw bytes repacked and
        // scaled there); the job transport caches the epoch first. Same bits, also after a failed task.
        java.nio.file.Path dir = idx(150, 11);
        MasterConfig job = new MasterConfig(2, 3, AveragingMode.PARAMETER, 1, "t");
        float[] a = trainFold(dir, job, 2);
        MasterConfig barrier = job.withTransport(RoundTransport.BARRIER);
        assertArrayEquals(a, trainFold(dir, barrier, 2));
        FaultInjection.arm(FaultInjection.Kind.THROW, 0, 2, 1); // task 1 throws in round 2 of attempt 0
        assertArrayEquals(a, trainFold(dir, barrier, 2));
        assertTrue(FaultInjection.fired() >= 1);
    }

    @Test
    void sparksTooFewSlotsRefusalBecomesAdviceNotARerun() {
        String spark = "SparkException: [SPARK-24819]: Barrier execution mode does not allow run a barrier stage that"
                + " requires more slots than the total number of slots in the cluster currently. Please init a new"
                + " cluster with more resources(e.g. CPU, GPU) or repartition the input RDD(s) to reduce the number"
                + " of slots required to run this barrier stage.";
        String advice = BarrierEpoch.tooFewSlots(spark, 4);
        assertNotNull(advice);
        assertTrue(advice.contains("fewer task slots than the 4 workers") && advice.contains("--workers")
                && advice.contains("--transport job") && advice.contains("--resume"), advice);
        assertEquals(null, BarrierEpoch.tooFewSlots("IllegalStateException: fault injected", 4));
    }
}
