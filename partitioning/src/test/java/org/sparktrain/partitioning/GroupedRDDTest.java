package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.io.FittedScaler;

/**
 * Reads with more partitions than workers (file splits) train where they were read: worker w takes rows
 * [w·N/W, (w+1)·N/W) in partition order from the cache, without a shuffle, and a barrier stage (the training
 * transport) accepts them.
 */
class GroupedRDDTest {
    private final SparkSession spark = SharedSpark.get();

    /** A barrier task's body: counts its partition's rows. */
    static final class CountRows extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Block>,
            scala.collection.Iterator<long[]>> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public scala.collection.Iterator<long[]> apply(scala.collection.Iterator<Block> it) {
            long n = 0;
            while (it.hasNext()) {
                n += it.next().size;
            }
            return scala.jdk.javaapi.CollectionConverters.asScala(List.of(new long[] {n}).iterator());
        }
    }

    @Test
    void rangesCutTheRowsEvenlyInPartitionOrder() {
        // 3 partitions of 10, 4, 7 rows for 2 workers: rows [0, 10) and [10, 21)
        long[][][] r = GroupedRDD.ranges(new long[] {10, 4, 7}, 2);
        assertArrayEquals(new long[][] {{0, 0, 10}}, r[0]);
        assertArrayEquals(new long[][] {{1, 0, 4}, {2, 0, 7}}, r[1]);
        assertArrayEquals(new long[] {10, 11}, GroupedRDD.sizes(new long[] {10, 4, 7}, 2));
        // one partition cut between two workers, an empty one skipped
        r = GroupedRDD.ranges(new long[] {9, 0, 3}, 3);
        assertArrayEquals(new long[][] {{0, 0, 4}}, r[0]);
        assertArrayEquals(new long[][] {{0, 4, 4}}, r[1]);
        assertArrayEquals(new long[][] {{0, 8, 1}, {2, 0, 3}}, r[2]);
    }

    @Test
    void manyReadPartitionsTrainInPlaceInABarrierStage() {
        List<Example> rows = new ArrayList<>();
        for (long id = 0; id < 7 * 30_000 + 5; id++) {
            int c = (int) (org.sparktrain.engine.SplitMix.mix(id) >>> 62);
            rows.add(new Example(id, c, new float[] {c, (float) Math.sin(id)}));
        }
        JavaRDD<Example> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 7);
        LabeledData d = LabeledData.validate(rdd, TestData.source(), ReadOptions.classes(4), Shape.of(2),
                StorageLevel.MEMORY_AND_DISK());
        PreparedFold f = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE).workers(2)
                .batchSize(64).seed(3).shuffleWindow(10_000).prepare(d).fold(0);
        assertTrue(f.usesSourceCache(), "no shuffle, no copy: the read's cache is the training data");
        long[] per = f.rowsPerWorker();
        assertEquals(2, per.length);
        assertEquals(List.of(105_002L, 105_003L), List.of(per[0], per[1]), "half the rows each: partition 3 is cut");
        // a barrier stage over the epoch's minibatches (what the barrier transport runs)
        long seen = f.trainBlocks(1).rdd().barrier().mapPartitions(new CountRows(), false,
                scala.reflect.ClassTag$.MODULE$.apply(long[].class)).toJavaRDD().collect().stream()
                .mapToLong(a -> a[0]).sum();
        assertEquals(7 * 30_000 + 5, seen);
        List<Long> ids = TestData.ids(f.trainBlocks(2));
        ids.sort(null);
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(i, ids.get(i));
        }
        f.unpersist();
        d.unpersist();
    }
}
