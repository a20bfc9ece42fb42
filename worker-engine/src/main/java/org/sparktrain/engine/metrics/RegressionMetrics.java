package org.sparktrain.engine.metrics;

import java.io.Serializable;
import java.util.Locale;

/**
 * Accumulates a regressor's predictions over {@code outputs} outputs and reports, per output and overall, the
 * root mean squared error, the mean absolute error and R² (docs/architecture.md, "Regression"), plus the mean
 * of the training loss as the caller adds it ({@link #addLoss}; what early stopping on {@code metric: loss}
 * watches).
 *
 * <p>Definitions (scikit-learn's): per output j, {@code RMSE_j = sqrt(Σ(ŷ − y)² / n)}, {@code MAE_j = Σ|ŷ − y| / n},
 * {@code R²_j = 1 − Σ(ŷ − y)² / Σ(y − ȳ)²} (NaN when the targets are constant); overall RMSE and MAE are over all
 * n·k values, overall R² is the mean of the outputs' ({@code multioutput = 'uniform_average'}). The values are
 * in the units the caller passes: the sparktrain callers pass targets and predictions with the target scaler
 * inverted, i.e. in the data's own units.
 *
 * <p>Each worker accumulates its part and the driver {@link #merge}s them: per output the count, the sums of
 * errors, and the targets' mean and sum of squared deviations merged by Chan et al.'s pairwise rule (exact up
 * to rounding, without the cancellation of {@code Σy² − (Σy)²/n}). Memory O(outputs), one pass over the rows.
 * Not thread-safe; Serializable so that Spark can return partial results.
 */
public final class RegressionMetrics implements Serializable, Metrics {
    private static final long serialVersionUID = 1L;

    private final int outputs;
    private long count;
    private final double[] sse;
    private final double[] sae;
    private final double[] mean;
    private final double[] m2;
    private double lossSum;
    private long lossCount;
    /** Per-step metrics: the sequences the counted steps belong to (0: an example per row). */
    private long sequences;

    public RegressionMetrics(int outputs) {
        if (outputs < 1) {
            throw new IllegalArgumentException("a regressor needs at least 1 output, got " + outputs);
        }
        this.outputs = outputs;
        sse = new double[outputs];
        sae = new double[outputs];
        mean = new double[outputs];
        m2 = new double[outputs];
    }

    /** Adds {@code n} rows: {@code predictions} and {@code targets} hold {@code n × outputs} values, row after row. */
    public void addBatch(float[] predictions, float[] targets, int n) {
        for (int r = 0; r < n; r++) {
            count++;
            for (int j = 0; j < outputs; j++) {
                double y = targets[r * outputs + j];
                double e = predictions[r * outputs + j] - y;
                sse[j] += e * e;
                sae[j] += Math.abs(e);
                double d = y - mean[j]; // Welford
                mean[j] += d / count;
                m2[j] += d * (y - mean[j]);
            }
        }
    }

    /** Adds a minibatch's mean loss over its {@code n} rows. */
    public void addLoss(double meanLoss, int n) {
        lossSum += meanLoss * n;
        lossCount += n;
    }

    /** Adds another accumulator's rows (Chan et al.'s pairwise merge of the targets' moments). */
    public RegressionMetrics merge(RegressionMetrics o) {
        if (o.outputs != outputs) {
            throw new IllegalArgumentException("cannot merge metrics of " + o.outputs + " outputs into " + outputs);
        }
        long n = count + o.count;
        for (int j = 0; j < outputs; j++) {
            sse[j] += o.sse[j];
            sae[j] += o.sae[j];
            if (n > 0) {
                double d = o.mean[j] - mean[j];
                m2[j] += o.m2[j] + d * d * ((double) count * o.count / n);
                mean[j] += d * o.count / n;
            }
        }
        count = n;
        lossSum += o.lossSum;
        lossCount += o.lossCount;
        sequences += o.sequences;
        return this;
    }

    /**
     * Per-step metrics (many-to-many, docs/architecture.md, "Variable-length sequences"): notes {@code n} more
     * sequences whose real steps were added as the examples.
     */
    public void addSequences(long n) {
        sequences += n;
    }

    /** The sequences whose real steps are the examples (per-step metrics), 0 for one example per row. */
    public long sequences() {
        return sequences;
    }

    public int outputs() {
        return outputs;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public boolean classification() {
        return false;
    }

    /** Mean of the loss the caller added; NaN when none was. */
    @Override
    public double loss() {
        return lossCount == 0 ? Double.NaN : lossSum / lossCount;
    }

    public double rmse(int j) {
        return count == 0 ? Double.NaN : Math.sqrt(sse[j] / count);
    }

    public double mae(int j) {
        return count == 0 ? Double.NaN : sae[j] / count;
    }

    /** R² of output j: NaN with no rows or constant targets. */
    public double r2(int j) {
        return count == 0 || !(m2[j] > 0) ? Double.NaN : 1 - sse[j] / m2[j];
    }

    public double rmse() {
        double s = 0;
        for (double v : sse) {
            s += v;
        }
        return count == 0 ? Double.NaN : Math.sqrt(s / ((double) count * outputs));
    }

    public double mae() {
        double s = 0;
        for (double v : sae) {
            s += v;
        }
        return count == 0 ? Double.NaN : s / ((double) count * outputs);
    }

    /** Mean of the outputs' R². */
    public double r2() {
        double s = 0;
        for (int j = 0; j < outputs; j++) {
            s += r2(j);
        }
        return s / outputs;
    }

    /** The fields of one JSON object: count, outputs, rmse, mae, r2, loss, per_output; NaN is {@code null}. */
    @Override
    public java.util.Map<String, Object> fields() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("count", count);
        if (sequences > 0) { // per step: count is the real steps
            java.util.Map<String, Object> steps = new java.util.LinkedHashMap<>();
            steps.put("steps", count);
            steps.put("sequences", sequences);
            m.put("per_step", steps);
        }
        m.put("outputs", outputs);
        m.put("rmse", json(rmse()));
        m.put("mae", json(mae()));
        m.put("r2", json(r2()));
        m.put("loss", json(loss()));
        java.util.List<Object> per = new java.util.ArrayList<>();
        for (int j = 0; j < outputs; j++) {
            java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
            o.put("output", j);
            o.put("rmse", json(rmse(j)));
            o.put("mae", json(mae(j)));
            o.put("r2", json(r2(j)));
            per.add(o);
        }
        m.put("per_output", per);
        return m;
    }

    private static Double json(double v) {
        return Double.isFinite(v) ? v : null;
    }

    @Override
    public String summary() {
        StringBuilder sb = new StringBuilder();
        if (sequences > 0) {
            sb.append(String.format(Locale.ROOT, "per step: %d real steps over %d sequences (padded steps not"
                    + " counted)%n", count, sequences));
        }
        sb.append(String.format(Locale.ROOT, "examples %d   rmse %.4f   mae %.4f   r2 %.4f%n", count, rmse(), mae(),
                r2()));
        if (outputs > 1) {
            sb.append(String.format(Locale.ROOT, "%8s %12s %12s %10s%n", "output", "rmse", "mae", "r2"));
            for (int j = 0; j < outputs; j++) {
                sb.append(String.format(Locale.ROOT, "%8d %12.4f %12.4f %10.4f%n", j, rmse(j), mae(j), r2(j)));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "RegressionMetrics[count=%d, rmse=%.4f, mae=%.4f, r2=%.4f]", count, rmse(),
                mae(), r2());
    }
}
