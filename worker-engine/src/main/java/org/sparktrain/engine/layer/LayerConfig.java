package org.sparktrain.engine.layer;

import org.sparktrain.engine.Shape;

/**
 * The immutable configuration of one layer, as read from a spec: cheap to ship, holds no buffers.
 * {@link #outputShape} checks that the layer can take the input shape and throws
 * {@link ShapeException} naming the layer and the sizes when it cannot.
 */
public interface LayerConfig {

    /** The spec's type name, e.g. {@code dense}, {@code conv2d}. */
    String type();

    Shape outputShape(Shape in, String layerName);

    Layer create(Shape in, String layerName);
}
