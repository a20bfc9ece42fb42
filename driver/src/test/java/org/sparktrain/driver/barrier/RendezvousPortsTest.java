package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.driver.train.MasterConfig.RoundTransport;

/**
 * The driver's rendezvous on a configured port or range ({@value AllReduceSettings#RENDEZVOUS_PORTS};
 * docs/architecture.md, "The barrier transport on the network").
 */
class RendezvousPortsTest {
    private static final String KEY = AllReduceSettings.RENDEZVOUS_PORTS;
    private static final AllReduceSettings LOCAL = AllReduceSettings.defaults().withHost("127.0.0.1")
            .withTimeouts(10_000, 10_000);
    /** What a task of the stage saw: whether the rendezvous port was taken while the stage ran (1), or free (2). */
    private static final AtomicInteger SEEN = new AtomicInteger();

    @AfterEach
    void cleanUp() {
        TestSpark.jsc().setLocalProperty(KEY, null);
    }

    private static Rendezvous open(PortRange ports) throws Exception {
        return new Rendezvous("127.0.0.1", "127.0.0.1", ports, LOCAL, 2, Handshake.newSecret(), "test stage", null);
    }

    @Test
    void theSettingReadsLikeTheAllReducePortsAndItsErrorsNameIt() {
        assertEquals(new PortRange(KEY, 0, 0), PortRange.parse(KEY, "0"));
        assertEquals(new PortRange(KEY, 41000, 41000), PortRange.parse(KEY, "41000"));
        assertEquals(new PortRange(KEY, 41000, 41009), PortRange.parse(KEY, " 41000-41009 "));
        for (String bad : new String[] {"forty", "9-5", "0-10", "70000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortRange.parse(KEY, bad));
            assertTrue(e.getMessage().startsWith(KEY), e.getMessage());
        }
        JavaSparkContext sc = TestSpark.jsc();
        sc.setLocalProperty(KEY, "41000-41009");
        assertEquals(new PortRange(KEY, 41000, 41009), BarrierEpoch.rendezvousPorts(sc));
        sc.setLocalProperty(KEY, null);
        assertEquals(new PortRange(KEY, 0, 0), BarrierEpoch.rendezvousPorts(sc), "ephemeral by default");
    }

    @Test
    void theRendezvousBindsTheConfiguredPortAndTasksRegisterThere() throws Exception {
        int p = TestPorts.twoFree();
        byte[] secret = Handshake.newSecret();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Rendezvous rv = new Rendezvous("127.0.0.1", "127.0.0.1", new PortRange(KEY, p, p), LOCAL, 2, secret,
                "test stage", null)) {
            assertEquals("127.0.0.1:" + p, rv.address());
            Future<String[]> a = pool.submit(() -> Rendezvous.exchange(rv.address(), secret, 0, 2, "h0:10", LOCAL,
                    () -> false, "test stage"));
            Future<String[]> b = pool.submit(() -> Rendezvous.exchange(rv.address(), secret, 1, 2, "h1:11", LOCAL,
                    () -> false, "test stage"));
            assertArrayEquals(new String[] {"h0:10", "h1:11"}, a.get(30, TimeUnit.SECONDS));
            assertArrayEquals(new String[] {"h0:10", "h1:11"}, b.get(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        // the same port again at once (the next stage attempt): the last one's connections do not hold it
        try (Rendezvous again = open(new PortRange(KEY, p, p))) {
            assertEquals("127.0.0.1:" + p, again.address());
        }
    }

    @Test
    void aBusyPortMovesToTheNextInTheRangeAndAFullRangeFailsNamingTheKey() throws Exception {
        int p = TestPorts.twoFree();
        try (ServerSocket first = TestPorts.hold(p)) {
            try (Rendezvous rv = open(new PortRange(KEY, p, p + 1))) {
                assertEquals("127.0.0.1:" + (p + 1), rv.address());
            }
            try (ServerSocket second = TestPorts.hold(p + 1)) {
                PortRange.NoFreePortException e = assertThrows(PortRange.NoFreePortException.class,
                        () -> open(new PortRange(KEY, p, p + 1)).close());
                assertTrue(e.getMessage().contains("no free port in " + KEY + "=" + p + "-" + (p + 1)), e.getMessage());
            }
        }
    }

    @Test
    void aBarrierStageUsesTheSettingAndAFullRangeStopsTheRunAtOnceNamingTheKey() throws Exception {
        JavaSparkContext sc = TestSpark.jsc();
        MasterConfig mc = new MasterConfig(2, 1, AveragingMode.PARAMETER, 0, "t").withTransport(RoundTransport.BARRIER);
        int p = TestPorts.twoFree();
        sc.setLocalProperty(KEY, String.valueOf(p));
        SEEN.set(0);
        // while the stage runs, its rendezvous holds the port (task 0 keeps its connection for the hand-overs)
        TaskHook probe = (attempt, round, worker, killed) -> {
            if (round == 0 && worker == 0) {
                try (ServerSocket s = TestPorts.hold(p)) {
                    SEEN.set(2);
                } catch (java.io.IOException taken) {
                    SEEN.set(1);
                }
            }
        };
        BarrierTrainingTest.trainWithHook(BarrierTrainingTest.MLP, BarrierTrainingTest.data(64, 21), mc, 1, probe);
        assertEquals(1, SEEN.get(), "the port was the rendezvous's while the stage ran");
        try (ServerSocket taken = TestPorts.hold(p)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> BarrierTrainingTest.trainWithHook(
                    BarrierTrainingTest.MLP, BarrierTrainingTest.data(64, 21), mc, 1, TaskHook.NONE));
            assertTrue(e.getMessage().contains("no free port in " + KEY + "=" + p + "-" + p), e.getMessage());
            assertTrue(!e.getMessage().contains("failed 3 times"), "no reruns: " + e.getMessage());
        }
    }
}
