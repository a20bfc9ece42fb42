/**
 * Training on one worker, and what a worker exchanges in a round. {@link org.sparktrain.engine.train.Trainer} is
 * the minibatch loop (forward → loss → backward → L1/L2 penalty → clipping → optimizer step, on the network's
 * flat vectors), used on its own for single-machine runs and inside every Spark task; its random streams derive
 * from (seed, epoch, worker, step) only, and {@code EpochOrder} draws each epoch's example order (shuffle or
 * bootstrap). {@link org.sparktrain.engine.train.RoundVector} fixes the layout of the
 * one flat vector a round carries (parameter and gradient modes) and the averaging rule every transport shares,
 * summing in worker order. Also {@link org.sparktrain.engine.train.EarlyStopping}, {@code EpochStats} and
 * {@link org.sparktrain.engine.train.NonFiniteLossException} (the loss became NaN or infinite) and
 * {@link org.sparktrain.engine.train.DivergenceGuard} with its {@code DivergedLossException} (the loss ran away).
 *
 * <p>Imports: the JDK, {@code org.sparktrain.engine} ({@code Network}, {@code SplitMix}) and the engine packages
 * {@code data}, {@code loss} (the guard's reference loss), {@code metrics}, {@code optim} and {@code spec} ({@code TrainingConfig}). Must not import: Spark,
 * Hadoop, {@code org.sparktrain.partitioning} or {@code org.sparktrain.driver}; the driver calls this loop and
 * ships {@code RoundVector}s, the loop knows nothing of Spark.
 *
 * <p>Design: docs/architecture.md, The data flow; decision 4 (two averaging modes), decision 5 (determinism) and
 * Conventions (clipping, averaging).
 */
package org.sparktrain.engine.train;
