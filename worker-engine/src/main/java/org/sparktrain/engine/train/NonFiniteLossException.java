package org.sparktrain.engine.train;

/** The loss became NaN or infinite: training stops and says where, so the last good model is kept. */
public final class NonFiniteLossException extends ArithmeticException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final int step;

    public NonFiniteLossException(int epoch, int step, double loss) {
        super("the training loss became " + loss + " in epoch " + epoch + " at minibatch " + step
                + "; lower the learning rate, enable gradient clipping (clipping: {clip_norm: 5}) or check the"
                + " input scaling. No model was written from this run.");
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
