package org.sparktrain.engine.optim;

/**
 * RMSProp in PyTorch's form (not centred, no momentum):
 * <pre>
 *   s = α·s + (1 − α)·g²
 *   w -= lr·g / (sqrt(s) + ε)
 * </pre>
 * s starts at 0; ε sits outside the square root. Defaults as PyTorch: α = 0.99, ε = 1e-8, lr = 0.01.
 * (Keras/TensorFlow put ε inside the root and start differently; results differ in the first steps.)
 *
 * <p>State: {@code [s_0 … s_{n-1}]}, length n.
 */
public final class RmsProp extends BaseOptimizer {
    public static final double DEFAULT_LR = 0.01;
    public static final double DEFAULT_ALPHA = 0.99;
    public static final double DEFAULT_EPS = 1e-8;

    private final float alpha;
    private final float eps;

    public RmsProp(double lr) {
        this(lr, DEFAULT_ALPHA, DEFAULT_EPS);
    }

    /**
     * @param alpha smoothing constant α in [0, 1)
     * @param eps   ε &gt; 0, added to sqrt(s)
     */
    public RmsProp(double lr, double alpha, double eps) {
        super(lr);
        require(alpha >= 0 && alpha < 1, "rmsprop alpha", alpha, "in [0, 1)");
        require(eps > 0 && Double.isFinite(eps), "rmsprop eps", eps, "a finite number > 0");
        this.alpha = (float) alpha;
        this.eps = (float) eps;
    }

    public float alpha() {
        return alpha;
    }

    public float eps() {
        return eps;
    }

    @Override
    int stateLength(int parameterCount) {
        return parameterCount;
    }

    @Override
    void update(float[] w, float[] g, long t) {
        final float lr = this.lr;
        final float a = alpha;
        final float oneMinusA = 1f - alpha;
        final float eps = this.eps;
        final float[] s = state;
        final int n = this.n;
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float si = a * s[i] + oneMinusA * gi * gi;
            s[i] = si;
            w[i] -= lr * gi / ((float) Math.sqrt(si) + eps);
        }
    }

    @Override
    public RmsProp copy() {
        return new RmsProp(lr, alpha, eps);
    }

    @Override
    public String describe() {
        return "rmsprop(lr=" + fmt(lr) + ", alpha=" + fmt(alpha) + ", eps="
                + fmt(eps) + ")";
    }
}
