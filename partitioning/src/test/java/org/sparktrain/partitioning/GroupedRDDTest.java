package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * Reads with more partitions than workers (file splits) train where they were read: contiguous runs of
 * partitions, balanced by rows, become the workers' partitions without a shuffle, and a barrier stage (the
 * training transport) accepts them.
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
    void contiguousCutsNearestEachWorkersShare() {
        assertArrayEquals(new int[][] {{0, 1}, {2, 3}}, GroupedRDD.contiguous(new long[] {5, 5, 5, 5}, 2));
        assertArrayEquals(new int[][] {{0}, {1, 2}}, GroupedRDD.contiguous(new long[] {10, 4, 6}, 2));
        assertArrayEquals(new int[][] {{0, 1}, {2}, {3, 4}}, GroupedRDD.contiguous(new long[] {3, 3, 6, 3, 3}, 3));
        assertArrayEquals(new int[][] {{0}, {1}}, GroupedRDD.contiguous(new long[] {100, 0}, 2), "never empty");
        assertNull(GroupedRDD.contiguous(new long[] {5}, 2), "fewer partitions than workers");
    }

    @Test
    void manyReadPartitionsTrainInPlaceInABarrierStage() {
        List<Example> rows = new ArrayList<>();
        for (long id = 0; id < 8 * 30_000; id++) {
            int c = (int) (org.sparktrain.engine.SplitMix.mix(id) >>> 62);
            rows.add(new Example(id, c, new float[] {c, (float) Math.sin(id)}));
        }
        JavaRDD<Example> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 8);
        LabeledData d = LabeledData.validate(rdd, TestData.source(), ReadOptions.classes(4), Shape.of(2),
                StorageLevel.MEMORY_AND_DISK());
        PreparedFold f = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE).workers(2)
                .batchSize(64).seed(3).shuffleWindow(10_000).prepare(d).fold(0);
        assertTrue(f.usesSourceCache(), "no shuffle, no copy: the read's cache is the training data");
        long[] per = f.rowsPerWorker();
        assertEquals(2, per.length);
        assertEquals(8 * 30_000, per[0] + per[1]);
        assertEquals(List.of(120_000L, 120_000L), List.of(per[0], per[1]), "4 of the 8 partitions each");
        // a barrier stage over the epoch's minibatches (what the barrier transport runs)
        long seen = f.trainBlocks(1).rdd().barrier().mapPartitions(new CountRows(), false,
                scala.reflect.ClassTag$.MODULE$.apply(long[].class)).toJavaRDD().collect().stream()
                .mapToLong(a -> a[0]).sum();
        assertEquals(8 * 30_000, seen);
        List<Long> ids = TestData.ids(f.trainBlocks(2));
        ids.sort(null);
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(i, ids.get(i));
        }
        f.unpersist();
        d.unpersist();
    }
}
