package org.sparktrain.engine.train;

/** The loss became NaN or infinite: training stops and says where, so the last good model is kept. */
public final class NonFiniteLossException extends ArithmeticException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final int step;

    public NonFiniteLossException(int epoch, int step, double loss) {
        this(epoch, step, loss, "at minibatch " + step);
    }

    /** {@code where} says where in the epoch, e.g. "in averaging round 12 (minibatches 56-60)". */
    public NonFiniteLossException(int epoch, int step, double loss, String where) {
        super("the training loss became " + loss + " in epoch " + epoch + " " + where
                + "; lower the learning rate, enable gradient clipping (clipping: {clip_norm: 5}) or check the"
                + " input scaling. No model was written from this run; an earlier checkpoint is kept.");
        this.epoch = epoch;
        this.step = step;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }
}
