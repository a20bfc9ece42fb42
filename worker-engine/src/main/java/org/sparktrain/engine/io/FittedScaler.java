package org.sparktrain.engine.io;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A feature scaler fitted on the training split: per feature {@code x' = (x − shift) · scale}.
 * Immutable; applied at training time and again, from the model file, at scoring time, so the two
 * always scale the same way.
 *
 * <ul>
 *   <li>{@link Kind#ZSCORE}: {@code shift} = mean, {@code scale} = 1 / sample standard deviation
 *       (divisor n − 1, docs/architecture.md, Conventions).</li>
 *   <li>{@link Kind#MINMAX}: {@code shift} = min, {@code scale} = 1 / (max − min), mapping the training
 *       range to [0, 1].</li>
 * </ul>
 * A feature that is constant on the training data (or, for z-score, seen only once) gets
 * {@code scale = 0}, so it maps to 0 rather than NaN.
 *
 * <p>Fitting on a cluster is done by the partitioning module; {@link #fit} is a two-pass single-machine
 * reference, used by tests and local runs.
 *
 * <p>Serializable only so that Spark can ship it to executors; users load scalers from model files.
 */
public final class FittedScaler implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Which statistic the scaler was fitted with. */
    public enum Kind {
        /** Standardise: subtract the mean, divide by the sample standard deviation. */
        ZSCORE,
        /** Map the training range [min, max] to [0, 1]. */
        MINMAX
    }

    private final Kind kind;
    private final float[] shift;
    private final float[] scale;

    private FittedScaler(Kind kind, float[] shift, float[] scale) {
        this.kind = kind;
        this.shift = shift;
        this.scale = scale;
    }

    /**
     * A scaler from already fitted statistics (arrays are copied).
     *
     * @throws IllegalArgumentException if the arrays differ in length, are empty, or hold a non-finite value
     */
    public static FittedScaler of(Kind kind, float[] shift, float[] scale) {
        if (kind == null) {
            throw new IllegalArgumentException("scaler kind must be given (ZSCORE or MINMAX)");
        }
        if (shift.length != scale.length) {
            throw new IllegalArgumentException("scaler has " + shift.length + " shift values but "
                    + scale.length + " scale values; there must be one of each per feature");
        }
        if (shift.length == 0) {
            throw new IllegalArgumentException("scaler must cover at least one feature");
        }
        for (int f = 0; f < shift.length; f++) {
            if (!Float.isFinite(shift[f]) || !Float.isFinite(scale[f])) {
                throw new IllegalArgumentException("scaler feature " + f + " has shift " + shift[f]
                        + " and scale " + scale[f] + "; both must be finite numbers");
            }
        }
        return new FittedScaler(kind, shift.clone(), scale.clone());
    }

    /**
     * Fits a scaler on {@code n} rows of {@code features} values each, stored row-major in {@code rows}
     * (from index 0). Two passes in double precision.
     *
     * @throws IllegalArgumentException if n or features is not positive, the array is too short, or a
     *     value is NaN or infinite (the message names the row and feature)
     */
    public static FittedScaler fit(Kind kind, float[] rows, int n, int features) {
        if (n <= 0 || features <= 0) {
            throw new IllegalArgumentException("cannot fit a scaler on " + n + " rows of " + features
                    + " features; both must be positive");
        }
        if ((long) n * features > rows.length) {
            throw new IllegalArgumentException("cannot fit a scaler on " + n + " rows of " + features
                    + " features: the array holds only " + rows.length + " values");
        }
        float[] shift = new float[features];
        float[] scale = new float[features];
        if (kind == Kind.ZSCORE) {
            double[] sum = new double[features];
            for (int r = 0; r < n; r++) {
                int base = r * features;
                for (int f = 0; f < features; f++) {
                    float v = rows[base + f];
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException("cannot fit a scaler: row " + r + " feature " + f
                                + " is " + v + "; remove or impute non-finite values first");
                    }
                    sum[f] += v;
                }
            }
            double[] mean = new double[features];
            for (int f = 0; f < features; f++) {
                mean[f] = sum[f] / n;
            }
            double[] sq = new double[features];
            for (int r = 0; r < n; r++) {
                int base = r * features;
                for (int f = 0; f < features; f++) {
                    double d = rows[base + f] - mean[f];
                    sq[f] += d * d;
                }
            }
            for (int f = 0; f < features; f++) {
                shift[f] = (float) mean[f];
                double std = n > 1 ? Math.sqrt(sq[f] / (n - 1)) : 0;
                scale[f] = inverseOrZero(std);
            }
        } else {
            float[] min = new float[features];
            float[] max = new float[features];
            Arrays.fill(min, Float.POSITIVE_INFINITY);
            Arrays.fill(max, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < n; r++) {
                int base = r * features;
                for (int f = 0; f < features; f++) {
                    float v = rows[base + f];
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException("cannot fit a scaler: row " + r + " feature " + f
                                + " is " + v + "; remove or impute non-finite values first");
                    }
                    min[f] = Math.min(min[f], v);
                    max[f] = Math.max(max[f], v);
                }
            }
            for (int f = 0; f < features; f++) {
                shift[f] = min[f];
                scale[f] = inverseOrZero((double) max[f] - min[f]);
            }
        }
        return new FittedScaler(kind, shift, scale);
    }

    /** 1/x as a float, or 0 when x is 0 or so small that 1/x is not a finite float (a constant feature). */
    private static float inverseOrZero(double x) {
        if (!(x > 0)) {
            return 0f;
        }
        float inv = (float) (1.0 / x);
        return Float.isFinite(inv) ? inv : 0f;
    }

    /**
     * Scales {@code rows} rows of {@link #featureCount()} values in place, starting at {@code offset}.
     *
     * @throws IllegalArgumentException if the range does not fit in the array
     */
    public void apply(float[] x, int offset, int rows) {
        applyTo(x, offset, x, offset, rows);
    }

    /**
     * Writes the scaled values of {@code rows} rows of {@code src} (from {@code srcOffset}) to {@code dst}
     * (from {@code dstOffset}): a copy and the scaling in one pass. {@code src} and {@code dst} may be the
     * same array at the same offset (in place), not overlapping otherwise.
     *
     * @throws IllegalArgumentException if a range does not fit in its array
     */
    public void applyTo(float[] src, int srcOffset, float[] dst, int dstOffset, int rows) {
        int features = shift.length;
        check(src, srcOffset, rows, features);
        check(dst, dstOffset, rows, features);
        float[] sh = shift;
        float[] sc = scale;
        for (int r = 0; r < rows; r++) {
            int s = srcOffset + r * features;
            int d = dstOffset + r * features;
            for (int f = 0; f < features; f++) {
                dst[d + f] = (src[s + f] - sh[f]) * sc[f];
            }
        }
    }

    /**
     * This scaler as a regression target scaler: a constant target keeps its shift but gets scale 1 instead of 0,
     * so that {@link #invert} can map predictions back (docs/architecture.md, "Regression").
     */
    public FittedScaler forTargets() {
        float[] sc = scale.clone();
        for (int f = 0; f < sc.length; f++) {
            if (sc[f] == 0f) {
                sc[f] = 1f;
            }
        }
        return new FittedScaler(kind, shift.clone(), sc);
    }

    /** The columns [from, from + n) of this scaler as a scaler of their own. */
    public FittedScaler columns(int from, int n) {
        return new FittedScaler(kind, Arrays.copyOfRange(shift, from, from + n), Arrays.copyOfRange(scale, from, from + n));
    }

    /**
     * Maps {@code rows} rows of scaled values back, in place: {@code x = x' / scale + shift} (the inverse of
     * {@link #apply} where scale is not 0; a target scaler has no 0 scale, {@link #forTargets}).
     */
    public void invert(float[] x, int offset, int rows) {
        int features = shift.length;
        check(x, offset, rows, features);
        for (int r = 0; r < rows; r++) {
            int o = offset + r * features;
            for (int f = 0; f < features; f++) {
                x[o + f] = x[o + f] / scale[f] + shift[f];
            }
        }
    }

    private static void check(float[] x, int offset, int rows, int features) {
        if (offset < 0 || rows < 0 || (long) offset + (long) rows * features > x.length) {
            throw new IllegalArgumentException("cannot scale " + rows + " rows of " + features
                    + " features from offset " + offset + " in an array of " + x.length + " values");
        }
    }

    public Kind kind() {
        return kind;
    }

    /** Number of features the scaler was fitted on. */
    public int featureCount() {
        return shift.length;
    }

    /** Per-feature shift (mean or min); a copy. */
    public float[] shift() {
        return shift.clone();
    }

    /** Per-feature scale (1/std or 1/range, 0 for a constant feature); a copy. */
    public float[] scale() {
        return scale.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FittedScaler)) {
            return false;
        }
        FittedScaler other = (FittedScaler) o;
        return kind == other.kind && Arrays.equals(shift, other.shift) && Arrays.equals(scale, other.scale);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + Arrays.hashCode(shift)) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "FittedScaler[" + kind + ", " + shift.length + " features]";
    }
}
