package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A train run's metrics.jsonl and report.html, and {@code sparktrain report DIR} (docs/architecture.md, "The report"). */
class ReportTest {

    @Test
    void aRunLogsEveryEpochAndWritesAReportWithItsNumbers(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 200, 4, 3, 15);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--validation", "0.2", "--workers", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());

        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(3, lines.size(), "one line per epoch of the spec's 3");
        for (int e = 1; e <= 3; e++) {
            JsonNode n = json.readTree(lines.get(e - 1));
            assertEquals(e, n.path("epoch").asInt());
            assertTrue(n.has("loss") && n.has("val_loss") && n.has("val_acc") && n.path("rounds").asInt() > 0, n
                    .toString());
        }
        String html = Files.readString(out.resolve("report.html"));
        assertEquals(2, html.split("src=\"data:image/png;base64,", -1).length - 1, "a loss and an accuracy chart");
        assertTrue(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
                "self-contained");
        JsonNode test = json.readTree(Files.readString(out.resolve("metrics.json")));
        assertTrue(html.contains(String.format(Locale.ROOT, "Test accuracy <b>%.4f</b>", test.path("accuracy")
                .asDouble())), "the summary holds the run's test accuracy");
        assertTrue(html.contains("id=\"confusion\"") && html.contains("id=\"provenance\"")
                && html.contains(">seed<"), "confusion matrix and provenance");
        assertTrue(html.contains(String.format(Locale.ROOT, "<td>%.4f</td>", json.readTree(lines.get(2))
                .path("loss").asDouble())), "the epochs table holds epoch 3's loss");

        Files.delete(out.resolve("report.html"));
        MainTest.Result again = MainTest.run("report", out.toString());
        assertEquals(0, again.status(), again.err());
        assertEquals(html, Files.readString(out.resolve("report.html")), "rebuilt from the same files");

        MainTest.Result none = MainTest.run("report", dir.resolve("nothing").toString());
        assertEquals(1, none.status());
        assertTrue(none.err().contains("no metrics.jsonl, metrics.json or model.sptr"), none.err());
    }

    @Test
    void twoRunsWithDifferentSettingsCompareOnOnePage(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 150, 4, 3, 21);
        Path specA = dir.resolve("a.yaml");
        Files.writeString(specA, MainTest.SPEC);
        Path specB = dir.resolve("b.yaml");
        Files.writeString(specB, MainTest.SPEC.replace("lr: 0.01", "lr: 0.02"));
        Path a = dir.resolve("runs").resolve("slow");
        Path b = dir.resolve("runs").resolve("fast");
        for (String[] run : new String[][] {{specA.toString(), a.toString(), "7"}, {specB.toString(), b.toString(),
            "8"}}) {
            MainTest.Result r = MainTest.run("train", "--model", run[0], "--data", data.toString(), "--epochs", "2",
                    "--validation", "0.2", "--workers", "2", "--seed", run[2], "--out", run[1]);
            assertEquals(0, r.status(), r.err() + r.out());
        }
        MainTest.Result r = MainTest.run("report", a.toString(), b.toString());
        assertEquals(0, r.status(), r.err());
        Path page = dir.resolve("runs").resolve("compare.html");
        assertTrue(r.out().contains("comparison of 2 runs written to " + page), r.out());
        String html = Files.readString(page);
        assertTrue(html.contains("<b>slow</b>: " + a) && html.contains("<b>fast</b>: " + b), "names both runs");
        assertEquals(2, html.split("src=\"data:image/png;base64,", -1).length - 1, "loss and accuracy overlaid");
        assertTrue(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"),
                "self-contained");
        // the final-metrics table holds each run's test accuracy
        ObjectMapper json = new ObjectMapper();
        for (Path run : List.of(a, b)) {
            double acc = json.readTree(Files.readString(run.resolve("metrics.json"))).path("accuracy").asDouble();
            assertTrue(html.contains(String.format(Locale.ROOT, "<td>%.4f</td>", acc)), "test accuracy of " + run);
        }
        // the settings that differ: the seed, the spec's learning rate and the spec's file; not the shared ones
        String settings = html.substring(html.indexOf("id=\"settings\""));
        assertTrue(settings.contains("<tr><th>seed</th><td style=\"text-align:left\">7</td>"
                + "<td style=\"text-align:left\">8</td></tr>"), settings);
        assertTrue(settings.contains("lr: 0.01") && settings.contains("lr: 0.02"), settings);
        assertTrue(settings.contains("<th>spec.source</th>"), settings);
        assertTrue(!settings.contains("<th>workers</th>") && !settings.contains("<th>data</th>")
                && !settings.contains("<th>created</th>"), "shared settings are not listed: " + settings);

        MainTest.Result out = MainTest.run("report", a.toString(), b.toString(), "--out",
                dir.resolve("cmp.html").toString());
        assertEquals(0, out.status(), out.err());
        assertTrue(Files.exists(dir.resolve("cmp.html")));
        MainTest.Result bad = MainTest.run("report", a.toString(), "--out", dir.resolve("x.html").toString());
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--out goes with two or more run directories"), bad.err());
    }

    @Test
    void evaluateRunsCarryProvenanceSoAComparisonShowsTheirSettings(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 150, 4, 3, 23);
        Path specA = dir.resolve("a.yaml");
        Files.writeString(specA, MainTest.SPEC);
        Path specB = dir.resolve("b.yaml");
        Files.writeString(specB, MainTest.SPEC.replace("lr: 0.01", "lr: 0.03"));
        Path train = dir.resolve("runs").resolve("trained");
        Path holdout = dir.resolve("runs").resolve("holdout");
        Path kfold = dir.resolve("runs").resolve("kfold");
        MainTest.Result r = MainTest.run("train", "--model", specA.toString(), "--data", data.toString(), "--epochs",
                "2", "--workers", "2", "--seed", "7", "--out", train.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        r = MainTest.run("evaluate", "--method", "holdout", "--model", specA.toString(), "--data", data.toString(),
                "--epochs", "2", "--workers", "2", "--seed", "8", "--out", holdout.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        r = MainTest.run("evaluate", "--method", "kfold", "--folds", "2", "--model", specB.toString(), "--data",
                data.toString(), "--epochs", "2", "--workers", "1", "--seed", "8", "--scale", "zscore", "--out",
                kfold.toString());
        assertEquals(0, r.status(), r.err() + r.out());

        // metrics.json holds what a train run's model file holds, under the same keys, and the spec's text
        ObjectMapper json = new ObjectMapper();
        JsonNode m = json.readTree(Files.readString(holdout.resolve("metrics.json")));
        JsonNode p = m.path("provenance");
        assertEquals("8", p.path("seed").asText(), m.toString());
        assertEquals(data.toString(), p.path("data").asText());
        assertEquals(specA.toString(), p.path("spec.source").asText());
        assertEquals("2", p.path("workers").asText());
        assertEquals("holdout", p.path("method").asText());
        assertEquals("2", p.path("epochs").asText());
        assertEquals(MainTest.SPEC, m.path("spec").asText());
        java.util.Map<String, String> model;
        try (java.io.InputStream in = Files.newInputStream(train.resolve("model.sptr"))) {
            model = org.sparktrain.engine.io.ModelFile.read(in, "model.sptr").provenance();
        }
        for (String k : List.of("sparktrain.version", "spark.version", "java.version", "master", "spec.sha256",
                "batch.size", "averaging", "transport", "scaling", "resampling", "optimizer")) {
            assertTrue(p.has(k) && model.containsKey(k), "both kinds of run record " + k + ": " + p + " / " + model);
            assertEquals(model.get(k), p.path(k).asText(), k + ": same spec and flags, same value");
        }
        assertTrue(Files.readString(holdout.resolve("report.html")).contains("id=\"provenance\""),
                "an evaluate report shows its provenance");

        // a train run against an evaluate run, and two evaluate runs: the settings that differ, none unknown
        MainTest.Result c = MainTest.run("report", train.toString(), holdout.toString(), "--out",
                dir.resolve("a.html").toString());
        assertEquals(0, c.status(), c.err());
        String settings = Files.readString(dir.resolve("a.html"));
        settings = settings.substring(settings.indexOf("id=\"settings\""));
        assertTrue(!settings.contains("No provenance"), "nothing unknown: " + settings);
        assertTrue(settings.contains("<tr><th>seed</th><td style=\"text-align:left\">7</td>"
                + "<td style=\"text-align:left\">8</td></tr>"), settings);
        assertTrue(!settings.contains("<th>data</th>") && !settings.contains("<th>spec.sha256</th>")
                && !settings.contains("spec (lines"), "the same data and spec are not listed: " + settings);

        c = MainTest.run("report", holdout.toString(), kfold.toString(), "--out", dir.resolve("b.html").toString());
        assertEquals(0, c.status(), c.err());
        settings = Files.readString(dir.resolve("b.html"));
        settings = settings.substring(settings.indexOf("id=\"settings\""));
        assertTrue(!settings.contains("No provenance"), "nothing unknown: " + settings);
        for (String row : List.of("<tr><th>workers</th><td style=\"text-align:left\">2</td>"
                + "<td style=\"text-align:left\">1</td></tr>", "<tr><th>scaling</th><td style=\"text-align:left\">"
                + "none</td><td style=\"text-align:left\">zscore</td></tr>", "<tr><th>method</th><td style=\"text-align:"
                + "left\">holdout</td><td style=\"text-align:left\">kfold</td></tr>")) {
            assertTrue(settings.contains(row), row + " in " + settings);
        }
        assertTrue(settings.contains("lr: 0.01") && settings.contains("lr: 0.03") && settings.contains("<th>spec.sha256"
                + "</th>"), "the specs' differing lines: " + settings);
        assertTrue(!settings.contains("<th>seed</th>") && !settings.contains("<th>created</th>"), settings);
    }
}
