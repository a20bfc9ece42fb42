package org.sparktrain.engine.spec;

/** A model spec that cannot be used; the message says where (file, layer, key) and what to do. */
public final class SpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SpecException(String message) {
        super(message);
    }

    public SpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
