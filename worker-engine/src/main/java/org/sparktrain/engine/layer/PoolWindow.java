package org.sparktrain.engine.layer;

import org.sparktrain.engine.Shape;

/**
 * What the configurations of the pooling layers ({@link MaxPool2D}, {@link AvgPool2D}) share: the window,
 * stride, padding and rounding mode, and the output shape they give (checked by {@link ConvGeometry}).
 */
public interface PoolWindow extends LayerConfig {
    int poolH();

    int poolW();

    int strideH();

    int strideW();

    int padH();

    int padW();

    /** Whether a last, partial window counts (output size rounded up). */
    boolean ceilMode();

    @Override
    default Shape outputShape(Shape in, String layerName) {
        ConvGeometry g = geometry(in, layerName);
        return Shape.of(g.channels, g.outH, g.outW);
    }

    /** The window's geometry over {@code in}; a {@link ShapeException} naming the layer when it does not fit. */
    default ConvGeometry geometry(Shape in, String layerName) {
        return ConvGeometry.of(in, layerName, type(), poolH(), poolW(), strideH(), strideW(), padH(), padW(),
                ceilMode());
    }
}
