package org.sparktrain.partitioning;

import java.util.Arrays;

/**
 * The validated data and its split, with each fold prepared on first request ({@link #fold(int)}) so that
 * only the folds in use hold memory. For k-fold, prepare, train and {@link PreparedFold#unpersist()} one
 * fold at a time.
 */
public final class PreparedData {
    private final DataPipeline pipeline;
    private final LabeledData data;
    private final RankCuts cuts;
    private final PreparedFold[] folds;

    PreparedData(DataPipeline pipeline, LabeledData data, RankCuts cuts, int folds) {
        this.pipeline = pipeline;
        this.data = data;
        this.cuts = cuts;
        this.folds = new PreparedFold[folds];
    }

    /** Number of (train, validation) pairs: k for k-fold, else 1. */
    public int folds() {
        return folds.length;
    }

    /** Fold i, prepared now if not yet (its blocks are persisted and computed before this returns). */
    public synchronized PreparedFold fold(int i) {
        if (i < 0 || i >= folds.length) {
            throw new IllegalArgumentException("fold " + i + " does not exist; there are " + folds.length);
        }
        if (folds[i] == null) {
            folds[i] = pipeline.prepareFold(data, cuts, i);
        }
        return folds[i];
    }

    public LabeledData data() {
        return data;
    }

    /** Releases every prepared fold and the validated rows. */
    public synchronized void unpersist() {
        for (PreparedFold f : folds) {
            if (f != null) {
                f.unpersist();
            }
        }
        Arrays.fill(folds, null);
        data.unpersist();
    }
}
