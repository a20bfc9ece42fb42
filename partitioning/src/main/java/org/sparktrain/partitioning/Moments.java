package org.sparktrain.partitioning;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.io.FittedScaler;

/**
 * Per-feature statistics of a training part, accumulated in double in one pass per partition and merged
 * across partitions: count, mean and sum of squared deviations (Welford's update, Chan's merge) for
 * z-score; min and max for min-max. A task result, so Kryo-registered.
 */
public final class Moments implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public boolean zscore;
    public long n;
    /** Mean (z-score) or min (min-max). */
    public double[] a;
    /** Sum of squared deviations from the mean (z-score) or max (min-max). */
    public double[] b;

    public Moments() {
    }

    static Moments empty(boolean zscore, int features) {
        Moments m = new Moments();
        m.zscore = zscore;
        m.a = new double[features];
        m.b = new double[features];
        if (!zscore) {
            Arrays.fill(m.a, Double.POSITIVE_INFINITY);
            Arrays.fill(m.b, Double.NEGATIVE_INFINITY);
        }
        return m;
    }

    void add(float[] x) {
        n++;
        if (zscore) {
            double inv = 1.0 / n;
            for (int k = 0; k < a.length; k++) {
                double d = x[k] - a[k];
                a[k] += d * inv;
                b[k] += d * (x[k] - a[k]);
            }
        } else {
            for (int k = 0; k < a.length; k++) {
                a[k] = Math.min(a[k], x[k]);
                b[k] = Math.max(b[k], x[k]);
            }
        }
    }

    /** Rows per float partial sum in {@link #summarize}: a few float roundings per value, then double. */
    static final int GROUP = 8;

    /**
     * The moments of a chunk's kept rows, both kinds at once ({@code [0]} z-score, {@code [1]} min-max),
     * counting the rows per class into {@code classCounts}. The corrected two-pass algorithm (Chan, Golub
     * and LeVeque): pass 1 sums the rows and finds min and max, giving a provisional mean m; pass 2 sums
     * d = x − m and d², and mean = m + Σd/n, M2 = Σd² − (Σd)²/n, which is exact to rounding whatever the
     * error of m. Sums run in float over groups of {@value #GROUP} rows (so the loops vectorise) and
     * are added in double. Partitions' results merge with {@link #merge} (Chan's formula).
     */
    static Moments[] summarize(RowChunk c, ChunkPasses.Keep keep, long[] classCounts) {
        return summarize(c, keep, classCounts, true, true);
    }

    /**
     * As {@link #summarize(RowChunk, ChunkPasses.Keep, long[])}, computing only the kinds asked for: {@code [0]}
     * when {@code zscore}, {@code [1]} when {@code range}, null otherwise (the z-score sums and the minima and maxima
     * are separate loops, so either alone gives the bits it gives beside the other).
     */
    static Moments[] summarize(RowChunk c, ChunkPasses.Keep keep, long[] classCounts, boolean zscore, boolean range) {
        int f = c.featureSize;
        Moments z = zscore ? empty(true, f) : null;
        Moments r = range ? empty(false, f) : null;
        int[] kept = new int[c.size];
        int n = 0;
        for (int i = 0; i < c.size; i++) {
            if (keep.keep(c.ids[i], c.labels[i])) {
                kept[n++] = i;
                if (classCounts != null) {
                    classCounts[c.labels[i]]++;
                }
            }
        }
        if (n == 0) {
            return new Moments[] {z, r};
        }
        if (c.bytes != null) {
            summarizeBytes(c, kept, n, z, r);
            return new Moments[] {z, r};
        }
        float[] x = c.features;
        float[] t1 = new float[f];
        float[] t2 = new float[f];
        float[] mn = new float[f];
        float[] mx = new float[f];
        double[] s1 = new double[f];
        double[] s2 = new double[f];
        System.arraycopy(x, kept[0] * f, mn, 0, f);
        System.arraycopy(x, kept[0] * f, mx, 0, f);
        for (int g = 0; g < n; g += GROUP) {
            int ge = Math.min(n, g + GROUP);
            java.util.Arrays.fill(t1, 0f);
            for (int q = g; q < ge; q++) {
                int o = kept[q] * f;
                if (zscore) {
                    for (int k = 0; k < f; k++) {
                        t1[k] += x[o + k];
                    }
                }
                if (range) {
                    for (int k = 0; k < f; k++) {
                        mn[k] = Math.min(mn[k], x[o + k]);
                    }
                    for (int k = 0; k < f; k++) {
                        mx[k] = Math.max(mx[k], x[o + k]);
                    }
                }
            }
            for (int k = 0; k < f; k++) {
                s1[k] += t1[k];
            }
        }
        if (range) {
            r.n = n;
            for (int k = 0; k < f; k++) {
                r.a[k] = mn[k];
                r.b[k] = mx[k];
            }
        }
        if (!zscore) {
            return new Moments[] {z, r};
        }
        float[] m = new float[f];
        for (int k = 0; k < f; k++) {
            m[k] = (float) (s1[k] / n);
            s1[k] = 0;
        }
        for (int g = 0; g < n; g += GROUP) {
            int ge = Math.min(n, g + GROUP);
            java.util.Arrays.fill(t1, 0f);
            java.util.Arrays.fill(t2, 0f);
            for (int q = g; q < ge; q++) {
                int o = kept[q] * f;
                for (int k = 0; k < f; k++) {
                    float d = x[o + k] - m[k];
                    t1[k] += d;
                    t2[k] += d * d;
                }
            }
            for (int k = 0; k < f; k++) {
                s1[k] += t1[k];
                s2[k] += t2[k];
            }
        }
        z.n = n;
        for (int k = 0; k < f; k++) {
            z.a[k] = m[k] + s1[k] / n;
            z.b[k] = Math.max(0, s2[k] - s1[k] * s1[k] / n);
        }
        return new Moments[] {z, r};
    }

    /**
     * The moments of a byte chunk's kept rows, exactly: integer sums Σb and Σb² per feature (no rounding
     * at all), then mean = Σb / (d n) and M2 = (n Σb² − (Σb)²) / (d² n), d = 255 (or 1 for {@link RowChunk#integers}).
     */
    private static void summarizeBytes(RowChunk c, int[] kept, int n, Moments z, Moments r) {
        int f = c.featureSize;
        byte[] x = c.bytes;
        ByteSums sums = z == null ? null : new ByteSums(f);
        ByteRange minMax = r == null ? null : new ByteRange(f);
        for (int q = 0; q < n; q++) {
            int o = kept[q] * f;
            if (sums != null) {
                sums.add(x, o);
            }
            if (minMax != null) {
                minMax.add(x, o);
            }
        }
        if (z != null) {
            sums.finish();
            fromByteSums(z, n, sums.sum, sums.sumSq, c.integers ? 1.0 : 255.0);
        }
        if (r != null) {
            float[] unit = c.integers ? RowChunk.INTEGER : RowChunk.UNIT;
            r.n = n;
            for (int k = 0; k < f; k++) {
                r.a[k] = unit[minMax.min(k)];
                r.b[k] = unit[minMax.max(k)];
            }
        }
    }

    /** Z-score moments of n rows of bytes (value byte / 255) from their exact sums Σb and Σb². */
    static void fromByteSums(Moments z, long n, long[] s1, long[] s2) {
        fromByteSums(z, n, s1, s2, 255.0);
    }

    /** Z-score moments of n rows of bytes (value byte / d, d = 255 or 1) from their exact sums Σb and Σb². */
    static void fromByteSums(Moments z, long n, long[] s1, long[] s2, double d) {
        z.n = n;
        double dd = d * d; // 65025 for 255: exact
        for (int k = 0; k < s1.length; k++) {
            z.a[k] = s1[k] / (d * n);
            double m2;
            try { // n·Σb² − (Σb)² exactly, while it fits in a long (partitions of up to ~10^7 rows)
                m2 = (double) Math.subtractExact(Math.multiplyExact(n, s2[k]), Math.multiplyExact(s1[k], s1[k]));
            } catch (ArithmeticException tooLarge) {
                double d1 = s1[k];
                m2 = (double) n * s2[k] - d1 * d1;
            }
            z.b[k] = Math.max(0, m2) / (n * dd);
        }
    }

    /** A deep copy (merging modifies its first argument). */
    Moments copy() {
        Moments m = new Moments();
        m.zscore = zscore;
        m.n = n;
        m.a = a.clone();
        m.b = b.clone();
        return m;
    }

    static Moments merge(Moments x, Moments y) {
        if (y.n == 0) {
            return x;
        }
        if (x.n == 0) {
            return y;
        }
        long n = x.n + y.n;
        if (x.zscore) {
            double fy = (double) y.n / n;
            double w = (double) x.n * y.n / n;
            for (int k = 0; k < x.a.length; k++) {
                double d = y.a[k] - x.a[k];
                x.a[k] += d * fy;
                x.b[k] += y.b[k] + d * d * w;
            }
        } else {
            for (int k = 0; k < x.a.length; k++) {
                x.a[k] = Math.min(x.a[k], y.a[k]);
                x.b[k] = Math.max(x.b[k], y.b[k]);
            }
        }
        x.n = n;
        return x;
    }

    /** The sample standard deviation (divisor n − 1) of feature k; 0 for a single row. */
    double std(int k) {
        return n > 1 ? Math.sqrt(Math.max(0, b[k]) / (n - 1)) : 0;
    }

    /**
     * Fits a scaler on the rows in one distributed pass (docs/architecture.md, Conventions: z-score with the sample
     * standard deviation, min-max to [0, 1], a constant feature maps to 0).
     */
    static Moments of(JavaRDD<Example> rows, boolean zscore, int features) {
        // collected and merged in partition order: a reduction in task-finishing order would round
        // differently from run to run
        List<Moments> parts = rows.mapPartitions(it -> {
            Moments m = empty(zscore, features);
            while (it.hasNext()) {
                m.add(it.next().features);
            }
            return List.of(m).iterator();
        }).collect();
        Moments total = empty(zscore, features);
        for (Moments m : parts) {
            total = merge(total, m);
        }
        return total;
    }

    FittedScaler toScaler() {
        int f = a.length;
        float[] shift = new float[f];
        float[] scale = new float[f];
        for (int k = 0; k < f; k++) {
            if (zscore) {
                shift[k] = (float) a[k];
                scale[k] = inverseOrZero(std(k));
            } else {
                shift[k] = (float) a[k];
                scale[k] = inverseOrZero(b[k] - a[k]);
            }
        }
        return FittedScaler.of(zscore ? FittedScaler.Kind.ZSCORE : FittedScaler.Kind.MINMAX, shift, scale);
    }

    /** As FittedScaler's: 1/x as a float, or 0 for a constant feature. */
    private static float inverseOrZero(double x) {
        if (!(x > 0)) {
            return 0f;
        }
        float inv = (float) (1.0 / x);
        return Float.isFinite(inv) ? inv : 0f;
    }
}
