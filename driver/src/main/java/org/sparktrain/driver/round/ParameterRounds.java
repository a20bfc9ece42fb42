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
 * {@code resetOptimizerState} the averaged optimizer state is set to zero instead of kept. With an enabled
 * {@link SlowMo} the averaged parameters then take the outer momentum step from the round's start
 * ({@link RoundVector#outerMomentumStep}), with the momentum buffer and the start kept on the trainer that
 * combines (the driver's in the job transport, every replica in the barrier transport). Made from checked
 * settings by {@link Averaging#rule(int)}.
 */
public record ParameterRounds(int averagingFrequency, int warmupRounds, boolean resetOptimizerState, SlowMo slowMo)
        implements RoundRule {
    private static final long serialVersionUID = 1L;

    public ParameterRounds {
        if (slowMo == null) {
            slowMo = SlowMo.OFF;
        }
    }

    /** Without an outer momentum. */
    public ParameterRounds(int averagingFrequency, int warmupRounds, boolean resetOptimizerState) {
        this(averagingFrequency, warmupRounds, resetOptimizerState, SlowMo.OFF);
    }

    @Override
    public void beginRound(Trainer t) {
        if (slowMo.enabled()) {
            t.markRoundStart(); // x0, which the combine needs after this trainer's own local steps
        }
    }

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
        if (slowMo.enabled()) { // off (β = 0, α = 1): x̄ itself, not x0 − (x0 − x̄), so default runs keep their bits
            if (t.roundStart() == null) {
                throw new IllegalStateException("SlowMo's combine needs the round's start: call beginRound first");
            }
            if (t.outerMomentum() == null) {
                t.setOuterMomentum(new float[t.network().params().length]); // u = 0
            }
            RoundVector.outerMomentumStep(t.network().params(), t.roundStart(), t.outerMomentum(), slowMo.momentum(),
                    slowMo.learningRate(), t.optimizer().learningRate());
        }
        t.optimizer().setStepCount(roundStartSteps + k); // every replica counts the round's K steps
    }
}
