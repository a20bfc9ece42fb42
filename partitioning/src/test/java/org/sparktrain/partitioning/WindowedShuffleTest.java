package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.io.FittedScaler;

/**
 * The per-epoch shuffle in bounded memory (docs/data-preparation.md, "Bounded memory"): a worker with more
 * rows than the window streams its stored blocks a window at a time; every row once per epoch, the same
 * order for the same (seed, epoch), the cuts moving from epoch to epoch, never more than about a window
 * held; input sorted by class is dealt out first, so every minibatch's class mix stays close to the data's.
 */
class WindowedShuffleTest {
    private final SparkSession spark = SharedSpark.get();

    /** {@code blocks} stored blocks of {@code rows} rows each, 2 features, ids 0..n-1, labels id mod 3. */
    private static List<Block> stored(int blocks, int rows) {
        List<Block> out = new ArrayList<>();
        long id = 0;
        for (int b = 0; b < blocks; b++) {
            Block k = new Block(rows, 2);
            for (int r = 0; r < rows; r++, id++) {
                k.features[2 * r] = id;
                k.features[2 * r + 1] = -id;
                k.labels[r] = (int) (id % 3);
                k.ids[r] = id;
            }
            out.add(k);
        }
        return out;
    }

    /** The ids in the order an epoch yields them, checking at every minibatch how many rows were pulled. */
    private static long[] epoch(List<Block> stored, int window, int batch, long seed, int maxHeld) {
        long total = stored.stream().mapToLong(b -> b.size).sum();
        int[] pulled = new int[1];
        Iterator<Block> source = new Iterator<>() {
            final Iterator<Block> it = stored.iterator();

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Block next() {
                Block b = it.next();
                pulled[0] += b.size;
                return b;
            }
        };
        Packer.WindowedEpoch e = new Packer.WindowedEpoch(source, total, window, batch, seed, null, null);
        long[] ids = new long[(int) total];
        int n = 0;
        while (e.hasNext()) {
            Block b = e.next();
            assertTrue(b.size == batch || n + b.size == total, "only the last minibatch is short");
            for (int i = 0; i < b.size; i++) {
                assertEquals(b.ids[i], (long) b.features[2 * i], "features travel with their row");
                ids[n++] = b.ids[i];
            }
            assertTrue(pulled[0] - n <= maxHeld, "held " + (pulled[0] - n) + " rows not yet emitted, window " + window);
        }
        assertEquals(total, n);
        return ids;
    }

    @Test
    void everyRowOncePerEpochInBoundedMemoryTheSameOrderForTheSameSeed() {
        List<Block> s = stored(50, 100); // 5,000 rows
        int window = 700;
        long[] a = epoch(s, window, 64, 11, window + 2 * 100);
        long[] again = epoch(s, window, 64, 11, window + 2 * 100);
        long[] other = epoch(s, window, 64, 12, window + 2 * 100);
        assertArrayEquals(a, again, "same (seed, epoch, partition): the same order");
        assertFalse(Arrays.equals(a, other), "another epoch: another order");
        long[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i], "every row exactly once");
        }
        // rows move within a window only: no row travels further than two windows from where it was stored
        int far = 0;
        for (int i = 0; i < a.length; i++) {
            far = Math.max(far, (int) Math.abs(a[i] - i));
        }
        assertTrue(far < 2 * window, "a row moved " + far);
        assertTrue(far > window / 2, "rows are mixed across a window, not only inside minibatches: " + far);
        // the cuts move: the first window ends elsewhere in another epoch
        assertNotEquals(firstWindowEnd(a), firstWindowEnd(other));
    }

    /** The smallest k such that positions 0..k-1 hold exactly ids 0..k-1 (where the first window ends). */
    private static int firstWindowEnd(long[] ids) {
        long max = -1;
        for (int i = 0; i < ids.length; i++) {
            max = Math.max(max, ids[i]);
            if (max == i) {
                return i + 1;
            }
        }
        return ids.length;
    }

    /** 2 partitions, each sorted by class (4 classes): a window of 1,000 rows alone would see one class. */
    private LabeledData sortedByClass(int perPartition) {
        List<Example> rows = new ArrayList<>();
        long id = 0;
        for (int p = 0; p < 2; p++) {
            for (int c = 0; c < 4; c++) {
                for (int i = 0; i < perPartition / 4; i++, id++) {
                    rows.add(new Example(id, c, new float[] {c + (float) Math.sin(id), (float) Math.cos(id)}));
                }
            }
        }
        JavaRDD<Example> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2);
        return LabeledData.validate(rdd, TestData.source(), ReadOptions.classes(4), Shape.of(2),
                StorageLevel.MEMORY_AND_DISK());
    }

    @Test
    void inputSortedByClassIsDealtOutSoEveryMinibatchSeesTheDataMix() {
        LabeledData d = sortedByClass(20_000);
        assertFalse(d.chunksMixed(), "sorted input is recognised");
        PreparedFold f = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE).workers(2)
                .batchSize(64).seed(3).shuffleWindow(1_000).prepare(d).fold(0);
        assertEquals(1_000, f.shuffleWindow());
        for (int epoch = 1; epoch <= 2; epoch++) {
            List<Block> batches = f.trainBlocks(epoch).collect();
            double tv = 0;
            int n = 0;
            long rows = 0;
            for (Block b : batches) {
                rows += b.size;
                if (b.size < 64) {
                    continue;
                }
                int[] h = new int[4];
                for (int i = 0; i < b.size; i++) {
                    h[b.labels[i]]++;
                }
                double t = 0;
                for (int c = 0; c < 4; c++) {
                    t += Math.abs(h[c] / (double) b.size - 0.25);
                }
                tv += t / 2;
                n++;
            }
            assertEquals(40_000, rows);
            // a random minibatch of 64 from 4 even classes: mean total-variation distance about 0.1;
            // a window over sorted storage would give 0.75
            assertTrue(tv / n < 0.15, "mean TV distance of a minibatch's class mix from the data's: " + tv / n);
        }
        f.unpersist();
        d.unpersist();
    }

    @Test
    void wellMixedInputIsNotFlaggedAndWindowsCoverEveryRowOnce() {
        List<Example> rows = new ArrayList<>();
        for (long id = 0; id < 30_000; id++) {
            int c = (int) (org.sparktrain.engine.SplitMix.mix(id) >>> 62);
            rows.add(new Example(id, c, new float[] {c, (float) Math.sin(id)}));
        }
        JavaRDD<Example> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2);
        LabeledData d = LabeledData.validate(rdd, TestData.source(), ReadOptions.classes(4), Shape.of(2),
                StorageLevel.MEMORY_AND_DISK());
        assertTrue(d.chunksMixed(), "shuffled input is not flagged");
        PreparedFold f = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE).workers(2)
                .batchSize(50).seed(3).shuffleWindow(2_000).prepare(d).fold(0);
        assertTrue(f.usesSourceCache(), "rows stay where they were read: the read's cache is the stored blocks");
        List<Long> e1 = TestData.ids(f.trainBlocks(1));
        List<Long> e1again = TestData.ids(f.trainBlocks(1));
        List<Long> e2 = TestData.ids(f.trainBlocks(2));
        assertEquals(e1, e1again);
        assertNotEquals(e1, e2);
        List<Long> sorted = new ArrayList<>(e1);
        sorted.sort(null);
        for (int i = 0; i < sorted.size(); i++) {
            assertEquals(i, sorted.get(i));
        }
        // the stored values are unscaled; each epoch's minibatches are scaled: feature 0 (the class) z-scored
        for (Block b : f.trainBlocks(1).collect()) {
            for (int i = 0; i < b.size; i++) {
                float expectSign = b.labels[i] < 1.5f ? -1 : 1;
                assertEquals(expectSign, Math.signum(b.features[2 * i]), "scaled value of class " + b.labels[i]);
            }
        }
        f.unpersist();
        d.unpersist();
    }

    @Test
    void diskBackedBlocksGiveTheSameEpochsBitForBit() {
        List<Example> rows = new ArrayList<>();
        for (long id = 0; id < 20_000; id++) {
            int c = (int) (org.sparktrain.engine.SplitMix.mix(id) >>> 62);
            rows.add(new Example(id, c, new float[] {c + (float) Math.cos(id), (float) Math.sin(id), id % 7}));
        }
        List<List<Block>> epochs = new ArrayList<>();
        for (StorageLevel level : new StorageLevel[] {StorageLevel.MEMORY_AND_DISK(), StorageLevel.DISK_ONLY()}) {
            for (SplitSpec split : new SplitSpec[] {SplitSpec.none(), SplitSpec.holdout()}) {
                JavaRDD<Example> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3);
                LabeledData d = LabeledData.validate(rdd, TestData.source(), ReadOptions.classes(4), Shape.of(3), level);
                PreparedFold f = DataPipeline.defaults().split(split).scaler(FittedScaler.Kind.ZSCORE).workers(2)
                        .batchSize(32).seed(9).shuffleWindow(1_500).storage(level).prepare(d).fold(0);
                assertEquals(level, d.storageLevel());
                epochs.add(f.trainBlocks(3).collect());
                f.unpersist();
                d.unpersist();
            }
        }
        for (int k = 0; k < 2; k++) { // no split, holdout: memory against disk
            List<Block> a = epochs.get(k);
            List<Block> b = epochs.get(k + 2);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).ids, b.get(i).ids);
                assertArrayEquals(a.get(i).labels, b.get(i).labels);
                assertArrayEquals(a.get(i).features, b.get(i).features, 0f);
            }
        }
    }
}
