package org.sparktrain.engine;

import java.util.Arrays;

/**
 * A set of disjoint index ranges of the flat parameter vector, e.g. "the weights that L1/L2 and weight
 * decay apply to" (biases and BatchNorm gamma/beta are left out unless the spec says otherwise).
 * Immutable.
 */
public final class ParamRanges {
    private final int[] offsets;
    private final int[] lengths;

    private ParamRanges(int[] offsets, int[] lengths) {
        this.offsets = offsets;
        this.lengths = lengths;
    }

    public static ParamRanges of(int[] offsets, int[] lengths) {
        if (offsets.length != lengths.length) {
            throw new IllegalArgumentException("offsets and lengths differ in count");
        }
        return new ParamRanges(offsets.clone(), lengths.clone());
    }

    public static ParamRanges all(int n) {
        return new ParamRanges(new int[] {0}, new int[] {n});
    }

    public static ParamRanges none() {
        return new ParamRanges(new int[0], new int[0]);
    }

    public int count() {
        return offsets.length;
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    public int totalLength() {
        int t = 0;
        for (int l : lengths) {
            t += l;
        }
        return t;
    }

    public boolean contains(int index) {
        for (int i = 0; i < offsets.length; i++) {
            if (index >= offsets[i] && index < offsets[i] + lengths[i]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ParamRanges" + Arrays.toString(offsets) + "+" + Arrays.toString(lengths);
    }

    /** Builds a ParamRanges by appending ranges in increasing order. */
    public static final class Builder {
        private int[] off = new int[8];
        private int[] len = new int[8];
        private int n;

        public Builder add(int offset, int length) {
            if (length <= 0) {
                return this;
            }
            if (n == off.length) {
                off = Arrays.copyOf(off, 2 * n);
                len = Arrays.copyOf(len, 2 * n);
            }
            off[n] = offset;
            len[n] = length;
            n++;
            return this;
        }

        public ParamRanges build() {
            return new ParamRanges(Arrays.copyOf(off, n), Arrays.copyOf(len, n));
        }
    }
}
