package org.sparktrain.engine.optim;

import java.util.List;
import java.util.Map;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.spec.SpecMap;

/**
 * L1/L2 penalties on the penalised parameter ranges, as docs/architecture.md (Conventions) fixes them. With the data
 * loss the mean over the minibatch, once per minibatch:
 * <pre>
 *   penalty  = l1·Σ|w| + (l2/2)·Σw²          (sums over the ranges only)
 *   gradient = l1·sign(w) + l2·w              (sign(0) = 0)
 * </pre>
 * (This is the seed's {@code λ/n}, {@code λ/2n} form with the loss summed over n examples.) The ranges
 * come from the network: weights only; biases and BatchNorm γ/β are left out unless the spec says so.
 * Decoupled weight decay (AdamW) is not this; it lives in {@link Adam}.
 *
 * <p>Use: after backward, {@code loss += reg.addPenaltyGradient(params, grads)}, then clipping, then the
 * optimizer step. Immutable and thread-safe.
 *
 * <p>Spec keys ({@link #fromSpec}): {@code l1} [0], {@code l2} [0], both finite and ≥ 0.
 */
public final class Regularization {
    static final String SECTION = "regularization";
    private static final List<String> KEYS = List.of("l1", "l2");
    private static final Regularization NONE = new Regularization(0, 0, ParamRanges.none());

    private final double l1;
    private final double l2;
    private final ParamRanges ranges;

    /**
     * @param l1     L1 coefficient ≥ 0
     * @param l2     L2 coefficient ≥ 0 (the gradient is {@code l2·w}, the penalty {@code (l2/2)·w²})
     * @param ranges the parameters penalised
     */
    public Regularization(double l1, double l2, ParamRanges ranges) {
        BaseOptimizer.require(l1 >= 0 && Double.isFinite(l1), SECTION + " l1", l1, "a finite number >= 0");
        BaseOptimizer.require(l2 >= 0 && Double.isFinite(l2), SECTION + " l2", l2, "a finite number >= 0");
        if (ranges == null) {
            throw new IllegalArgumentException(SECTION + ": the penalised ranges must not be null; "
                    + "use ParamRanges.none() for none");
        }
        this.l1 = l1;
        this.l2 = l2;
        this.ranges = ranges;
    }

    public static Regularization none() {
        return NONE;
    }

    /**
     * Reads {@code {l1: …, l2: …}}; a null spec (section absent) means no regularization.
     *
     * @param ranges the parameters the penalty applies to (from the network)
     */
    public static Regularization fromSpec(Map<String, Object> spec, ParamRanges ranges) {
        if (spec == null) {
            return ranges == null ? NONE : new Regularization(0, 0, ranges);
        }
        SpecMap r = SpecMap.section(SECTION, spec);
        r.allowOnly(KEYS, "");
        return new Regularization(r.nonNegativeNumber("l1", 0), r.nonNegativeNumber("l2", 0), ranges);
    }

    public double l1() {
        return l1;
    }

    public double l2() {
        return l2;
    }

    public ParamRanges ranges() {
        return ranges;
    }

    /** True if there is anything to add. */
    public boolean isActive() {
        return (l1 > 0 || l2 > 0) && ranges.totalLength() > 0;
    }

    /**
     * Adds {@code l1·sign(w) + l2·w} into {@code grads} over the ranges (other entries untouched) and
     * returns the penalty {@code l1·Σ|w| + (l2/2)·Σw²}, summed in double, to add to the reported loss.
     */
    public double addPenaltyGradient(float[] params, float[] grads) {
        if (grads.length != params.length) {
            throw new IllegalArgumentException(SECTION + ": " + params.length + " parameters but " + grads.length
                    + " gradients");
        }
        if (!(l1 > 0 || l2 > 0)) {
            return 0;
        }
        checkInside(params.length);
        final float a = (float) l1;
        final float b = (float) l2;
        double sumAbs = 0;
        double sumSq = 0;
        for (int k = 0; k < ranges.count(); k++) {
            final int end = ranges.offset(k) + ranges.length(k);
            for (int i = ranges.offset(k); i < end; i++) {
                final float w = params[i];
                grads[i] += a * Math.signum(w) + b * w;
                sumAbs += Math.abs(w);
                sumSq += (double) w * w;
            }
        }
        return l1 * sumAbs + 0.5 * l2 * sumSq;
    }

    /** The penalty alone, e.g. for a validation loss; params untouched. */
    public double penalty(float[] params) {
        if (!(l1 > 0 || l2 > 0)) {
            return 0;
        }
        checkInside(params.length);
        double sumAbs = 0;
        double sumSq = 0;
        for (int k = 0; k < ranges.count(); k++) {
            final int end = ranges.offset(k) + ranges.length(k);
            for (int i = ranges.offset(k); i < end; i++) {
                final float w = params[i];
                sumAbs += Math.abs(w);
                sumSq += (double) w * w;
            }
        }
        return l1 * sumAbs + 0.5 * l2 * sumSq;
    }

    private void checkInside(int count) {
        for (int k = 0; k < ranges.count(); k++) {
            if (ranges.offset(k) < 0 || ranges.length(k) < 0 || (long) ranges.offset(k) + ranges.length(k) > count) {
                throw new IllegalArgumentException(SECTION + ": penalised range " + ranges.offset(k) + "+"
                        + ranges.length(k) + " lies outside the " + count + " parameters");
            }
        }
    }

    @Override
    public String toString() {
        return "regularization(l1=" + BaseOptimizer.fmt(l1) + ", l2=" + BaseOptimizer.fmt(l2) + ", " + ranges + ")";
    }
}
