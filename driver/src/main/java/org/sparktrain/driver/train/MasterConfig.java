package org.sparktrain.driver.train;

/**
 * How the training master runs: {@code workers} partitions (one task each per round),
 * {@code averagingFrequency} K local steps per round in parameter mode, {@code warmupRounds} initial
 * rounds with K = 1 (large K loses accuracy most early on), a name shown in the Spark UI, and how a
 * round travels ({@link RoundTransport}; docs/architecture.md, decision 4). What a round computes does not depend
 * on the transport.
 */
public record MasterConfig(int workers, int averagingFrequency, AveragingMode mode, int warmupRounds, String runName,
                           RoundTransport transport) {

    /**
     * How a round travels.
     * <ul>
     * <li>{@code JOB}: one Spark job per round; the driver broadcasts, collects and averages (the
     *     reference; ~30 ms of scheduling per round).</li>
     * <li>{@code BARRIER}: one barrier stage per epoch whose tasks average among themselves every round
     *     with a ring all-reduce over direct TCP connections ({@code org.sparktrain.driver.barrier}).</li>
     * </ul>
     */
    public enum RoundTransport {
        JOB, BARRIER;

        public static RoundTransport parse(String s) {
            return switch (s) {
                case "job" -> JOB;
                case "barrier" -> BARRIER;
                default -> throw new IllegalArgumentException("--transport must be job or barrier, got '" + s + "'");
            };
        }
    }

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
        if (transport == null) {
            throw new IllegalArgumentException("a round transport (job or barrier) is required");
        }
    }

    /** A job per round (the reference transport). */
    public MasterConfig(int workers, int averagingFrequency, AveragingMode mode, int warmupRounds, String runName) {
        this(workers, averagingFrequency, mode, warmupRounds, runName, RoundTransport.JOB);
    }

    /** This configuration with another transport. */
    public MasterConfig withTransport(RoundTransport t) {
        return new MasterConfig(workers, averagingFrequency, mode, warmupRounds, runName, t);
    }
}
