package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both all-reduce algorithms, no Spark: W peers in threads of this JVM on 127.0.0.1. */
class AllReduceAlgorithmsTest {
    private static final AllReduceSettings LOCAL = RingAllReduceTest.LOCAL;
    private static final int[] SIZES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16};
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<AllReduce> open = new ArrayList<>();

    @AfterEach
    void tearDown() {
        open.forEach(AllReduce::close);
        pool.shutdownNow();
    }

    private AllReduce[] connected(AllReduceAlgorithm a, int w, AllReduceSettings s, AtomicBoolean killed, int n,
                                  MessageDelay[] delays) throws Exception {
        AllReduce[] r = new AllReduce[w];
        for (int i = 0; i < w; i++) {
            r[i] = AllReduce.open(a, i, w, s, killed::get, "test " + a, delays == null ? MessageDelay.NONE : delays[i]);
            open.add(r[i]);
        }
        RingAllReduceTest.connectAll(pool, r, Handshake.newSecret(), n);
        return r;
    }

    /** Every peer all-reduces its vector, closing its connections if it fails (as a task's finally does). */
    static List<Future<?>> reduceAll(ExecutorService pool, AllReduce[] r, float[][] v, int n) {
        List<Future<?>> f = new ArrayList<>();
        for (int i = 0; i < r.length; i++) {
            int k = i;
            f.add(pool.submit(() -> {
                try {
                    r[k].allReduce(v[k], n);
                } catch (IOException | RuntimeException e) {
                    r[k].close();
                    throw e;
                }
                return null;
            }));
        }
        return f;
    }

    private float[][] sum(AllReduceAlgorithm a, int w, int n, long seed) throws Exception {
        AllReduce[] r = connected(a, w, LOCAL, new AtomicBoolean(), n, null);
        float[][] v = RingAllReduceTest.vectors(w, n, seed);
        for (Future<?> f : reduceAll(pool, r, v, n)) {
            f.get(20, TimeUnit.SECONDS);
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = AllReduceAlgorithm.class, names = {"RING", "RHD"})
    void everyPeerEndsWithTheSameBitsAndTheSum(AllReduceAlgorithm a) throws Exception {
        for (int w : SIZES) {
            int n = 4_099 + w; // blocks of unequal length
            float[][] orig = RingAllReduceTest.vectors(w, n, 7L * w);
            float[][] v = sum(a, w, n, 7L * w);
            for (int i = 1; i < w; i++) {
                assertArrayEquals(v[0], v[i], a + ", W = " + w + ": task " + i + " differs from task 0");
            }
            for (int j = 0; j < n; j++) {
                double s = 0;
                double mag = 0;
                for (float[] o : orig) {
                    s += o[j];
                    mag += Math.abs(o[j]);
                }
                assertEquals(s, v[0][j], 1.2e-7 * w * mag, a + ", W = " + w + ", element " + j);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = AllReduceAlgorithm.class, names = {"RING", "RHD"})
    void theSameInputsGiveTheSameBitsRunAfterRun(AllReduceAlgorithm a) throws Exception {
        int n = 70_001; // messages longer than an exchange's buffer, so they stream in pieces
        float[][] first = sum(a, 6, n, 99);
        float[][] again = sum(a, 6, n, 99);
        assertArrayEquals(first[0], again[0]);
        assertArrayEquals(first[5], again[5]);
    }

    @Test
    void atTwoTasksBothAlgorithmsGiveTheRingsBits() throws Exception {
        assertArrayEquals(sum(AllReduceAlgorithm.RING, 2, 5_000, 3)[1], sum(AllReduceAlgorithm.RHD, 2, 5_000, 3)[1]);
    }

    @Test
    void halvingDoublingTalksToTheFoldPartnerAndLogWOthers() throws Exception {
        AllReduce[] r = connected(AllReduceAlgorithm.RHD, 6, LOCAL, new AtomicBoolean(), 10, null);
        // W = 6: p = 4, tasks 0 and 2 fold into 1 and 3; virtual ranks 0..3 are tasks 1, 3, 4, 5
        assertArrayEquals(new int[] {1}, ((HalvingDoublingAllReduce) r[0]).partners());
        assertArrayEquals(new int[] {0, 4, 3}, ((HalvingDoublingAllReduce) r[1]).partners());
        assertArrayEquals(new int[] {3, 4}, ((HalvingDoublingAllReduce) r[5]).partners());
    }

    @ParameterizedTest
    @EnumSource(value = AllReduceAlgorithm.class, names = {"RING", "RHD"})
    void aPeerThatDiesMidExchangeFailsTheOthersWithClosedConnections(AllReduceAlgorithm a) throws Exception {
        for (int w : new int[] {5, 8}) {
            int n = 50_000;
            int dying = 3;
            AtomicInteger messages = new AtomicInteger();
            MessageDelay[] delays = new MessageDelay[w];
            Arrays.fill(delays, MessageDelay.NONE);
            delays[dying] = bytes -> {
                if (messages.incrementAndGet() == 2) {
                    throw new InterruptedIOException("task " + dying + " dies before its second message");
                }
            };
            // a 300 s wait: only the closed connections can end the others' waits within the test's 20 s
            AllReduce[] r = connected(a, w, LOCAL, new AtomicBoolean(), n, delays);
            List<Future<?>> f = reduceAll(pool, r, RingAllReduceTest.vectors(w, n, 1), n);
            for (int i = 0; i < w; i++) {
                int k = i;
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(k).get(20, TimeUnit.SECONDS),
                        a + ", W = " + w + ": task " + k + " must fail");
                String m = e.getCause().getMessage();
                if (i == dying) {
                    assertTrue(m.contains("dies"), m);
                } else {
                    assertTrue(m.contains("closed its connection in the middle of an all-reduce"), a + ", W = " + w
                            + ", task " + k + ": " + m);
                }
            }
        }
    }

    @Test
    void aSilentPartnerIsATimeoutNamingIt() throws Exception {
        AllReduce[] r = connected(AllReduceAlgorithm.RHD, 4, LOCAL.withTimeouts(5_000, 600), new AtomicBoolean(), 1_000,
                null);
        // only task 0 takes part: its first partner, task 2 (virtual rank 0 XOR 2), sends nothing
        IOException e = assertThrows(IOException.class, () -> r[0].allReduce(new float[1_000], 1_000));
        assertInstanceOf(SocketTimeoutException.class, e, e.toString());
        assertTrue(e.getMessage().contains("no data from task 2 (") && e.getMessage().contains(" for 600 ms"),
                e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = AllReduceAlgorithm.class, names = {"RING", "RHD"})
    void theKillFlagEndsAWait(AllReduceAlgorithm a) throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        AllReduce[] r = connected(a, 3, LOCAL, killed, 100, null);
        pool.submit(() -> {
            Thread.sleep(300);
            killed.set(true);
            return null;
        });
        // the wait's own deadline is 300 s: only the kill flag ends it with this message
        IOException e = assertThrows(IOException.class, () -> r[1].allReduce(new float[100], 100));
        assertTrue(e.getMessage().contains("killed"), e.getMessage());
    }

    @Test
    void theRuleFollowsTheCostModelAndTheKeyOverridesIt() {
        int lenet = 185_000;
        assertEquals(AllReduceAlgorithm.RING, AllReduceAlgorithm.AUTO.choose(2, lenet));
        assertEquals(AllReduceAlgorithm.RHD, AllReduceAlgorithm.AUTO.choose(4, lenet));
        assertEquals(AllReduceAlgorithm.RING, AllReduceAlgorithm.AUTO.choose(5, lenet));
        assertEquals(AllReduceAlgorithm.RHD, AllReduceAlgorithm.AUTO.choose(256, lenet));
        assertEquals(AllReduceAlgorithm.RHD, AllReduceAlgorithm.AUTO.choose(5, 1_000));
        assertEquals(AllReduceAlgorithm.RING, AllReduceAlgorithm.RING.choose(256, lenet));
        for (int w = 2; w <= 256; w++) {
            AllReduceAlgorithm c = AllReduceAlgorithm.AUTO.choose(w, lenet);
            double ring = AllReduceAlgorithm.RING.modelSeconds(w, lenet, 50e-6, 0.8e-9);
            double rhd = AllReduceAlgorithm.RHD.modelSeconds(w, lenet, 50e-6, 0.8e-9);
            assertEquals(Math.min(ring, rhd), c.modelSeconds(w, lenet, 50e-6, 0.8e-9), 0, "W = " + w);
        }
        // the figures: a ring of 256 at 50 us and 10 Gb/s ~27 ms, halving/doubling ~2 ms
        assertEquals(27, AllReduceAlgorithm.RING.modelSeconds(256, lenet, 50e-6, 0.8e-9) * 1e3, 1);
        assertEquals(2, AllReduceAlgorithm.RHD.modelSeconds(256, lenet, 50e-6, 0.8e-9) * 1e3, 0.1);
        SparkConf conf = new SparkConf(false);
        assertEquals(AllReduceAlgorithm.AUTO, AllReduceSettings.fromConf(conf).algorithm());
        conf.set(AllReduceSettings.ALGORITHM, "RHD");
        assertEquals(AllReduceAlgorithm.RHD, AllReduceSettings.fromConf(conf).algorithm());
        conf.set(AllReduceSettings.ALGORITHM, "tree");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AllReduceSettings.fromConf(conf));
        assertTrue(e.getMessage().contains(AllReduceSettings.ALGORITHM), e.getMessage());
    }
}
