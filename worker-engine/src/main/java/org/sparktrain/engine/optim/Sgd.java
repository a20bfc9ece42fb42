package org.sparktrain.engine.optim;

/**
 * Stochastic gradient descent, optionally with momentum or Nesterov momentum, in PyTorch's form
 * (dampening 0):
 * <pre>
 *   plain:     w -= lr·g
 *   momentum:  v = μ·v + g;  w -= lr·v
 *   Nesterov:  v = μ·v + g;  w -= lr·(g + μ·v)
 * </pre>
 * v starts at 0, so the first momentum step is {@code w -= lr·g}, as in PyTorch.
 *
 * <p>State: {@code [v_0 … v_{n-1}]} (length n) with momentum, empty without. Weight decay, if wanted,
 * is the L2 penalty of {@link Regularization} (for SGD the two are the same thing).
 */
public final class Sgd extends BaseOptimizer {
    private final float momentum;
    private final boolean nesterov;

    /** Plain SGD. */
    public Sgd(double lr) {
        this(lr, 0, false);
    }

    /**
     * @param momentum μ in [0, 1); 0 is plain SGD
     * @param nesterov use Nesterov momentum; needs μ &gt; 0
     */
    public Sgd(double lr, double momentum, boolean nesterov) {
        super(lr);
        require(momentum >= 0 && momentum < 1, "sgd momentum", momentum, "in [0, 1)");
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("sgd: nesterov needs a momentum > 0 (got momentum 0); "
                    + "set momentum, e.g. 0.9, or drop nesterov");
        }
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
    }

    public float momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    int stateLength(int parameterCount) {
        return momentum == 0 ? 0 : parameterCount;
    }

    @Override
    void update(float[] w, float[] g, long t) {
        final float lr = this.lr;
        final float mu = momentum;
        final int n = this.n;
        if (mu == 0) {
            for (int i = 0; i < n; i++) {
                w[i] -= lr * g[i];
            }
        } else if (!nesterov) {
            final float[] v = state;
            for (int i = 0; i < n; i++) {
                float vi = mu * v[i] + g[i];
                v[i] = vi;
                w[i] -= lr * vi;
            }
        } else {
            final float[] v = state;
            for (int i = 0; i < n; i++) {
                float gi = g[i];
                float vi = mu * v[i] + gi;
                v[i] = vi;
                w[i] -= lr * (gi + mu * vi);
            }
        }
    }

    @Override
    public Sgd copy() {
        return new Sgd(lr, momentum, nesterov);
    }

    @Override
    public String describe() {
        if (momentum == 0) {
            return "sgd(lr=" + fmt(lr) + ")";
        }
        return "sgd(lr=" + fmt(lr) + ", momentum=" + fmt(momentum) + ", nesterov=" + nesterov + ")";
    }
}
