package org.sparktrain.driver.round;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The averaging modes by name (docs/architecture.md, decision 4), each with the {@link RoundRule} that says what
 * its round computes. A new mode is a constant here and its rule class; the {@code --mode} flag, its help and its
 * error message list the constants.
 * <ul>
 * <li>{@code PARAMETER}: every worker takes K local optimizer steps from the round's starting state,
 *     then parameters, optimizer state and BatchNorm statistics are averaged (local SGD; {@link ParameterRounds}).</li>
 * <li>{@code GRADIENT}: every worker computes the gradient of one minibatch; the gradients are averaged and one
 *     optimizer step is taken (synchronous SGD with minibatch W·b; {@link GradientRounds}).</li>
 * </ul>
 */
public enum AveragingMode {
    PARAMETER {
        @Override
        RoundRule rule(int averagingFrequency, int warmupRounds, boolean resetOptimizerState, SlowMo slowMo,
                       boolean syncBatchNorm) {
            return new ParameterRounds(averagingFrequency, warmupRounds, resetOptimizerState, slowMo);
        }
    },
    GRADIENT {
        @Override
        RoundRule rule(int averagingFrequency, int warmupRounds, boolean resetOptimizerState, SlowMo slowMo,
                       boolean syncBatchNorm) {
            return new GradientRounds(syncBatchNorm);
        }
    };

    /**
     * The rule of this mode with the given K, warm-up, optimizer-state choice, outer momentum and synchronised
     * BatchNorm (which a mode may ignore; {@link Averaging} refuses an outer momentum in gradient mode and
     * synchronised BatchNorm in parameter mode).
     */
    abstract RoundRule rule(int averagingFrequency, int warmupRounds, boolean resetOptimizerState, SlowMo slowMo,
                            boolean syncBatchNorm);

    /** The name users type ({@code parameter}, {@code gradient}). */
    public String flagName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The names users may type, "a, b or c". */
    public static String names() {
        String all = Arrays.stream(values()).map(AveragingMode::flagName).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return last < 0 ? all : all.substring(0, last) + " or " + all.substring(last + 2);
    }

    /** A mode by its name, singular or plural ({@code parameter}, {@code gradients}). */
    public static AveragingMode parse(String s) {
        for (AveragingMode m : values()) {
            if (s.equals(m.flagName()) || s.equals(m.flagName() + "s")) {
                return m;
            }
        }
        throw new IllegalArgumentException("--mode must be " + names() + ", got '" + s + "'");
    }
}
