package org.sparktrain.engine.io;

import java.io.IOException;

/**
 * An IDX file (the MNIST / Fashion-MNIST format) that cannot be read: wrong magic, unsupported data
 * type, wrong number of dimensions, truncated or over-long data, or an images file and a labels file
 * that do not match. The message names the file, says what is wrong and what to do about it.
 */
public class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
