package org.sparktrain.driver.round;

import java.io.Serializable;
import java.util.Iterator;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;

/**
 * What an averaging round computes, in one place (docs/architecture.md, decision 4 and "The round seam"): the
 * round plan, a worker's part of a round, and how the average becomes the next round's start. One
 * implementation per averaging mode ({@link ParameterRounds}, {@link GradientRounds}); both transports (a Spark
 * job per round in {@code driver.train}, a barrier stage per epoch in {@code driver.barrier}) call these methods
 * and know nothing of modes.
 *
 * <p>A round, whatever carries it: every worker {@link #work works} on its next minibatches from the round's
 * start and packs a vector of {@link #resultLength} floats; the transport sums the vectors of the workers that
 * had a minibatch, in a fixed order, and counts them; then {@link #combine} averages the sum (each rule its
 * own way: {@link RoundVector#divideSum} per worker, {@link RoundVector#divideSumByRows} per row) and turns the
 * average into the next round's start, on the driver's trainer (job transport) or on every task's replica
 * (barrier transport): the same operations on the same bits.
 *
 * <p>Implementations are serializable (they travel in task closures) and stateless: the same seed gives the same
 * bits (decision 5).
 */
public interface RoundRule extends Serializable {

    /**
     * Steps of the round that starts at {@code step} (from 0) of an epoch of {@code steps}, after
     * {@code roundsSoFar} rounds of the run.
     */
    int roundSize(long roundsSoFar, int step, int steps);

    /** The steps of every round of an epoch of {@code steps} steps, in order (e.g. K, K, ..., the remainder). */
    default int[] plan(long roundsSoFar, int steps) {
        int n = 0;
        int[] ks = new int[Math.max(steps, 0)];
        long r = roundsSoFar;
        for (int step = 0; step < steps; r++) {
            int k = roundSize(r, step, steps);
            ks[n++] = k;
            step += k;
        }
        return java.util.Arrays.copyOf(ks, n);
    }

    /**
     * What a worker that keeps nothing between rounds (a pooled trainer in the job transport) must receive from
     * {@code master} at a round's start.
     */
    float[] workerStart(Trainer master);

    /**
     * Makes {@code worker} hold the round's start: {@code start} from {@link #workerStart}, the master's optimizer
     * step count and learning rate (so that a schedule or a resume reaches every worker).
     */
    void restoreWorker(Trainer worker, float[] start, long stepCount, float learningRate);

    /**
     * Called on every trainer that will {@link #combine} the round (the driver's in the job transport, every
     * replica in the barrier transport) while it holds the round's start, before any of its local steps; a rule
     * that needs the start after the steps (SlowMo's x0) copies it here. Nothing by default.
     */
    default void beginRound(Trainer t) {
    }

    /**
     * Whether the workers' BatchNorm layers sum their batch statistics over the workers inside every step
     * (synchronised BatchNorm): the transport must then connect the replicas' networks
     * ({@code Network.synchroniseBatchNorm}) before the first round. False by default.
     */
    default boolean synchronisesBatchNorm() {
        return false;
    }

    /** Floats in a worker's result vector (the transports add one entry, the contributor count, where they need it). */
    int resultLength(Trainer t);

    /**
     * A worker's part of the round: minibatches {@code step .. step + k - 1} of its epoch, taken from
     * {@code blocks} (fewer when it runs out), its result packed into {@code out[0 .. resultLength)}.
     *
     * @return the examples it used; 0 when it had no minibatch left ({@code out} is then untouched and the
     *     worker has no weight in the average)
     */
    long work(Trainer t, Iterator<MiniBatch> blocks, int epoch, int worker, int step, int k, float[] out);

    /**
     * Averages {@code sum} in place (entries {@code [0, resultLength)}: the element-wise sum of the results of
     * {@code contributors} workers, whose last two entries are their loss sum and examples, which stay sums) and
     * turns the average into the next round's start in {@code t}, which held the round's start with optimizer
     * step count {@code roundStartSteps} before the round's {@code k} steps.
     */
    void combine(Trainer t, float[] sum, int contributors, long roundStartSteps, int k);

    /**
     * Makes {@code t} a replica of a trainer whose {@link RoundVector#packState(Trainer)} is {@code state}:
     * parameters, optimizer state, network state, the outer momentum when there is one, step count and learning
     * rate (what a barrier task starts an epoch from).
     */
    static void restoreReplica(Trainer t, float[] state, long stepCount, float learningRate) {
        RoundVector.unpackState(state, t);
        t.optimizer().setStepCount(stepCount);
        t.optimizer().setLearningRate(learningRate);
    }
}
