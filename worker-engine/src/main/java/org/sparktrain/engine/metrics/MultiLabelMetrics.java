package org.sparktrain.engine.metrics;

import java.io.Serializable;
import java.util.Locale;

/**
 * Accumulates a multi-label classifier's decisions over {@code labels} independent yes/no labels
 * (docs/architecture.md, "Multi-label"): per label the true/false positives and negatives, the rows whose every
 * label is right, and the mean of the loss as the caller adds it ({@link #addLoss}; what early stopping watches).
 *
 * <p>Definitions (scikit-learn's, with {@code zero_division = 0}): per label j, precision {@code TP/(TP+FP)},
 * recall {@code TP/(TP+FN)}, F1 {@code 2TP/(2TP+FP+FN)} (0 when a denominator is 0), support {@code TP+FN};
 * micro F1 {@code 2ΣTP/(2ΣTP+ΣFP+ΣFN)} over all labels; macro F1 the mean of the labels' F1; Hamming loss
 * {@code (ΣFP+ΣFN)/(n·K)}, the share of wrong label decisions; subset accuracy the share of rows whose K decisions
 * are all right. A label is decided yes when its probability is at least the threshold.
 *
 * <p>Each worker accumulates its part and the driver {@link #merge}s them (counts add: exact, any order). Memory
 * O(labels), one pass. Not thread-safe; Serializable so that Spark can return partial results.
 */
public final class MultiLabelMetrics implements Serializable, Metrics {
    private static final long serialVersionUID = 1L;

    private final int labels;
    private final long[] tp;
    private final long[] fp;
    private final long[] fn;
    private final long[] tn;
    private long count;
    private long exact;
    private double lossSum;
    private long lossCount;

    public MultiLabelMetrics(int labels) {
        if (labels < 1) {
            throw new IllegalArgumentException("a multi-label classifier needs at least 1 label, got " + labels);
        }
        this.labels = labels;
        tp = new long[labels];
        fp = new long[labels];
        fn = new long[labels];
        tn = new long[labels];
    }

    /**
     * Adds {@code n} rows: {@code probabilities} and {@code targets} (0 or 1) hold {@code n × labels} values, row after
     * row; a label is predicted yes when its probability is {@code >= threshold}.
     */
    public void addBatch(float[] probabilities, float[] targets, int n, double threshold) {
        for (int r = 0; r < n; r++) {
            count++;
            boolean allRight = true;
            for (int j = 0; j < labels; j++) {
                boolean yes = probabilities[r * labels + j] >= threshold;
                boolean truth = targets[r * labels + j] >= 0.5f;
                if (yes && truth) {
                    tp[j]++;
                } else if (yes) {
                    fp[j]++;
                    allRight = false;
                } else if (truth) {
                    fn[j]++;
                    allRight = false;
                } else {
                    tn[j]++;
                }
            }
            if (allRight) {
                exact++;
            }
        }
    }

    /** Adds a minibatch's mean loss over its {@code n} rows. */
    public void addLoss(double meanLoss, int n) {
        lossSum += meanLoss * n;
        lossCount += n;
    }

    /** Adds another accumulator's rows. */
    public MultiLabelMetrics merge(MultiLabelMetrics o) {
        if (o.labels != labels) {
            throw new IllegalArgumentException("cannot merge metrics of " + o.labels + " labels into " + labels);
        }
        for (int j = 0; j < labels; j++) {
            tp[j] += o.tp[j];
            fp[j] += o.fp[j];
            fn[j] += o.fn[j];
            tn[j] += o.tn[j];
        }
        count += o.count;
        exact += o.exact;
        lossSum += o.lossSum;
        lossCount += o.lossCount;
        return this;
    }

    public int labels() {
        return labels;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public boolean classification() {
        return false;
    }

    /** Mean of the loss the caller added (binary cross-entropy per label decision); NaN when none was. */
    @Override
    public double loss() {
        return lossCount == 0 ? Double.NaN : lossSum / lossCount;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    public double precision(int j) {
        return ratio(tp[j], tp[j] + fp[j]);
    }

    public double recall(int j) {
        return ratio(tp[j], tp[j] + fn[j]);
    }

    public double f1(int j) {
        return ratio(2 * tp[j], 2 * tp[j] + fp[j] + fn[j]);
    }

    /** Rows whose label j is yes. */
    public long support(int j) {
        return tp[j] + fn[j];
    }

    public double microPrecision() {
        return ratio(sum(tp), sum(tp) + sum(fp));
    }

    public double microRecall() {
        return ratio(sum(tp), sum(tp) + sum(fn));
    }

    public double microF1() {
        return count == 0 ? Double.NaN : ratio(2 * sum(tp), 2 * sum(tp) + sum(fp) + sum(fn));
    }

    public double macroF1() {
        if (count == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (int j = 0; j < labels; j++) {
            s += f1(j);
        }
        return s / labels;
    }

    /** The share of wrong label decisions. */
    public double hammingLoss() {
        return count == 0 ? Double.NaN : (double) (sum(fp) + sum(fn)) / ((double) count * labels);
    }

    /** The share of rows whose every label is right. */
    public double subsetAccuracy() {
        return count == 0 ? Double.NaN : (double) exact / count;
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += x;
        }
        return s;
    }

    /**
     * The fields of one JSON object: count, labels, micro/macro F1, micro precision/recall, Hamming loss, subset
     * accuracy, loss, per_label; NaN is {@code null}.
     */
    @Override
    public java.util.Map<String, Object> fields() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("count", count);
        m.put("labels", labels);
        m.put("micro_f1", json(microF1()));
        m.put("macro_f1", json(macroF1()));
        m.put("micro_precision", json(microPrecision()));
        m.put("micro_recall", json(microRecall()));
        m.put("hamming_loss", json(hammingLoss()));
        m.put("subset_accuracy", json(subsetAccuracy()));
        m.put("loss", json(loss()));
        java.util.List<Object> per = new java.util.ArrayList<>();
        for (int j = 0; j < labels; j++) {
            java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
            o.put("label", j);
            o.put("precision", json(precision(j)));
            o.put("recall", json(recall(j)));
            o.put("f1", json(f1(j)));
            o.put("support", support(j));
            per.add(o);
        }
        m.put("per_label", per);
        return m;
    }

    private static Double json(double v) {
        return Double.isFinite(v) ? v : null;
    }

    @Override
    public String summary() {
        return summary(null);
    }

    /** As {@link #summary()}, each label named by {@code names[j]} (null or too short: its number). */
    public String summary(java.util.List<String> names) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "examples %d   micro F1 %.4f   macro F1 %.4f   hamming loss %.4f"
                + "   subset accuracy %.4f%n", count, microF1(), macroF1(), hammingLoss(), subsetAccuracy()));
        sb.append(String.format(Locale.ROOT, "%8s %10s %10s %10s %10s%n", "label", "precision", "recall", "f1",
                "support"));
        for (int j = 0; j < labels; j++) {
            String name = names != null && j < names.size() ? names.get(j) : Integer.toString(j);
            sb.append(String.format(Locale.ROOT, "%8s %10.4f %10.4f %10.4f %10d%n", name, precision(j), recall(j),
                    f1(j), support(j)));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "MultiLabelMetrics[count=%d, microF1=%.4f, macroF1=%.4f, hamming=%.4f]",
                count, microF1(), macroF1(), hammingLoss());
    }
}
