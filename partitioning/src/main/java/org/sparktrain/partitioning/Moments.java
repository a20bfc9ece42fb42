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
public final class Moments {
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
     * Fits a scaler on the rows in one distributed pass (DESIGN.md: z-score with the sample standard
     * deviation, min-max to [0, 1], a constant feature maps to 0).
     */
    static Moments of(JavaRDD<Example> rows, boolean zscore, int features) {
        return rows.mapPartitions(it -> {
            Moments m = empty(zscore, features);
            while (it.hasNext()) {
                m.add(it.next().features);
            }
            return List.of(m).iterator();
        }).treeReduce(Moments::merge);
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
