/**
 * The round seam: what an averaging round computes, written once. {@link org.sparktrain.driver.round.RoundRule}
 * is the round plan (steps per round), a worker's part of a round and how the average becomes the next round's
 * start; {@link org.sparktrain.driver.round.ParameterRounds} and {@link org.sparktrain.driver.round.GradientRounds}
 * are the two modes' rules; {@link org.sparktrain.driver.round.AveragingMode} names them (the {@code --mode} flag);
 * {@link org.sparktrain.driver.round.Averaging} holds a run's averaging settings (mode, K, warm-up, optimizer state,
 * the outer momentum {@link org.sparktrain.driver.round.SlowMo}).
 *
 * <p>Imports: the JDK and the engine ({@code Trainer}, {@code RoundVector}, {@code MiniBatch}) only. Both
 * transports import this package ({@code driver.train}'s job per round, {@code driver.barrier}'s stage per epoch);
 * it must import neither, nor Spark: a rule does not know how its round travels.
 *
 * <p>Design: docs/architecture.md, decision 4 (two averaging modes, two transports), decision 5 (determinism),
 * Conventions (averaging) and the recipe "An averaging rule".
 */
package org.sparktrain.driver.round;
