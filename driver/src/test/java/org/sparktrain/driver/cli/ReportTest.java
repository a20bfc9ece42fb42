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
}
