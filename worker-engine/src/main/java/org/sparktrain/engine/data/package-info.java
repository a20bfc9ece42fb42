/**
 * The engine's in-memory data types. {@link org.sparktrain.engine.data.MiniBatch} is one packed minibatch:
 * features example after example, class labels and/or float targets, and an optional mask of the real time steps
 * of padded sequences. It is what layers, losses and the training loop consume, and what Spark executors hold
 * instead of rows (the partitioning module's blocks are seen as minibatches over the same arrays).
 * {@link org.sparktrain.engine.data.DataSet} is a whole data set on one machine in the same layout, used by the
 * single-worker trainer, single-machine runs and tests.
 *
 * <p>Imports: the JDK and {@link org.sparktrain.engine.Shape}. Must not import: Spark, Hadoop, or anything from
 * {@code org.sparktrain.partitioning} or {@code org.sparktrain.driver}; the other modules adapt their data to
 * this layout, not the reverse.
 *
 * <p>Design: docs/architecture.md, decision 3 (minibatch blocks, not rows, on Spark) and The data flow.
 */
package org.sparktrain.engine.data;
