package org.sparktrain.driver.train;

import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.round.LearningRateScaling;
import org.sparktrain.engine.train.DivergenceGuard;

/**
 * How the training master runs: {@code workers} partitions (one task each per round), what a round computes
 * ({@link Averaging}: the mode, K, the warm-up; {@code driver.round}), a name shown in the Spark UI, and how a
 * round travels ({@link RoundTransport}; docs/architecture.md, decision 4), and an optional learning-rate scaling
 * rule ({@link LearningRateScaling}, null for none), and the divergence guard ({@link DivergenceGuard}; the defaults
 * when null). What a round computes does not depend on the transport.
 */
public record MasterConfig(int workers, Averaging averaging, String runName, RoundTransport transport,
                           LearningRateScaling lrScaling, DivergenceGuard.Settings divergence) {

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
        if (averaging == null) {
            throw new IllegalArgumentException("averaging settings are required");
        }
        if (divergence == null) {
            divergence = DivergenceGuard.Settings.defaults();
        }
        if (transport == null) {
            throw new IllegalArgumentException("a round transport (job or barrier) is required");
        }
        checkTransport(averaging, transport, workers);
    }

    /**
     * Refuses averaging settings the transport cannot carry for {@code workers} workers (0: not known yet, Spark's
     * default parallelism, counted as more than one): synchronised BatchNorm on the job transport. The one check,
     * called here and, before any data is read, by the command line and the Spark ML estimators.
     */
    public static void checkTransport(Averaging averaging, RoundTransport transport, int workers) {
        if (averaging.syncBatchNorm() && transport == RoundTransport.JOB && workers != 1) {
            throw new IllegalArgumentException(SYNC_BATCHNORM_NEEDS_BARRIER);
        }
    }

    /** Why synchronised BatchNorm is refused on the job transport with more than one worker. */
    public static final String SYNC_BATCHNORM_NEEDS_BARRIER = "--sync-batchnorm sums the batch statistics over the"
            + " workers inside every step, which needs the tasks of a barrier stage connected to each other:"
            + " use --transport barrier (the default), or --workers 1";

    public MasterConfig(int workers, Averaging averaging, String runName, RoundTransport transport,
                        LearningRateScaling lrScaling) {
        this(workers, averaging, runName, transport, lrScaling, DivergenceGuard.Settings.defaults());
    }

    public MasterConfig(int workers, Averaging averaging, String runName, RoundTransport transport) {
        this(workers, averaging, runName, transport, null);
    }

    public MasterConfig(int workers, int averagingFrequency, AveragingMode mode, int warmupRounds, String runName,
                        RoundTransport transport) {
        this(workers, new Averaging(mode, averagingFrequency, warmupRounds), runName, transport);
    }

    /** A job per round (the reference transport). */
    public MasterConfig(int workers, int averagingFrequency, AveragingMode mode, int warmupRounds, String runName) {
        this(workers, averagingFrequency, mode, warmupRounds, runName, RoundTransport.JOB);
    }

    public AveragingMode mode() {
        return averaging.mode();
    }

    public int averagingFrequency() {
        return averaging.averagingFrequency();
    }

    public int warmupRounds() {
        return averaging.warmupRounds();
    }

    /** This configuration with another transport. */
    public MasterConfig withTransport(RoundTransport t) {
        return new MasterConfig(workers, averaging, runName, t, lrScaling, divergence);
    }

    /** This configuration with another divergence guard. */
    public MasterConfig withDivergence(DivergenceGuard.Settings d) {
        return new MasterConfig(workers, averaging, runName, transport, lrScaling, d);
    }

    /** This configuration under another name (a fold's run). */
    public MasterConfig withRunName(String name) {
        return new MasterConfig(workers, averaging, name, transport, lrScaling, divergence);
    }
}
