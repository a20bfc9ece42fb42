package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.train.Checkpoint;
import org.sparktrain.driver.train.DistributedTraining;
import org.sparktrain.driver.train.InMemoryEpochData;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.driver.train.MasterConfig.RoundTransport;
import org.sparktrain.driver.train.ParameterAveragingMaster;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.train.Trainer;

/**
 * Recovery in rounds (docs/architecture.md, "Failing cleanly"): task 0 hands the averaged state to the driver every
 * N rounds, and a rerun after a failed task starts from the latest one, to the uninterrupted run's bits.
 */
class RoundRecoveryTest {

    @AfterEach
    void cleanUp() {
        FaultInjection.disarm();
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, null);
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, null);
        sc.setLocalProperty(AllReduceSettings.STALL_TIMEOUT, null);
    }

    @Test
    void aTaskKilledMidEpochIsRerunFromTheLastHandedOverRound() {
        JavaSparkContext sc = TestSpark.jsc();
        // 240 examples, 120 per worker in minibatches of 8, K = 1: 15 rounds; a hand-over after every 4 rounds, none by time
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, "0");
        DataSet d = BarrierTrainingTest.data(240, 5);
        for (AveragingMode mode : AveragingMode.values()) {
            MasterConfig mc = new MasterConfig(2, 1, mode, 0, "t").withTransport(RoundTransport.BARRIER);
            sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "0");
            float[] noHandovers = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, mc, 1);
            sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "4");
            ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
            float[] clean = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, mc, 1, m);
            assertArrayEquals(noHandovers, clean, mode + ": handing over changes nothing");
            assertEquals(3, m[0].lastBarrierOutcome().handovers(), "after rounds 4, 8 and 12 of 15");

            // task 1 throws at the start of round 10 (index 9) of attempt 0: rounds 1-9 are done, the state after
            // round 8 was handed over
            FaultInjection.arm(FaultInjection.Kind.THROW, 0, 9, 1);
            float[] rerun = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, mc, 1, m);
            BarrierEpoch.Outcome o = m[0].lastBarrierOutcome();
            assertEquals(1, FaultInjection.fired());
            assertEquals(2, o.attempts());
            assertEquals(8, o.firstRound());
            assertEquals(1, o.failures().size());
            String said = o.failures().get(0);
            // the cause is the first failure Spark saw: the injected fault, or its peer's closed connection
            assertTrue(said.startsWith("attempt 1 failed: ") && said.contains("rerun from round 9 of 15 (the state after 8 rounds, handed over by task 0)"), said);
            // the rerun computed rounds 9-15 only: rounds 1-8 were not computed again
            int[] expected = {8, 9, 10, 11, 12, 13, 14};
            assertArrayEquals(expected, FaultInjection.roundsStarted(1, 0), mode.toString());
            assertArrayEquals(expected, FaultInjection.roundsStarted(1, 1), mode.toString());
            assertEquals(15, o.lossSums().length);
            assertArrayEquals(clean, rerun, mode + ": bit for bit");
            FaultInjection.disarm();
        }
    }

    @Test
    void withSynchronisedBatchNormAPeerLostInsideAStepFailsTheStageAndTheRerunGivesTheSameBits() {
        // the surviving task is waiting inside a BatchNorm layer's sum (not at the round's all-reduce) when its
        // peer fails: the closed connection fails it there, and the rerun from the handed-over round gives the
        // uninterrupted run's bits
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, "0");
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "4");
        DataSet d = BarrierTrainingTest.data(240, 8);
        MasterConfig mc = new MasterConfig(2, new Averaging(AveragingMode.GRADIENT, 1, 0).withSyncBatchNorm(true), "t",
                RoundTransport.BARRIER);
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        float[] clean = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, mc, 1, m);
        FaultInjection.arm(FaultInjection.Kind.THROW, 0, 9, 1);
        float[] rerun = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, mc, 1, m);
        BarrierEpoch.Outcome o = m[0].lastBarrierOutcome();
        assertEquals(1, FaultInjection.fired());
        assertEquals(2, o.attempts());
        assertEquals(8, o.firstRound());
        assertArrayEquals(clean, rerun, "bit for bit");
        // and synchronising changed the run: the same epoch with per-share statistics ends elsewhere
        FaultInjection.disarm();
        float[] perShare = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d,
                new MasterConfig(2, 1, AveragingMode.GRADIENT, 0, "t").withTransport(RoundTransport.BARRIER), 1);
        assertTrue(!Arrays.equals(clean, perShare));
    }

    @Test
    void aFailureBeforeAnyHandOverRerunsFromTheEpochsStart() {
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, "0");
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "4");
        DataSet d = BarrierTrainingTest.data(240, 6);
        MasterConfig mc = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t").withTransport(RoundTransport.BARRIER);
        float[] clean = BarrierTrainingTest.train(BarrierTrainingTest.MLP, d, mc, 1);
        FaultInjection.arm(FaultInjection.Kind.THROW, 0, 2, 0); // task 0 itself, before its first hand-over
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        float[] rerun = BarrierTrainingTest.train(BarrierTrainingTest.MLP, d, mc, 1, m);
        BarrierEpoch.Outcome o = m[0].lastBarrierOutcome();
        assertEquals(0, o.firstRound());
        assertTrue(o.failures().get(0).contains("rerun from the epoch's start"), o.failures().toString());
        assertEquals(15, FaultInjection.roundsStarted(1, 0).length);
        assertArrayEquals(clean, rerun);
        assertTrue(Arrays.stream(FaultInjection.roundsStarted(0, 0)).max().getAsInt() == 2);
    }

    @Test
    void aStalledTaskIsDetectedByItsPeersAndTheStageRerunFromTheLatestState() {
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, "0");
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "4");
        // a healthy round of this model takes milliseconds; the ring's own timeout stays at its default (300 s)
        sc.setLocalProperty(AllReduceSettings.STALL_TIMEOUT, "1s");
        DataSet d = BarrierTrainingTest.data(240, 7);
        MasterConfig mc = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t").withTransport(RoundTransport.BARRIER);
        float[] clean = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, mc, 1);
        // task 1 stops responding in round 10 (for 15 s, as a paused JVM: Spark's kill does not reach it, and the
        // rerun waits for its slot; on a cluster the executor would be lost or resumed)
        FaultInjection.arm(FaultInjection.Kind.STALL, 0, 9, 1);
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        float[] rerun = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, mc, 1, m);
        BarrierEpoch.Outcome o = m[0].lastBarrierOutcome();
        assertEquals(1, FaultInjection.fired());
        assertEquals(2, o.attempts());
        String said = o.failures().get(0);
        assertTrue(said.contains("no data from task 1") && said.contains("stalled")
                && said.contains("rerun from round 9 of 15"), said);
        assertArrayEquals(clean, rerun);
    }

    @Test
    void aStageThatFailsEveryAttemptStopsTheRunListingEachCauseAndKeepsTheCheckpoint(@TempDir Path tmp)
            throws Exception {
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, "0");
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "4");
        DataSet d = BarrierTrainingTest.data(240, 8);
        MasterConfig mc = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t").withTransport(RoundTransport.BARRIER);
        ModelSpec spec = ModelSpec.parse(BarrierTrainingTest.MLP, "t.yaml");
        String dir = tmp.toString();
        // epoch 1 finishes and leaves its checkpoint; in epoch 2 task 1 throws in round 10 of every attempt
        Trainer t = Trainer.fromSpec(Network.build(spec, 5), spec.training().withEpochs(1));
        DistributedTraining.run(sc, t, mc, new InMemoryEpochData(sc, d, 2, 8, 5), null, dir, false,
                new PrintStream(new ByteArrayOutputStream()));
        byte[] checkpoint = Files.readAllBytes(tmp.resolve(Checkpoint.FILE));
        FaultInjection.arm(FaultInjection.Kind.THROW, FaultInjection.ANY, 9, 1);
        Trainer again = Trainer.fromSpec(Network.build(spec, 5), spec.training().withEpochs(2));
        DistributedTraining.Options watch = DistributedTraining.Options.quiet().checkpoints(dir, true)
                .taskHook(FaultInjection.HOOK);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DistributedTraining.run(sc, again,
                mc, new InMemoryEpochData(sc, d, 2, 8, 5), watch));
        String m = e.getMessage();
        assertTrue(m.contains("the barrier stage of epoch 2 failed 3 times") && m.contains("--resume"), m);
        // each attempt's cause, and where the next one started: after the state handed over at round 8, the
        // later attempts start there (rounds 9 and 10 only, then the fault again)
        assertTrue(m.contains("attempt 1 failed: ") && m.contains("attempt 2 failed: ") && m.contains("attempt 3 failed: ")
                && m.contains("rerun from round 9 of 15"), m);
        assertEquals(3, FaultInjection.fired());
        assertArrayEquals(new int[] {8, 9}, FaultInjection.roundsStarted(2, 0));
        assertArrayEquals(checkpoint, Files.readAllBytes(tmp.resolve(Checkpoint.FILE)));
    }
}
