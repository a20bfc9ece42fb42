package org.sparktrain.engine.spec;

import java.util.List;
import org.sparktrain.engine.layer.LayerConfig;

/** Reads the convolutional layer types (conv2d, pooling, batchnorm, residual). */
final class ConvLayerParser {
    private ConvLayerParser() {
    }

    /** Adds the configs for {@code type} to {@code out} and returns the main one, or null if unknown. */
    static LayerConfig parse(String type, SpecMap m, String where, List<LayerConfig> out) {
        return null;
    }
}
