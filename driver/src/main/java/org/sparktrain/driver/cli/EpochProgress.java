package org.sparktrain.driver.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sparktrain.driver.train.DistributedTraining;

/**
 * {@code train}'s progress line inside an epoch (docs/architecture.md, "Progress"): the time so far and, from the
 * run's previous epoch, the share done and an ETA (estimates: in the barrier transport an epoch is one Spark stage
 * whose tasks do not report their rounds to the driver while it runs). The line goes when the epoch's own line is
 * printed.
 */
final class EpochProgress implements DistributedTraining.EpochListener, AutoCloseable {
    private final Progress progress;
    private Progress.Phase phase;
    private double lastSeconds = Double.NaN;

    EpochProgress(Progress progress) {
        this.progress = progress;
    }

    @Override
    public synchronized void epochStarting(int epoch, int epochs, int steps) {
        close();
        long t0 = System.nanoTime();
        double expected = lastSeconds;
        phase = progress.start(() -> Progress.epoch(epoch, epochs, (System.nanoTime() - t0) / 1e9, steps, expected));
    }

    @Override
    public synchronized void epochEnded(ObjectNode record) {
        close();
        lastSeconds = record.path("seconds").asDouble(Double.NaN);
    }

    /** Ends the line of a running epoch (the run failed or ended). */
    @Override
    public synchronized void close() {
        if (phase != null) {
            phase.close();
            phase = null;
        }
    }
}
