package org.sparktrain.engine.layer;

import java.util.Locale;
import java.util.SplittableRandom;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.Gemm;
import org.sparktrain.engine.kernel.Gemms;

/**
 * Times forward + backward of LeNet-5's convolutional part at batch 64 (single thread): conv1
 * (1→6, 5×5, pad 2, 28×28; as the first layer it needs no input gradient), conv2 (6→16, 5×5, 14×14),
 * and BatchNorm + 2×2 max pooling on conv1's output. The GEMM calls go through a timing wrapper so the
 * report separates GEMM time from everything else (im2col, col2im, bias, pooling, BN), which is this
 * package's own work. Run: {@code java --add-modules jdk.incubator.vector -cp ... ConvBench [seconds]}.
 */
public final class ConvBench {
    private static final int BATCH = 64;
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Wraps a Gemm and adds up the wall time spent in it (System.nanoTime: cheap; thread CPU time would
     * cost a system call per GEMM). On a loaded machine the GEMM share is therefore approximate; the
     * no-op-GEMM runs below measure the non-GEMM work directly.
     */
    private static final class TimedGemm implements Gemm {
        private final Gemm inner;
        long nanos;
        long flops;
        /** Per operand form, index {@code (transA ? 2 : 0) + (transB ? 1 : 0)}: NN, NT, TN, TT. */
        final long[] formNanos = new long[4];
        final long[] formFlops = new long[4];

        TimedGemm(Gemm inner) {
            this.inner = inner;
        }

        @Override
        public void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                         float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
            long t = System.nanoTime();
            inner.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
            long dt = System.nanoTime() - t;
            int f = (transA ? 2 : 0) + (transB ? 1 : 0);
            nanos += dt;
            flops += 2L * m * n * k;
            formNanos[f] += dt;
            formFlops[f] += 2L * m * n * k;
        }

        @Override
        public String name() {
            return inner.name();
        }
    }

    private ConvBench() {
    }

    private static Layer bind(Layer l, long seed) {
        float[] p = new float[l.paramCount()];
        float[] s = new float[l.stateCount()];
        l.bind(p, new float[p.length], 0, s, 0);
        l.initParams(new SplittableRandom(seed));
        l.initState();
        return l;
    }

    /** Runs {@code step} for {@code warm} seconds, then measures and prints ms (thread CPU time) per call. */
    private static void measure(String what, Runnable step, TimedGemm gemm, double warm, double secs) {
        long end = System.nanoTime() + (long) (warm * 1e9);
        while (System.nanoTime() < end) {
            step.run();
        }
        long[] fn0 = gemm == null ? null : gemm.formNanos.clone();
        long[] ff0 = gemm == null ? null : gemm.formFlops.clone();
        long g0 = gemm == null ? 0 : gemm.nanos;
        long f0 = gemm == null ? 0 : gemm.flops;
        int calls = 0;
        long t0 = System.nanoTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        end = t0 + (long) (secs * 1e9);
        do {
            step.run();
            calls++;
        } while (System.nanoTime() < end);
        // CPU time of this thread: the machine is shared, and wall time includes waiting for a core
        double cpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6 / calls;
        double wall = (System.nanoTime() - t0) / 1e6 / calls;
        if (gemm == null) {
            System.out.printf(Locale.ROOT, "%-46s %8.3f ms/call CPU (wall %.3f, %d calls)%n", what, cpu, wall, calls);
            return;
        }
        double g = (gemm.nanos - g0) / 1e6 / calls;
        double gflops = (gemm.flops - f0) / ((gemm.nanos - g0) / 1e9) / 1e9;
        System.out.printf(Locale.ROOT, "%-46s %8.3f ms/call CPU (wall %.3f, %d calls); wall in GEMM %.3f ms"
                + " (%.1f GFLOPS), wall outside GEMM %.3f ms%n", what, cpu, wall, calls, g, gflops, wall - g);
        String[] forms = {"NN (forward W*col)", "NT (dW = dY*col^T)", "TN (dcol = W^T*dY)", "TT"};
        for (int f = 0; f < 4; f++) {
            long dn = gemm.formNanos[f] - fn0[f];
            if (dn > 0) {
                System.out.printf(Locale.ROOT, "    GEMM %-20s %7.3f ms/call, %5.1f GFLOPS%n", forms[f],
                        dn / 1e6 / calls, (gemm.formFlops[f] - ff0[f]) / (double) dn);
            }
        }
    }

    public static void main(String[] args) {
        double secs = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        double warm = Math.max(1, secs / 2);
        TimedGemm gemm = new TimedGemm(Gemms.fastest());
        System.out.println("gemm: " + gemm.name() + ", batch " + BATCH + ", single thread");

        Shape in1 = Shape.of(1, 28, 28);
        Conv2D.Config c1 = new Conv2D.Config(6, 5, 5, 1, 1, 2, 2, true, Init.HE);
        Conv2D conv1 = (Conv2D) bind(new Conv2D("conv1", in1, c1, gemm), 1);
        conv1.setNeedInputGrad(false);
        float[] x1 = uniform(BATCH * in1.size(), 2);
        float[] dy1 = uniform(BATCH * conv1.outShape().size(), 3);
        measure("conv1 1->6 5x5 pad2 28x28, fwd+bwd (no dX)", () -> {
            conv1.forward(x1, BATCH, true);
            conv1.backward(dy1, BATCH);
        }, gemm, warm, secs);

        Shape in2 = Shape.of(6, 14, 14);
        Conv2D.Config c2 = new Conv2D.Config(16, 5, 5, 1, 1, 0, 0, true, Init.HE);
        Conv2D conv2 = (Conv2D) bind(new Conv2D("conv2", in2, c2, gemm), 4);
        float[] x2 = uniform(BATCH * in2.size(), 5);
        float[] dy2 = uniform(BATCH * conv2.outShape().size(), 6);
        measure("conv2 6->16 5x5 14x14, fwd+bwd (with dX)", () -> {
            conv2.forward(x2, BATCH, true);
            conv2.backward(dy2, BATCH);
        }, gemm, warm, secs);

        Shape bnIn = Shape.of(6, 28, 28);
        Layer bn = bind(new BatchNorm.Config().create(bnIn, "bn"), 7);
        Layer pool = bind(new MaxPool2D.Config(2).create(bnIn, "pool"), 8);
        float[] xb = uniform(BATCH * bnIn.size(), 9);
        float[] dyp = uniform(BATCH * pool.outShape().size(), 10);
        measure("BN [6,28,28] + maxpool 2, fwd+bwd", () -> {
            pool.forward(bn.forward(xb, BATCH, true), BATCH, true);
            bn.backward(pool.backward(dyp, BATCH), BATCH);
        }, null, warm, secs);
        measure("  BN alone, fwd+bwd", () -> {
            bn.forward(xb, BATCH, true);
            bn.backward(xb, BATCH);
        }, null, warm / 2, secs / 2);
        measure("  maxpool alone, fwd+bwd", () -> {
            pool.forward(xb, BATCH, true);
            pool.backward(dyp, BATCH);
        }, null, warm / 2, secs / 2);

        // The same convolutions with a GEMM that does nothing: what is left is this package's own work
        // (im2col, col2im, bias, db), measured without the slow GEMM evicting the caches.
        Gemm noop = new Gemm() {
            @Override
            public void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                             float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
            }

            @Override
            public String name() {
                return "no-op";
            }
        };
        Conv2D conv1n = (Conv2D) bind(new Conv2D("conv1", in1, c1, noop), 1);
        conv1n.setNeedInputGrad(false);
        Conv2D conv2n = (Conv2D) bind(new Conv2D("conv2", in2, c2, noop), 4);
        measure("conv1 with a no-op GEMM (outside-GEMM work)", () -> {
            conv1n.forward(x1, BATCH, true);
            conv1n.backward(dy1, BATCH);
        }, null, warm / 2, secs / 2);
        measure("conv2 with a no-op GEMM (outside-GEMM work)", () -> {
            conv2n.forward(x2, BATCH, true);
            conv2n.backward(dy2, BATCH);
        }, null, warm / 2, secs / 2);

        // im2col / col2im alone, whole batch, conv1 and conv2 geometry
        ConvGeometry g1 = c1.geometry(in1, "conv1");
        ConvGeometry g2 = c2.geometry(in2, "conv2");
        float[] col1 = new float[BATCH * g1.colRows() * g1.colCols()];
        float[] col2 = new float[g2.colRows() * g2.colCols()];
        float[] dx2 = new float[BATCH * in2.size()];
        measure("  im2col conv1 (batch)", () -> {
            for (int n = 0; n < BATCH; n++) {
                g1.im2col(x1, n * in1.size(), col1, n * g1.colRows() * g1.colCols());
            }
        }, null, warm / 2, secs / 2);
        measure("  im2col conv2 (batch)", () -> {
            for (int n = 0; n < BATCH; n++) {
                g2.im2col(x2, n * in2.size(), col2, 0);
            }
        }, null, warm / 2, secs / 2);
        measure("  col2im conv2 (batch)", () -> {
            for (int n = 0; n < BATCH; n++) {
                g2.col2im(col2, 0, dx2, n * in2.size());
            }
        }, null, warm / 2, secs / 2);
    }

    private static float[] uniform(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }
}
