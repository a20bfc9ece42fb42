package org.sparktrain.engine.train;

import org.sparktrain.engine.Network;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.spec.TrainingConfig;

/**
 * Early stopping on a validation metric (loss, or accuracy), shared by the single-worker trainer and the
 * distributed master: every {@code interval} epochs {@link #observe} is given the validation metrics;
 * the best parameters and state are kept; after {@code patience} checks without improvement it says
 * stop. {@link #restoreBest} puts the best epoch's parameters and state back.
 */
public final class EarlyStopping {
    private final TrainingConfig config;
    private final float[] bestParams;
    private final float[] bestState;
    private double best = Double.NaN;
    private int bestEpoch;
    private int bad;

    public EarlyStopping(TrainingConfig config, Network net) {
        this.config = config;
        this.bestParams = net.params().clone();
        this.bestState = net.state().clone();
    }

    /** Whether validation should run after {@code epoch} (of {@code epochs}). */
    public boolean checks(int epoch, int epochs) {
        return epoch % config.interval() == 0 || epoch == epochs;
    }

    /** Records a check; returns true when training should stop. */
    public boolean observe(int epoch, org.sparktrain.engine.metrics.Metrics val, Network net) {
        double v = config.metric().equals("accuracy") && val instanceof ClassificationMetrics c ? -c.accuracy()
                : val.loss();
        if (Double.isNaN(best) || v < best) {
            best = v;
            bestEpoch = epoch;
            bad = 0;
            System.arraycopy(net.params(), 0, bestParams, 0, bestParams.length);
            System.arraycopy(net.state(), 0, bestState, 0, bestState.length);
            return false;
        }
        return ++bad >= config.patience();
    }

    /** The epoch whose parameters are kept, 0 before the first check. */
    public int bestEpoch() {
        return bestEpoch;
    }

    public void restoreBest(Network net) {
        if (bestEpoch > 0) {
            System.arraycopy(bestParams, 0, net.params(), 0, bestParams.length);
            System.arraycopy(bestState, 0, net.state(), 0, bestState.length);
        }
    }
}
