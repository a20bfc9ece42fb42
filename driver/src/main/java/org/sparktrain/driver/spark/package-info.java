/**
 * The Spark set-up every sparktrain command shares. {@link org.sparktrain.driver.spark.SparkSetup} builds the
 * SparkSession: Kryo with registration required and defaults that work on {@code local[*]} and on a cluster
 * (settings from spark-submit or {@code --conf} win). {@link org.sparktrain.driver.spark.SparktrainKryoRegistrator}
 * registers every class sparktrain ships in RDDs, broadcasts and task results, so a missing class fails loudly
 * instead of being written with its full name on every record.
 *
 * <p>Imports: the JDK, Spark and Kryo. It has no {@code import} of other sparktrain packages but names their
 * shipped classes in full: engine classes ({@code MiniBatch}, {@code DataSet}, {@code Shape},
 * {@code FittedScaler}, {@code ClassificationMetrics}), {@code org.sparktrain.partitioning.PartitioningKryo} and
 * {@code org.sparktrain.driver.barrier.TaskReport}; a class added to an RDD, a broadcast or a task result must be
 * added here (or to {@code PartitioningKryo}). {@code driver.cli} and {@code driver.bench} import this package.
 * Must not hold training or data-preparation logic.
 *
 * <p>Design: docs/architecture.md, Modules (the driver owns SparkSession setup and Kryo registration) and
 * decision 3 (minibatch blocks, not rows, on Spark).
 */
package org.sparktrain.driver.spark;
