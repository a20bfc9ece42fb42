package org.sparktrain.engine.kernel;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Single-thread GFLOPS of each GEMM on the minibatch shapes of the LeNet-5 / MLP / LSTM models.
 *
 * <p>First every shape and implementation is warmed up (0.15 s each, so C2 has compiled every path),
 * then for each: a short re-warm (0.1 s), then the
 * best of 5 timed repetitions of a batch of calls lasting ≥ 20 ms; GFLOPS = 2·m·n·k·calls / time.
 * Prints one JSON line per measurement, with the heap bytes the thread allocated per call in the
 * timed batches (0 = the no-allocation contract holds).
 *
 * <p>Arguments: any of {@code naive ejml vector vector-dot vector-pack} (default: naive ejml vector).
 * Run with {@code --add-modules jdk.incubator.vector} for the vector variants; the vector width
 * can be forced with {@code -Dsparktrain.gemm.bits=256}.
 */
public final class GemmBench {
    private static final long WARMUP_NANOS = 300_000_000L;
    private static final long REP_NANOS = 20_000_000L;
    private static final int REPS = 5;

    /** m, n, k, transA, transB, label. */
    private static final Object[][] SHAPES = {
        {6, 50176, 25, false, false, "conv1 fwd W·col"},
        {6, 25, 50176, false, true, "conv1 dW dOut·colT"},
        {16, 6400, 150, false, false, "conv2 fwd W·col"},
        {16, 150, 6400, false, true, "conv2 dW dOut·colT"},
        {150, 6400, 16, true, false, "conv2 dCol WT·dOut"},
        {64, 120, 400, false, false, "dense fwd X·W"},
        {64, 120, 400, false, true, "dense fwd X·WT"},
        {64, 256, 784, false, false, "dense fwd X·W"},
        {64, 256, 784, false, true, "dense fwd X·WT"},
        {64, 128, 256, false, false, "dense fwd X·W"},
        {64, 128, 256, false, true, "dense fwd X·WT"},
        {64, 10, 128, false, false, "dense fwd X·W"},
        {64, 10, 128, false, true, "dense fwd X·WT"},
        {256, 784, 64, true, false, "dense dW dYT·X"},
        {64, 784, 256, false, false, "dense dX dY·W"},
        {64, 784, 256, false, true, "dense dX dY·WT"},
        {64, 512, 156, false, false, "lstm gates X·W"},
        {64, 512, 156, false, true, "lstm gates X·WT"},
        {64, 120, 400, true, true, "TT (rare)"},
    };

    private GemmBench() {
    }

    public static void main(String[] args) {
        List<Gemm> impls = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String[] wanted = args.length > 0 ? args : new String[] {"naive", "ejml", "vector"};
        for (String w : wanted) {
            switch (w) {
                case "naive": impls.add(new NaiveGemm()); labels.add("naive"); break;
                case "ejml": impls.add(new EjmlGemm()); labels.add("ejml"); break;
                case "vector": impls.add(new VectorGemm()); labels.add("vector-api"); break;
                case "vector-dot": impls.add(new VectorGemm(VectorGemm.TransBStrategy.DOT));
                    labels.add("vector-api-dot"); break;
                case "vector-pack": impls.add(new VectorGemm(VectorGemm.TransBStrategy.PACK));
                    labels.add("vector-api-pack"); break;
                default: throw new IllegalArgumentException("unknown implementation " + w);
            }
        }
        SplittableRandom rnd = new SplittableRandom(1);
        // Training cycles through all shapes every step; warm every path up before timing any, so
        // no measurement catches a deoptimisation/recompilation triggered by another shape.
        for (Object[] s : SHAPES) {
            int m = (int) s[0], n = (int) s[1], k = (int) s[2];
            float[] a = random(m * k, rnd), b = random(k * n, rnd), c = new float[m * n];
            for (Gemm g : impls) {
                long start = System.nanoTime();
                do {
                    g.gemm((boolean) s[3], (boolean) s[4], m, n, k, a, 0, b, 0, c, 0, false);
                    g.gemm((boolean) s[3], (boolean) s[4], m, n, k, a, 0, b, 0, c, 0, true);
                } while (System.nanoTime() - start < WARMUP_NANOS / 2);
            }
        }
        for (Object[] s : SHAPES) {
            int m = (int) s[0], n = (int) s[1], k = (int) s[2];
            boolean ta = (boolean) s[3], tb = (boolean) s[4];
            float[] a = random(m * k, rnd), b = random(k * n, rnd), c = new float[m * n];
            for (int i = 0; i < impls.size(); i++) {
                double[] r = measure(impls.get(i), ta, tb, m, n, k, a, b, c);
                System.out.println(String.format(Locale.ROOT,
                        "{\"system\":\"sparktrain\",\"phase\":\"gemm\",\"impl\":\"%s\",\"m\":%d,\"n\":%d,"
                                + "\"k\":%d,\"transA\":%b,\"transB\":%b,\"gflops\":%.2f,\"bytes_per_call\":%.0f,"
                                + "\"shape\":\"%s\"}",
                        labels.get(i), m, n, k, ta, tb, r[0], r[1], s[5]));
            }
        }
    }

    /** Returns {best GFLOPS, allocated bytes per call}. */
    private static double[] measure(Gemm g, boolean ta, boolean tb, int m, int n, int k,
                                    float[] a, float[] b, float[] c) {
        long start = System.nanoTime();
        int calls = 0;
        do {
            g.gemm(ta, tb, m, n, k, a, 0, b, 0, c, 0, false);
            calls++;
        } while (System.nanoTime() - start < WARMUP_NANOS / 3);
        long perCall = Math.max(1, (System.nanoTime() - start) / calls);
        int batch = (int) Math.max(1, REP_NANOS / perCall);
        long best = Long.MAX_VALUE;
        // What reading the counter itself allocates, subtracted below.
        long probe = allocatedBytes();
        long overhead = allocatedBytes() - probe;
        long alloc0 = allocatedBytes();
        for (int r = 0; r < REPS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                g.gemm(ta, tb, m, n, k, a, 0, b, 0, c, 0, false);
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        double bytesPerCall = Math.max(0, allocatedBytes() - alloc0 - overhead) / (double) (REPS * batch);
        double gflops = 2.0 * m * n * k * batch / best;
        return new double[] {gflops, bytesPerCall};
    }

    private static long allocatedBytes() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx instanceof com.sun.management.ThreadMXBean) {
            return ((com.sun.management.ThreadMXBean) mx).getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }

    private static float[] random(int size, SplittableRandom rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
