package org.sparktrain.engine.layer;

/** A spec whose sizes do not work out; the message names the layer and the shapes. */
public final class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeException(String message) {
        super(message);
    }
}
