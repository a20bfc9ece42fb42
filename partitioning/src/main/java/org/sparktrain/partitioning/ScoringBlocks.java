package org.sparktrain.partitioning;

import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.io.FittedScaler;

/**
 * Blocks of rows to evaluate or score (a test set, a data set to predict): packed where they lie, in
 * their order, scaled with a scaler fitted elsewhere (a training fold's), never resampled or split.
 */
public final class ScoringBlocks {
    /**
     * Rows per block to predict: the engine predicts fastest in blocks of 32–128 rows (single thread, warm:
     * `lenet5` 39,500 rows/s at 128 and 33,000 at 1,000, where the convolutions' buffers outgrow the caches;
     * `mlp` the same at any size), and a block is what one prediction call holds in memory.
     */
    public static final int PREDICT_ROWS = 128;

    private ScoringBlocks() {
    }

    /** {@code data}'s rows in blocks of at most {@code batch}; {@code scaler} may be null (no scaling). */
    public static JavaRDD<Block> pack(LabeledData data, FittedScaler scaler, int batch) {
        if (data.chunks() != null) { // straight from the cached chunks, no object per row
            return ChunkPasses.pack(data.chunks(), ChunkPasses.Keep.ALL, batch, scaler, data.featureCount());
        }
        return Packer.packInPlace(data.rows(), batch, scaler, data.featureCount());
    }
}
