package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** docs/architecture.md, "The global minibatch": each worker's minibatches are its share of every step. */
class GlobalBatchSharesTest {
    private final SparkSession spark = SharedSpark.get();

    @Test
    void sharesDifferByAtMostOneRowAndAddUpToTheMinibatch() {
        assertArrayEquals(new int[] {32, 32}, DataPipeline.shares(64, 2));
        assertArrayEquals(new int[] {22, 21, 21}, DataPipeline.shares(64, 3));
        assertArrayEquals(new int[] {1, 1, 1}, DataPipeline.shares(3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataPipeline.shares(2, 3));
        assertTrue(e.getMessage().contains("batch_size 2 is the global minibatch, split over 3 workers"),
                e.getMessage());
        assertTrue(e.getMessage().contains("batch_size_per_worker"), e.getMessage());
    }

    @Test
    void aFoldsEpochIsCutIntoEachWorkersShare() {
        LabeledData d = Readers.synthetic(spark, 600, 3, 11, ReadOptions.classes(3).partitions(3));
        PreparedFold global = DataPipeline.defaults().split(SplitSpec.none()).workers(3).batchSize(64)
                .globalBatch(true).seed(5).prepare(d).fold(0);
        assertArrayEquals(new int[] {22, 21, 21}, global.batchSizes());
        // per worker, its minibatches' sizes in order
        List<int[]> sizes = global.trainBlocks(1).mapPartitions(it -> {
            java.util.ArrayList<Integer> l = new java.util.ArrayList<>();
            it.forEachRemaining(b -> l.add(b.size));
            return java.util.Collections.singletonList(l.stream().mapToInt(Integer::intValue).toArray()).iterator();
        }, true).collect();
        long[] rows = global.rowsPerWorker();
        for (int w = 0; w < 3; w++) {
            int[] mine = sizes.get(w);
            for (int i = 0; i < mine.length - 1; i++) {
                assertEquals(global.batchSizes()[w], mine[i], "worker " + w + ", minibatch " + i);
            }
            assertEquals(rows[w], java.util.Arrays.stream(mine).asLongStream().sum());
            assertEquals(global.stepsPerWorker()[w], mine.length);
        }
        // about one machine's steps per epoch (600 / 64 = 9.4), not a W-th of them
        assertTrue(java.util.Arrays.stream(global.stepsPerWorker()).max().getAsInt() <= 10);
        PreparedFold perWorker = DataPipeline.defaults().split(SplitSpec.none()).workers(3).batchSize(64).seed(5)
                .prepare(d).fold(0);
        assertArrayEquals(new int[] {64, 64, 64}, perWorker.batchSizes());
        global.unpersist();
        perWorker.unpersist();
        d.unpersist();
    }
}
