/**
 * Evaluation on Spark. {@link org.sparktrain.driver.eval.DistributedEvaluation} computes a network's metrics on
 * blocks that stay on the executors (validation parts, test sets): the parameters are broadcast, each partition
 * predicts its blocks with a pooled network and returns partial
 * {@link org.sparktrain.engine.metrics.ClassificationMetrics}, and the driver merges them.
 * {@link org.sparktrain.driver.eval.ParallelFolds} runs the folds of a cross-validation (or the rounds of a
 * bootstrap) as concurrent Spark jobs, each in a FAIR scheduler pool of its own, and returns the results in fold
 * order; {@link org.sparktrain.driver.eval.FoldResult} is one fold's outcome and
 * {@link org.sparktrain.driver.eval.Summary} reports mean ± sample standard deviation over the folds, as a table
 * and as JSON; {@link org.sparktrain.driver.eval.LearningCurve} reads a learning curve's points as high bias or
 * high variance by a stated rule.
 *
 * <p>Imports: the JDK, Spark, the engine ({@code Network}, {@code ClassificationMetrics}, {@code ModelSpec},
 * {@code RoundVector}) and {@link org.sparktrain.partitioning.Block}. Imports no other driver package (the fold's
 * training is passed in); {@code driver.cli} imports this one. Must not hold engine maths.
 *
 * <p>Design: docs/architecture.md, The data flow (per epoch: validation metrics) and Conventions (bootstrap,
 * holdout and k-fold defaults).
 */
package org.sparktrain.driver.eval;
