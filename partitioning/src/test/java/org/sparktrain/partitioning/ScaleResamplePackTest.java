package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.io.FittedScaler;

/** Scaler fit on the training part only, exact resampled counts, balanced per-worker blocks, epoch reshuffles. */
class ScaleResamplePackTest {
    private final SparkSession spark = SharedSpark.get();

    /** Imbalanced rows: class c has counts[c] rows; feature 0 is constant 2, the others vary with the id. */
    private LabeledData imbalanced(long[] counts, int features, int partitions) {
        List<Example> rows = new ArrayList<>();
        long id = 0;
        for (int c = 0; c < counts.length; c++) {
            for (long i = 0; i < counts[c]; i++, id++) {
                float[] f = new float[features];
                f[0] = 2f;
                for (int k = 1; k < features; k++) {
                    f[k] = (float) Math.sin(id * 0.37 + k) * (k + 1) + c * 3;
                }
                rows.add(new Example(id, c, f));
            }
        }
        JavaRDD<Example> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions);
        return LabeledData.validate(rdd, TestData.source(), ReadOptions.classes(counts.length), Shape.of(features),
                ReadOptions.classes(2).storage());
    }

    private static Map<Long, float[]> byId(LabeledData d) {
        Map<Long, float[]> m = new HashMap<>();
        for (Example e : d.rows().collect()) {
            m.put(e.id, e.features);
        }
        return m;
    }

    @Test
    void scalersEqualAPlainTwoPassFitOnTheTrainingRowsOnly() {
        LabeledData d = imbalanced(new long[] {300, 200, 101}, 5, 3);
        Map<Long, float[]> raw = byId(d);
        for (FittedScaler.Kind kind : FittedScaler.Kind.values()) {
            PreparedFold f = DataPipeline.defaults().scaler(kind).workers(2).seed(4).prepare(d).fold(0);
            List<Long> train = TestData.ids(f.trainBlocks());
            float[] flat = new float[train.size() * 5];
            for (int i = 0; i < train.size(); i++) {
                System.arraycopy(raw.get(train.get(i)), 0, flat, i * 5, 5);
            }
            FittedScaler ref = FittedScaler.fit(kind, flat, train.size(), 5);
            FittedScaler got = f.scaler();
            assertEquals(0f, got.scale()[0], "a constant feature maps to 0");
            if (kind == FittedScaler.Kind.MINMAX) {
                assertEquals(ref, got, "min-max is exact");
            } else {
                for (int k = 0; k < 5; k++) {
                    assertEquals(ref.shift()[k], got.shift()[k], 1e-6 * Math.max(1, Math.abs(ref.shift()[k])));
                    assertEquals(ref.scale()[k], got.scale()[k], 1e-6 * Math.abs(ref.scale()[k]));
                }
            }
            // a fit that had seen the validation rows would differ
            float[] all = new float[raw.size() * 5];
            int i = 0;
            for (float[] v : raw.values()) {
                System.arraycopy(v, 0, all, 5 * i++, 5);
            }
            assertNotEquals(FittedScaler.fit(kind, all, raw.size(), 5).shift()[1], got.shift()[1]);
            // blocks hold the scaled rows, validation scaled with the training scaler
            Block vb = f.validationBlocks().first();
            float[] expect = raw.get(vb.ids[0]).clone();
            got.apply(expect, 0, 1);
            assertArrayEquals(expect, Arrays.copyOf(vb.features, 5));
            f.unpersist();
        }
        d.unpersist();
    }

    @Test
    void resamplingGivesExactCountsOnTheTrainingPartOnly() {
        long[] n = {500, 100, 20};
        LabeledData d = imbalanced(n, 2, 2);
        long[] val = new long[3];
        for (int c = 0; c < 3; c++) {
            val[c] = Math.round(0.3 * n[c]);
        }
        long[] tr = {n[0] - val[0], n[1] - val[1], n[2] - val[2]}; // 350, 70, 14
        Object[][] cases = {
            {Resampling.balanceUp(), new long[] {350, 350, 350}},
            {Resampling.balanceDown(), new long[] {14, 14, 14}},
            {Resampling.perClass(200, 100, 7), new long[] {200, 100, 7}},
            {Resampling.ratioUp(0.5), new long[] {350, 175, 175}},
            {Resampling.ratioDown(0.25), new long[] {56, 56, 14}},
        };
        for (Object[] c : cases) {
            Resampling r = (Resampling) c[0];
            PreparedFold f = DataPipeline.defaults().resampling(r).workers(2).batchSize(16).seed(8).prepare(d).fold(0);
            assertArrayEquals(tr, f.classCountsBefore(), r.toString());
            assertArrayEquals((long[]) c[1], f.classCountsAfter(), r.toString());
            assertArrayEquals((long[]) c[1], TestData.classCounts(f.trainBlocks(), 3), r.toString());
            assertArrayEquals(val, TestData.classCounts(f.validationBlocks(), 3), "validation is never resampled");
            Set<Long> v = TestData.idSet(f.validationBlocks());
            Set<Long> t = TestData.idSet(f.trainBlocks());
            v.retainAll(t);
            assertTrue(v.isEmpty(), r + ": validation rows in training blocks " + v);
            System.out.println(r + ": " + f.report());
            f.unpersist();
        }
        d.unpersist();
    }

    @Test
    void blocksAreBalancedPerWorkerAndReshuffledDeterministicallyPerEpoch() {
        // sequences: each example is [T = 4, F = 3]
        LabeledData d = Readers.synthetic(spark, 1001, 12, 2, ReadOptions.classes(3).partitions(3)
                .shape(Shape.of(4, 3)));
        PreparedFold f = DataPipeline.defaults().workers(2).batchSize(64).seed(2).prepare(d).fold(0);
        JavaRDD<Block> b0 = f.trainBlocks();
        assertEquals(2, b0.getNumPartitions());
        long[] w = f.rowsPerWorker();
        assertTrue(Math.abs(w[0] - w[1]) <= 1, Arrays.toString(w));
        List<List<Long>> e0 = perWorker(b0);
        List<List<Long>> e1 = perWorker(f.trainBlocks(1));
        List<List<Long>> e1again = perWorker(f.trainBlocks(1));
        List<List<Long>> e2 = perWorker(f.trainBlocks(2));
        assertEquals(e1, e1again, "an epoch's order is reproducible");
        for (int p = 0; p < 2; p++) {
            assertEquals(new HashSet<>(e0.get(p)), new HashSet<>(e1.get(p)), "a worker keeps its rows");
            assertNotEquals(e0.get(p), e1.get(p));
            assertNotEquals(e1.get(p), e2.get(p));
        }
        for (Block b : b0.collect()) { // stored blocks: storage units of up to a few MiB
            assertEquals(12, b.featureSize);
            assertEquals(b.size * 12, b.features.length);
            assertTrue(b.size <= Math.max(64, RowChunk.capacity(12)));
        }
        List<Block> epoch = f.trainBlocks(1).collect();
        for (Block b : epoch) { // an epoch's blocks: minibatches
            assertEquals(b.size * 12, b.features.length);
            assertTrue(b.size <= 64);
            assertEquals(b.size, b.toMiniBatch().size);
        }
        assertEquals(f.trainRows(), epoch.stream().mapToLong(b -> b.size).sum());
        // pack twice from scratch: identical blocks
        PreparedFold again = DataPipeline.defaults().workers(2).batchSize(64).seed(2).prepare(d).fold(0);
        assertEquals(e0, perWorker(again.trainBlocks()));
        f.unpersist();
        again.unpersist();
        d.unpersist();
    }

    private static List<List<Long>> perWorker(JavaRDD<Block> blocks) {
        List<long[]> parts = blocks.mapPartitionsWithIndex((p, it) -> {
            List<Long> ids = new ArrayList<>();
            ids.add((long) p);
            while (it.hasNext()) {
                for (long id : it.next().ids) {
                    ids.add(id);
                }
            }
            long[] a = new long[ids.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = ids.get(i);
            }
            return List.of(a).iterator();
        }, true).collect();
        List<List<Long>> out = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
            out.add(null);
        }
        for (long[] a : parts) {
            List<Long> ids = new ArrayList<>();
            for (int i = 1; i < a.length; i++) {
                ids.add(a[i]);
            }
            out.set((int) a[0], ids);
        }
        return out;
    }

    @Test
    void resamplingWorksWhenTheReadsPartitionsAreRegroupedForTheWorkers() {
        // classes well mixed across 3 read partitions, 2 workers: the chunks are regrouped (GroupedRDD) and the
        // training part's counts are per group; the up-sampling draws must still follow the rows' own partitions
        // (found with sequences: Draws.expand indexed a third partition's counts in a two-group table)
        List<Example> rows = new ArrayList<>();
        for (long id = 0; id < 300; id++) {
            rows.add(new Example(id, id % 5 == 0 ? 1 : 0, new float[] {id, 1}));
        }
        JavaRDD<Example> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3);
        LabeledData d = LabeledData.validate(rdd, TestData.source(), ReadOptions.classes(2), Shape.of(2),
                ReadOptions.classes(2).storage());
        PreparedFold f = DataPipeline.defaults().split(SplitSpec.holdout(0.3)).scaler(null)
                .resampling(Resampling.balanceUp()).workers(2).seed(3).prepare(d).fold(0);
        long[] before = f.classCountsBefore();
        long[] after = f.classCountsAfter();
        assertEquals(before[0], after[0]);
        assertEquals(before[0], after[1], "class 1 up-sampled to class 0's count: " + Arrays.toString(after));
        f.unpersist();
        d.unpersist();
    }
}
