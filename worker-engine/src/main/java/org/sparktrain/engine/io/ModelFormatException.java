package org.sparktrain.engine.io;

import java.io.IOException;

/**
 * A model file that cannot be loaded: not a sparktrain model, written by a newer sparktrain, truncated,
 * corrupted (checksum mismatch), or structurally invalid. The message names the file and says what to do.
 * Nothing in the file is ever executed, so refusing it is always safe.
 */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
