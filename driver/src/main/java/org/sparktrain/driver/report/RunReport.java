package org.sparktrain.driver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.sparktrain.engine.io.ModelFile;

/**
 * A run directory's {@code report.html} (docs/architecture.md, "The report"). For {@code evaluate}: the spread of
 * the runs' validation metrics (a bar per fold or bootstrap round), each run's metrics and the confusion matrix
 * summed over the runs. For {@code train}: one self-contained page - charts
 * inlined as PNG, no script, nothing fetched - with loss and accuracy against epochs (from {@code metrics.jsonl}),
 * the test metrics with a per-class table and the confusion matrix as a heat map (from {@code metrics.json}), the
 * epochs' speed and round times, and the model's provenance (from {@code model.sptr}; an {@code evaluate} run's from
 * its {@code metrics.json}). Each part appears when its
 * file is there. Charts are drawn by JFreeChart, headless.
 */
public final class RunReport {
    public static final String FILE = "report.html";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunReport() {
    }

    /** The report of run directory {@code dir} (any Hadoop path). */
    public static String html(Configuration hadoop, String dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        FileSystem fs = new Path(dir).getFileSystem(hadoop);
        List<JsonNode> epochs = new ArrayList<>();
        String log = read(fs, new Path(dir, "metrics.jsonl"));
        if (log != null) {
            for (String line : log.split("\n")) {
                if (!line.isBlank()) {
                    epochs.add(JSON.readTree(line));
                }
            }
        }
        String metricsText = read(fs, new Path(dir, "metrics.json"));
        JsonNode test = metricsText == null ? null : JSON.readTree(metricsText);
        if (test != null && test.has("points")) {
            return learningCurve(dir, test, epochs);
        }
        if (test != null && test.has("folds")) {
            return evaluation(dir, test, epochs);
        }
        Map<String, String> provenance = null;
        Path model = new Path(dir, "model.sptr");
        if (fs.exists(model)) {
            try (InputStream in = fs.open(model)) {
                provenance = ModelFile.read(in, model.toString()).provenance();
            }
        }
        if (epochs.isEmpty() && test == null && provenance == null) {
            throw new IOException(dir + ": no metrics.jsonl, metrics.json or model.sptr to report on");
        }
        StringBuilder h = head(dir);
        // a regressor's metrics (docs/architecture.md, "Regression"): RMSE, MAE, R² instead of accuracy and confusion
        boolean regression = (test != null && test.has("rmse"))
                || epochs.stream().anyMatch(e -> e.has("val_rmse") || e.has("test_rmse"));
        // a multi-label classifier's (docs/architecture.md, "Multi-label"): micro F1 and a per-label table
        boolean multiLabel = (test != null && test.has("micro_f1"))
                || epochs.stream().anyMatch(e -> e.has("val_micro_f1") || e.has("test_micro_f1"));
        String acc = regression ? "rmse" : multiLabel ? "micro_f1" : "acc";
        if (test != null && multiLabel) {
            h.append(String.format(Locale.ROOT, "<p id=\"summary\">Test micro F1 <b>%s</b>, macro F1 %s, Hamming loss"
                    + " %s, subset accuracy %s, loss %s over %d examples%s.</p>%n", fmt(test.path("micro_f1").asDouble()),
                    fmt(test.path("macro_f1").asDouble()), fmt(test.path("hamming_loss").asDouble()),
                    fmt(test.path("subset_accuracy").asDouble()), fmt(test.path("loss").asDouble()),
                    test.path("count").asLong(), provenance != null && provenance.containsKey("threshold")
                            ? " (threshold " + esc(provenance.get("threshold")) + ")" : ""));
        } else if (test != null && regression) {
            h.append(String.format(Locale.ROOT, "<p id=\"summary\">Test RMSE <b>%s</b>, MAE %s, R&sup2; %s over %d"
                    + " examples (in the targets' units).</p>%n", fmt(test.path("rmse").asDouble()),
                    fmt(test.path("mae").asDouble()), fmt(test.path("r2").asDouble()), test.path("count").asLong()));
        } else if (test != null) {
            h.append(String.format(Locale.ROOT, "<p id=\"summary\">Test accuracy <b>%.4f</b>, log-loss %.4f, macro F1"
                    + " %.4f over %d examples.</p>%n", test.path("accuracy").asDouble(), test.path("loss").asDouble(),
                    test.path("macro").path("f1").asDouble(), test.path("count").asLong()));
        }
        if (!epochs.isEmpty()) {
            h.append("<h2 id=\"curves\">Training</h2>\n");
            h.append(img("loss against epochs", chart("Loss", "loss", epochs, "loss", "val_loss")));
            boolean val = epochs.stream().anyMatch(e -> e.has("val_" + acc));
            boolean testAcc = epochs.stream().anyMatch(e -> e.has("test_" + acc));
            if ((val || testAcc) && multiLabel) {
                h.append(img("micro F1 against epochs", chart("Micro F1", "micro F1", epochs,
                        val ? "val_micro_f1" : "test_micro_f1")));
            } else if ((val || testAcc) && regression) {
                h.append(img("RMSE against epochs", chart("RMSE", "rmse", epochs, val ? "val_rmse" : "test_rmse")));
            } else if (val || testAcc) {
                h.append(img("accuracy against epochs", chart("Accuracy", "accuracy", epochs,
                        val ? "val_acc" : "test_acc")));
            }
            h.append("<table id=\"epochs\"><tr><th>epoch</th><th>loss</th><th>validation / test ")
                    .append(regression ? "RMSE" : multiLabel ? "micro F1" : "accuracy").append("</th>")
                    .append("<th>samples/s</th><th>seconds</th><th>rounds</th><th>round ms median / p90</th>")
                    .append("<th>time outside compute</th></tr>\n");
            for (JsonNode e : epochs) {
                double secs = e.path("seconds").asDouble();
                double outside = secs > 0 ? Math.max(0, 1 - e.path("compute_seconds").asDouble() / secs) : 0;
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%s</td><td>%.0f</td><td>%.1f"
                                + "</td><td>%d</td><td>%.1f / %.1f</td><td>%.0f%%</td></tr>%n", e.path("epoch").asInt(),
                        e.path("loss").asDouble(), e.has("val_" + acc) ? fmt(e.path("val_" + acc).asDouble())
                                : e.has("test_" + acc) ? fmt(e.path("test_" + acc).asDouble()) : "",
                        e.path("samples_per_sec").asDouble(), secs, e.path("rounds").asInt(),
                        e.path("round_ms_median").asDouble(), e.path("round_ms_p90").asDouble(), 100 * outside));
            }
            h.append("</table>\n");
        }
        if (test != null && multiLabel) {
            String[] names = provenance != null && provenance.containsKey("labels")
                    ? provenance.get("labels").split(",") : new String[0];
            h.append("<h2 id=\"labels\">Test set, per label</h2>\n<table><tr><th>label</th><th>precision</th>")
                    .append("<th>recall</th><th>F1</th><th>support</th></tr>\n");
            for (JsonNode c : test.path("per_label")) {
                int j = c.path("label").asInt();
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td>"
                                + "</tr>%n", esc(j < names.length ? names[j] : Integer.toString(j)),
                        fmt(c.path("precision").asDouble()), fmt(c.path("recall").asDouble()),
                        fmt(c.path("f1").asDouble()), c.path("support").asLong()));
            }
            h.append("</table>\n");
        } else if (test != null && regression) {
            h.append("<h2 id=\"outputs\">Test set, per output</h2>\n<table><tr><th>output</th><th>rmse</th>")
                    .append("<th>mae</th><th>R&sup2;</th></tr>\n");
            for (JsonNode o : test.path("per_output")) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
                        o.path("output").asInt(), fmt(o.path("rmse").asDouble()), fmt(o.path("mae").asDouble()),
                        fmt(o.path("r2").asDouble())));
            }
            h.append("</table>\n");
        } else if (test != null) {
            h.append("<h2 id=\"classes\">Test set, per class</h2>\n<table><tr><th>class</th><th>precision</th>")
                    .append("<th>recall</th><th>F1</th><th>support</th></tr>\n");
            for (JsonNode c : test.path("per_class")) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td>"
                                + "</tr>%n", c.path("class").asInt(), fmt(c.path("precision").asDouble()),
                        fmt(c.path("recall").asDouble()), fmt(c.path("f1").asDouble()), c.path("support").asLong()));
            }
            h.append("</table>\n<h2 id=\"confusion\">Confusion matrix (rows: true class, columns: predicted;")
                    .append(" shade: share of the row)</h2>\n");
            JsonNode m = test.path("confusion");
            long[][] counts = new long[m.size()][m.size()];
            for (int t = 0; t < m.size(); t++) {
                for (int p = 0; p < m.get(t).size() && p < m.size(); p++) {
                    counts[t][p] = m.get(t).get(p).asLong();
                }
            }
            confusionTable(h, counts);
        }
        provenanceTable(h, provenance);
        return h.append("</body></html>\n").toString();
    }

    /** The provenance section, when there is provenance. */
    private static void provenanceTable(StringBuilder h, Map<String, String> provenance) {
        if (provenance != null) {
            h.append("<h2 id=\"provenance\">Provenance</h2>\n<table>");
            for (Map.Entry<String, String> e : provenance.entrySet()) {
                h.append("<tr><th>").append(esc(e.getKey())).append("</th><td style=\"text-align:left\">")
                        .append(esc(e.getValue())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
    }

    /**
     * The provenance an {@code evaluate} run's {@code metrics.json} holds (it writes no model file), or null for
     * one written before it did.
     */
    static Map<String, String> provenanceOf(JsonNode metrics) {
        if (metrics == null || !metrics.path("provenance").isObject()) {
            return null;
        }
        Map<String, String> p = new java.util.LinkedHashMap<>();
        metrics.path("provenance").fields().forEachRemaining(e -> p.put(e.getKey(), e.getValue().asText()));
        return p;
    }

    /** The report of an {@code evaluate} run: the spread over folds (or bootstrap rounds) and each one's metrics. */
    private static String evaluation(String dir, JsonNode summary, List<JsonNode> epochs) throws IOException {
        if (summary.has("micro_f1")) {
            return multiLabelEvaluation(dir, summary);
        }
        if (summary.has("rmse")) {
            return regressionEvaluation(dir, summary);
        }
        StringBuilder h = head(dir);
        String method = summary.path("method").asText();
        h.append(String.format(Locale.ROOT, "<p id=\"summary\">%s, %d run(s): accuracy <b>%.4f &plusmn; %.4f</b>,"
                        + " log-loss %.4f &plusmn; %.4f, macro F1 %.4f &plusmn; %.4f (mean &plusmn; standard deviation"
                        + " over the runs).</p>%n", esc(method), summary.path("runs").asInt(),
                summary.path("accuracy").asDouble(), summary.path("accuracy_sd").asDouble(),
                summary.path("loss").asDouble(), summary.path("loss_sd").asDouble(),
                summary.path("macro_f1").asDouble(), summary.path("macro_f1_sd").asDouble()));
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        for (JsonNode f : summary.path("folds")) {
            bars.addValue(f.path("metrics").path("accuracy").asDouble(), "validation accuracy",
                    Integer.toString(f.path("fold").asInt()));
        }
        JFreeChart chart = ChartFactory.createBarChart("Validation accuracy per run", method.equals("bootstrap")
                ? "bootstrap round" : "fold", "accuracy", bars, PlotOrientation.VERTICAL, false, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        valueAxis((NumberAxis) chart.getCategoryPlot().getRangeAxis());
        if (!epochs.isEmpty()) {
            // every run's curves on one chart: a colour per run, training loss solid, validation dashed
            h.append("<h2 id=\"curves\">Every run's epochs</h2>\n");
            String run = method.equals("bootstrap") ? "round " : "fold ";
            h.append(img("every run's loss against epochs", runsChart("Loss per run", "loss", epochs, "fold", run,
                    "loss", "val_loss")));
            if (epochs.stream().anyMatch(e -> e.has("val_acc"))) {
                h.append(img("every run's validation accuracy against epochs", runsChart("Validation accuracy per run",
                        "accuracy", epochs, "fold", run, "val_acc")));
            }
        }
        h.append("<h2 id=\"spread\">Spread</h2>\n").append(img("validation accuracy per run", chart));
        h.append("<table id=\"runs\"><tr><th>run</th><th>training rows</th><th>validation rows</th><th>epochs</th>")
                .append("<th>accuracy</th><th>log-loss</th><th>macro F1</th><th>seconds</th></tr>\n");
        long[][] confusion = null;
        for (JsonNode f : summary.path("folds")) {
            JsonNode m = f.path("metrics");
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td><td>%s"
                            + "</td><td>%s</td><td>%.1f</td></tr>%n", f.path("fold").asInt(), f.path("train_rows")
                            .asLong(), f.path("validation_rows").asLong(), f.path("epochs").asInt(),
                    fmt(m.path("accuracy").asDouble()), fmt(m.path("loss").asDouble()),
                    fmt(m.path("macro").path("f1").asDouble()), f.path("seconds").asDouble()));
            JsonNode c = m.path("confusion");
            if (confusion == null) {
                confusion = new long[c.size()][c.size()];
            }
            for (int t = 0; t < c.size() && t < confusion.length; t++) {
                for (int p = 0; p < c.get(t).size() && p < confusion.length; p++) {
                    confusion[t][p] += c.get(t).get(p).asLong();
                }
            }
        }
        h.append("</table>\n");
        if (confusion != null) {
            h.append("<h2 id=\"confusion\">Confusion matrix over all runs' validation rows (rows: true class, columns:")
                    .append(" predicted; shade: share of the row)</h2>\n");
            confusionTable(h, confusion);
        }
        provenanceTable(h, provenanceOf(summary));
        return h.append("</body></html>\n").toString();
    }

    /**
     * The report of {@code evaluate --learning-curve}: training and validation error (and loss) against the training
     * rows, the reading with its numbers, a row per size, and each size's epochs.
     */
    private static String learningCurve(String dir, JsonNode curve, List<JsonNode> epochs) throws IOException {
        StringBuilder h = head(dir);
        h.append("<p id=\"reading\">").append(esc(curve.path("reading").path("text").asText())).append("</p>\n");
        XYSeriesCollection errors = new XYSeriesCollection();
        XYSeriesCollection losses = new XYSeriesCollection();
        XYSeries te = new XYSeries("training error");
        XYSeries ve = new XYSeries("validation error");
        XYSeries tl = new XYSeries("training loss");
        XYSeries vl = new XYSeries("validation loss");
        for (JsonNode p : curve.path("points")) {
            long n = p.path("train_rows").asLong();
            te.add(n, 1 - p.path("train_acc").asDouble());
            ve.add(n, 1 - p.path("val_acc").asDouble());
            if (Double.isFinite(p.path("train_loss").asDouble()) && Double.isFinite(p.path("val_loss").asDouble())) {
                tl.add(n, p.path("train_loss").asDouble());
                vl.add(n, p.path("val_loss").asDouble());
            }
        }
        errors.addSeries(te);
        errors.addSeries(ve);
        losses.addSeries(tl);
        losses.addSeries(vl);
        h.append("<h2 id=\"learning-curve\">Learning curve</h2>\n")
                .append(img("training and validation error against training rows", sizeChart("Learning curve: "
                        + curve.path("reading").path("words").asText("error"), "error (1 - accuracy)", errors)))
                .append(img("training and validation loss against training rows", sizeChart("Learning curve: loss",
                        "loss", losses)));
        h.append(String.format(Locale.ROOT, "<p>Validated on %d rows (%s of the data), the same rows for every size;"
                        + " the training rows are nested subsets of the training part (seed %d).</p>%n",
                curve.path("validation_rows").asLong(), fmtShare(curve.path("validation_fraction").asDouble()),
                curve.path("seed").asLong()));
        h.append("<table id=\"points\"><tr><th>fraction</th><th>training rows</th><th>training loss</th>")
                .append("<th>training error</th><th>validation loss</th><th>validation error</th><th>gap</th>")
                .append("<th>epochs</th><th>seconds</th></tr>\n");
        for (JsonNode p : curve.path("points")) {
            double te1 = 1 - p.path("train_acc").asDouble();
            double ve1 = 1 - p.path("val_acc").asDouble();
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s"
                            + "</td><td>%s</td><td>%d</td><td>%.1f</td></tr>%n",
                    fmtShare(p.path("fraction").asDouble()),
                    p.path("train_rows").asLong(), fmt(p.path("train_loss").asDouble()), fmt(te1),
                    fmt(p.path("val_loss").asDouble()), fmt(ve1), fmt(ve1 - te1), p.path("epochs").asInt(),
                    p.path("seconds").asDouble()));
        }
        h.append("</table>\n");
        if (!epochs.isEmpty()) {
            h.append("<h2 id=\"curves\">Every size's epochs</h2>\n").append(img("loss against epochs per size",
                    runsChart("Loss per training-set size", "loss", epochs, "train_rows", "rows ", "loss",
                            "val_loss")));
        }
        provenanceTable(h, provenanceOf(curve));
        return h.append("</body></html>\n").toString();
    }

    private static JFreeChart sizeChart(String title, String yLabel, XYSeriesCollection data) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, "training rows", yLabel, data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        return chart;
    }

    private static String fmtShare(double fraction) {
        return java.math.BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    /**
     * An {@code evaluate} run of a multi-label spec (docs/architecture.md, "Multi-label"): micro F1 per run, each run's
     * micro and macro F1, Hamming loss, subset accuracy and loss.
     */
    private static String multiLabelEvaluation(String dir, JsonNode summary) throws IOException {
        StringBuilder h = head(dir);
        String method = summary.path("method").asText();
        h.append(String.format(Locale.ROOT, "<p id=\"summary\">%s, %d run(s): micro F1 <b>%s &plusmn; %s</b>, macro F1"
                        + " %s &plusmn; %s, Hamming loss %s &plusmn; %s (mean &plusmn; standard deviation over the runs)."
                        + "</p>%n", esc(method), summary.path("runs").asInt(),
                fmt(summary.path("micro_f1").asDouble()), fmt(summary.path("micro_f1_sd").asDouble()),
                fmt(summary.path("macro_f1").asDouble()), fmt(summary.path("macro_f1_sd").asDouble()),
                fmt(summary.path("hamming_loss").asDouble()), fmt(summary.path("hamming_loss_sd").asDouble())));
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        for (JsonNode f : summary.path("folds")) {
            bars.addValue(f.path("metrics").path("micro_f1").asDouble(), "validation micro F1",
                    Integer.toString(f.path("fold").asInt()));
        }
        JFreeChart chart = ChartFactory.createBarChart("Validation micro F1 per run", method.equals("bootstrap")
                ? "bootstrap round" : "fold", "micro F1", bars, PlotOrientation.VERTICAL, false, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        h.append("<h2 id=\"spread\">Spread</h2>\n").append(img("validation micro F1 per run", chart));
        h.append("<table id=\"runs\"><tr><th>run</th><th>training rows</th><th>validation rows</th><th>epochs</th>")
                .append("<th>micro F1</th><th>macro F1</th><th>Hamming loss</th><th>subset accuracy</th><th>loss</th>")
                .append("<th>seconds</th></tr>\n");
        for (JsonNode f : summary.path("folds")) {
            JsonNode m = f.path("metrics");
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td><td>%s"
                            + "</td><td>%s</td><td>%s</td><td>%s</td><td>%.1f</td></tr>%n", f.path("fold").asInt(),
                    f.path("train_rows").asLong(), f.path("validation_rows").asLong(), f.path("epochs").asInt(),
                    fmt(m.path("micro_f1").asDouble()), fmt(m.path("macro_f1").asDouble()),
                    fmt(m.path("hamming_loss").asDouble()), fmt(m.path("subset_accuracy").asDouble()),
                    fmt(m.path("loss").asDouble()), f.path("seconds").asDouble()));
        }
        return h.append("</table>\n</body></html>\n").toString();
    }

    /** An {@code evaluate} run of a regression spec: RMSE per run, each run's RMSE, MAE and R². */
    private static String regressionEvaluation(String dir, JsonNode summary) throws IOException {
        StringBuilder h = head(dir);
        String method = summary.path("method").asText();
        h.append(String.format(Locale.ROOT, "<p id=\"summary\">%s, %d run(s): RMSE <b>%s &plusmn; %s</b>, MAE %s"
                        + " &plusmn; %s, R&sup2; %s &plusmn; %s (mean &plusmn; standard deviation over the runs; in the"
                        + " targets' units).</p>%n", esc(method), summary.path("runs").asInt(),
                fmt(summary.path("rmse").asDouble()), fmt(summary.path("rmse_sd").asDouble()),
                fmt(summary.path("mae").asDouble()), fmt(summary.path("mae_sd").asDouble()),
                fmt(summary.path("r2").asDouble()), fmt(summary.path("r2_sd").asDouble())));
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        for (JsonNode f : summary.path("folds")) {
            bars.addValue(f.path("metrics").path("rmse").asDouble(), "validation RMSE",
                    Integer.toString(f.path("fold").asInt()));
        }
        JFreeChart chart = ChartFactory.createBarChart("Validation RMSE per run", method.equals("bootstrap")
                ? "bootstrap round" : "fold", "rmse", bars, PlotOrientation.VERTICAL, false, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        h.append("<h2 id=\"spread\">Spread</h2>\n").append(img("validation RMSE per run", chart));
        h.append("<table id=\"runs\"><tr><th>run</th><th>training rows</th><th>validation rows</th><th>epochs</th>")
                .append("<th>rmse</th><th>mae</th><th>R&sup2;</th><th>seconds</th></tr>\n");
        for (JsonNode f : summary.path("folds")) {
            JsonNode m = f.path("metrics");
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td><td>%s"
                            + "</td><td>%s</td><td>%.1f</td></tr>%n", f.path("fold").asInt(), f.path("train_rows")
                            .asLong(), f.path("validation_rows").asLong(), f.path("epochs").asInt(),
                    fmt(m.path("rmse").asDouble()), fmt(m.path("mae").asDouble()), fmt(m.path("r2").asDouble()),
                    f.path("seconds").asDouble()));
        }
        return h.append("</table>\n</body></html>\n").toString();
    }

    static StringBuilder head(String dir) {
        return page("sparktrain report: " + dir, "sparktrain run " + dir);
    }

    /** The page's start: its title, the shared style (no script, nothing fetched), the heading. */
    static StringBuilder page(String title, String heading) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:72em}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .6em;")
                .append("text-align:right}th{background:#eee}h2{margin-top:1.5em}</style></head><body>\n")
                .append("<h1>").append(esc(heading)).append("</h1>\n");
        return h;
    }

    /** A confusion matrix as a heat map: each cell shaded by its share of the row. */
    private static void confusionTable(StringBuilder h, long[][] m) {
        h.append("<table><tr><th></th>");
        for (int p = 0; p < m.length; p++) {
            h.append("<th>").append(p).append("</th>");
        }
        h.append("</tr>\n");
        for (int t = 0; t < m.length; t++) {
            long row = 0;
            for (long v : m[t]) {
                row += v;
            }
            h.append("<tr><th>").append(t).append("</th>");
            for (long v : m[t]) {
                double share = row == 0 ? 0 : (double) v / row;
                int shade = (int) Math.round(255 - 200 * share);
                h.append(String.format(Locale.ROOT, "<td style=\"background:rgb(%d,%d,255)\">%d</td>", shade, shade,
                        v));
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** Smallest span of a value axis: a flat curve (every epoch alike) gets readable ticks, not 1e-8 apart. */
    static final double MIN_VALUE_SPAN = 0.01;

    /** A loss or accuracy axis: fitted to the values, not stretched to zero, at least {@link #MIN_VALUE_SPAN} wide. */
    private static void valueAxis(NumberAxis axis) {
        axis.setAutoRangeIncludesZero(false);
        axis.setAutoRangeMinimumSize(MIN_VALUE_SPAN);
    }

    private static JFreeChart chart(String title, String yLabel, List<JsonNode> epochs, String... keys) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String key : keys) {
            XYSeries s = new XYSeries(key);
            for (JsonNode e : epochs) {
                if (e.has(key) && Double.isFinite(e.path(key).asDouble())) {
                    s.add(e.path("epoch").asInt(), e.path(key).asDouble());
                }
            }
            if (s.getItemCount() > 0) {
                data.addSeries(s);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // epochs are whole
        valueAxis((NumberAxis) plot.getRangeAxis());
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true); // a point per epoch
        plot.setRenderer(r);
        return chart;
    }

    /**
     * Curves of several runs on one chart: the lines of {@code lines} grouped by their {@code groupKey} value (the
     * runs' order kept), one series per (run, key) named {@code label + value + " " + key}; a colour per run, the
     * first key drawn solid and the others dashed.
     */
    static JFreeChart runsChart(String title, String yLabel, List<JsonNode> lines, String groupKey, String label,
                                String... keys) {
        Map<String, List<JsonNode>> runs = new java.util.LinkedHashMap<>();
        for (JsonNode l : lines) {
            runs.computeIfAbsent(l.path(groupKey).asText(), k -> new ArrayList<>()).add(l);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        List<int[]> style = new ArrayList<>(); // {run index, key index} per series
        int run = 0;
        for (Map.Entry<String, List<JsonNode>> r : runs.entrySet()) {
            for (int k = 0; k < keys.length; k++) {
                XYSeries s = new XYSeries(label + r.getKey() + " " + keys[k]);
                for (JsonNode e : r.getValue()) {
                    if (e.has(keys[k]) && Double.isFinite(e.path(keys[k]).asDouble())) {
                        s.add(e.path("epoch").asInt(), e.path(keys[k]).asDouble());
                    }
                }
                if (s.getItemCount() > 0) {
                    data.addSeries(s);
                    style.add(new int[] {run, k});
                }
            }
            run++;
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        valueAxis((NumberAxis) plot.getRangeAxis());
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < style.size(); i++) {
            r.setSeriesPaint(i, colour(style.get(i)[0], runs.size()));
            if (style.get(i)[1] > 0) {
                r.setSeriesStroke(i, new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT,
                        java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            }
        }
        plot.setRenderer(r);
        return chart;
    }

    /** The i-th of n colours spread around the hue circle (darker than pure, to show on white). */
    static Color colour(int i, int n) {
        return Color.getHSBColor((float) i / Math.max(1, n), 0.85f, 0.75f);
    }

    static String img(String alt, JFreeChart chart) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(png, chart, 720, 360);
        return "<p><img alt=\"" + esc(alt) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png.toByteArray()) + "\"></p>\n";
    }

    static String read(FileSystem fs, Path p) throws IOException {
        if (!fs.exists(p)) {
            return null;
        }
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
