package org.sparktrain.engine.layer;

import org.sparktrain.engine.Shape;

/** Reads a {@code [c, h, w]} (or any) example as one vector; the data is already laid out flat, so no copy. */
public final class Flatten extends Layer {

    public record Config() implements LayerConfig {
        @Override
        public String type() {
            return "flatten";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            return Shape.of(in.size());
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new Flatten(layerName, in);
        }
    }

    Flatten(String name, Shape in) {
        super(name, in, Shape.of(in.size()));
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        return x;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        return needInputGrad ? dOut : null;
    }
}
