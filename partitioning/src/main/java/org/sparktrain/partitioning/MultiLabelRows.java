package org.sparktrain.partitioning;

/**
 * A multi-label input's rows (docs/architecture.md, "Multi-label"): its K label columns ride after the features as
 * regression's targets do, and each must hold 0 or 1. A row's class label becomes its first label, so holdout,
 * k-fold and the test part are stratified on the first label with no other change.
 */
final class MultiLabelRows {
    private MultiLabelRows() {
    }

    /**
     * The row with its label set to its first label, or a bad row naming the first label column whose value is not 0
     * or 1; a row that is bad already is returned as it is. {@code first} is where the labels start in the values.
     */
    static Example check(Example e, int first, String[] names) {
        if (e.problem != null) {
            return e;
        }
        float[] f = e.features;
        for (int j = first; j < f.length; j++) {
            if (f[j] != 0f && f[j] != 1f) {
                return Example.bad(e.id, Problem.LABEL_OUT_OF_RANGE, "label column '" + names[j - first] + "' holds "
                        + (f[j] == Math.rint(f[j]) ? String.valueOf((long) f[j]) : String.valueOf(f[j]))
                        + "; a multi-label column holds 0 (no) or 1 (yes)");
            }
        }
        return new Example(e.id, (int) f[first], f);
    }
}
