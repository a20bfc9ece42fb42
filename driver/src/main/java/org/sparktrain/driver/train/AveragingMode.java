package org.sparktrain.driver.train;

/**
 * What a round computes (docs/architecture.md, decision 4).
 * <ul>
 * <li>{@code PARAMETER}: every worker takes K local optimizer steps from the round's starting state,
 *     then parameters, optimizer state and BatchNorm statistics are averaged (local SGD).</li>
 * <li>{@code GRADIENT}: every worker computes the gradient of one minibatch; the driver averages the
 *     gradients and takes one optimizer step (synchronous SGD with minibatch W·b).</li>
 * </ul>
 */
public enum AveragingMode {
    PARAMETER, GRADIENT;

    public static AveragingMode parse(String s) {
        return switch (s) {
            case "parameter", "parameters" -> PARAMETER;
            case "gradient", "gradients" -> GRADIENT;
            default -> throw new IllegalArgumentException("--mode must be parameter or gradient, got '" + s + "'");
        };
    }
}
