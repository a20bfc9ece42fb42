package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;

/** Batch scoring with a saved model: predictions per row, the metrics of the training run, no overwrite. */
class ScoreCommandTest {

    @Test
    void scoresLabelledAndUnlabelledInputWithASavedModel(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 300, 4, 3, 1);
        TinyIdx.write(data, "t10k", 90, 4, 3, 2);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        Path run = dir.resolve("run");
        assertEquals(0, MainTest.run("train", "--model", spec.toString(), "--data", data.toString(), "--out",
                run.toString()).status());
        String trainMetrics = Files.readString(run.resolve("metrics.json"));

        Path preds = dir.resolve("preds");
        Path metrics = dir.resolve("score.json");
        MainTest.Result r = MainTest.run("score", "--model-file", run.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", preds.toString(), "--metrics-out", metrics.toString());
        assertEquals(0, r.status(), r.err());
        // the same model on the same test rows: the metrics the training run reported (here computed from the
        // predictions as written, there by evaluating the network)
        String scored = Files.readString(metrics);
        assertEquals(field(trainMetrics, "accuracy"), field(scored, "accuracy"));
        assertEquals(Double.parseDouble(field(trainMetrics, "loss")), Double.parseDouble(field(scored, "loss")), 1e-12);
        assertEquals(field(trainMetrics, "count"), field(scored, "count"));
        assertTrue(r.out().matches("(?s).*scored 90 rows with .* in [0-9.]+ s \\([0-9]+ rows/s.*"), r.out());
        // the same as CSV (read back with the output's schema)
        Path csvMetrics = dir.resolve("score-csv.json");
        MainTest.Result rc = MainTest.run("score", "--model-file", run.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", dir.resolve("preds-csv").toString(), "--format", "csv", "--metrics-out",
                csvMetrics.toString());
        assertEquals(0, rc.status(), rc.err());
        assertEquals(scored, Files.readString(csvMetrics));
        Dataset<Row> p = TestSpark.session().read().parquet(preds.toString());
        assertEquals(90, p.count());
        Row first = p.orderBy("row_id").first();
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += first.getFloat(first.fieldIndex("prob_" + c));
        }
        assertEquals(1.0, sum, 1e-5);

        // never overwrites
        MainTest.Result again = MainTest.run("score", "--model-file", run.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", preds.toString());
        assertEquals(2, again.status());
        assertTrue(again.err().contains("exists already"), again.err());

        // unlabelled CSV: every column a feature
        Path csv = dir.resolve("rows.csv");
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < 16; j++) {
            sb.append(j == 0 ? "" : ",").append("p").append(j);
        }
        sb.append('\n');
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 16; j++) {
                sb.append(j == 0 ? "" : ",").append(j == i % 3 ? 1.0 : 0.1);
            }
            sb.append('\n');
        }
        Files.writeString(csv, sb.toString());
        Path csvPreds = dir.resolve("csv-preds");
        r = MainTest.run("score", "--model-file", run.resolve("model.sptr").toString(), "--data", csv.toString(),
                "--no-labels", "--format", "csv", "--out", csvPreds.toString());
        assertEquals(0, r.status(), r.err());
        List<Row> rows = TestSpark.session().read().option("header", "true").csv(csvPreds.toString()).collectAsList();
        assertEquals(5, rows.size());
        assertTrue(rows.get(0).schema().fieldNames().length == 2 + 3, "row_id, prediction, 3 probabilities");
    }

    static String field(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\":([0-9.eE+-]+)").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }
}
