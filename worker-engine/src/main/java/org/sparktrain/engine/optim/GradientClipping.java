package org.sparktrain.engine.optim;

import java.util.List;
import java.util.Map;
import org.sparktrain.engine.spec.SpecMap;

/**
 * Gradient clipping over the whole flat gradient, applied after the L1/L2 penalty gradient and before
 * the optimizer step (in {@code gradient} averaging mode: to the averaged gradient, as on one machine).
 * <ul>
 *   <li>{@code none}: the gradient is left as it is.</li>
 *   <li>{@code norm(max)}: with ‖g‖ the global L2 norm over all parameters (summed in double), when
 *       {@code ‖g‖ > max}: {@code g ← g·max/(‖g‖ + 1e-6)}. A norm at or below max leaves g unchanged.</li>
 *   <li>{@code value(c)}: each {@code g_i} clamped to [−c, c].</li>
 * </ul>
 * Non-finite gradients are not hidden: a NaN or infinite norm leaves g unchanged, and a NaN element stays
 * NaN under value clipping, so the caller's NaN-loss check still fires. Immutable and thread-safe.
 *
 * <p>Spec keys ({@link #fromSpec}): {@code clip_norm: max} or {@code clip_value: c} (at most one, each a
 * finite number &gt; 0); an absent section or an empty map means no clipping.
 */
public final class GradientClipping {
    /** Added to the norm before dividing, as PyTorch's clip_grad_norm_. */
    public static final double NORM_EPS = 1e-6;
    static final String SECTION = "gradient clipping";
    private static final List<String> KEYS = List.of("clip_norm", "clip_value");

    public enum Mode { NONE, NORM, VALUE }

    private static final GradientClipping NONE = new GradientClipping(Mode.NONE, 0);

    private final Mode mode;
    private final double threshold;

    private GradientClipping(Mode mode, double threshold) {
        this.mode = mode;
        this.threshold = threshold;
    }

    public static GradientClipping none() {
        return NONE;
    }

    /** Clip by global L2 norm; {@code max} a finite number &gt; 0. */
    public static GradientClipping byNorm(double max) {
        BaseOptimizer.require(max > 0 && Double.isFinite(max), SECTION + " clip_norm", max, "a finite number > 0");
        return new GradientClipping(Mode.NORM, max);
    }

    /** Clamp each element to [−c, c]; {@code c} a finite number &gt; 0. */
    public static GradientClipping byValue(double c) {
        BaseOptimizer.require(c > 0 && Double.isFinite(c), SECTION + " clip_value", c, "a finite number > 0");
        return new GradientClipping(Mode.VALUE, c);
    }

    /** Reads {@code {clip_norm: max}} or {@code {clip_value: c}}; null or {} means none. */
    public static GradientClipping fromSpec(Map<String, Object> spec) {
        if (spec == null) {
            return NONE;
        }
        SpecMap r = SpecMap.section(SECTION, spec);
        r.allowOnly(KEYS, "");
        if (r.has("clip_norm") && r.has("clip_value")) {
            throw new IllegalArgumentException(SECTION + ": give one of 'clip_norm' or 'clip_value', not both");
        }
        if (r.has("clip_norm")) {
            return byNorm(r.positiveNumber("clip_norm", 0));
        }
        if (r.has("clip_value")) {
            return byValue(r.positiveNumber("clip_value", 0));
        }
        return NONE;
    }

    public Mode mode() {
        return mode;
    }

    /** max for NORM, c for VALUE, 0 for NONE. */
    public double threshold() {
        return threshold;
    }

    /**
     * Clips {@code grads} in place and returns the global L2 norm it had before clipping (for logs and
     * divergence checks; computed in every mode, one pass over the array).
     */
    public double apply(float[] grads) {
        final double norm = l2Norm(grads);
        if (mode == Mode.NORM) {
            if (norm > threshold && Double.isFinite(norm)) {
                final float scale = (float) (threshold / (norm + NORM_EPS));
                for (int i = 0; i < grads.length; i++) {
                    grads[i] *= scale;
                }
            }
        } else if (mode == Mode.VALUE) {
            final float c = (float) threshold;
            final float lo = -c;
            for (int i = 0; i < grads.length; i++) {
                // Math.max/min keep NaN as NaN, so a broken gradient stays visible.
                grads[i] = Math.min(Math.max(grads[i], lo), c);
            }
        }
        return norm;
    }

    /**
     * The L2 norm of {@code x}, squares summed in double (four accumulators: one chain of dependent
     * double additions is latency-bound).
     */
    public static double l2Norm(float[] x) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < x.length; i += 4) {
            final double v0 = x[i];
            final double v1 = x[i + 1];
            final double v2 = x[i + 2];
            final double v3 = x[i + 3];
            s0 += v0 * v0;
            s1 += v1 * v1;
            s2 += v2 * v2;
            s3 += v3 * v3;
        }
        for (; i < x.length; i++) {
            final double v = x[i];
            s0 += v * v;
        }
        return Math.sqrt((s0 + s1) + (s2 + s3));
    }

    @Override
    public String toString() {
        switch (mode) {
            case NORM:
                return "clip_norm(" + BaseOptimizer.fmt(threshold) + ")";
            case VALUE:
                return "clip_value(" + BaseOptimizer.fmt(threshold) + ")";
            default:
                return "no clipping";
        }
    }
}
