package org.sparktrain.engine.train;

/** What one training epoch did: mean training loss (data loss + penalty), examples, wall time. */
public record EpochStats(int epoch, double trainLoss, long samples, double seconds) {
    public double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : 0;
    }
}
