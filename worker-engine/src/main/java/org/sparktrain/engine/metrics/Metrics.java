package org.sparktrain.engine.metrics;

/**
 * What every evaluation reports, whatever the task: how many examples, the loss early stopping watches, a table
 * for people and one JSON object. {@link ClassificationMetrics} (loss = log-loss) and {@link RegressionMetrics}
 * (loss = the spec's regression loss) implement it; code that needs accuracy or RMSE asks for the type.
 */
public interface Metrics {

    /** Examples seen. */
    long count();

    /** The loss early stopping on {@code metric: loss} minimises (NaN with no examples). */
    double loss();

    /** Whether these are a classifier's metrics (accuracy, confusion matrix). */
    boolean classification();

    /** A table for people. */
    String summary();

    /** One JSON object; NaN written as {@code null}. */
    String toJson();
}
