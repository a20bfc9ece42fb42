package org.sparktrain.engine.layer;

/**
 * Synchronised BatchNorm (docs/architecture.md, "The global minibatch"): sums a {@link BatchNorm} layer's
 * per-group statistics over every worker that holds a share of the same global minibatch, so that each
 * normalises with the whole minibatch's mean and variance, as one machine would. The engine only calls it; the
 * transport that connects the workers implements it (threads of a task in shared memory, tasks over their
 * all-reduce).
 *
 * <p>A collective: every worker of the step must call it with the same {@code n}, the same number of times, in
 * the same order (a worker without rows in the step contributes zeros: {@link org.sparktrain.engine.Network#idleTrainingStep}).
 */
public interface BatchStatsSync {

    /**
     * Replaces {@code v[0 .. n)} by its element-wise sum over the workers of the step: every worker ends with the
     * same values, summed in an order fixed by the workers alone (the same inputs give the same bits).
     */
    void allReduce(double[] v, int n);
}
