package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.round.AveragingMode;
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
 * An epoch whose barrier stage fails every attempt because the ring cannot connect runs on the job transport, and
 * the next epoch on the barrier transport again (docs/architecture.md, "Failing cleanly": repeated failure); other
 * failures still stop the run.
 */
class JobFallbackTest {
    private static final String[] KEYS = {AllReduceSettings.HOST, AllReduceSettings.BIND,
        AllReduceSettings.CONNECT_TIMEOUT, AllReduceSettings.PORTS, AllReduceSettings.MAX_ATTEMPTS,
        BarrierEpoch.JOB_FALLBACK, StateHandover.EVERY_ROUNDS, StateHandover.EVERY_SECONDS};

    /** Sockets a test holds so that the tasks cannot bind them; closed after every test. */
    private static final List<ServerSocket> HELD = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        FaultInjection.disarm();
        JavaSparkContext sc = TestSpark.jsc();
        for (String k : KEYS) {
            sc.setLocalProperty(k, null);
        }
        synchronized (HELD) {
            for (ServerSocket s : HELD) {
                try {
                    s.close();
                } catch (IOException e) {
                    // the test is over
                }
            }
            HELD.clear();
        }
    }

    /**
     * Epoch {@code cut}'s stages advertise 127.0.0.2 while they listen on 127.0.0.1 only: every dial is refused (as
     * behind a firewall that rejects), and every attempt fails while its ring connects.
     */
    private static void firewall(JavaSparkContext sc, boolean on) {
        sc.setLocalProperty(AllReduceSettings.HOST, on ? "127.0.0.2" : null);
        sc.setLocalProperty(AllReduceSettings.BIND, on ? "127.0.0.1" : null);
        // connecting on loopback takes milliseconds; 3 s only bounds how long each failing attempt waits
        sc.setLocalProperty(AllReduceSettings.CONNECT_TIMEOUT, on ? "3s" : null);
    }

    /** {@link BarrierTrainingTest#train} of its model with dropout and BatchNorm. */
    private static float[] train(DataSet d, MasterConfig mc, int epochs, java.util.function.IntConsumer before,
                                 java.util.function.IntConsumer after, ParameterAveragingMaster[] out) {
        return BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, mc, epochs, out,
                FaultInjection.HOOK, before, after);
    }

    @Test
    void anEpochWhoseRingCannotConnectRunsOnTheJobTransportAndTheNextOnTheBarrierAgain() {
        JavaSparkContext sc = TestSpark.jsc();
        DataSet d = BarrierTrainingTest.data(240, 11);
        MasterConfig job = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t");
        MasterConfig barrier = job.withTransport(RoundTransport.BARRIER);
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        float[] allJob = train(d, job, 3, e -> { }, e -> { }, m);
        float[] allBarrier = train(d, barrier, 3, e -> { }, e -> { }, m);
        // the relation the fallback relies on: with two workers the transports agree bit for bit
        // (BarrierTrainingTest.twoWorkersMatchTheJobTransportInBothModes)
        assertArrayEquals(allJob, allBarrier, "job and barrier transports, the same schedule");

        List<String> seen = new ArrayList<>();
        float[] fellBack = train(d, barrier, 3, e -> {
            firewall(sc, e == 2);
            FaultInjection.disarm(); // forgets the rounds started so far
        }, e -> {
            ParameterAveragingMaster.Fallback f = m[0].lastFallback();
            BarrierEpoch.Outcome o = m[0].lastBarrierOutcome();
            if (e == 2) {
                assertNotNull(f, "epoch 2 fell back");
                assertNull(o, "epoch 2 ran no barrier stage to its end");
                assertTrue(f.line().contains("the barrier stage of epoch 2 failed 3 times, the last because the ring"
                        + " could not connect") && f.line().contains("epoch 2 runs on the job transport from its start")
                        && f.line().contains("the next epoch tries the barrier transport again"), f.line());
                assertEquals(3, f.causes().size(), f.causes().toString());
                for (String c : f.causes()) {
                    assertTrue(c.contains(BarrierEpoch.NOT_CONNECTED), c);
                }
                // the refused dial, or the partner's wait for it
                assertTrue(f.line().contains("could not connect within") || f.line().contains("timed out"), f.line());
                // no attempt got as far as a round
                for (int a = 0; a < 3; a++) {
                    assertEquals(0, FaultInjection.roundsStarted(a, 0).length + FaultInjection.roundsStarted(a, 1)
                            .length, "attempt " + (a + 1));
                }
            } else {
                assertNull(f, "epoch " + e + " did not fall back");
                assertNotNull(o, "epoch " + e + " ran on the barrier transport");
                assertEquals(1, o.attempts());
            }
            seen.add(e + (f == null ? " barrier" : " job"));
        }, m);
        assertEquals(List.of("1 barrier", "2 job", "3 barrier"), seen);
        assertArrayEquals(allBarrier, fellBack, "the uninterrupted run's bits");
    }

    @Test
    void withSlowMoAnEpochOnTheJobTransportBetweenBarrierEpochsKeepsTheMomentum() {
        // epoch 2 falls back to the job transport: it starts from the u epoch 1's stage returned, and hands its
        // own to epoch 3's stage; the bits are the all-barrier run's, u included
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(AllReduceSettings.MAX_ATTEMPTS, "1");
        DataSet d = BarrierTrainingTest.data(120, 13);
        MasterConfig barrier = BarrierTrainingTest.slowMo(RoundTransport.BARRIER);
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        float[] allBarrier = train(d, barrier, 3, e -> { }, e -> { }, m);
        List<String> seen = new ArrayList<>();
        float[] fellBack = train(d, barrier, 3, e -> firewall(sc, e == 2),
                e -> seen.add(e + (m[0].lastFallback() == null ? " barrier" : " job")), m);
        assertEquals(List.of("1 barrier", "2 job", "3 barrier"), seen);
        assertArrayEquals(allBarrier, fellBack, "the uninterrupted run's bits, SlowMo's u included");
    }

    @Test
    void theEpochLogSaysWhichEpochFellBack(@TempDir Path tmp) throws Exception {
        JavaSparkContext sc = TestSpark.jsc();
        DataSet d = BarrierTrainingTest.data(240, 15);
        MasterConfig barrier = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t")
                .withTransport(RoundTransport.BARRIER);
        sc.setLocalProperty(AllReduceSettings.MAX_ATTEMPTS, "1");
        ModelSpec spec = ModelSpec.parse(BarrierTrainingTest.MLP, "t.yaml");
        Trainer t = Trainer.fromSpec(Network.build(spec, 5), spec.training().withEpochs(3));
        Path log = tmp.resolve("metrics.jsonl");
        DistributedTraining.Options o = DistributedTraining.Options.quiet().loggingEpochsTo(log.toString())
                .listening(new DistributedTraining.EpochListener() {
                    @Override
                    public void epochStarting(int epoch, int epochs, int steps) {
                        firewall(sc, epoch == 2); // called on the thread that trains: its stages see it
                    }
                });
        DistributedTraining.run(sc, t, barrier, new InMemoryEpochData(sc, d, 2, 8, 5), o);
        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size(), lines.toString());
        assertFalse(lines.get(0).contains("job_fallback"), lines.get(0));
        assertTrue(lines.get(1).contains("\"job_fallback\"") && lines.get(1).contains("epoch 2 runs on the job"
                + " transport"), lines.get(1));
        assertFalse(lines.get(2).contains("job_fallback"), lines.get(2));
    }

    @Test
    void theFallbackContinuesFromTheStateHandedOverBeforeTheRingStoppedConnecting() throws IOException {
        JavaSparkContext sc = TestSpark.jsc();
        // 240 examples, 120 per worker in minibatches of 8, K = 1: 15 rounds; a hand-over after every 4 rounds
        sc.setLocalProperty(StateHandover.EVERY_SECONDS, "0");
        sc.setLocalProperty(StateHandover.EVERY_ROUNDS, "4");
        DataSet d = BarrierTrainingTest.data(240, 12);
        MasterConfig barrier = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t")
                .withTransport(RoundTransport.BARRIER);
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        int port = TestPorts.twoFree();
        sc.setLocalProperty(AllReduceSettings.PORTS, port + "-" + (port + 1));
        float[] clean = train(d, barrier, 1, e -> { }, e -> { }, m);
        // attempt 1: task 1 throws in round 10 (the state after round 8 was handed over) and, as it does, something
        // else takes both ports of the range: attempts 2 and 3 cannot set their rings up
        FaultInjection.arm(FaultInjection.Kind.THROW, 0, 9, 1);
        TaskHook takePorts = (attempt, round, worker, killed) -> {
            if (attempt == 0 && round == 9 && worker == 1) {
                holdWhenFree(port);
                holdWhenFree(port + 1);
            }
            FaultInjection.HOOK.beforeRound(attempt, round, worker, killed);
        };
        float[] fellBack = BarrierTrainingTest.train(BarrierTrainingTest.WITH_DROPOUT_AND_BN, d, barrier, 1, m,
                takePorts, e -> { }, e -> { });
        ParameterAveragingMaster.Fallback f = m[0].lastFallback();
        assertNotNull(f, "the epoch fell back");
        assertEquals(1, FaultInjection.fired());
        assertTrue(f.causes().get(0).contains("rerun from round 9 of 15") && !f.causes().get(0)
                .contains(BarrierEpoch.NOT_CONNECTED), f.causes().toString());
        assertTrue(f.causes().get(1).contains(BarrierEpoch.NOT_CONNECTED) && f.causes().get(2).contains("attempt 3"
                + " failed: " + BarrierEpoch.NOT_CONNECTED) && f.causes().get(2).contains("no free port in "
                + AllReduceSettings.PORTS), f.causes().toString());
        assertTrue(f.line().contains("epoch 1 runs on the job transport from round 9 of 15"), f.line());
        assertArrayEquals(clean, fellBack, "the uninterrupted run's bits");
    }

    @Test
    void otherFailuresStillStopTheRunWithoutFallingBack() {
        DataSet d = BarrierTrainingTest.data(240, 13);
        MasterConfig barrier = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t")
                .withTransport(RoundTransport.BARRIER);
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        // task 1 throws in round 3 of every attempt: the ring connected every time
        FaultInjection.arm(FaultInjection.Kind.THROW, FaultInjection.ANY, 2, 1);
        BarrierEpoch.StageFailedException e = assertThrows(BarrierEpoch.StageFailedException.class,
                () -> train(d, barrier, 1, x -> { }, x -> { }, m));
        assertFalse(e.connectionFailure());
        assertEquals(3, e.causes().size());
        assertEquals(3, FaultInjection.fired());
        assertNull(m[0].lastFallback());
        assertFalse(e.getMessage().contains(BarrierEpoch.JOB_FALLBACK), e.getMessage());
    }

    @Test
    void withTheFallbackOffARingThatCannotConnectStopsTheRunSayingSo() {
        JavaSparkContext sc = TestSpark.jsc();
        DataSet d = BarrierTrainingTest.data(240, 14);
        MasterConfig barrier = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t")
                .withTransport(RoundTransport.BARRIER);
        ParameterAveragingMaster[] m = new ParameterAveragingMaster[1];
        firewall(sc, true);
        sc.setLocalProperty(AllReduceSettings.MAX_ATTEMPTS, "1");
        sc.setLocalProperty(BarrierEpoch.JOB_FALLBACK, "false");
        BarrierEpoch.StageFailedException e = assertThrows(BarrierEpoch.StageFailedException.class,
                () -> train(d, barrier, 1, x -> { }, x -> { }, m));
        assertTrue(e.connectionFailure());
        assertTrue(e.getMessage().contains("last cause: " + BarrierEpoch.NOT_CONNECTED)
                && e.getMessage().contains(BarrierEpoch.JOB_FALLBACK + "=true"), e.getMessage());
        assertNull(m[0].lastFallback());
        sc.setLocalProperty(BarrierEpoch.JOB_FALLBACK, "maybe");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> BarrierEpoch.jobFallback(sc));
        assertTrue(bad.getMessage().contains(BarrierEpoch.JOB_FALLBACK), bad.getMessage());
    }

    /**
     * From now on, listens on {@code port} on every interface as soon as the failing stage's task has let it go (in a
     * daemon thread, for at most 30 s), until the test ends.
     */
    private static void holdWhenFree(int port) {
        Thread th = new Thread(() -> {
            long until = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < until) {
                try {
                    ServerSocket s = TestPorts.hold(port);
                    synchronized (HELD) {
                        HELD.add(s);
                    }
                    return;
                } catch (IOException busy) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "hold-port-" + port);
        th.setDaemon(true);
        th.start();
    }
}
