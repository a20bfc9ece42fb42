package org.sparktrain.driver.round;

import java.io.Serializable;

/**
 * The averaging settings of a run, apart from how rounds travel (the transport and its settings live in
 * {@code driver.train.MasterConfig} and {@code driver.barrier.AllReduceSettings}): the mode, K local steps per
 * round in parameter mode, and the warm-up rounds with K = 1.
 */
public record Averaging(AveragingMode mode, int averagingFrequency, int warmupRounds) implements Serializable {

    public Averaging {
        if (mode == null) {
            throw new IllegalArgumentException("an averaging mode (" + AveragingMode.names() + ") is required");
        }
        if (averagingFrequency < 1) {
            throw new IllegalArgumentException("--averaging-frequency must be >= 1, got " + averagingFrequency);
        }
        if (warmupRounds < 0) {
            throw new IllegalArgumentException("--warmup-rounds must be >= 0, got " + warmupRounds);
        }
    }

    /** What a round computes under these settings. */
    public RoundRule rule() {
        return mode.rule(averagingFrequency, warmupRounds);
    }

    /** Local steps per round as a user sees it: K in parameter mode, 1 where every round is one step. */
    public int stepsPerRound() {
        return rule().roundSize(warmupRounds, 0, Integer.MAX_VALUE);
    }
}
