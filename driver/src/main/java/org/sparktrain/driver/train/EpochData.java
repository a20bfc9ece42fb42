package org.sparktrain.driver.train;

import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.data.MiniBatch;

/**
 * The training data as the master sees it: for every epoch, one partition per worker holding that
 * worker's minibatches in the order it takes them, reshuffled deterministically per (seed, epoch), and
 * cached so that rounds ship parameters, not data.
 */
public interface EpochData {

    /** The minibatch blocks of {@code epoch} (numbered from 1), one partition per worker, cached. */
    JavaRDD<MiniBatch> blocks(int epoch);

    /**
     * The same blocks for a consumer that reads each partition exactly once (the barrier transport: one
     * stage per epoch), which may then be computed inside that consumer's tasks instead of being cached
     * first by a job of their own. Deterministic, so a retried task computes the same blocks.
     */
    default JavaRDD<MiniBatch> blocksReadOnce(int epoch) {
        return blocks(epoch);
    }

    /** Minibatches of the largest partition in {@code epoch}: the number of steps an epoch takes. */
    int maxBlocksPerWorker(int epoch);

    /** Training examples per epoch (all workers). */
    long examples();

    /** Releases the cached blocks of {@code epoch}. */
    void release(int epoch);
}
