package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.partitioning.Block;
import org.sparktrain.partitioning.PreparedFold;

/**
 * Epoch data from the partitioning module: a prepared fold's training blocks, reshuffled per epoch on
 * the executors that hold them, seen as the engine's minibatches (the same arrays). Each epoch's blocks
 * are persisted once, so rounds iterate cached data. A one-example block after others is left out: it
 * has no batch statistics (BatchNorm refuses it), as on one machine.
 */
public final class FoldEpochData implements EpochData {
    private final PreparedFold fold;
    private final long examples;
    private final int maxSteps;
    private final Map<Integer, JavaRDD<MiniBatch>> cached = new HashMap<>();

    /** The fold's epochs, in the minibatches it was prepared with ({@link PreparedFold#batchSizes()}). */
    public FoldEpochData(PreparedFold fold) {
        this.fold = fold;
        this.examples = java.util.Arrays.stream(fold.rowsPerWorker()).sum();
        this.maxSteps = java.util.Arrays.stream(fold.stepsPerWorker()).max().orElse(0);
    }

    @Override
    public synchronized JavaRDD<MiniBatch> blocks(int epoch) {
        JavaRDD<MiniBatch> rdd = cached.get(epoch);
        if (rdd == null) {
            // the job transport reads the epoch once per round: cached, on disk when the stored blocks are
            int targets = fold.targetCount();
            int steps = fold.sequenceSteps();
            int stepTargets = fold.stepTargets();
            boolean stepClasses = fold.stepClasses();
            boolean weighted = fold.weighted();
            rdd = fold.trainBlocks(epoch).mapPartitions(it -> toMiniBatches(it, targets, steps, stepTargets,
                            stepClasses, weighted), true)
                    .persist(fold.storage().useMemory() ? StorageLevel.MEMORY_ONLY() : StorageLevel.DISK_ONLY());
            rdd.count();
            cached.put(epoch, rdd);
        }
        return rdd;
    }

    /**
     * Not cached: each worker's stored rows are permuted and repacked (and raw bytes scaled) inside the
     * task that trains on them, so the epoch costs no job and no cached copy of its own.
     */
    @Override
    public synchronized JavaRDD<MiniBatch> blocksReadOnce(int epoch) {
        JavaRDD<MiniBatch> rdd = cached.get(epoch);
        int targets = fold.targetCount();
        int steps = fold.sequenceSteps();
        int stepTargets = fold.stepTargets();
        boolean stepClasses = fold.stepClasses();
        boolean weighted = fold.weighted();
        return rdd != null ? rdd : fold.trainBlocks(epoch).mapPartitions(it -> toMiniBatches(it, targets, steps,
                stepTargets, stepClasses, weighted), true);
    }

    /** The blocks as minibatches, streamed (one block ahead): a one-row block after others is left out. */
    static Iterator<MiniBatch> toMiniBatches(Iterator<Block> it) {
        return toMiniBatches(it, 0);
    }

    /** As above; a regression block's last {@code targets} values per row become the minibatch's targets. */
    static Iterator<MiniBatch> toMiniBatches(Iterator<Block> it, int targets) {
        return toMiniBatches(it, targets, 0);
    }

    /**
     * As above; sequence blocks ({@code steps} = T) hand the engine their padded steps zeroed and the mask built from
     * each row's length (docs/data-preparation.md, "Sequences").
     */
    static Iterator<MiniBatch> toMiniBatches(Iterator<Block> it, int targets, int steps) {
        return toMiniBatches(it, targets, steps, 0, false);
    }

    /** As above; many-to-many rows carry {@code stepTargets} values (or a class label) per step, cut per step. */
    static Iterator<MiniBatch> toMiniBatches(Iterator<Block> it, int targets, int steps, int stepTargets,
            boolean stepClasses) {
        return toMiniBatches(it, targets, steps, stepTargets, stepClasses, false);
    }

    /** As above; {@code weighted} rows end with their weight (docs/architecture.md, Conventions, "Row weights"). */
    static Iterator<MiniBatch> toMiniBatches(Iterator<Block> it, int targets, int steps, int stepTargets,
            boolean stepClasses, boolean weighted) {
        return new Iterator<MiniBatch>() {
            private Block ahead = it.hasNext() ? it.next() : null;
            private boolean first = true;

            @Override
            public boolean hasNext() {
                if (ahead != null && ahead.size == 1 && !first) {
                    // left out only when it is the last, as before: a one-row block mid-stream still trains
                    if (!it.hasNext()) {
                        ahead = null;
                    }
                }
                return ahead != null;
            }

            @Override
            public MiniBatch next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                Block b = ahead;
                ahead = it.hasNext() ? it.next() : null;
                first = false;
                return b.toMiniBatch(targets, steps, stepTargets, stepClasses, weighted);
            }
        };
    }

    @Override
    public int maxBlocksPerWorker(int epoch) {
        return maxSteps;
    }

    @Override
    public long examples() {
        return examples;
    }

    @Override
    public synchronized void release(int epoch) {
        JavaRDD<MiniBatch> rdd = cached.remove(epoch);
        if (rdd != null) {
            rdd.unpersist(false);
        }
    }
}
