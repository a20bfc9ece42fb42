package org.sparktrain.driver.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.barrier.AllReduce;
import org.sparktrain.driver.barrier.AllReduceAlgorithm;
import org.sparktrain.driver.barrier.AllReduceSettings;
import org.sparktrain.driver.cli.Args;

/**
 * The virtual clock of {@code scripts/bench --allreduce --clock virtual}: the real all-reduce code over loopback,
 * each peer's time simulated. With no CPU time charged, its rounds take exactly the α-β model's time (the model
 * and the code's message schedule agree); CPU time is added along the critical path; the sums are the real ones.
 */
class VirtualNetworkTest {
    private static final double ALPHA_US = 100;
    /** 1 Gb/s: 8 ns per byte, exact in floating point. */
    private static final double GBPS = 1;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<AllReduce> open = new ArrayList<>();

    @AfterEach
    void tearDown() {
        open.forEach(AllReduce::close);
        pool.shutdownNow();
    }

    /**
     * The peers' round ends (ns) of one all-reduce of n floats among w peers, [0] serial and [1] overlapped;
     * {@code sums} gets the vectors.
     */
    private long[][] round(AllReduceAlgorithm a, int w, int n, LongSupplier cpu, float[][] sums) throws Exception {
        VirtualNetwork net = new VirtualNetwork(ALPHA_US, GBPS, cpu);
        VirtualNetwork.Peer[] clocks = new VirtualNetwork.Peer[w];
        AllReduce[] peers = new AllReduce[w];
        String[] addresses = new String[w];
        AllReduceSettings s = AllReduceSettings.defaults().withHost("127.0.0.1").withTimeouts(20_000, 20_000);
        for (int i = 0; i < w; i++) {
            clocks[i] = net.peer(i);
            peers[i] = AllReduce.open(a, i, w, s, () -> false, "virtual test", clocks[i]);
            open.add(peers[i]);
            addresses[i] = peers[i].address();
        }
        byte[] secret = new byte[32];
        new SplittableRandom(1).nextBytes(secret);
        long[][] ends = new long[2][w];
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < w; i++) {
            int rank = i;
            done.add(pool.submit(() -> {
                peers[rank].connect(addresses, secret, n);
                clocks[rank].startRound();
                peers[rank].allReduce(sums[rank], n);
                ends[0][rank] = clocks[rank].endRound();
                ends[1][rank] = clocks[rank].overlappedEnd();
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        return ends;
    }

    private static float[][] vectors(int w, int n) {
        float[][] v = new float[w][n];
        for (int i = 0; i < w; i++) {
            SplittableRandom r = new SplittableRandom(100 + i);
            for (int j = 0; j < n; j++) {
                v[i][j] = (float) (r.nextDouble() * 2 - 1);
            }
        }
        return v;
    }

    private static long max(long[] x) {
        long m = Long.MIN_VALUE;
        for (long e : x) {
            m = Math.max(m, e);
        }
        return m;
    }

    private static long modelNanos(AllReduceAlgorithm a, int w, int n) {
        return Math.round(a.modelSeconds(w, n, ALPHA_US * 1e-6, 8 / (GBPS * 1e9)) * 1e9);
    }

    @Test
    void withoutCpuTimeARoundTakesExactlyTheModelsTime() throws Exception {
        // vectors that cut into equal blocks (W for the ring, the largest power of two for halving/doubling);
        // W = 6 has halving/doubling fold two extra tasks in and out. (With unequal blocks the ring's longest
        // block sets each step: W = 6, 40,000 floats takes 3,133,440 ns against the model's 3,133,333.)
        int[][] cases = {{2, 40_000}, {4, 40_000}, {5, 40_000}, {8, 80_000}, {6, 48_000}, {16, 160_000}};
        for (AllReduceAlgorithm a : new AllReduceAlgorithm[] {AllReduceAlgorithm.RING, AllReduceAlgorithm.RHD}) {
            for (int[] c : cases) {
                int w = c[0];
                int n = c[1];
                long[][] ends = round(a, w, n, () -> 0L, vectors(w, n));
                assertEquals(modelNanos(a, w, n), max(ends[0]), a + ", W = " + w + ", " + n + " floats, serial");
                assertEquals(modelNanos(a, w, n), max(ends[1]), a + ", W = " + w + ", " + n + " floats, overlapped");
                open.forEach(AllReduce::close);
                open.clear();
            }
        }
    }

    @Test
    void cpuTimeIsChargedAlongTheCriticalPath() throws Exception {
        // every reading of a peer's CPU clock advances it by 1 µs: an exchange charges 1 µs before it (the time since
        // the last event, so the message leaves 1 µs later) and w = 1 µs after; the round's end charges 1 µs more
        ThreadLocal<long[]> ticks = ThreadLocal.withInitial(() -> new long[1]);
        LongSupplier cpu = () -> ++ticks.get()[0] * 1_000L;
        int w = 4;
        // 4 pieces of 64 KiB a message: the overlapped clock charges a quarter of w after the arrival
        int n = w * 4 * 16_384;
        long[][] ends = round(AllReduceAlgorithm.RING, w, n, cpu, vectors(w, n));
        // the ring is symmetric: each of its 2(W − 1) steps is α + (n/W)·4·β plus the charges, on every peer
        long model = modelNanos(AllReduceAlgorithm.RING, w, n);
        long serial = model + 2L * (w - 1) * (1_000 + 1_000) + 1_000;
        long overlapped = model + 2L * (w - 1) * (1_000 + 250) + 1_000;
        for (int i = 0; i < w; i++) {
            assertEquals(serial, ends[0][i], "peer " + i + ", serial");
            assertEquals(overlapped, ends[1][i], "peer " + i + ", overlapped");
        }
    }

    @Test
    void theClocksFollowTheCriticalPathThroughAFoldWhenTheCpuIsSlowerThanTheLink() throws Exception {
        // halving/doubling at W = 3: task 0 folds its whole vector (512 KiB, 8 pieces, 4.19 ms on the link) into task 1,
        // which swaps halves (4 pieces, 2.10 ms) with task 2 twice and sends the result back; every reading of a peer's
        // CPU clock advances it by 10 ms, more than any transfer. Worked out by hand (ns): the overlapped clock's
        // send-only exchanges end at start + w (task 0's fold-in: 20 ms, not its 14.19 ms send), its receiving ones at
        // the first byte's arrival + w (task 1's fold-in: 14.29 − 4.19 + 10 = 20.1 ms); the serial clock adds w after
        // the later of send and arrival. Task 0 waits for the fold-out sent at task 1's 78.69 ms (serial).
        ThreadLocal<long[]> ticks = ThreadLocal.withInitial(() -> new long[1]);
        LongSupplier cpu = () -> ++ticks.get()[0] * 10_000_000L;
        long[][] ends = round(AllReduceAlgorithm.RHD, 3, 2 * 65_536, cpu, vectors(3, 2 * 65_536));
        assertArrayEquals(new long[] {102_982_912, 102_882_912, 78_588_608}, ends[0], "serial");
        assertArrayEquals(new long[] {90_400_000, 90_300_000, 70_200_000}, ends[1], "overlapped");
    }

    @Test
    void theSumsAreTheRealOnes() throws Exception {
        int w = 5;
        int n = 10_001;
        float[][] inputs = vectors(w, n);
        double[] exact = new double[n];
        for (float[] v : inputs) {
            for (int j = 0; j < n; j++) {
                exact[j] += v[j];
            }
        }
        float[][] sums = vectors(w, n);
        round(AllReduceAlgorithm.RHD, w, n, VirtualNetwork.threadCpuClock(), sums);
        for (int i = 1; i < w; i++) {
            assertArrayEquals(sums[0], sums[i], "peer " + i + " ends with peer 0's bits");
        }
        for (int j = 0; j < n; j++) {
            assertEquals(exact[j], sums[0][j], 1e-5, "element " + j);
        }
        assertTrue(sums[0][0] != inputs[0][0], "the vector was summed, not left as it was");
    }

    @Test
    void theBenchRefusesAClockItDoesNotKnowAndAVirtualLinkWithoutBandwidth() {
        Args.UsageException e = assertThrows(Args.UsageException.class, () -> AllReduceBench.run(
                new String[] {"--allreduce", "--peers", "2", "--clock", "cpu"}));
        assertTrue(e.getMessage().contains("--clock must be wall or virtual"), e.getMessage());
        e = assertThrows(Args.UsageException.class, () -> AllReduceBench.run(
                new String[] {"--allreduce", "--peers", "2", "--clock", "virtual", "--gbps", "0"}));
        assertTrue(e.getMessage().contains("needs --gbps > 0"), e.getMessage());
    }
}
