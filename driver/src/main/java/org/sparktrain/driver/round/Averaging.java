package org.sparktrain.driver.round;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The averaging settings of a run, apart from how rounds travel (the transport and its settings live in
 * {@code driver.train.MasterConfig} and {@code driver.barrier.AllReduceSettings}), and the schedule they make
 * (docs/architecture.md, "The global minibatch"):
 * <ul>
 * <li>{@code mode}: what a round computes ({@link AveragingMode});</li>
 * <li>{@code frequencies}: K local steps per round in parameter mode, per epoch: epoch e uses entry e − 1, the
 *     last entry for every later epoch ({@code [5]}: K = 5 throughout; {@code [1, 5, 20]}: K = 1 in epoch 1,
 *     5 in epoch 2, 20 from epoch 3 on);</li>
 * <li>{@code warmupRounds}: the run's first rounds take one step each (large K loses accuracy most early);</li>
 * <li>{@code syncEpochs}: the first epochs are synchronous, gradient averaging every step, before the mode's
 *     rounds begin ("post-local SGD", Lin et al., ICLR 2020);</li>
 * <li>{@code optimizerState}: in parameter mode, whether the workers' optimizer state (Adam's moments,
 *     momentum) is averaged with the parameters or reset to zero after every average;</li>
 * <li>{@code slowMo}: in parameter mode, an outer momentum on the averaged update ({@link SlowMo}; off by
 *     default); refused in gradient mode;</li>
 * <li>{@code syncBatchNorm}: in gradient mode, BatchNorm layers normalise with the statistics of the whole global
 *     minibatch, summed over the workers inside every step ({@link GradientRounds}); off by default, refused in
 *     parameter mode, whose local steps have no other workers to sum with.</li>
 * </ul>
 */
public record Averaging(AveragingMode mode, List<Integer> frequencies, int warmupRounds, int syncEpochs,
                        OptimizerState optimizerState, SlowMo slowMo, boolean syncBatchNorm) implements Serializable {

    /** What parameter averaging does with the workers' optimizer state. */
    public enum OptimizerState {
        /** averaged like the parameters (the default) */
        AVERAGE,
        /** set to zero after every average: each round's local steps start with a fresh optimizer state */
        RESET;

        public static OptimizerState parse(String s) {
            return switch (s) {
                case "average" -> AVERAGE;
                case "reset" -> RESET;
                default -> throw new IllegalArgumentException("--optimizer-state must be average or reset, got '" + s
                        + "'");
            };
        }
    }

    public Averaging {
        if (mode == null) {
            throw new IllegalArgumentException("an averaging mode (" + AveragingMode.names() + ") is required");
        }
        if (frequencies == null || frequencies.isEmpty()) {
            throw new IllegalArgumentException("--averaging-frequency needs at least one value");
        }
        for (int k : frequencies) {
            if (k < 1) {
                throw new IllegalArgumentException("--averaging-frequency must be >= 1, got " + k);
            }
        }
        frequencies = List.copyOf(frequencies);
        if (warmupRounds < 0) {
            throw new IllegalArgumentException("--warmup-rounds must be >= 0, got " + warmupRounds);
        }
        if (syncEpochs < 0) {
            throw new IllegalArgumentException("--sync-epochs must be >= 0, got " + syncEpochs);
        }
        if (optimizerState == null) {
            throw new IllegalArgumentException("an optimizer-state choice (average or reset) is required");
        }
        if (slowMo == null) {
            slowMo = SlowMo.OFF;
        }
        if (slowMo.enabled() && mode == AveragingMode.GRADIENT) {
            throw new IllegalArgumentException("--outer-momentum and --outer-lr (SlowMo) act on the average of K local"
                    + " steps and need --mode parameter; with --mode gradient every round is one optimizer step on"
                    + " the averaged gradient (use the spec's optimizer momentum instead)");
        }
        if (syncBatchNorm && mode != AveragingMode.GRADIENT) {
            throw new IllegalArgumentException(SYNC_BATCHNORM_NEEDS_GRADIENT);
        }
    }

    /** Why synchronised BatchNorm is refused in parameter mode. */
    public static final String SYNC_BATCHNORM_NEEDS_GRADIENT = "--sync-batchnorm sums the batch statistics over the"
            + " workers inside every step and needs --mode gradient; in parameter mode each worker takes its local"
            + " steps alone";

    /** Without synchronised BatchNorm. */
    public Averaging(AveragingMode mode, List<Integer> frequencies, int warmupRounds, int syncEpochs,
                     OptimizerState optimizerState, SlowMo slowMo) {
        this(mode, frequencies, warmupRounds, syncEpochs, optimizerState, slowMo, false);
    }

    /** Without an outer momentum. */
    public Averaging(AveragingMode mode, List<Integer> frequencies, int warmupRounds, int syncEpochs,
                     OptimizerState optimizerState) {
        this(mode, frequencies, warmupRounds, syncEpochs, optimizerState, SlowMo.OFF);
    }

    /** One K for every epoch, no synchronous phase, optimizer state averaged. */
    public Averaging(AveragingMode mode, int averagingFrequency, int warmupRounds) {
        this(mode, List.of(averagingFrequency), warmupRounds, 0, OptimizerState.AVERAGE, SlowMo.OFF);
    }

    /** These settings with K per epoch from {@code ks}. */
    public Averaging withFrequencies(List<Integer> ks) {
        return new Averaging(mode, ks, warmupRounds, syncEpochs, optimizerState, slowMo, syncBatchNorm);
    }

    /** These settings with the first {@code epochs} epochs synchronous. */
    public Averaging withSyncEpochs(int epochs) {
        return new Averaging(mode, frequencies, warmupRounds, epochs, optimizerState, slowMo, syncBatchNorm);
    }

    public Averaging withOptimizerState(OptimizerState s) {
        return new Averaging(mode, frequencies, warmupRounds, syncEpochs, s, slowMo, syncBatchNorm);
    }

    /** These settings with an outer momentum ({@link SlowMo#OFF}: none). */
    public Averaging withSlowMo(SlowMo s) {
        return new Averaging(mode, frequencies, warmupRounds, syncEpochs, optimizerState, s, syncBatchNorm);
    }

    /** These settings with synchronised BatchNorm on or off (gradient mode only). */
    public Averaging withSyncBatchNorm(boolean on) {
        return new Averaging(mode, frequencies, warmupRounds, syncEpochs, optimizerState, slowMo, on);
    }

    /** K of the first epoch (the one K when there is no schedule). */
    public int averagingFrequency() {
        return frequencies.get(0);
    }

    /** K in epoch {@code epoch} (from 1). */
    public int averagingFrequency(int epoch) {
        return frequencies.get(Math.min(Math.max(epoch, 1), frequencies.size()) - 1);
    }

    /** What a round of epoch {@code epoch} (from 1) computes. */
    public RoundRule rule(int epoch) {
        if (epoch <= syncEpochs) {
            return new GradientRounds(syncBatchNorm);
        }
        return mode.rule(averagingFrequency(epoch), warmupRounds, optimizerState == OptimizerState.RESET, slowMo,
                syncBatchNorm);
    }

    /** What a round of the first epoch computes. */
    public RoundRule rule() {
        return rule(1);
    }

    /** Local steps per round of the first epoch as a user sees it: K in parameter mode, 1 where each round is a step. */
    public int stepsPerRound() {
        return rule().roundSize(warmupRounds, 0, Integer.MAX_VALUE);
    }

    /** The schedule in words, e.g. "parameter averaging every 5 step(s)". */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (rule(syncEpochs + 1) instanceof GradientRounds) {
            s.append("gradient averaging every step");
            if (syncBatchNorm) {
                s.append(", BatchNorm statistics over the whole minibatch");
            }
        } else {
            s.append(mode.flagName()).append(" averaging every ")
                    .append(frequencies.stream().map(String::valueOf).collect(Collectors.joining(",")))
                    .append(frequencies.size() > 1 ? " step(s) by epoch" : " step(s)");
            if (syncEpochs > 0) {
                s.append(", after ").append(syncEpochs).append(" synchronous epoch(s)");
            }
            if (warmupRounds > 0) {
                s.append(", the first ").append(warmupRounds).append(" round(s) one step each");
            }
            if (optimizerState == OptimizerState.RESET) {
                s.append(", optimizer state reset after each average");
            }
            if (slowMo.enabled()) {
                s.append(", ").append(slowMo.describe());
            }
        }
        return s.toString();
    }
}
