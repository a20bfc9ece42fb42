package org.sparktrain.engine.optim;

/**
 * Updates the flat parameter vector from the flat gradient vector.
 *
 * <p>Lifecycle: {@link #initialise(int)} once with the parameter count (allocates the state, zeroed)
 * → {@link #step(float[], float[])} once per minibatch → {@link #copy()} gives an optimizer with the
 * same configuration and fresh state; {@link #reset()} zeroes this one's state and step count.
 *
 * <p>The state (moments, accumulators) is one flat {@code float[]} so that the driver can average,
 * broadcast and checkpoint it as a single array; {@link #stepCount()} is the number of steps taken
 * (Adam's bias correction uses it) and is restored with {@link #setStepCount(long)}.
 */
public interface Optimizer {

    void initialise(int parameterCount);

    /**
     * One update: {@code params} modified in place, {@code grads} not modified.
     * The gradient already holds the data-loss gradient plus any L1/L2 penalty gradient; decoupled
     * weight decay (AdamW) is applied here, to the ranges given by {@link #setDecayRanges}.
     */
    void step(float[] params, float[] grads);

    /** The optimizer's flat state (may be empty, e.g. plain SGD); live, not a copy. */
    float[] state();

    long stepCount();

    void setStepCount(long steps);

    /** Zeroes the state and the step count. */
    void reset();

    /** Same configuration, fresh (uninitialised) state. */
    Optimizer copy();

    /** Which parameters decoupled weight decay applies to (AdamW); ignored by others. */
    default void setDecayRanges(org.sparktrain.engine.ParamRanges ranges) {
    }

    /** Learning rate currently in use. */
    float learningRate();

    void setLearningRate(float lr);

    /** A short description for logs and provenance, e.g. "adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-8)". */
    String describe();
}
