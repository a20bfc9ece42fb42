package org.sparktrain.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.layer.LayerConfig;

/** The layer registry: the message of an unknown type lists the registered names, and aliases read as their type. */
class LayerTypesTest {

    @Test
    void anUnknownTypeListsEveryRegisteredNameInOrder() {
        SpecException e = assertThrows(SpecException.class, () -> LayerParser.parse("densse", "s layer 2"));
        assertEquals("s layer 2 (densse): unknown layer type 'densse' (allowed: dense, conv2d, maxpool2d, avgpool2d, "
                + "batchnorm, dropout, flatten, residual, lstm, gru, simple_rnn, time_distributed, relu, leaky_relu, "
                + "sigmoid, tanh, softmax)", e.getMessage());
    }

    @Test
    void aliasesReadAsTheirType() {
        String[][] pairs = {{"linear", "dense"}, {"conv", "conv2d"}, {"maxpool", "maxpool2d"}, {"avgpool", "avgpool2d"},
            {"batch_norm", "batchnorm"}, {"rnn", "simple_rnn"}, {"time_distributed_dense", "time_distributed"}};
        for (String[] p : pairs) {
            Map<String, Object> keys = switch (p[1]) {
                case "dense", "simple_rnn", "time_distributed" -> Map.of("type", p[0], "units", 2);
                case "conv2d" -> Map.of("type", p[0], "filters", 2, "kernel", 3);
                case "maxpool2d", "avgpool2d" -> Map.of("type", p[0], "size", 2);
                default -> Map.of("type", p[0]);
            };
            List<LayerConfig> alias = LayerParser.parse(keys, "a");
            assertEquals(LayerParser.parse(withType(keys, p[1]), "a"), alias, p[0]);
        }
    }

    @Test
    void theActivationShorthandAddsAnActivationLayer() {
        List<LayerConfig> c = LayerParser.parse(Map.of("type", "dense", "units", 3, "activation", "relu"), "a");
        assertEquals(2, c.size());
        assertEquals("relu", c.get(1).type());
        assertEquals(1, LayerParser.parse(Map.of("type", "dense", "units", 3, "activation", "linear"), "a").size());
    }

    private static Map<String, Object> withType(Map<String, Object> keys, String type) {
        Map<String, Object> m = new java.util.HashMap<>(keys);
        m.put("type", type);
        return m;
    }
}
