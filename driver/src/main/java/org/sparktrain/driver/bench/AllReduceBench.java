package org.sparktrain.driver.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.sparktrain.driver.barrier.AllReduce;
import org.sparktrain.driver.barrier.AllReduceAlgorithm;
import org.sparktrain.driver.barrier.AllReduceSettings;
import org.sparktrain.driver.barrier.MessageDelay;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.partitioning.bench.PipelineBench;

/**
 * {@code scripts/bench --allreduce --peers W --floats N --latency-us L [--algorithm ring|rhd|auto] [--rounds R]
 * [--gbps B] [--sweep] [--encrypt] [--clock wall|virtual]}: W all-reduce peers as threads of this JVM over loopback TCP, the real code of a barrier
 * stage (connections, handshake, exchanges) with every message held back by a {@link SimulatedLink} (the wall
 * clock, the default); R rounds timed after two untimed ones. One JSON line per (W, algorithm): {@code ms_median}
 * and {@code ms_p90} of a round (from the first peer's start to the last peer's end; with the virtual clock, below,
 * the latest peer's serial clock), beside the α-β model's prediction
 * ({@link AllReduceAlgorithm#modelSeconds}) with α = L and β = the bandwidth cap, or, without one, the loopback's
 * own β measured first (two peers, no delay), and again with α = the delay a message actually got
 * ({@code model_ms_actual_delay}: a parked thread wakes tens of µs late, more on a loaded machine). {@code --sweep} runs W = 2, 4, ..., 256 (or the list given to
 * {@code --peers}) for both algorithms (or the one given); above W = 32 it runs R·32/W rounds, at least 5.
 * {@code --encrypt} runs the peers with the stage's AES-GCM encryption on ({@link AllReduceSettings#encrypt()}; the
 * line says {@code "encrypt":true}): the same command with and without it measures what encryption costs a round
 * (the loopback's β is measured without it either way, so {@code measured_over_model} shows the cost too); the
 * cipher is warmed up first (128 MB sealed and opened: the JDK's AES-GCM is ~30× slower before the JIT compiles it).
 * {@code --clock virtual} (default {@code wall}) keeps the same code and connections but times each peer by a
 * {@link VirtualNetwork}: its own CPU time plus the modelled link (α = L, {@code --gbps}, default 10), so that W
 * peers measure what W machines with a core each would take, which a wall clock cannot show when hundreds of peers
 * share two cores; the line says {@code "clock":"virtual"}, {@code ms_median} is the serial (pessimistic) clock,
 * {@code ms_median_overlapped} the overlapped one, and {@code cpu_ms_per_peer} the mean CPU a peer used in a round.
 * Before a virtual sweep 32 untimed rounds of each algorithm at W = 4 warm the exchanges up. With few rounds (5 at
 * W = 256 in a sweep) {@code ms_p90} is the slowest round. docs/architecture.md, Measured facts, has both sweeps and
 * what they show.
 */
final class AllReduceBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WARMUP_ROUNDS = 2;
    private static final long WARMUP_CIPHER_BYTES = 128L << 20;

    private AllReduceBench() {
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args("bench --allreduce", argv, 0,
                Set.of("peers", "floats", "latency-us", "algorithm", "rounds", "gbps", "clock", "conf", "data"),
                Set.of("allreduce", "sweep", "encrypt"));
        boolean sweep = a.flag("sweep");
        boolean encrypt = a.flag("encrypt");
        int[] peers = peerList(a.get("peers", sweep ? "2,4,8,16,32,64,128,256" : null));
        int floats = a.intValue("floats", 185_000, 1);
        double latencyUs = number(a, "latency-us", 50);
        String clock = a.get("clock", "wall").trim().toLowerCase(java.util.Locale.ROOT);
        if (!clock.equals("wall") && !clock.equals("virtual")) {
            throw new Args.UsageException("bench --allreduce: --clock must be wall or virtual, got '" + clock + "'");
        }
        boolean virtual = clock.equals("virtual");
        // the virtual clock models the link, so it needs a bandwidth: the datacenter link auto's rule assumes
        double gbps = number(a, "gbps", virtual ? AllReduceAlgorithm.LINK_GBPS : 0);
        if (virtual && !(gbps > 0)) {
            throw new Args.UsageException("bench --allreduce: --clock virtual needs --gbps > 0 (the link it models)");
        }
        int rounds = a.intValue("rounds", 20, 1);
        List<AllReduceAlgorithm> algorithms = new ArrayList<>();
        if (a.has("algorithm")) {
            algorithms.add(parse(a.get("algorithm", "auto")));
        } else if (sweep) {
            algorithms.addAll(List.of(AllReduceAlgorithm.RING, AllReduceAlgorithm.RHD));
        } else {
            algorithms.add(AllReduceAlgorithm.AUTO);
        }
        double beta = gbps > 0 ? 8 / (gbps * 1e9) : loopbackSecondsPerByte(floats);
        if (encrypt) {
            // the JDK's AES-GCM runs ~30× slower until the JIT has compiled it (~40 MB): time warm rounds, as for
            // the rest of the code (the untimed rounds alone would not push that much through at small W)
            AllReduce.warmUpEncryption(WARMUP_CIPHER_BYTES);
        }
        if (virtual) {
            // the virtual clock charges CPU time, which the JIT's first minutes inflate: run the exchanges warm (the wall
            // clock's loopback measurement does this for it when no --gbps is given)
            SimulatedLink none = new SimulatedLink(0, 0);
            for (AllReduceAlgorithm alg : List.of(AllReduceAlgorithm.RING, AllReduceAlgorithm.RHD)) {
                time(alg, 4, floats, 30, rank -> none, encrypt, null);
            }
        }
        for (int w : peers) {
            for (AllReduceAlgorithm asked : algorithms) {
                AllReduceAlgorithm alg = asked.choose(w, floats);
                int r = sweep && w > 32 ? Math.max(5, rounds * 32 / w) : rounds;
                SimulatedLink link = virtual ? null : new SimulatedLink(latencyUs, gbps);
                VirtualNetwork net = virtual ? new VirtualNetwork(latencyUs, gbps, VirtualNetwork.threadCpuClock())
                        : null;
                double load = PipelineBench.load1();
                double[] cpuMs = new double[1];
                double[][] overlapped = new double[1][];
                double[] ms = virtual ? timeVirtual(alg, w, floats, r, net, encrypt, cpuMs, overlapped)
                        : time(alg, w, floats, r, rank -> link, encrypt, null);
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                double model = alg.modelSeconds(w, floats, latencyUs * 1e-6, beta) * 1e3;
                double median = percentile(sorted, 0.5);
                ObjectNode o = JSON.createObjectNode();
                o.put("phase", "allreduce");
                o.put("peers", w);
                o.put("floats", floats);
                o.put("latency_us", latencyUs);
                if (gbps > 0) {
                    o.put("gbps", gbps);
                }
                o.put("algorithm", alg.name().toLowerCase(java.util.Locale.ROOT));
                o.put("chosen_by", asked == AllReduceAlgorithm.AUTO ? "auto" : "flag");
                o.put("encrypt", encrypt);
                o.put("clock", clock);
                o.put("rounds", r);
                o.put("ms_median", round3(median));
                o.put("ms_p90", round3(percentile(sorted, 0.9)));
                o.put("model_ms", round3(model));
                o.put("measured_over_model", round3(median / model));
                o.put("beta_ns_per_byte", round3(beta * 1e9));
                if (virtual) {
                    // ms_median above is the serial clock (each exchange's CPU after its transfer: pessimistic);
                    // the overlapped clock streams it as the code does (VirtualNetwork)
                    double[] sortedOverlapped = overlapped[0].clone();
                    Arrays.sort(sortedOverlapped);
                    double overlappedMedian = percentile(sortedOverlapped, 0.5);
                    o.put("ms_median_overlapped", round3(overlappedMedian));
                    o.put("ms_p90_overlapped", round3(percentile(sortedOverlapped, 0.9)));
                    o.put("overlapped_over_model", round3(overlappedMedian / model));
                    // the CPU a peer used in a round (copies, additions, system calls), mean over peers and rounds:
                    // what the virtual clock adds to the model
                    o.put("cpu_ms_per_peer", round3(cpuMs[0]));
                } else {
                    o.put("delay_us_mean", round3(link.meanDelayMicros()));
                    // the model again with the delay the timer actually gave (parking overshoots by tens of µs)
                    o.put("model_ms_actual_delay",
                            round3(alg.modelSeconds(w, floats, link.meanDelayMicros() * 1e-6, beta) * 1e3));
                }
                o.put("cores", Runtime.getRuntime().availableProcessors());
                o.put("load1", load);
                System.out.println(JSON.writeValueAsString(o));
            }
        }
    }

    /** The loopback's time per byte on one link: two peers, no delay, the ring's 2α + n·β read as n·β. */
    private static double loopbackSecondsPerByte(int floats) throws Exception {
        SimulatedLink none = new SimulatedLink(0, 0);
        double[] ms = time(AllReduceAlgorithm.RING, 2, floats, 20, rank -> none, false, null);
        Arrays.sort(ms);
        return percentile(ms, 0.5) * 1e-3 / (4.0 * floats);
    }

    /**
     * The virtual round times (ms) of {@code rounds} all-reduces among {@code w} peers on {@code net}: per round the
     * latest peer's serial clock; {@code overlapped[0]} gets the same from the overlapped clocks, {@code cpuMs[0]} the
     * mean CPU time a peer used in a round.
     */
    private static double[] timeVirtual(AllReduceAlgorithm alg, int w, int floats, int rounds, VirtualNetwork net,
                                        boolean encrypt, double[] cpuMs, double[][] overlapped) throws Exception {
        VirtualNetwork.Peer[] clocks = new VirtualNetwork.Peer[w];
        for (int i = 0; i < w; i++) {
            clocks[i] = net.peer(i);
        }
        long[][] virtualEnd = new long[w][WARMUP_ROUNDS + rounds];
        long[][] overlappedEnd = new long[w][WARMUP_ROUNDS + rounds];
        long[][] cpu = new long[w][WARMUP_ROUNDS + rounds];
        time(alg, w, floats, rounds, rank -> clocks[rank], encrypt, (rank, round, reduce) -> {
            clocks[rank].startRound();
            reduce.run();
            virtualEnd[rank][round] = clocks[rank].endRound();
            overlappedEnd[rank][round] = clocks[rank].overlappedEnd();
            cpu[rank][round] = clocks[rank].cpuInRound();
        });
        double[] ms = new double[rounds];
        overlapped[0] = new double[rounds];
        double cpuSum = 0;
        for (int round = 0; round < rounds; round++) {
            long last = 0;
            long lastOverlapped = 0;
            for (int i = 0; i < w; i++) {
                last = Math.max(last, virtualEnd[i][WARMUP_ROUNDS + round]);
                lastOverlapped = Math.max(lastOverlapped, overlappedEnd[i][WARMUP_ROUNDS + round]);
                cpuSum += cpu[i][WARMUP_ROUNDS + round];
            }
            ms[round] = last / 1e6;
            overlapped[0][round] = lastOverlapped / 1e6;
        }
        cpuMs[0] = cpuSum / 1e6 / ((double) rounds * w);
        return ms;
    }

    /** How a peer's thread runs one round ({@code reduce}), for the virtual clock to wrap. */
    @FunctionalInterface
    private interface RoundRunner {
        void run(int rank, int round, IoAction reduce) throws Exception;
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws Exception;
    }

    /**
     * The wall-clock round times (ms) of {@code rounds} all-reduces among {@code w} peers after the warm-up rounds,
     * peer i's messages going through {@code links.apply(i)}; {@code runner}, when given, wraps each peer's rounds.
     */
    private static double[] time(AllReduceAlgorithm alg, int w, int floats, int rounds,
                                 java.util.function.IntFunction<MessageDelay> links, boolean encrypt,
                                 RoundRunner runner) throws Exception {
        AllReduceSettings s = AllReduceSettings.defaults().withHost("127.0.0.1").withTimeouts(120_000, 120_000)
                .withEncryption(encrypt);
        AllReduce[] peers = new AllReduce[w];
        ExecutorService pool = Executors.newFixedThreadPool(w);
        try {
            String[] addresses = new String[w];
            for (int i = 0; i < w; i++) {
                peers[i] = AllReduce.open(alg, i, w, s, () -> false, "bench all-reduce", links.apply(i));
                addresses[i] = peers[i].address();
            }
            byte[] secret = new byte[32];
            new SplittableRandom().nextBytes(secret);
            int total = WARMUP_ROUNDS + rounds;
            long[][] start = new long[w][total];
            long[][] end = new long[w][total];
            CyclicBarrier together = new CyclicBarrier(w);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < w; i++) {
                int rank = i;
                done.add(pool.submit(() -> {
                    peers[rank].connect(addresses, secret, floats);
                    float[] mine = new float[floats];
                    SplittableRandom rnd = new SplittableRandom(rank);
                    for (int j = 0; j < floats; j++) {
                        mine[j] = (float) rnd.nextDouble();
                    }
                    float[] v = new float[floats];
                    for (int round = 0; round < total; round++) {
                        System.arraycopy(mine, 0, v, 0, floats);
                        together.await(120, TimeUnit.SECONDS);
                        start[rank][round] = System.nanoTime();
                        if (runner == null) {
                            peers[rank].allReduce(v, floats);
                        } else {
                            runner.run(rank, round, () -> peers[rank].allReduce(v, floats));
                        }
                        end[rank][round] = System.nanoTime();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.MINUTES);
            }
            double[] ms = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (int i = 0; i < w; i++) {
                    first = Math.min(first, start[i][WARMUP_ROUNDS + round]);
                    last = Math.max(last, end[i][WARMUP_ROUNDS + round]);
                }
                ms[round] = (last - first) / 1e6;
            }
            return ms;
        } finally {
            for (AllReduce p : peers) {
                if (p != null) {
                    p.close();
                }
            }
            pool.shutdownNow();
        }
    }

    private static int[] peerList(String s) {
        if (s == null) {
            throw new Args.UsageException("bench --allreduce: --peers W (or a list 2,4,8) or --sweep is required");
        }
        try {
            return Arrays.stream(s.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).peek(w -> {
                if (w < 1) {
                    throw new NumberFormatException();
                }
            }).toArray();
        } catch (NumberFormatException e) {
            throw new Args.UsageException("bench --allreduce: --peers must be a peer count or a list like 2,4,8, got '"
                    + s + "'");
        }
    }

    private static AllReduceAlgorithm parse(String s) {
        try {
            return AllReduceAlgorithm.parse(s);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("bench --allreduce: --algorithm must be ring, rhd or auto, got '" + s + "'");
        }
    }

    private static double number(Args a, String name, double dflt) {
        String v = a.get(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            double x = Double.parseDouble(v.trim());
            if (x < 0 || !Double.isFinite(x)) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new Args.UsageException("bench --allreduce: --" + name + " must be a number >= 0, got '" + v + "'");
        }
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    private static double round3(double x) {
        return Math.round(x * 1e3) / 1e3;
    }
}
