package org.sparktrain.driver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * Several run directories on one page (docs/architecture.md, "The report"): their loss and accuracy curves overlaid
 * (a colour per run), a table of final metrics, and the settings that differ, from each run's provenance and spec
 * ({@code model.sptr}; an {@code evaluate} run's {@code metrics.json}). A {@code train} run shows its epochs; an
 * {@code evaluate} run the mean over its folds of each epoch and its summary. Self-contained as {@link RunReport}'s pages.
 */
public final class RunComparison {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Provenance that differs between any two runs and says nothing about their settings. */
    private static final Set<String> NOT_SETTINGS = Set.of("created");

    private RunComparison() {
    }

    /** What one run directory holds. */
    record Run(String dir, String label, List<JsonNode> epochs, JsonNode metrics, Map<String, String> provenance,
               String spec) {
        boolean evaluation() {
            return metrics != null && (metrics.has("folds") || metrics.has("points"));
        }
    }

    /** The comparison page of {@code dirs} (any Hadoop paths; at least two). */
    public static String html(Configuration hadoop, List<String> dirs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (dirs.size() < 2) {
            throw new IllegalArgumentException("a comparison needs two or more run directories, got " + dirs);
        }
        List<Run> runs = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        boolean distinctNames = true;
        for (String d : dirs) {
            distinctNames &= names.add(new Path(d).getName());
        }
        for (String d : dirs) {
            runs.add(load(hadoop, d, distinctNames ? new Path(d).getName() : d));
        }
        StringBuilder h = RunReport.page("sparktrain comparison: " + String.join(", ", dirs),
                "sparktrain: " + runs.size() + " runs compared");
        h.append("<ul id=\"runs\">\n");
        for (Run r : runs) {
            h.append("<li><b>").append(RunReport.esc(r.label())).append("</b>: ").append(RunReport.esc(r.dir()))
                    .append("</li>\n");
        }
        h.append("</ul>\n");

        List<JsonNode> lines = new ArrayList<>();
        for (Run r : runs) {
            for (JsonNode e : epochCurve(r)) {
                ObjectNode l = ((ObjectNode) e).deepCopy();
                l.put("run", r.label());
                lines.add(l);
            }
        }
        if (!lines.isEmpty()) {
            h.append("<h2 id=\"curves\">Curves (a colour per run; training solid, validation or test dashed)</h2>\n");
            h.append(RunReport.img("loss against epochs, every run", RunReport.runsChart("Loss", "loss", lines, "run",
                    "", "loss", "val_loss")));
            if (lines.stream().anyMatch(l -> l.has("val_acc") || l.has("test_acc"))) {
                h.append(RunReport.img("accuracy against epochs, every run", RunReport.runsChart("Accuracy",
                        "accuracy", lines, "run", "", "val_acc", "test_acc")));
            }
        }

        h.append("<h2 id=\"final\">Final metrics</h2>\n<table><tr><th>run</th><th>kind</th><th>epochs</th>")
                .append("<th>last training loss</th><th>last validation / test accuracy</th><th>accuracy</th>")
                .append("<th>log-loss</th><th>macro F1</th></tr>\n");
        for (Run r : runs) {
            finalRow(h, r);
        }
        h.append("</table>\n<p>accuracy, log-loss and macro F1: a train run's test set; an evaluate run's mean")
                .append(" &plusmn; standard deviation over its folds; a learning curve's largest size on its")
                .append(" validation rows.</p>\n");

        h.append("<h2 id=\"settings\">Settings that differ</h2>\n");
        Map<String, List<String>> differ = differingSettings(runs);
        List<String> unknown = runs.stream().filter(r -> r.provenance() == null).map(Run::label).toList();
        if (!unknown.isEmpty()) {
            h.append("<p>No provenance or spec (no model.sptr, or a metrics.json written before evaluate recorded"
                    + " them) in: ").append(RunReport.esc(String.join(", ",
                    unknown))).append(".</p>\n");
        }
        if (differ.isEmpty()) {
            h.append("<p>None: the runs' provenance and specs agree (besides when they were made).</p>\n");
        } else {
            h.append("<table><tr><th>setting</th>");
            for (Run r : runs) {
                h.append("<th>").append(RunReport.esc(r.label())).append("</th>");
            }
            h.append("</tr>\n");
            for (Map.Entry<String, List<String>> e : differ.entrySet()) {
                h.append("<tr><th>").append(RunReport.esc(e.getKey())).append("</th>");
                for (String v : e.getValue()) {
                    h.append("<td style=\"text-align:left\">").append(RunReport.esc(v).replace("\n", "<br>"))
                            .append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    /**
     * Settings whose values are not the same in every run that has provenance: each provenance key (but
     * {@link #NOT_SETTINGS}) with one value per run ("-" where a run lacks it), and {@code spec}: each run's spec
     * lines that not every spec holds.
     */
    static Map<String, List<String>> differingSettings(List<Run> runs) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Set<String> keys = new TreeSet<>();
        for (Run r : runs) {
            if (r.provenance() != null) {
                keys.addAll(r.provenance().keySet());
            }
        }
        keys.removeAll(NOT_SETTINGS);
        for (String k : keys) {
            List<String> values = new ArrayList<>();
            for (Run r : runs) {
                values.add(r.provenance() == null ? "?" : r.provenance().getOrDefault(k, "-"));
            }
            if (values.stream().filter(v -> !v.equals("?")).distinct().count() > 1) {
                out.put(k, values);
            }
        }
        List<Set<String>> specLines = new ArrayList<>();
        for (Run r : runs) {
            specLines.add(r.spec() == null ? null : new LinkedHashSet<>(r.spec().lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()));
        }
        Set<String> common = null;
        for (Set<String> s : specLines) {
            if (s != null) {
                if (common == null) {
                    common = new LinkedHashSet<>(s);
                } else {
                    common.retainAll(s);
                }
            }
        }
        Set<String> shared = common == null ? Set.of() : common;
        boolean specsDiffer = false;
        List<String> own = new ArrayList<>();
        for (Set<String> s : specLines) {
            if (s == null) {
                own.add("?");
                continue;
            }
            List<String> mine = s.stream().filter(l -> !shared.contains(l)).toList();
            specsDiffer |= !mine.isEmpty();
            own.add(String.join("\n", mine));
        }
        if (specsDiffer) {
            out.put("spec (lines not in every spec)", own);
        }
        return out;
    }

    /** A train run's epochs, or an evaluate run's mean over its folds per epoch (none for a learning curve). */
    static List<JsonNode> epochCurve(Run r) {
        if (r.metrics() != null && r.metrics().has("points")) {
            return List.of();
        }
        if (r.epochs().stream().noneMatch(e -> e.has("fold"))) {
            return r.epochs();
        }
        Map<Integer, List<JsonNode>> byEpoch = new TreeMap<>();
        for (JsonNode e : r.epochs()) {
            byEpoch.computeIfAbsent(e.path("epoch").asInt(), k -> new ArrayList<>()).add(e);
        }
        List<JsonNode> out = new ArrayList<>();
        for (Map.Entry<Integer, List<JsonNode>> e : byEpoch.entrySet()) {
            ObjectNode m = JSON.createObjectNode();
            m.put("epoch", e.getKey());
            for (String k : new String[] {"loss", "val_loss", "val_acc", "test_acc"}) {
                double sum = 0;
                int n = 0;
                for (JsonNode l : e.getValue()) {
                    if (l.has(k) && Double.isFinite(l.path(k).asDouble())) {
                        sum += l.path(k).asDouble();
                        n++;
                    }
                }
                if (n > 0) {
                    m.put(k, sum / n);
                }
            }
            out.add(m);
        }
        return out;
    }

    private static void finalRow(StringBuilder h, Run r) {
        List<JsonNode> curve = epochCurve(r);
        JsonNode last = curve.isEmpty() ? null : curve.get(curve.size() - 1);
        JsonNode m = r.metrics();
        String kind;
        String acc = "";
        String loss = "";
        String f1 = "";
        if (m != null && m.has("points")) {
            kind = "learning curve";
            JsonNode p = m.path("points").get(m.path("points").size() - 1);
            acc = RunReport.fmt(p.path("val_acc").asDouble());
            loss = RunReport.fmt(p.path("val_loss").asDouble());
        } else if (m != null && m.has("folds")) {
            kind = "evaluate " + m.path("method").asText() + " (" + m.path("runs").asInt() + " runs)";
            acc = pm(m, "accuracy");
            loss = pm(m, "loss");
            f1 = pm(m, "macro_f1");
        } else {
            kind = "train";
            if (m != null) {
                acc = RunReport.fmt(m.path("accuracy").asDouble());
                loss = RunReport.fmt(m.path("loss").asDouble());
                f1 = RunReport.fmt(m.path("macro").path("f1").asDouble());
            }
        }
        String lastAcc = last == null ? "" : last.has("val_acc") ? RunReport.fmt(last.path("val_acc").asDouble())
                : last.has("test_acc") ? RunReport.fmt(last.path("test_acc").asDouble()) : "";
        h.append("<tr><td>").append(RunReport.esc(r.label())).append("</td><td style=\"text-align:left\">")
                .append(RunReport.esc(kind)).append("</td><td>").append(last == null ? "" : last.path("epoch").asInt())
                .append("</td><td>").append(last == null ? "" : RunReport.fmt(last.path("loss").asDouble()))
                .append("</td><td>").append(lastAcc).append("</td><td>").append(acc).append("</td><td>").append(loss)
                .append("</td><td>").append(f1).append("</td></tr>\n");
    }

    private static String pm(JsonNode m, String key) {
        return String.format(Locale.ROOT, "%.4f &plusmn; %.4f", m.path(key).asDouble(), m.path(key + "_sd")
                .asDouble());
    }

    static Run load(Configuration hadoop, String dir, String label) throws IOException {
        FileSystem fs = new Path(dir).getFileSystem(hadoop);
        List<JsonNode> epochs = new ArrayList<>();
        String log = RunReport.read(fs, new Path(dir, "metrics.jsonl"));
        if (log != null) {
            for (String line : log.split("\n")) {
                if (!line.isBlank()) {
                    epochs.add(JSON.readTree(line));
                }
            }
        }
        String metricsText = RunReport.read(fs, new Path(dir, "metrics.json"));
        JsonNode metrics = metricsText == null ? null : JSON.readTree(metricsText);
        Map<String, String> provenance = null;
        String spec = null;
        Path model = new Path(dir, "model.sptr");
        if (fs.exists(model)) {
            try (InputStream in = fs.open(model)) {
                ModelContents c = ModelFile.read(in, model.toString());
                provenance = c.provenance();
                spec = c.spec();
            }
        }
        if (provenance == null && metrics != null && metrics.path("provenance").isObject()) {
            // an evaluate run writes no model file: its metrics.json holds the provenance and the spec's text
            provenance = RunReport.provenanceOf(metrics);
            spec = metrics.path("spec").isTextual() ? metrics.path("spec").asText() : null;
        }
        if (epochs.isEmpty() && metrics == null && provenance == null) {
            throw new IOException(dir + ": no metrics.jsonl, metrics.json or model.sptr to compare");
        }
        return new Run(dir, label, epochs, metrics, provenance, spec);
    }
}
