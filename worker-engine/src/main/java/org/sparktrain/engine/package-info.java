/**
 * The core of the worker engine: {@link org.sparktrain.engine.Network}, a network built from a
 * {@link org.sparktrain.engine.spec.ModelSpec} (its layers in order, ONE flat parameter vector, one flat gradient
 * vector and one flat state vector, shapes inferred layer by layer when it is built);
 * {@link org.sparktrain.engine.Shape}, one example's shape without the batch dimension;
 * {@link org.sparktrain.engine.ParamRanges}, index ranges of the flat parameter vector (e.g. the weights L1/L2
 * applies to); and {@link org.sparktrain.engine.SplitMix}, the random streams derived from (seed, epoch, worker,
 * step). The sub-packages hold the layers, losses, optimizers, kernels, the spec parser, the training loop, the
 * model file and the metrics.
 *
 * <p>Imports: the JDK and the engine's own sub-packages ({@code layer}, {@code loss}, {@code spec}, {@code data},
 * and {@code io} by fully qualified name in {@code Network}); {@code layer}, {@code optim}, {@code spec},
 * {@code data} and {@code train} import {@code Shape}, {@code SplitMix} and {@code ParamRanges} back from here.
 * Must not import: Spark, Hadoop, or anything from {@code org.sparktrain.partitioning} or
 * {@code org.sparktrain.driver}. The worker-engine module has no Spark on its class path: the same code trains on
 * one machine and inside every Spark task.
 *
 * <p>Design: docs/architecture.md, Modules; decision 1 (one flat parameter vector) and decision 5 (determinism).
 */
package org.sparktrain.engine;
