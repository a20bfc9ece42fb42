package org.sparktrain.engine.optim;

/**
 * Adagrad (Duchi et al. 2011) as docs/architecture.md (Conventions) fixes it:
 * <pre>
 *   G += g²
 *   w -= lr·g / (sqrt(G) + ε)
 * </pre>
 * G starts at 0 and ε (default 1e-10) sits outside the square root, so a parameter whose gradient has
 * always been 0 is left unchanged rather than hit by 0/0. This matches PyTorch's Adagrad with
 * {@code lr_decay = 0} and {@code initial_accumulator_value = 0}.
 *
 * <p>State: {@code [G_0 … G_{n-1}]}, length n.
 */
public final class Adagrad extends BaseOptimizer {
    public static final double DEFAULT_LR = 0.01;
    public static final double DEFAULT_EPS = 1e-10;

    private final float eps;

    public Adagrad(double lr) {
        this(lr, DEFAULT_EPS);
    }

    /** @param eps ε &gt; 0, added to sqrt(G) */
    public Adagrad(double lr, double eps) {
        super(lr);
        require(eps > 0 && Double.isFinite(eps), "adagrad eps", eps, "a finite number > 0");
        this.eps = (float) eps;
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
        final float eps = this.eps;
        final float[] acc = state;
        final int n = this.n;
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float a = acc[i] + gi * gi;
            acc[i] = a;
            w[i] -= lr * gi / ((float) Math.sqrt(a) + eps);
        }
    }

    @Override
    public Adagrad copy() {
        return new Adagrad(lr, eps);
    }

    @Override
    public String describe() {
        return "adagrad(lr=" + fmt(lr) + ", eps=" + fmt(eps) + ")";
    }
}
