package org.sparktrain.driver.eval;

import java.util.List;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.metrics.MultiLabelMetrics;
import org.sparktrain.engine.metrics.RegressionMetrics;
import java.util.Locale;

/**
 * Cross-validation results as users of the classic toolbox expect: mean ± sample standard deviation of
 * each metric over the folds, and one row per fold; as a table for people and as JSON (top-level
 * {@code accuracy} and {@code loss} are the means).
 */
public final class Summary {
    private Summary() {
    }

    /** The mean of the values. */
    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n − 1); 0 for one value. */
    public static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    static double[] metric(List<FoldResult> r, String name) {
        double[] v = new double[r.size()];
        for (int i = 0; i < v.length; i++) {
            var metrics = r.get(i).metrics();
            if (metrics instanceof MultiLabelMetrics ml) { // docs/architecture.md, "Multi-label"
                v[i] = switch (name) {
                    case "micro_f1" -> ml.microF1();
                    case "macro_f1" -> ml.macroF1();
                    case "hamming_loss" -> ml.hammingLoss();
                    case "subset_accuracy" -> ml.subsetAccuracy();
                    case "loss" -> ml.loss();
                    default -> throw new IllegalArgumentException(name);
                };
                continue;
            }
            if (metrics instanceof RegressionMetrics g) { // docs/architecture.md, "Regression"
                v[i] = switch (name) {
                    case "rmse" -> g.rmse();
                    case "mae" -> g.mae();
                    case "r2" -> g.r2();
                    case "loss" -> g.loss();
                    default -> throw new IllegalArgumentException(name);
                };
                continue;
            }
            ClassificationMetrics m = (ClassificationMetrics) metrics;
            v[i] = switch (name) {
                case "accuracy" -> m.accuracy();
                case "loss" -> m.logLoss();
                case "macro_f1" -> m.macroF1();
                case "macro_precision" -> m.macroPrecision();
                case "macro_recall" -> m.macroRecall();
                default -> throw new IllegalArgumentException(name);
            };
        }
        return v;
    }

    static final String[] METRICS = {"accuracy", "loss", "macro_f1", "macro_precision", "macro_recall"};
    static final String[] REGRESSION_METRICS = {"rmse", "mae", "r2", "loss"};
    static final String[] MULTI_LABEL_METRICS = {"micro_f1", "macro_f1", "hamming_loss", "subset_accuracy", "loss"};

    /** The metrics the runs report: a classifier's, a regressor's or a multi-label classifier's. */
    static String[] metrics(List<FoldResult> r) {
        if (!r.isEmpty() && r.get(0).metrics() instanceof MultiLabelMetrics) {
            return MULTI_LABEL_METRICS;
        }
        return !r.isEmpty() && r.get(0).metrics() instanceof RegressionMetrics ? REGRESSION_METRICS : METRICS;
    }

    public static String table(String method, List<FoldResult> r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s, %d %s%n", method, r.size(), r.size() == 1 ? "run" : "runs"));
        boolean regression = metrics(r) == REGRESSION_METRICS;
        String[] cols = regression ? new String[] {"rmse", "mae", "r2"}
                : metrics(r) == MULTI_LABEL_METRICS ? new String[] {"micro_f1", "macro_f1", "hamming_loss"}
                : new String[] {"accuracy", "loss", "macro_f1"};
        sb.append(String.format(Locale.ROOT, "%6s %10s %10s %9s %9s %9s %8s%n", "fold", "train", "validate", cols[0],
                cols[1], cols[2], "seconds"));
        for (int i = 0; i < r.size(); i++) {
            FoldResult f = r.get(i);
            List<FoldResult> one = List.of(f);
            sb.append(String.format(Locale.ROOT, "%6d %10d %10d %9.4g %9.4g %9.4f %8.1f%n", f.fold() + 1, f.trainRows(),
                    f.validationRows(), metric(one, cols[0])[0], metric(one, cols[1])[0], metric(one, cols[2])[0],
                    f.seconds()));
        }
        for (String m : metrics(r)) {
            double[] v = metric(r, m);
            sb.append(String.format(Locale.ROOT, "%-16s %.4f ± %.4f%n", m, mean(v), sd(v)));
        }
        return sb.toString();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * The summary as one JSON object (Jackson): method, runs, each metric's mean and standard deviation
     * ({@code m} and {@code m_sd}, null when not finite) and every fold's rows, epochs, seconds and metrics.
     */
    public static String json(String method, List<FoldResult> r) {
        com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode();
        o.put("method", method);
        o.put("runs", r.size());
        for (String m : metrics(r)) {
            double[] v = metric(r, m);
            put(o, m, mean(v));
            put(o, m + "_sd", sd(v));
        }
        com.fasterxml.jackson.databind.node.ArrayNode folds = o.putArray("folds");
        for (FoldResult f : r) {
            com.fasterxml.jackson.databind.node.ObjectNode n = folds.addObject();
            n.put("fold", f.fold() + 1);
            n.put("train_rows", f.trainRows());
            n.put("validation_rows", f.validationRows());
            n.put("epochs", f.epochs());
            put(n, "seconds", f.seconds());
            n.set("metrics", org.sparktrain.driver.report.MetricsJson.node(f.metrics()));
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the summary could not be written as JSON: " + e.getMessage(), e);
        }
    }

    private static void put(com.fasterxml.jackson.databind.node.ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
