/**
 * The distributed training master. {@link org.sparktrain.driver.train.ParameterAveragingMaster} runs the rounds:
 * with the job transport one Spark job per round (broadcast the round's vector, each worker's task steps on its
 * own partition, collect in partition order, average with {@code RoundVector}); with the barrier transport it
 * hands each epoch to {@link org.sparktrain.driver.barrier.BarrierEpoch}.
 * {@link org.sparktrain.driver.train.DistributedTraining} is the epoch loop around it (validation metrics, early
 * stopping, checkpoint, progress line). {@link org.sparktrain.driver.train.MasterConfig} (with
 * {@code RoundTransport}) and {@link org.sparktrain.driver.round.AveragingMode} say how rounds run;
 * {@link org.sparktrain.driver.train.EpochData} gives each epoch's per-worker minibatches ({@code FoldEpochData}
 * from a prepared fold's blocks, {@code InMemoryEpochData} from a broadcast data set); {@code WorkerPool} keeps
 * trainers per executor JVM; {@link org.sparktrain.driver.train.Checkpoint} and
 * {@link org.sparktrain.driver.train.AtomicWrite} write through Hadoop's FileSystem, to a temporary file then
 * renamed.
 *
 * <p>Imports: the JDK, Spark, Hadoop, the engine ({@code Trainer}, {@code RoundVector}, {@code Network},
 * {@code ModelFile}, ...), {@code org.sparktrain.partitioning} ({@code Block}, {@code PreparedFold}, in
 * {@code FoldEpochData}), {@code driver.round} (what a round computes) and {@code driver.barrier}
 * ({@code BarrierEpoch}); {@code driver.cli}, {@code driver.ml} and {@code driver.bench} import this package. Must
 * not know the averaging modes (the {@code RoundRule} does) nor hold engine maths (what a step computes lives in
 * {@code engine.train}).
 *
 * <p>Design: docs/architecture.md, The data flow; decision 4 (two averaging modes, two transports), decision 5
 * (determinism), decision 7 (storage through Hadoop FileSystem) and Conventions (averaging, clipping).
 */
package org.sparktrain.driver.train;
