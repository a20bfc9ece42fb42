package org.sparktrain.engine.optim;

/**
 * The bookkeeping every optimizer shares: learning rate, parameter count, flat state, step count, and
 * the argument checks done once per step (never per element).
 *
 * <p>Not thread-safe: one optimizer belongs to one training loop. Subclasses implement
 * {@link #stateLength(int)} and {@link #update(float[], float[], long)}.
 */
abstract class BaseOptimizer implements Optimizer {
    private static final float[] NO_STATE = new float[0];

    /** Learning rate; a plain field so a schedule can change it between steps. */
    protected float lr;
    /** Parameter count given to {@link #initialise(int)}; -1 before. */
    protected int n = -1;
    protected float[] state;
    private long steps;

    BaseOptimizer(double lr) {
        this.lr = checkLearningRate(lr);
    }

    /** Length of the flat state for {@code parameterCount} parameters (e.g. Adam: 2n). */
    abstract int stateLength(int parameterCount);

    /**
     * Applies one update. {@code t} is the 1-based number of this step (Adam's bias correction uses it);
     * the step count becomes {@code t} only after this returns, so a failed step leaves it unchanged.
     */
    abstract void update(float[] params, float[] grads, long t);

    @Override
    public void initialise(int parameterCount) {
        if (parameterCount < 0) {
            throw new IllegalArgumentException(describe() + ": the parameter count must be >= 0, got " + parameterCount);
        }
        n = parameterCount;
        int len = stateLength(parameterCount);
        state = len == 0 ? NO_STATE : new float[len];
        steps = 0;
        onInitialise();
    }

    /** Hook for checks that need the parameter count (e.g. decay ranges inside the vector). */
    void onInitialise() {
    }

    @Override
    public final void step(float[] params, float[] grads) {
        if (state == null) {
            throw new IllegalStateException(describe() + ": step() before initialise(parameterCount); "
                    + "call initialise once with the number of parameters");
        }
        if (params.length != n || grads.length != n) {
            throw new IllegalArgumentException(describe() + ": initialised for " + n + " parameters but step() got "
                    + params.length + " parameters and " + grads.length + " gradients");
        }
        long t = steps + 1;
        update(params, grads, t);
        steps = t;
    }

    @Override
    public float[] state() {
        if (state == null) {
            throw new IllegalStateException(describe() + ": state() before initialise(parameterCount); "
                    + "call initialise once with the number of parameters");
        }
        return state;
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public void setStepCount(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException(describe() + ": the step count must be >= 0, got " + steps);
        }
        this.steps = steps;
    }

    @Override
    public void reset() {
        if (state != null) {
            java.util.Arrays.fill(state, 0f);
        }
        steps = 0;
    }

    @Override
    public float learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(float lr) {
        this.lr = checkLearningRate(lr);
    }

    @Override
    public String toString() {
        return describe();
    }

    private static float checkLearningRate(double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("the learning rate must be a finite number >= 0, got " + lr);
        }
        return (float) lr;
    }

    /** Checks a constructor argument; {@code what} is a sentence fragment naming the valid range. */
    static void require(boolean ok, String name, double value, String what) {
        if (!ok) {
            throw new IllegalArgumentException(name + " must be " + what + ", got " + value);
        }
    }

    /** Short, stable number text for {@code describe()}: 0.001, 0.9, 1e-08 → "1e-8". */
    static String fmt(double x) {
        String s = Float.toString((float) x);
        int e = s.indexOf('E');
        if (e < 0) {
            return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
        }
        String mant = s.substring(0, e);
        if (mant.endsWith(".0")) {
            mant = mant.substring(0, mant.length() - 2);
        }
        return mant + "e" + s.substring(e + 1);
    }
}
