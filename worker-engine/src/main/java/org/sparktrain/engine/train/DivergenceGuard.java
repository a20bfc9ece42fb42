package org.sparktrain.engine.train;

import java.io.Serializable;
import java.util.Arrays;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.loss.SoftmaxCrossEntropy;

/**
 * Stops a run whose training loss runs away while staying finite (a NaN or infinite loss is
 * {@link NonFiniteLossException}'s case): the loss of {@code rounds} averaging rounds in a row is above
 * {@code factor} × the best loss so far (docs/architecture.md, "Failing cleanly").
 *
 * <p>The best loss starts at the loss of a guess ({@link #chanceLoss}: ln k for a softmax over k classes, the loss of
 * the uniform prediction an untrained network makes), so a run whose loss explodes in its first round, and never
 * had a good loss, is caught as well. Then the best is not one round's loss, which is noisy (a round at an epoch's end may hold a single small
 * minibatch), but the lowest mean over a window of the last {@code rounds} rounds (weighted by examples; shorter
 * windows only in the first rounds of the run, or after a resume). Every round's loss is compared with
 * {@code factor} × that best; {@code rounds} in a row above it stop the run. With the defaults (10×, 50 rounds) a
 * converging run never triggers it: its window means fall, and a normal round stays far below ten times them.
 *
 * <p>Fed the same rounds in the same order, two guards agree: a barrier task runs a copy of the driver's guard
 * (all tasks see the same averaged sums) and stops at the same round the driver's replay finds. Serializable
 * (it travels in the task closure); plain doubles only.
 */
public final class DivergenceGuard implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The guard's settings: stop after {@code rounds} rounds in a row whose loss is above {@code factor} × the best;
     * {@code factor} 0 turns the guard off.
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

        /** 10× the best loss for 50 rounds in a row. */
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
    private int above;
    private double lastLoss;

    /** A guard with no reference loss: the best is the lowest window mean alone. */
    public DivergenceGuard(Settings settings) {
        this(settings, Double.POSITIVE_INFINITY);
    }

    /** A guard whose best loss starts at {@code chanceLoss} ({@link #chanceLoss}; infinite for none). */
    public DivergenceGuard(Settings settings, double chanceLoss) {
        this.settings = settings;
        this.best = chanceLoss > 0 ? chanceLoss : Double.POSITIVE_INFINITY;
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
        g.above = above;
        g.lastLoss = lastLoss;
        return g;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Records a round whose workers' losses sum to {@code lossSum} over {@code examples} examples (a round without
     * examples is ignored). Returns true when this round makes {@link Settings#rounds} in a row above the limit.
     */
    public boolean observe(double lossSum, double examples) {
        if (!settings.enabled() || !(examples > 0) || !Double.isFinite(lossSum)) {
            return false;
        }
        double loss = lossSum / examples;
        lastLoss = loss;
        above = loss > settings.factor() * best ? above + 1 : 0;
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
        best = Math.min(best, l / e);
        return above >= settings.rounds();
    }

    /** The lowest window mean so far (infinite before the first round). */
    public double best() {
        return best;
    }

    /** The last round's loss per example. */
    public double lastLoss() {
        return lastLoss;
    }

    /** Rounds in a row above the limit. */
    public int roundsAbove() {
        return above;
    }

    @Override
    public String toString() {
        return "DivergenceGuard" + settings + ", best " + best + ", " + above + " above, window "
                + Arrays.toString(windowLoss);
    }
}
