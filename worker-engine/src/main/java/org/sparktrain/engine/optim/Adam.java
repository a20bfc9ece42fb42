package org.sparktrain.engine.optim;

import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.kernel.UpdateKernels;

/**
 * Adam (Kingma &amp; Ba 2015) in PyTorch's form, and AdamW (Loshchilov &amp; Hutter 2019) when the
 * decoupled weight decay is &gt; 0. With t the 1-based step number:
 * <pre>
 *   w -= lr·wd·w                       (AdamW only, on the decay ranges, before the Adam update)
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g²
 *   m̂ = m / (1 − β1^t);   v̂ = v / (1 − β2^t)
 *   w -= lr·m̂ / (sqrt(v̂) + ε)
 * </pre>
 * m and v start at 0. The bias corrections are computed in double once per step from t and β (kept in
 * double), the per-element work in float, arranged as PyTorch does:
 * {@code w -= (lr/(1−β1^t))·m / (sqrt(v)/sqrt(1−β2^t) + ε)}.
 * Defaults: lr 1e-3, β1 0.9, β2 0.999, ε 1e-8; weight decay 0 for {@code adam}, 0.01 for {@code adamw}.
 *
 * <p>The weight decay here is decoupled: it does not pass through m and v. (PyTorch's plain {@code Adam}
 * uses {@code weight_decay} to mean an L2 term added to the gradient; here that is
 * {@link Regularization}'s {@code l2}, and this class's weight decay is always the AdamW kind.)
 * When it is &gt; 0, {@link #setDecayRanges(ParamRanges)} must be called before the first step, so that
 * biases and BatchNorm γ/β are not decayed by accident; {@code ParamRanges.all(n)} decays everything.
 *
 * <p>State: {@code [m_0 … m_{n-1}, v_0 … v_{n-1}]}, length 2n. The step count matters: restore it with
 * {@link #setStepCount(long)} together with the state, or the bias correction restarts.
 */
public final class Adam extends BaseOptimizer {
    public static final double DEFAULT_LR = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;
    /** PyTorch's AdamW default. */
    public static final double DEFAULT_ADAMW_WEIGHT_DECAY = 0.01;

    private static final UpdateKernels UPDATE = UpdateKernels.fastest();
    private final double beta1;
    private final double beta2;
    private final float eps;
    private final double weightDecay;
    private ParamRanges decayRanges;

    /** Adam with the default β1, β2, ε and no weight decay. */
    public Adam(double lr) {
        this(lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, 0);
    }

    /**
     * @param beta1       β1 in [0, 1)
     * @param beta2       β2 in [0, 1)
     * @param eps         ε &gt; 0, added to sqrt(v̂)
     * @param weightDecay decoupled weight decay ≥ 0 (0 = Adam, &gt; 0 = AdamW)
     */
    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(lr);
        require(beta1 >= 0 && beta1 < 1, "adam beta1", beta1, "in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, "adam beta2", beta2, "in [0, 1)");
        require(eps > 0 && Double.isFinite(eps), "adam eps", eps, "a finite number > 0");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "adam weight_decay", weightDecay,
                "a finite number >= 0");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = (float) eps;
        this.weightDecay = weightDecay;
    }

    /** AdamW with the default β1, β2, ε. */
    public static Adam adamW(double lr, double weightDecay) {
        return new Adam(lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, weightDecay);
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public float eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** The decay ranges, or null if not set. */
    public ParamRanges decayRanges() {
        return decayRanges;
    }

    @Override
    public void setDecayRanges(ParamRanges ranges) {
        if (ranges == null) {
            throw new IllegalArgumentException(describe() + ": decay ranges must not be null; "
                    + "use ParamRanges.none() for no decay");
        }
        if (n >= 0) {
            checkInside(ranges, n);
        }
        this.decayRanges = ranges;
    }

    @Override
    void onInitialise() {
        if (decayRanges != null) {
            checkInside(decayRanges, n);
        }
    }

    private void checkInside(ParamRanges r, int count) {
        for (int k = 0; k < r.count(); k++) {
            if (r.offset(k) < 0 || r.length(k) < 0 || (long) r.offset(k) + r.length(k) > count) {
                throw new IllegalArgumentException(describe() + ": decay range " + r.offset(k) + "+" + r.length(k)
                        + " lies outside the " + count + " parameters");
            }
        }
    }

    @Override
    int stateLength(int parameterCount) {
        return 2 * parameterCount;
    }

    @Override
    void update(float[] w, float[] g, long t) {
        final int n = this.n;
        if (weightDecay > 0) {
            if (decayRanges == null) {
                throw new IllegalStateException(describe() + ": weight decay is set but no decay ranges were given; "
                        + "call setDecayRanges(...) before the first step (ParamRanges.all(n) to decay every parameter)");
            }
            // PyTorch AdamW: w *= 1 - lr·wd, before the moment update.
            final float keep = (float) (1.0 - (double) lr * weightDecay);
            final ParamRanges r = decayRanges;
            for (int k = 0; k < r.count(); k++) {
                final int end = r.offset(k) + r.length(k);
                for (int i = r.offset(k); i < end; i++) {
                    w[i] *= keep;
                }
            }
        }
        final double bc1 = 1.0 - Math.pow(beta1, t);
        final double bc2 = 1.0 - Math.pow(beta2, t);
        final float stepSize = (float) (lr / bc1);
        final float bc2Sqrt = (float) Math.sqrt(bc2);
        final float b1 = (float) beta1;
        final float oneMinusB1 = (float) (1.0 - beta1);
        final float b2 = (float) beta2;
        final float oneMinusB2 = (float) (1.0 - beta2);
        // identical results in the vector and scalar kernels (same float operations, same order)
        UPDATE.adam(w, g, state, n, b1, oneMinusB1, b2, oneMinusB2, stepSize, bc2Sqrt, eps);
    }

    /** Same hyper-parameters and decay ranges, fresh (uninitialised) state. */
    @Override
    public Adam copy() {
        Adam a = new Adam(lr, beta1, beta2, eps, weightDecay);
        a.decayRanges = decayRanges;
        return a;
    }

    @Override
    public String describe() {
        String common = "lr=" + fmt(lr) + ", b1=" + fmt(beta1) + ", b2=" + fmt(beta2)
                + ", eps=" + fmt(eps);
        return weightDecay > 0 ? "adamw(" + common + ", wd=" + fmt(weightDecay) + ")" : "adam(" + common + ")";
    }
}
