package org.sparktrain.engine.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.sparktrain.engine.layer.RecurrentTwinCheck;

/**
 * Compares every Vector API kernel with its plain-Java twin bit for bit on random shapes (odd sizes, k = 1,
 * tails, transposes, accumulate on and off, offsets), counting the comparisons and recording every mismatch.
 * {@code TwinKernelsTest} runs it in its own JVM (after the vector kernels were called 20,000+ times, so C2 has
 * compiled them) and in forked JVMs that never compile them with C2 ({@code -Xint}: the Java fallbacks of the
 * Vector API; {@code -XX:TieredStopAtLevel=1}: C1). Floats are compared by {@code Float.floatToIntBits} (all
 * NaNs alike; every other value by its exact bits, so −0 ≠ +0), doubles likewise.
 *
 * <p>{@code main(rounds, seed)} prints {@code checks=N failures=M} and the first failures, exit status 1 on any.
 */
public final class TwinCheck {
    private final SplittableRandom r;
    private final int rounds;
    /** Whether to include the long-k GEMMs (the dot path's k chunks): slow in an interpreted JVM. */
    private boolean longK = true;
    /** GEMM cases where the fma order of the twin and a multiply-then-add in the same order differ. */
    private int fmaMatters;
    public long checks;
    public final List<String> failures = new ArrayList<>();
    /** Bytes the vector calls allocated, when {@link #measuring}: none once C2 has compiled them all. */
    public long vectorBytes;
    /** {@link #vectorBytes} by family. */
    public final java.util.Map<String, Long> bytesByFamily = new java.util.TreeMap<>();
    private String family = "";
    private java.util.function.LongSupplier allocated;
    private long overhead;

    /** Counts the bytes every vector call allocates, with this thread's allocation counter. */
    public TwinCheck measuring(java.util.function.LongSupplier allocatedBytes) {
        allocated = allocatedBytes;
        long t = allocated.getAsLong();
        overhead = allocated.getAsLong() - t;
        return this;
    }

    /** Runs one vector call, counting what it allocates. */
    void vec(Runnable call) {
        if (allocated == null) {
            call.run();
            return;
        }
        long t = allocated.getAsLong();
        call.run();
        long bytes = allocated.getAsLong() - t - overhead;
        vectorBytes += bytes;
        if (bytes > 0) {
            bytesByFamily.merge(family, bytes, Long::sum);
        }
    }

    public TwinCheck(long seed, int rounds) {
        this.r = new SplittableRandom(seed);
        this.rounds = rounds;
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        TwinCheck c = new TwinCheck(seed, rounds);
        c.longK = args.length <= 2 || Boolean.parseBoolean(args[2]);
        c.all();
        System.out.println("checks=" + c.checks + " failures=" + c.failures.size());
        c.failures.stream().limit(20).forEach(System.out::println);
        System.exit(c.failures.isEmpty() ? 0 : 1);
    }

    /** Every family, {@code rounds} random cases each. */
    public TwinCheck all() {
        reduceLanes();
        gemm();
        elementwise();
        norm();
        pool();
        adam();
        columns();
        family = "recurrent";
        RecurrentTwinCheck.run(r, rounds, this::record, this::vec);
        return this;
    }

    void record(boolean same, String what) {
        checks++;
        if (!same) {
            failures.add(what);
        }
    }

    private void same(float[] v, float[] t, int from, int to, String what) {
        for (int i = from; i < to; i++) {
            if (Float.floatToIntBits(v[i]) != Float.floatToIntBits(t[i])) {
                record(false, what + " at " + i + ": vector " + v[i] + " twin " + t[i]);
                return;
            }
        }
        record(true, what);
    }

    /**
     * A float of a random sign and magnitude (2^-20 .. 2^20), sometimes ±0 or a small integer: sums of such
     * terms depend on their order, and an fma differs from a multiply then an add.
     */
    float value() {
        int kind = r.nextInt(40);
        if (kind == 0) {
            return -0f;
        }
        if (kind == 1) {
            return 0f;
        }
        if (kind == 2) {
            return r.nextInt(7) - 3;
        }
        float v = (float) (r.nextDouble() * Math.scalb(1.0, r.nextInt(41) - 20));
        return r.nextBoolean() ? -v : v;
    }

    float[] values(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = value();
        }
        return a;
    }

    /**
     * reduceLanes(ADD) is the in-order sum from +0 (lane 0 first), the order the twins assume; checked on
     * vectors whose sum depends on the order, so another order (a tree, a different start) would show.
     */
    void reduceLanes() {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        int l = s.length();
        int orderMatters = 0;
        for (int t = 0; t < 50 * rounds; t++) {
            float[] v = values(l);
            if (t % 10 == 0) {
                java.util.Arrays.fill(v, -0f); // the start: +0 + −0 = +0, a −0 start would give −0
            }
            float expect = 0f;
            for (float x : v) {
                expect += x;
            }
            float pairwise = pairwise(v, 0, l);
            if (Float.floatToIntBits(pairwise) != Float.floatToIntBits(expect)) {
                orderMatters++;
            }
            float got = FloatVector.fromArray(s, v, 0).reduceLanes(VectorOperators.ADD);
            record(Float.floatToIntBits(got) == Float.floatToIntBits(expect),
                    "reduceLanes(ADD) " + java.util.Arrays.toString(v) + ": " + got + " vs in order " + expect);
        }
        // the inputs can tell the in-order sum from a tree's: else the check above proves nothing
        record(orderMatters > 0, "reduceLanes inputs never tell lane order apart");
    }

    private static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED;

    /**
     * How many of {@code cases} (arrays of L floats) {@code reduceLanes(ADD)} sums otherwise than in lane order
     * from +0; a loop in one method, so that C2 compiles it with the intrinsic inlined ({@code TwinKernelsTest}).
     */
    static int outOfOrder(float[][] cases) {
        int bad = 0;
        for (float[] v : cases) {
            float expect = 0f;
            for (float x : v) {
                expect += x;
            }
            float got = FloatVector.fromArray(PREFERRED, v, 0).reduceLanes(VectorOperators.ADD);
            bad += Float.floatToIntBits(got) == Float.floatToIntBits(expect) ? 0 : 1;
        }
        return bad;
    }

    /** {@code n} vectors whose sums depend on the order of their lanes (and one of −0 lanes). */
    float[][] reduceCases(int n) {
        int l = PREFERRED.length();
        float[][] cases = new float[n][];
        for (int i = 0; i < n; i++) {
            cases[i] = values(l);
        }
        java.util.Arrays.fill(cases[0], -0f);
        return cases;
    }

    private static float pairwise(float[] v, int from, int to) {
        return to - from == 1 ? v[from] : pairwise(v, from, (from + to) / 2) + pairwise(v, (from + to) / 2, to);
    }

    int size(int max) {
        // often tiny (1, 2, 3), often around the lane counts, sometimes up to max
        switch (r.nextInt(4)) {
            case 0:
                return 1 + r.nextInt(3);
            case 1:
                return 1 + r.nextInt(Math.min(max, 40));
            default:
                return 1 + r.nextInt(max);
        }
    }

    void gemm() {
        family = "gemm";
        VectorGemm.TransBStrategy[] strategies = VectorGemm.TransBStrategy.values();
        for (VectorGemm.TransBStrategy st : strategies) {
            VectorGemm vector = new VectorGemm(st);
            Gemm twin = vector.twin();
            for (int t = 0; t < rounds; t++) {
                int m = size(70);
                int n = size(70);
                int k = t % 7 == 0 ? 1 : size(300);
                gemmCase(vector, twin, st, r.nextBoolean(), r.nextBoolean(), m, n, k, r.nextBoolean());
            }
            if (longK) {
                // long k: the dot path's chunks (MIN_CHUNK = 512 with n ≥ 190)
                gemmCase(vector, twin, st, false, true, 3, 200, 1100 + r.nextInt(40), r.nextBoolean());
            }
            gemmCase(vector, twin, st, false, true, 5, 7, 0, true);
            gemmCase(vector, twin, st, false, true, 5, 7, 0, false);
        }
        // the inputs tell a fused multiply-add from a multiply then an add: else the checks prove less
        record(fmaMatters > 0, "gemm inputs never tell fma from mul+add");
    }

    void gemmCase(Gemm vector, Gemm twin, VectorGemm.TransBStrategy st, boolean transA, boolean transB,
                  int m, int n, int k, boolean acc) {
        int aOff = r.nextInt(3);
        int bOff = r.nextInt(3);
        int cOff = r.nextInt(3);
        float[] a = values(aOff + m * k + 2);
        float[] b = values(bOff + k * n + 2);
        float[] c0 = values(cOff + m * n + 2);
        float[] cv = c0.clone();
        float[] ct = c0.clone();
        vec(() -> vector.gemm(transA, transB, m, n, k, a, aOff, b, bOff, cv, cOff, acc));
        twin.gemm(transA, transB, m, n, k, a, aOff, b, bOff, ct, cOff, acc);
        if (k > 1 && !acc && !(transB && !transA)) {
            float[] cm = c0.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        sum += (transA ? a[aOff + p * m + i] : a[aOff + i * k + p])
                                * (transB ? b[bOff + j * k + p] : b[bOff + p * n + j]);
                    }
                    cm[cOff + i * n + j] = sum;
                }
            }
            for (int i = 0; i < cm.length && fmaMatters == 0; i++) {
                fmaMatters += Float.floatToIntBits(cm[i]) != Float.floatToIntBits(ct[i]) ? 1 : 0;
            }
        }
        same(cv, ct, 0, cv.length, "gemm " + st + (transA ? " T" : " N") + (transB ? "T" : "N") + " m=" + m
                + " n=" + n + " k=" + k + (acc ? " accumulate" : ""));
    }

    void elementwise() {
        family = "elementwise";
        Elementwise vector = new VectorElementwise();
        Elementwise twin = VectorElementwise.twin();
        for (int t = 0; t < 3 * rounds; t++) {
            int n = t % 5 == 0 ? 0 : size(300);
            float[] x = values(n + 3);
            if (n > 0) {
                x[r.nextInt(n)] = Float.NaN;
            }
            float[] yv = values(n + 3);
            float[] yt = yv.clone();
            vec(() -> vector.relu(x, yv, n));
            twin.relu(x, yt, n);
            same(yv, yt, 0, yv.length, "relu n=" + n);
            float[] dy = values(n + 3);
            float[] dv = values(n + 3);
            float[] dt = dv.clone();
            vec(() -> vector.reluBackward(x, dy, dv, n));
            twin.reluBackward(x, dy, dt, n);
            same(dv, dt, 0, dv.length, "reluBackward n=" + n);
        }
    }

    void norm() {
        family = "norm";
        NormKernels vector = new VectorNormKernels();
        NormKernels twin = VectorNormKernels.twin();
        for (int t = 0; t < 3 * rounds; t++) {
            int n = t % 4 == 0 ? size(20) : size(1300);
            int from = r.nextInt(5);
            int to = from + n;
            float[] v = values(to + 3);
            float[] x = values(to + 3);
            float mu = value();
            String what = " [" + from + ", " + to + ")";
            double[] got = new double[2];
            vec(() -> got[0] = vector.sum(v, from, to));
            vec(() -> got[1] = vector.sumSquaredDeviation(v, from, to, mu));
            record(Double.doubleToLongBits(got[0]) == Double.doubleToLongBits(twin.sum(v, from, to)), "norm sum" + what);
            record(Double.doubleToLongBits(got[1]) == Double.doubleToLongBits(twin.sumSquaredDeviation(v, from, to, mu)),
                    "norm ssd" + what);
            double[] a1 = {1.5, value()};
            double[] a2 = {-2.5, value()};
            double[] b1 = a1.clone();
            double[] b2 = a2.clone();
            vec(() -> vector.gradientSums(v, x, from, to, mu, a1, a2, 1));
            twin.gradientSums(v, x, from, to, mu, b1, b2, 1);
            record(Double.doubleToLongBits(a1[1]) == Double.doubleToLongBits(b1[1])
                    && Double.doubleToLongBits(a2[1]) == Double.doubleToLongBits(b2[1])
                    && a1[0] == b1[0] && a2[0] == b2[0], "norm gradientSums" + what);
        }
    }

    void pool() {
        family = "pool";
        PoolKernels vector = new VectorPoolKernels();
        PoolKernels twin = VectorPoolKernels.twin();
        for (int t = 0; t < 3 * rounds; t++) {
            int planes = 1 + r.nextInt(3);
            int inH = 2 + r.nextInt(12);
            int inW = 2 + r.nextInt(40);
            int outH = inH / 2;
            int outW = inW / 2;
            int xl = planes * inH * inW + (r.nextBoolean() ? 0 : r.nextInt(40));
            float[] x = new float[xl];
            for (int i = 0; i < xl; i++) {
                // few distinct values: ties, and ±0 side by side
                int kind = r.nextInt(8);
                x[i] = kind == 0 ? -0f : kind == 1 ? 0f : kind == 2 ? Float.NaN : r.nextInt(5) - 2;
            }
            int outs = planes * outH * outW;
            int yl = outs + vector.slack() + (r.nextBoolean() ? 0 : r.nextInt(40));
            float[] yv = new float[yl];
            float[] yt = new float[yl];
            int[] cv = new int[yl];
            int[] ct = new int[yl];
            vec(() -> vector.maxPool2x2(x, planes, inH, inW, outH, outW, yv, cv));
            twin.maxPool2x2(x, planes, inH, inW, outH, outW, yt, ct);
            String what = "maxPool2x2 " + planes + "x" + inH + "x" + inW;
            same(yv, yt, 0, outs, what);
            boolean codes = true;
            for (int i = 0; i < outs; i++) {
                codes &= cv[i] == ct[i];
            }
            record(codes, what + " codes");
        }
    }

    void adam() {
        family = "adam";
        UpdateKernels vector = new VectorUpdateKernels();
        UpdateKernels twin = new ScalarUpdateKernels();
        for (int t = 0; t < 3 * rounds; t++) {
            int n = size(300);
            float[] w = values(n);
            float[] g = values(n);
            float[] s = new float[2 * n];
            for (int i = 0; i < 2 * n; i++) {
                s[i] = i < n ? value() : Math.abs(value());
            }
            float[] wv = w.clone();
            float[] wt = w.clone();
            float[] sv = s.clone();
            float[] st = s.clone();
            for (int step = 0; step < 3; step++) {
                vec(() -> vector.adam(wv, g, sv, n, 0.9f, 0.1f, 0.999f, 0.001f, 0.01f, 0.3f, 1e-8f));
                twin.adam(wt, g, st, n, 0.9f, 0.1f, 0.999f, 0.001f, 0.01f, 0.3f, 1e-8f);
            }
            same(wv, wt, 0, n, "adam w n=" + n);
            same(sv, st, 0, 2 * n, "adam state n=" + n);
        }
    }

    void columns() {
        family = "columns";
        for (int t = 0; t < 2 * rounds; t++) {
            int channels = 1 + r.nextInt(3);
            int kh = 1 + r.nextInt(5);
            int kw = 1 + r.nextInt(5);
            int sh = 1 + (r.nextInt(4) == 0 ? 1 : 0);
            int sw = 1 + (r.nextInt(4) == 0 ? 1 : 0);
            int ph = r.nextInt(Math.min(kh, 3));
            int pw = r.nextInt(Math.min(kw, 3));
            int inH = Math.max(1, kh - 2 * ph) + r.nextInt(12);
            int inW = Math.max(1, kw - 2 * pw) + r.nextInt(30);
            int outH = (inH + 2 * ph - kh) / sh + 1;
            int outW = (inW + 2 * pw - kw) / sw + 1;
            Columns vector = new VectorColumns(channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
            Columns twin = Columns.scalar(channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
            String what = "columns c=" + channels + " in=" + inH + "x" + inW + " k=" + kh + "x" + kw + " s=" + sh
                    + "x" + sw + " p=" + ph + "x" + pw;
            int rows = channels * kh * kw;
            int p = outH * outW;
            int batch = 1 + r.nextInt(3);
            int rowStride = batch * p + r.nextInt(3);
            int colOff = r.nextInt(3);
            int in = channels * inH * inW;
            int xOff = r.nextInt(3);
            float[] x = values(xOff + batch * in + r.nextInt(2) * 40);
            int colLen = colOff + (rows - 1) * rowStride + batch * p + r.nextInt(2) * 40;
            float[] col0 = values(colLen);
            float[] cv = col0.clone();
            float[] ct = col0.clone();
            vec(() -> vector.im2col(x, xOff, cv, colOff, rowStride));
            twin.im2col(x, xOff, ct, colOff, rowStride);
            same(cv, ct, 0, colLen, what + " im2col");
            float[] bv = col0.clone();
            float[] bt = col0.clone();
            vec(() -> vector.im2colBatch(x, xOff, in, batch, bv, colOff, rowStride));
            twin.im2colBatch(x, xOff, in, batch, bt, colOff, rowStride);
            same(bv, bt, 0, colLen, what + " im2colBatch " + batch);
            int dxOff = r.nextInt(3);
            float[] dx0 = values(dxOff + in + r.nextInt(2) * 40);
            float[] dv = dx0.clone();
            float[] dt = dx0.clone();
            vec(() -> vector.col2im(col0, colOff, dv, dxOff, rowStride));
            twin.col2im(col0, colOff, dt, dxOff, rowStride);
            same(dv, dt, 0, dv.length, what + " col2im");
        }
    }
}
