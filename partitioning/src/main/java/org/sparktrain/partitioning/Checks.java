package org.sparktrain.partitioning;

/** Row checks shared by the readers; run on the executors. */
final class Checks {
    private Checks() {
    }

    /** The row as an Example, or a bad row naming the first non-finite feature. */
    static Example features(long id, int label, float[] features, int expected) {
        if (features.length != expected) {
            return wrongLength(id, features.length, expected);
        }
        Example bad = nonFinite(id, features, 0, features.length);
        return bad != null ? bad : new Example(id, label, features);
    }

    /** The bad row with n feature values where {@code expected} were expected. */
    static Example wrongLength(long id, int n, int expected) {
        return Example.bad(id, Problem.WRONG_COLUMN_COUNT, "has " + n + " feature values, expected " + expected);
    }

    /** The bad row naming the first non-finite of the n features at {@code x[from]}, or null when all are finite. */
    static Example nonFinite(long id, float[] x, int from, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[from + i])) {
                return Example.bad(id, Problem.NON_FINITE, "feature " + i + " is " + x[from + i]
                        + "; features must be finite numbers (impute or remove missing values)");
            }
        }
        return null;
    }

    /** The class index of a numeric label, or -1 with {@code why[0]} set when it is not one. */
    static int label(double v, int classes, String[] why) {
        if (Double.isNaN(v) || v != Math.rint(v) || v < 0 || v >= classes) {
            why[0] = "label " + (v == Math.rint(v) && Double.isFinite(v) ? String.valueOf((long) v) : String.valueOf(v))
                    + " is outside the declared classes 0.." + (classes - 1)
                    + "; check the label column or declare more classes";
            return -1;
        }
        return (int) v;
    }
}
