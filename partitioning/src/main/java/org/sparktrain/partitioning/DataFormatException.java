package org.sparktrain.partitioning;

/**
 * Input data that cannot be used: the message names the file (or source) and the row, says what is
 * wrong and what to do. Thrown on the driver, never wrapped in a Spark exception.
 */
public class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
