package org.sparktrain.engine;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Numerical gradient check by central differences, the honest float32 way.
 *
 * <p>The engine computes in float32 (docs/architecture.md, decision 2) and has no double path. So the check
 * perturbs one float at a time by ±h, evaluates the scalar objective with all sums accumulated in
 * double, and compares {@code (L(w+h) − L(w−h)) / 2h} with the analytic gradient using
 * {@code |a − n| / max(|a|, |n|, floor)}. With h ≈ 1e-2 on values of order 1 the truncation error is
 * O(h²) ≈ 1e-4 and the float rounding of L, ≈ 1e-7·|L|, contributes ≈ 1e-5/h; we therefore accept a
 * relative error of {@link #REL_TOL} with an absolute floor of {@link #ABS_FLOOR}. A wrong index, a
 * missing term or a wrong factor gives errors of order 1 and fails; {@code GradientCheckSelfTest}
 * shows that a gradient off by 3% is caught. Tests keep inputs away from kinks (ReLU at 0, max-pool
 * ties) so that the finite difference is meaningful.
 */
public final class GradientCheck {
    /** Largest accepted relative error. */
    public static final double REL_TOL = 1e-2;
    /** Differences smaller than this (absolute) are accepted whatever their relative size. */
    public static final double ABS_FLOOR = 2e-4;
    /** Default perturbation. */
    public static final float H = 1e-2f;

    private GradientCheck() {
    }

    /**
     * Checks {@code analytic[off .. off+len)} against central differences of {@code objective} with
     * respect to {@code values[off .. off+len)}; at most {@code maxChecks} positions, spread evenly.
     */
    public static void check(String what, float[] values, int off, int len, float[] analytic, int aOff,
                             DoubleSupplier objective, int maxChecks) {
        check(what, values, off, len, analytic, aOff, objective, maxChecks, H, REL_TOL, ABS_FLOOR);
    }

    public static void check(String what, float[] values, int off, int len, float[] analytic, int aOff,
                             DoubleSupplier objective, int maxChecks, float h, double relTol, double absFloor) {
        int stride = Math.max(1, len / Math.max(1, maxChecks));
        double worst = 0;
        for (int i = 0; i < len; i += stride) {
            float orig = values[off + i];
            values[off + i] = orig + h;
            double plus = objective.getAsDouble();
            values[off + i] = orig - h;
            double minus = objective.getAsDouble();
            values[off + i] = orig;
            // divide by the perturbation actually applied in float
            double num = (plus - minus) / ((double) (orig + h) - (double) (orig - h));
            double a = analytic[aOff + i];
            double diff = Math.abs(a - num);
            double rel = diff / Math.max(Math.max(Math.abs(a), Math.abs(num)), 1e-30);
            if (diff > absFloor && rel > relTol) {
                fail(String.format("%s: gradient at %d: analytic %.6g, numerical %.6g (relative error %.3g)",
                        what, i, a, num, rel));
            }
            if (diff > absFloor) {
                worst = Math.max(worst, rel);
            }
        }
    }

    /** Uniform values in [lo, hi). */
    public static float[] uniform(int n, float lo, float hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /** Values uniform in ±[lo, hi): bounded away from 0, e.g. to keep ReLU inputs away from its kink. */
    public static float[] awayFromZero(int n, float lo, float hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (float) (lo + (hi - lo) * r.nextDouble());
            a[i] = r.nextBoolean() ? v : -v;
        }
        return a;
    }

    /** {@code Σ r_i·y_i} over the first n values, in double: a scalar objective with dL/dy = r. */
    public static double dot(float[] r, float[] y, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) r[i] * y[i];
        }
        return s;
    }
}
