package org.sparktrain.engine.metrics;

/**
 * Per-step evaluation of a many-to-many model (docs/architecture.md, "Variable-length sequences"): every REAL step
 * is one example of the metrics; padded steps never count. These move the real steps' rows (predictions, labels or
 * targets, {@code rows × T} of them, row-major as the engine gives them) to the front, in order, so the metrics'
 * batch methods take them as rows.
 */
public final class RealSteps {
    private RealSteps() {
    }

    /** The real steps of {@code mask} ({@code rows × T} values, 1 for a real step) among the first {@code rows}. */
    public static int count(float[] mask, int rows) {
        int n = 0;
        for (int r = 0; r < rows; r++) {
            n += mask[r] != 0f ? 1 : 0;
        }
        return n;
    }

    /**
     * Moves the {@code width} values of every real step among the first {@code rows} steps of {@code values} to the
     * front, in order; returns how many there are.
     */
    public static int compact(float[] values, int width, float[] mask, int rows) {
        int n = 0;
        for (int r = 0; r < rows; r++) {
            if (mask[r] != 0f) {
                if (n != r) {
                    System.arraycopy(values, r * width, values, n * width, width);
                }
                n++;
            }
        }
        return n;
    }

    /** As above for one label per step. */
    public static int compact(int[] labels, float[] mask, int rows) {
        int n = 0;
        for (int r = 0; r < rows; r++) {
            if (mask[r] != 0f) {
                labels[n++] = labels[r];
            }
        }
        return n;
    }
}
