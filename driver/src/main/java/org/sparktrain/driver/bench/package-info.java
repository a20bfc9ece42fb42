/**
 * The benchmarks behind {@code scripts/bench}, each printing one JSON line per measurement.
 * {@link org.sparktrain.driver.bench.Bench} is the entry point: it trains a benchmark model on Fashion-MNIST on one
 * thread ({@code --mode single}, timing the training loop only; {@code --inference} adds test-set inference) or
 * hands over to {@code SparkBench} ({@code --mode spark}), which trains data-parallel on Spark with W workers and
 * K steps per round over either transport and reports the rounds' wall times and the share that is not compute.
 * {@code DataScaleBench} ({@code --pipeline --rows N}) times data preparation at Spark scale (CSV or Parquet)
 * beside Spark's own read of the same file.
 *
 * <p>Imports: the JDK, Spark, Jackson, the engine, {@code org.sparktrain.partitioning} and
 * {@code org.sparktrain.partitioning.bench}, and the driver packages {@code barrier}, {@code cli}, {@code spark}
 * and {@code train}. No other package imports this one. Must not hold engine maths or training logic of its own.
 *
 * <p>Design: docs/architecture.md, Measured facts (the numbers these benchmarks produce) and decision 4.
 */
package org.sparktrain.driver.bench;
