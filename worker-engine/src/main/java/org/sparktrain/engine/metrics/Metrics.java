package org.sparktrain.engine.metrics;

/**
 * What every evaluation reports, whatever the task: how many examples, the loss early stopping watches, a table
 * for people and the fields of one JSON object. {@link ClassificationMetrics} (loss = log-loss) and {@link RegressionMetrics}
 * (loss = the spec's regression loss) implement it; code that needs accuracy or RMSE asks for the type.
 */
public interface Metrics {

    /** Examples seen (per-step metrics: real steps). */
    long count();

    /**
     * Per-step metrics of a many-to-many model: the sequences whose real steps are the {@link #count()} examples; 0
     * when every example is a row.
     */
    default long sequences() {
        return 0;
    }

    /** ", per step: N real steps over M sequences" for per-step metrics, else "" (for one-line reports). */
    default String perStepNote() {
        return sequences() == 0 ? "" : ", per step: " + count() + " real steps over " + sequences() + " sequences";
    }

    /** The loss early stopping on {@code metric: loss} minimises (NaN with no examples). */
    double loss();

    /** Whether these are a classifier's metrics (accuracy, confusion matrix). */
    boolean classification();

    /** A table for people. */
    String summary();

    /**
     * The fields of one JSON object, in order, as plain values (numbers, {@code null} for NaN, lists and maps): the
     * engine has no JSON library; the driver writes them with Jackson ({@code driver.report.MetricsJson}).
     */
    java.util.Map<String, Object> fields();
}
