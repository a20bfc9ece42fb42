package org.sparktrain.driver.round;

import java.util.Iterator;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;

/**
 * Parameter averaging (local SGD): every worker takes K local optimizer steps from the round's start, then
 * parameters, optimizer state and BatchNorm statistics are averaged; K = 1 during the first {@code warmupRounds}
 * rounds of the run (large K loses accuracy most early on) and the remainder at an epoch's end. Result layout
 * {@code [params | optimizer state | network state | loss sum | examples]} ({@link RoundVector}). With
 * {@code resetOptimizerState} the averaged optimizer state is set to zero instead of kept. Made from checked
 * settings by {@link Averaging#rule(int)}.
 */
public record ParameterRounds(int averagingFrequency, int warmupRounds, boolean resetOptimizerState)
        implements RoundRule {
    private static final long serialVersionUID = 1L;

    @Override
    public int roundSize(long roundsSoFar, int step, int steps) {
        return roundsSoFar < warmupRounds ? 1 : Math.min(averagingFrequency, steps - step);
    }

    @Override
    public float[] workerStart(Trainer master) {
        return RoundVector.packState(master.network(), master.optimizer());
    }

    @Override
    public void restoreWorker(Trainer worker, float[] start, long stepCount, float learningRate) {
        RoundRule.restoreReplica(worker, start, stepCount, learningRate);
    }

    @Override
    public int resultLength(Trainer t) {
        return RoundVector.resultLength(t.network(), t.optimizer());
    }

    @Override
    public long work(Trainer t, Iterator<MiniBatch> blocks, int epoch, int worker, int step, int k, float[] out) {
        double loss = 0;
        long examples = 0;
        for (int i = 0; i < k && blocks.hasNext(); i++) {
            MiniBatch b = blocks.next();
            loss += t.stepAt(b, epoch, worker, step + i) * b.size;
            examples += b.size;
        }
        if (examples > 0) {
            RoundVector.packResultInto(t.network(), t.optimizer(), loss, examples, out);
        }
        return examples;
    }

    @Override
    public void combine(Trainer t, float[] sum, int contributors, long roundStartSteps, int k) {
        // every model that took a step weighs the same (a worker with fewer rows still took the round's steps)
        RoundVector.divideSum(sum, resultLength(t), contributors);
        RoundVector.unpackState(sum, t.network(), t.optimizer());
        if (resetOptimizerState) {
            java.util.Arrays.fill(t.optimizer().state(), 0f); // the averaged moments are dropped, as asked
        }
        t.optimizer().setStepCount(roundStartSteps + k); // every replica counts the round's K steps
    }
}
