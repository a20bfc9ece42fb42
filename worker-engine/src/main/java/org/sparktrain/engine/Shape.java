package org.sparktrain.engine;

import java.util.Arrays;

/**
 * The shape of one example as it flows between layers, without the batch dimension:
 * {@code [features]} for dense data, {@code [channels, height, width]} for images,
 * {@code [time, features]} for sequences. Immutable.
 */
public final class Shape implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException("a shape needs at least one dimension");
        }
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a dimension <= 0");
            }
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of floats per example. */
    public int size() {
        int s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Written as the user writes it in a spec, e.g. {@code [1, 28, 28]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
