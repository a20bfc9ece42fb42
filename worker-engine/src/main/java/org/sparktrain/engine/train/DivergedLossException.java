package org.sparktrain.engine.train;

/**
 * The training loss ran away (finite, but its mean over the {@link DivergenceGuard}'s last rounds above its factor
 * × the best such mean): the run stops and says where, with the settings that change the guard, so a good model
 * or checkpoint is never replaced by a diverged one.
 */
public final class DivergedLossException extends ArithmeticException {
    private static final long serialVersionUID = 1L;
    private final int epoch;

    /** {@code where} says where in the epoch, e.g. "in averaging round 12 (minibatches 56-60)". */
    public DivergedLossException(int epoch, String where, DivergenceGuard g) {
        super(String.format(java.util.Locale.ROOT, "the training loss diverged in epoch %d %s: its mean over the"
                        + " last %d rounds is %.4g, above %s x the best such mean %.4g; lower the learning rate or"
                        + " enable gradient clipping (clipping: {clip_norm: 5}). The guard's settings:"
                        + " --divergence-factor %s and --divergence-rounds %d (--divergence-factor 0 turns it off). No"
                        + " model was written from this run; the last checkpoint is kept.", epoch, where,
                g.settings().rounds(), g.windowMean(), trim(g.settings().factor()), g.best(),
                trim(g.settings().factor()), g.settings().rounds()));
        this.epoch = epoch;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    public int epoch() {
        return epoch;
    }
}
