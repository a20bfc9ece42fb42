package org.sparktrain.driver.round;

import java.util.Iterator;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;

/**
 * Synchronous gradient averaging: every round is one step; each worker computes the data-loss gradient of one
 * minibatch, the gradients are averaged weighted by the minibatches' rows, and the average is applied as one
 * machine would apply the gradient of the union of the minibatches (penalty added, clipped, one optimizer step;
 * {@link Trainer#applyAveragedGradient}): with shares of a global minibatch that differ by a row, every row
 * still weighs the same. Result layout {@code [rows · gradient | rows · network state | loss sum | examples]}
 * ({@link RoundVector}); the optimizer's state never travels.
 *
 * <p>With {@code syncBatchNorm} the BatchNorm layers of every worker's network normalise with the statistics of
 * the whole global minibatch, summed over the workers inside the step (docs/architecture.md, "The global
 * minibatch"): the transport installs the sum on the replicas ({@link #synchronisesBatchNorm}), and a worker without
 * a minibatch in the round still takes part in it, with nothing ({@code Network.idleTrainingStep}). The job
 * transport cannot sum inside a step and refuses it with more than one worker.
 */
public record GradientRounds(boolean syncBatchNorm) implements RoundRule {
    private static final long serialVersionUID = 1L;

    /** Each worker's BatchNorm layers normalise over its own share. */
    public GradientRounds() {
        this(false);
    }

    @Override
    public boolean synchronisesBatchNorm() {
        return syncBatchNorm;
    }

    @Override
    public int roundSize(long roundsSoFar, int step, int steps) {
        return 1;
    }

    @Override
    public float[] workerStart(Trainer master) {
        return RoundVector.packParamsAndState(master.network());
    }

    @Override
    public void restoreWorker(Trainer worker, float[] start, long stepCount, float learningRate) {
        RoundVector.unpackParamsAndState(start, worker.network()); // a gradient needs no optimizer
    }

    @Override
    public int resultLength(Trainer t) {
        return RoundVector.gradientLength(t.network());
    }

    @Override
    public long work(Trainer t, Iterator<MiniBatch> blocks, int epoch, int worker, int step, int k, float[] out) {
        if (!blocks.hasNext()) {
            if (syncBatchNorm) {
                t.network().idleTrainingStep(); // the other workers' batch statistics still need this one's part
            }
            return 0;
        }
        MiniBatch b = blocks.next();
        double loss = t.gradientAt(b, epoch, worker, step) * b.size;
        int n = RoundVector.packGradientInto(t.network(), loss, b.size, out);
        float rows = b.size;
        for (int i = 0; i < n - 2; i++) {
            out[i] *= rows; // weighted by rows: combine divides the sum by all contributors' rows
        }
        return b.size;
    }

    @Override
    public void combine(Trainer t, float[] sum, int contributors, long roundStartSteps, int k) {
        int n = resultLength(t);
        RoundVector.divideSumByRows(sum, n, sum[n - 1]);
        t.applyAveragedGradient(sum, 0); // the optimizer step, as on one machine
        float[] state = t.network().state();
        System.arraycopy(sum, t.network().params().length, state, 0, state.length);
    }
}
