package org.sparktrain.engine.metrics;

import java.io.Serializable;
import java.util.Locale;

/**
 * Accumulates the predictions of a classifier over {@code classes} classes and reports accuracy, the
 * confusion matrix, per-class precision / recall / F1, their macro averages and the log-loss.
 *
 * <p>Workers each accumulate their part and the driver {@link #merge}s them: the counts merge exactly,
 * the log-loss sum up to floating-point rounding of the addition order.
 *
 * <p>Definitions (those of scikit-learn with {@code labels = 0..classes−1} and {@code zero_division = 0}):
 * <ul>
 *   <li>confusion[t][p] counts examples of true class t predicted as p (rows = true, columns = predicted);</li>
 *   <li>precision of k = confusion[k][k] / (column k sum), 0 when nothing was predicted as k;</li>
 *   <li>recall of k = confusion[k][k] / (row k sum), 0 when class k never occurs;</li>
 *   <li>F1 = 2·P·R / (P + R), 0 when P + R = 0;</li>
 *   <li>macro averages are plain means over all {@code classes} classes, including absent ones;</li>
 *   <li>log-loss is the mean of −ln p(true class), with p clamped to [1e-15, 1 − 1e-15] so that one
 *       confident mistake costs about 34.5 instead of infinity; probabilities are taken as given
 *       (a softmax output), not renormalised.</li>
 * </ul>
 * With no examples, accuracy and log-loss are NaN (written as {@code null} in JSON).
 *
 * <p>Not thread-safe. Serializable only so that Spark can return partial results from executors.
 */
public final class ClassificationMetrics implements Serializable, Metrics {
    private static final long serialVersionUID = 1L;

    /** Probabilities are clamped to [EPS, 1 − EPS] before the log, as scikit-learn's log_loss did. */
    public static final double LOG_LOSS_EPS = 1e-15;
    private static final double MIN_LOG = Math.log(LOG_LOSS_EPS);
    private static final double MAX_LOG = Math.log1p(-LOG_LOSS_EPS);
    /** The summary prints the confusion matrix only up to this many classes. */
    private static final int SUMMARY_CONFUSION_LIMIT = 20;

    private final int classes;
    private final long[] confusion;
    private long count;
    private double lossSum;
    /** Per-step metrics: the sequences the counted steps belong to (0: an example per row). */
    private long sequences;

    /** An empty accumulator for labels 0..classes−1. */
    public ClassificationMetrics(int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        this.classes = classes;
        this.confusion = new long[Math.multiplyExact(classes, classes)];
    }

    /**
     * Adds one example.
     *
     * @param logProbOfTrueLabel natural log of the probability the model gave the true class
     *     (clamped to [ln 1e-15, ln(1 − 1e-15)]; NaN is kept, so a broken model shows as a NaN loss)
     * @throws IllegalArgumentException if a label is outside 0..classes−1
     */
    public void add(int trueLabel, int predicted, double logProbOfTrueLabel) {
        checkLabel(trueLabel, "true label");
        checkLabel(predicted, "predicted label");
        confusion[trueLabel * classes + predicted]++;
        count++;
        lossSum -= clampLog(logProbOfTrueLabel);
    }

    /**
     * Adds {@code n} examples from their predicted class probabilities: row {@code i} of {@code probs}
     * (row-major, {@code classes} values per row, from index 0) belongs to {@code labels[i]}. The
     * prediction is the most probable class (the lowest index on a tie).
     *
     * @throws IllegalArgumentException if {@code classes} differs from this accumulator's, the arrays are
     *     too short, or a label is outside 0..classes−1 (the message gives the row)
     */
    public void addBatch(float[] probs, int classes, int[] labels, int n) {
        if (classes != this.classes) {
            throw new IllegalArgumentException("probabilities have " + classes
                    + " classes per row but these metrics count " + this.classes + " classes");
        }
        if ((long) n * classes > probs.length || n > labels.length || n < 0) {
            throw new IllegalArgumentException("cannot add " + n + " examples: " + probs.length
                    + " probabilities and " + labels.length + " labels given for " + classes + " classes");
        }
        for (int i = 0; i < n; i++) {
            int label = labels[i];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("row " + i + " has true label " + label
                        + ", outside the classes 0.." + (classes - 1));
            }
            int base = i * classes;
            int best = 0;
            float bestP = probs[base];
            for (int k = 1; k < classes; k++) {
                if (probs[base + k] > bestP) {
                    bestP = probs[base + k];
                    best = k;
                }
            }
            confusion[label * classes + best]++;
            count++;
            lossSum -= clampLog(Math.log(probs[base + label]));
        }
    }

    private static double clampLog(double logP) {
        if (Double.isNaN(logP)) {
            return logP;
        }
        return Math.min(Math.max(logP, MIN_LOG), MAX_LOG);
    }

    private void checkLabel(int label, String what) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException(what + " " + label + " is outside the classes 0.." + (classes - 1));
        }
    }

    /**
     * Adds another accumulator's counts to this one (for combining partial results from workers).
     *
     * @return this
     * @throws IllegalArgumentException if the class counts differ
     */
    public ClassificationMetrics merge(ClassificationMetrics other) {
        if (other.classes != classes) {
            throw new IllegalArgumentException("cannot merge metrics over " + other.classes
                    + " classes into metrics over " + classes + " classes");
        }
        for (int i = 0; i < confusion.length; i++) {
            confusion[i] += other.confusion[i];
        }
        count += other.count;
        lossSum += other.lossSum;
        sequences += other.sequences;
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

    public int classes() {
        return classes;
    }

    /** Number of examples added. */
    public long count() {
        return count;
    }

    /** Fraction of examples predicted correctly; NaN when empty. */
    public double accuracy() {
        if (count == 0) {
            return Double.NaN;
        }
        long correct = 0;
        for (int k = 0; k < classes; k++) {
            correct += confusion[k * classes + k];
        }
        return (double) correct / count;
    }

    /** Mean log-loss (natural log, clamped probabilities); NaN when empty. */
    public double logLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }

    /** Examples of true class {@code t} predicted as {@code p}. */
    public long confusion(int trueLabel, int predicted) {
        checkLabel(trueLabel, "true label");
        checkLabel(predicted, "predicted label");
        return confusion[trueLabel * classes + predicted];
    }

    /** The confusion matrix, rows = true class, columns = predicted class; a copy. */
    public long[][] confusionMatrix() {
        long[][] m = new long[classes][classes];
        for (int t = 0; t < classes; t++) {
            System.arraycopy(confusion, t * classes, m[t], 0, classes);
        }
        return m;
    }

    /** Number of examples whose true class is {@code k}. */
    public long support(int k) {
        checkLabel(k, "class");
        long s = 0;
        for (int p = 0; p < classes; p++) {
            s += confusion[k * classes + p];
        }
        return s;
    }

    private long predictedCount(int k) {
        long s = 0;
        for (int t = 0; t < classes; t++) {
            s += confusion[t * classes + k];
        }
        return s;
    }

    /** Of the examples predicted as {@code k}, the fraction truly {@code k}; 0 when none were predicted as k. */
    public double precision(int k) {
        checkLabel(k, "class");
        long predicted = predictedCount(k);
        return predicted == 0 ? 0 : (double) confusion[k * classes + k] / predicted;
    }

    /** Of the examples truly {@code k}, the fraction predicted as {@code k}; 0 when class k never occurs. */
    public double recall(int k) {
        long support = support(k);
        return support == 0 ? 0 : (double) confusion[k * classes + k] / support;
    }

    /** Harmonic mean of precision and recall of class {@code k}; 0 when both are 0. */
    public double f1(int k) {
        double p = precision(k);
        double r = recall(k);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Mean precision over all classes. */
    public double macroPrecision() {
        double s = 0;
        for (int k = 0; k < classes; k++) {
            s += precision(k);
        }
        return s / classes;
    }

    /** Mean recall over all classes. */
    public double macroRecall() {
        double s = 0;
        for (int k = 0; k < classes; k++) {
            s += recall(k);
        }
        return s / classes;
    }

    /** Mean F1 over all classes (the mean of per-class F1s, not the F1 of the macro P and R). */
    public double macroF1() {
        double s = 0;
        for (int k = 0; k < classes; k++) {
            s += f1(k);
        }
        return s / classes;
    }

    /** The log-loss ({@link Metrics#loss()}). */
    @Override
    public double loss() {
        return logLoss();
    }

    @Override
    public boolean classification() {
        return true;
    }

    /**
     * The metrics as the fields of one JSON object (the driver writes it with Jackson):
     * {@code {"count", "classes", "accuracy", "loss" (log-loss), "macro": {"precision", "recall", "f1"},
     * "per_class": [{"class", "precision", "recall", "f1", "support"}, …], "confusion": [[…], …]}}.
     * NaN is {@code null}.
     */
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
        m.put("classes", classes);
        m.put("accuracy", json(accuracy()));
        m.put("loss", json(logLoss()));
        java.util.Map<String, Object> macro = new java.util.LinkedHashMap<>();
        macro.put("precision", json(macroPrecision()));
        macro.put("recall", json(macroRecall()));
        macro.put("f1", json(macroF1()));
        m.put("macro", macro);
        java.util.List<Object> per = new java.util.ArrayList<>();
        for (int k = 0; k < classes; k++) {
            java.util.Map<String, Object> c = new java.util.LinkedHashMap<>();
            c.put("class", k);
            c.put("precision", json(precision(k)));
            c.put("recall", json(recall(k)));
            c.put("f1", json(f1(k)));
            c.put("support", support(k));
            per.add(c);
        }
        m.put("per_class", per);
        java.util.List<Object> conf = new java.util.ArrayList<>();
        for (int t = 0; t < classes; t++) {
            java.util.List<Object> row = new java.util.ArrayList<>();
            for (int p = 0; p < classes; p++) {
                row.add(confusion[t * classes + p]);
            }
            conf.add(row);
        }
        m.put("confusion", conf);
        return m;
    }

    private static Double json(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * A table for people: totals, one line per class, the macro averages and (up to 20 classes) the
     * confusion matrix.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        if (sequences > 0) {
            sb.append(String.format(Locale.ROOT, "per step: %d real steps over %d sequences (padded steps not"
                    + " counted)%n", count, sequences));
        }
        sb.append(String.format(Locale.ROOT, "examples %d   accuracy %.4f   log-loss %.4f%n",
                count, accuracy(), logLoss()));
        sb.append(String.format(Locale.ROOT, "%8s %10s %10s %10s %10s%n", "class", "precision", "recall", "f1",
                "support"));
        for (int k = 0; k < classes; k++) {
            sb.append(String.format(Locale.ROOT, "%8d %10.4f %10.4f %10.4f %10d%n", k, precision(k), recall(k),
                    f1(k), support(k)));
        }
        sb.append(String.format(Locale.ROOT, "%8s %10.4f %10.4f %10.4f %10d%n", "macro", macroPrecision(),
                macroRecall(), macroF1(), count));
        if (classes <= SUMMARY_CONFUSION_LIMIT) {
            long max = 1;
            for (long c : confusion) {
                max = Math.max(max, c);
            }
            int w = Math.max(Long.toString(max).length(), Integer.toString(classes - 1).length()) + 1;
            sb.append(String.format(Locale.ROOT, "confusion (rows = true, columns = predicted)%n"));
            sb.append(String.format(Locale.ROOT, "%8s", ""));
            for (int p = 0; p < classes; p++) {
                sb.append(String.format(Locale.ROOT, "%" + w + "d", p));
            }
            sb.append(System.lineSeparator());
            for (int t = 0; t < classes; t++) {
                sb.append(String.format(Locale.ROOT, "%8d", t));
                for (int p = 0; p < classes; p++) {
                    sb.append(String.format(Locale.ROOT, "%" + w + "d", confusion[t * classes + p]));
                }
                sb.append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ClassificationMetrics[count=%d, accuracy=%.4f, loss=%.4f]",
                count, accuracy(), logLoss());
    }
}
