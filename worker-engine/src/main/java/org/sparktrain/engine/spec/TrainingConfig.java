package org.sparktrain.engine.spec;

/**
 * How to train: minibatch size, epochs, seed, how minibatches are drawn, and early stopping.
 * {@code batch_size} is the global minibatch of a step: with W workers each takes its share (sizes differ by at
 * most one row), so an epoch has as many steps as on one machine (docs/architecture.md, "The global minibatch").
 * {@code batch_size_per_worker} instead gives each worker minibatches of that size (a step then covers W times
 * as many rows; the meaning {@code batch_size} had before); {@code perWorkerBatch} says which was given.
 * {@code classWeights} (null: none) weight the loss per class ({@code Loss.setClassWeights}); they are set by
 * the command line's {@code --class-weight}, travel with the configuration to every worker and are recorded in the
 * model file's provenance.
 * {@code sampling}: {@code shuffle} (default; every epoch a new permutation, each example once) or
 * {@code bootstrap} (with replacement: an epoch is n/m draws of m examples, the seed's "bootstrap").
 * Serializable only because Spark ships it inside task closures; users never load it from a file.
 * Early stopping (off unless {@code patience} > 0): every {@code interval} epochs the validation
 * {@code metric} (loss or accuracy) is checked; after {@code patience} checks without improvement
 * training stops and the best parameters are restored.
 */
public record TrainingConfig(int batchSize, int epochs, long seed, Sampling sampling,
                             int patience, int interval, String metric, boolean perWorkerBatch,
                             float[] classWeights) implements java.io.Serializable {

    public enum Sampling { SHUFFLE, BOOTSTRAP }

    public static TrainingConfig defaults() {
        return new TrainingConfig(64, 10, 42L, Sampling.SHUFFLE, 0, 1, "loss", false, null);
    }

    static TrainingConfig parse(SpecMap m) {
        m.allowOnly("batch_size", "batch_size_per_worker", "epochs", "seed", "sampling", "early_stopping");
        boolean perWorker = m.has("batch_size_per_worker");
        if (perWorker && m.has("batch_size")) {
            throw new SpecException(m.where() + ": give 'batch_size' (the global minibatch, split over the workers)"
                    + " or 'batch_size_per_worker' (each worker's own), not both");
        }
        String s = m.string("sampling", "shuffle");
        Sampling sampling = switch (s) {
            case "shuffle" -> Sampling.SHUFFLE;
            case "bootstrap" -> Sampling.BOOTSTRAP;
            default -> throw new SpecException(m.where() + ": 'sampling' must be shuffle or bootstrap, got '" + s + "'");
        };
        SpecMap es = m.child("early_stopping");
        es.allowOnly("patience", "interval", "metric");
        String metric = es.string("metric", "loss");
        if (!metric.equals("loss") && !metric.equals("accuracy")) {
            throw new SpecException(es.where() + ": 'metric' must be loss or accuracy, got '" + metric + "'");
        }
        return new TrainingConfig(perWorker ? m.positive("batch_size_per_worker", 64) : m.positive("batch_size", 64),
                m.positive("epochs", 10), (long) m.number("seed", 42.0), sampling, es.nonNegative("patience", 0),
                es.positive("interval", 1), metric, perWorker, null);
    }

    public TrainingConfig withEpochs(int e) {
        return new TrainingConfig(batchSize, e, seed, sampling, patience, interval, metric, perWorkerBatch,
                classWeights);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(batchSize, epochs, s, sampling, patience, interval, metric, perWorkerBatch,
                classWeights);
    }

    public TrainingConfig withBatchSize(int b) {
        return new TrainingConfig(b, epochs, seed, sampling, patience, interval, metric, perWorkerBatch,
                classWeights);
    }

    /** This configuration with {@code b} as the global minibatch ({@code perWorker} false) or each worker's. */
    public TrainingConfig withBatchSize(int b, boolean perWorker) {
        return new TrainingConfig(b, epochs, seed, sampling, patience, interval, metric, perWorker,
                classWeights);
    }

    /** This configuration with the loss weighted per class ({@code weights[c]}), or unweighted (null). */
    public TrainingConfig withClassWeights(float[] weights) {
        return new TrainingConfig(batchSize, epochs, seed, sampling, patience, interval, metric, perWorkerBatch,
                weights == null ? null : weights.clone());
    }
}
