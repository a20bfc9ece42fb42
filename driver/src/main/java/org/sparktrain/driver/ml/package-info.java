/**
 * sparktrain as Spark ML stages. {@link org.sparktrain.driver.ml.SparktrainClassifier} is an {@code Estimator}:
 * {@code fit} trains a model spec's network data-parallel on a DataFrame's {@code features} and {@code label}
 * columns, as {@code sparktrain train} does. {@link org.sparktrain.driver.ml.SparktrainClassificationModel} is the
 * fitted {@code Model}: {@code transform} adds {@code probability} and {@code prediction} columns, computed on the
 * executors with the model's fitted scaler applied first. {@code StagePersistence} saves and loads both through
 * Spark ML persistence: Spark's params metadata plus the network as a sparktrain model file, with no Java
 * serialization anywhere, so a {@code PipelineModel} holding these stages saves and loads.
 * {@link org.sparktrain.driver.ml.SparktrainRegressor} and {@link org.sparktrain.driver.ml.SparktrainRegressionModel}
 * are the same for a regression spec ({@code outputs: N}; docs/architecture.md, "Regression"): numeric target
 * column(s), a target scaler fitted in {@code fit} and inverted in {@code transform}'s {@code prediction}.
 *
 * <p>Imports: the JDK, Spark (SQL, ML), Hadoop, the engine, {@code org.sparktrain.partitioning} (readers, split,
 * pipeline) and, from the driver, {@code driver.train} ({@code DistributedTraining}, {@code FoldEpochData},
 * {@code MasterConfig}, {@code AveragingMode}, {@code AtomicWrite}). No other package imports this one. Must not
 * hold engine maths or its own training loop.
 *
 * <p>Design: docs/architecture.md, Modules, decision 6 (safe model files) and decision 7 (storage through Hadoop
 * FileSystem).
 */
package org.sparktrain.driver.ml;
