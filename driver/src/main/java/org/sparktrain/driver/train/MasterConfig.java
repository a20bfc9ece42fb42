package org.sparktrain.driver.train;

/**
 * How the training master runs: {@code workers} partitions (one task each per round),
 * {@code averagingFrequency} K local steps per round in parameter mode, {@code warmupRounds} initial
 * rounds with K = 1 (large K loses accuracy most early on), and a name shown in the Spark UI.
 */
public record MasterConfig(int workers, int averagingFrequency, AveragingMode mode, int warmupRounds, String runName) {
    public MasterConfig {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
        }
        if (averagingFrequency < 1) {
            throw new IllegalArgumentException("--averaging-frequency must be >= 1, got " + averagingFrequency);
        }
        if (warmupRounds < 0) {
            throw new IllegalArgumentException("--warmup-rounds must be >= 0, got " + warmupRounds);
        }
    }
}
