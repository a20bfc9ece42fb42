package org.sparktrain.engine.spec;

/**
 * How to train: minibatch size, epochs, seed, how minibatches are drawn, and early stopping.
 * {@code sampling}: {@code shuffle} (default; every epoch a new permutation, each example once) or
 * {@code bootstrap} (with replacement: an epoch is n/m draws of m examples, the seed's "bootstrap").
 * Serializable only because Spark ships it inside task closures; users never load it from a file.
 * Early stopping (off unless {@code patience} > 0): every {@code interval} epochs the validation
 * {@code metric} (loss or accuracy) is checked; after {@code patience} checks without improvement
 * training stops and the best parameters are restored.
 */
public record TrainingConfig(int batchSize, int epochs, long seed, Sampling sampling,
                             int patience, int interval, String metric) implements java.io.Serializable {

    public enum Sampling { SHUFFLE, BOOTSTRAP }

    public static TrainingConfig defaults() {
        return new TrainingConfig(64, 10, 42L, Sampling.SHUFFLE, 0, 1, "loss");
    }

    static TrainingConfig parse(SpecMap m) {
        m.allowOnly("batch_size", "epochs", "seed", "sampling", "early_stopping");
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
        return new TrainingConfig(m.positive("batch_size", 64), m.positive("epochs", 10),
                (long) m.number("seed", 42.0), sampling, es.nonNegative("patience", 0),
                es.positive("interval", 1), metric);
    }

    public TrainingConfig withEpochs(int e) {
        return new TrainingConfig(batchSize, e, seed, sampling, patience, interval, metric);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(batchSize, epochs, s, sampling, patience, interval, metric);
    }

    public TrainingConfig withBatchSize(int b) {
        return new TrainingConfig(b, epochs, seed, sampling, patience, interval, metric);
    }
}
