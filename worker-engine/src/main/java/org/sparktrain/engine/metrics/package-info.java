/**
 * Evaluation metrics behind one small interface, {@link org.sparktrain.engine.metrics.Metrics} (count, the loss early
 * stopping watches, a table, JSON). {@link org.sparktrain.engine.metrics.RegressionMetrics} accumulates a regressor's
 * RMSE, MAE and R² per output and overall (docs/architecture.md, "Regression");
 * {@link org.sparktrain.engine.metrics.MultiLabelMetrics} a multi-label classifier's per-label precision, recall, F1
 * and support, micro and macro F1, Hamming loss and subset accuracy at a decision threshold ("Multi-label").
 * {@link org.sparktrain.engine.metrics.ClassificationMetrics} accumulates a classifier's
 * predictions and reports accuracy, the confusion matrix, per-class precision, recall and F1, their macro averages
 * and the log-loss, with scikit-learn's definitions. Each worker accumulates its part and the driver merges them:
 * the counts merge exactly, the log-loss sum up to the rounding of the addition order. Used for validation and
 * test metrics on one machine and, merged, on Spark.
 *
 * <p>Imports: the JDK only; nothing from the rest of sparktrain. Must not import: Spark, Hadoop,
 * {@code org.sparktrain.partitioning} or {@code org.sparktrain.driver}.
 *
 * <p>Design: docs/architecture.md, The data flow (per epoch: validation metrics) and Modules.
 */
package org.sparktrain.engine.metrics;
