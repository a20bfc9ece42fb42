package org.sparktrain.driver.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.driver.train.DistributedTraining;

/**
 * {@code evaluate}'s {@code metrics.jsonl} (docs/architecture.md, "The report"): every run's (fold's, bootstrap
 * round's, learning-curve point's) epoch lines, each with the run's number ({@code fold}, from 1) and whatever
 * else the run adds ({@code fraction}, {@code train_rows}), in run then epoch order, rewritten atomically after
 * every epoch of any run (runs train at once, so the file grows as they go).
 */
final class FoldEpochLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Configuration hadoop;
    private final String file;
    private final Map<Integer, Map<Integer, String>> lines = new TreeMap<>();

    FoldEpochLog(Configuration hadoop, String file) {
        this.hadoop = hadoop;
        this.file = file;
    }

    /** The listener of run {@code fold} (0-based); {@code extra} is added to each of its lines. */
    DistributedTraining.EpochListener run(int fold, Map<String, Object> extra) {
        return new DistributedTraining.EpochListener() {
            @Override
            public void epochEnded(ObjectNode record) {
                ObjectNode line = JSON.createObjectNode();
                line.put("fold", fold + 1);
                extra.forEach((k, v) -> line.set(k, JSON.valueToTree(v)));
                line.setAll(record);
                add(fold, record.path("epoch").asInt(), line);
            }
        };
    }

    private synchronized void add(int fold, int epoch, ObjectNode line) {
        try {
            lines.computeIfAbsent(fold, f -> new TreeMap<>()).put(epoch, JSON.writeValueAsString(line));
            StringBuilder all = new StringBuilder();
            for (Map<Integer, String> run : lines.values()) {
                for (String l : run.values()) {
                    all.append(l).append('\n');
                }
            }
            byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
            AtomicWrite.write(hadoop, file, o -> o.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the epoch log: " + e.getMessage(), e);
        }
    }
}
