package org.sparktrain.engine.train;

import java.io.Serializable;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.loss.SoftmaxCrossEntropy;

/**
 * Stops a run whose training loss runs away while staying finite (a NaN or infinite loss is
 * {@link NonFiniteLossException}'s case): the mean loss over the last {@code rounds} averaging rounds (weighted by
 * examples) is above {@code factor} × the best such mean so far, and above the loss the run started from
 * (docs/architecture.md, "Failing cleanly").
 *
 * <p>Means over a window of rounds, not single rounds: one round's loss is noisy (a round at an epoch's end may hold a
 * single small minibatch), and a diverged network's saturated outputs give rounds of loss 0 among rounds of loss
 * 10,000, which a mean sees and a count of rounds above a limit does not. The best starts at the loss of a guess
 * ({@link #chanceLoss}: ln k for a softmax over k classes, what an untrained network scores), so a run whose loss
 * explodes in its first rounds, and never had a good loss, is caught as well; it is compared and updated once the
 * window holds {@code rounds} rounds (of the run, or since a resume). With the defaults (10×, 50 rounds) a
 * converging run never comes near it: its window means fall.
 *
 * <p>Fed the same rounds in the same order, two guards agree: a barrier task runs a copy of the driver's guard
 * (all tasks see the same averaged sums) and stops at the same round the driver's replay finds. Serializable
 * (it travels in the task closure); plain doubles only.
 */
public final class DivergenceGuard implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The guard's settings: stop when the mean loss of the last {@code rounds} rounds is above {@code factor} × the
     * best such mean; {@code factor} 0 turns the guard off.
     */
    public record Settings(double factor, int rounds) implements Serializable {
        public static final double DEFAULT_FACTOR = 10;
        public static final int DEFAULT_ROUNDS = 50;

        public Settings {
            if (!(factor == 0 || factor > 1) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("--divergence-factor must be above 1 (or 0 to turn the guard off),"
                        + " got " + factor);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("--divergence-rounds must be >= 1, got " + rounds);
            }
        }

        /** 10× the best 50-round mean. */
        public static Settings defaults() {
            return new Settings(DEFAULT_FACTOR, DEFAULT_ROUNDS);
        }

        public static Settings off() {
            return new Settings(0, DEFAULT_ROUNDS);
        }

        public boolean enabled() {
            return factor > 0;
        }
    }

    private final Settings settings;
    private final double[] windowLoss;
    private final double[] windowExamples;
    private long seen;
    private double best;
    private double windowMean = Double.NaN;
    /** The loss the run started from: the guess's loss if known, else the first full window's mean. */
    private double floor = Double.NaN;

    /** A guard with no reference loss: the best is the lowest window mean alone. */
    public DivergenceGuard(Settings settings) {
        this(settings, Double.POSITIVE_INFINITY);
    }

    /** A guard whose best loss starts at {@code chanceLoss} ({@link #chanceLoss}; infinite for none). */
    public DivergenceGuard(Settings settings, double chanceLoss) {
        this.settings = settings;
        this.best = chanceLoss > 0 ? chanceLoss : Double.POSITIVE_INFINITY;
        this.floor = chanceLoss > 0 && Double.isFinite(chanceLoss) ? chanceLoss : Double.NaN;
        this.windowLoss = new double[settings.rounds()];
        this.windowExamples = new double[settings.rounds()];
    }

    /**
     * The loss of a uniform guess with {@code net}'s loss: ln k for a softmax cross-entropy over k classes (class
     * weights do not change it: they are normalised by their sum); infinite (no reference) for other losses.
     */
    public static double chanceLoss(Network net) {
        if (net.lossFunction() instanceof SoftmaxCrossEntropy) {
            Shape out = net.outputShape();
            int k = out.dim(out.rank() - 1);
            return k > 1 ? Math.log(k) : Double.POSITIVE_INFINITY;
        }
        return Double.POSITIVE_INFINITY;
    }

    /** An independent guard in the same state. */
    public DivergenceGuard copy() {
        DivergenceGuard g = new DivergenceGuard(settings);
        System.arraycopy(windowLoss, 0, g.windowLoss, 0, windowLoss.length);
        System.arraycopy(windowExamples, 0, g.windowExamples, 0, windowExamples.length);
        g.seen = seen;
        g.best = best;
        g.windowMean = windowMean;
        g.floor = floor;
        return g;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Records a round whose workers' losses sum to {@code lossSum} over {@code examples} examples (a round without
     * examples, or with a non-finite loss, is not recorded). Returns true when the window of the last
     * {@link Settings#rounds} rounds is full and its mean loss is above the limit.
     */
    public boolean observe(double lossSum, double examples) {
        if (!settings.enabled() || !(examples > 0) || !Double.isFinite(lossSum)) {
            return false;
        }
        int n = windowLoss.length;
        int i = (int) (seen % n);
        windowLoss[i] = lossSum;
        windowExamples[i] = examples;
        seen++;
        double l = 0;
        double e = 0;
        for (int k = 0; k < Math.min(seen, n); k++) {
            l += windowLoss[k];
            e += windowExamples[k];
        }
        windowMean = l / e;
        if (seen < n) {
            return false;
        }
        if (Double.isNaN(floor) || (seen == n && windowMean < floor)) {
            floor = windowMean; // where this run started: below it, a loss is not running away
        }
        if (aboveLimit()) {
            return true;
        }
        best = Math.min(best, windowMean);
        return false;
    }

    /**
     * Whether the mean of the rounds in the window (full or not) is above the limit now: above {@code factor} × the
     * best window mean AND above the loss the run started from (the guess's loss, or the first full window's mean
     * when the first window is lower or the guess is unknown). The second condition keeps a loss that has fallen
     * near zero (separable data) from being called diverged when it wobbles by a factor of 10 far below where it
     * started.
     */
    public boolean aboveLimit() {
        return settings.enabled() && windowMean > settings.factor() * best
                && (Double.isNaN(floor) || windowMean > floor);
    }

    /** The best (lowest) full-window mean so far, or the guess's loss it started from. */
    public double best() {
        return best;
    }

    /** The mean loss of the rounds in the window (NaN before the first). */
    public double windowMean() {
        return windowMean;
    }

    @Override
    public String toString() {
        return "DivergenceGuard" + settings + ", best " + best + ", window mean " + windowMean + " over "
                + Math.min(seen, windowLoss.length) + " rounds";
    }
}
