package org.sparktrain.driver.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sparktrain.engine.metrics.Metrics;

/**
 * Metrics as JSON, through Jackson: the engine hands over its fields as plain values ({@link Metrics#fields()}),
 * this writes them (the {@code metrics.json} files of {@code train}, {@code score} and {@code evaluate}).
 */
public final class MetricsJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetricsJson() {
    }

    /** One JSON object, on one line. */
    public static String text(Metrics m) {
        try {
            return JSON.writeValueAsString(m.fields());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metrics could not be written as JSON: " + e.getMessage(), e);
        }
    }

    /** The same object as a tree (to nest it in a larger document). */
    public static JsonNode node(Metrics m) {
        return JSON.valueToTree(m.fields());
    }
}
