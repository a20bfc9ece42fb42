package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.io.FittedScaler;

/**
 * Rows cached in chunks: the passes that read the chunk arrays directly (validation statistics, the
 * feature summary, counting and fitting in one scan, packing where the rows are) give what the row by row
 * passes give.
 */
class ChunkPathTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    /** Row ids per worker in the stored training blocks, and the validation ids in order. */
    private static List<List<Long>> layout(PreparedFold f) {
        List<List<Long>> out = new ArrayList<>();
        List<long[]> parts = f.trainBlocks().mapPartitionsWithIndex((p, it) -> {
            List<Long> ids = new ArrayList<>();
            it.forEachRemaining(b -> {
                for (int i = 0; i < b.size; i++) {
                    ids.add(b.ids[i]);
                }
            });
            long[] a = new long[ids.size() + 1];
            a[0] = p;
            for (int i = 0; i < ids.size(); i++) {
                a[i + 1] = ids.get(i);
            }
            return List.of(a).iterator();
        }, true).collect();
        for (long[] a : parts) {
            List<Long> ids = new ArrayList<>();
            for (int i = 1; i < a.length; i++) {
                ids.add(a[i]);
            }
            out.add(ids);
        }
        if (f.validationBlocks() != null) {
            out.add(TestData.ids(f.validationBlocks()));
        }
        return out;
    }

    private static List<Long> sortedUnion(List<List<Long>> parts) {
        List<Long> all = new ArrayList<>();
        parts.forEach(all::addAll);
        all.sort(null);
        return all;
    }

    private static Map<Long, float[]> features(JavaRDD<Block> blocks) {
        Map<Long, float[]> m = new HashMap<>();
        for (Block b : blocks.collect()) {
            for (int i = 0; i < b.size; i++) {
                m.put(b.ids[i], java.util.Arrays.copyOfRange(b.features, i * b.featureSize, (i + 1) * b.featureSize));
            }
        }
        return m;
    }

    @Test
    void chunkPassesGiveWhatRowPassesGive() {
        // the same synthetic rows, cached in chunks (default) and not cached (row by row passes)
        ReadOptions o = ReadOptions.classes(3).partitions(3);
        LabeledData cached = Readers.synthetic(spark, 1201, 6, 9, o);
        LabeledData uncached = Readers.synthetic(spark, 1201, 6, 9, o.storage(StorageLevel.NONE()));
        assertNotNull(cached.chunks());
        assertNull(uncached.chunks());
        assertArrayEquals(cached.report().classCounts(), uncached.report().classCounts());
        for (SplitSpec split : new SplitSpec[] {SplitSpec.none(), SplitSpec.holdout(), SplitSpec.kFold(3)}) {
            for (FittedScaler.Kind kind : FittedScaler.Kind.values()) {
                int fold = split.folds() - 1;
                DataPipeline p = DataPipeline.defaults().split(split).scaler(kind).workers(2).batchSize(16).seed(3);
                PreparedFold a = p.prepare(cached).fold(fold);
                PreparedFold b = p.prepare(uncached).fold(fold);
                String what = split + " " + kind;
                // the same training rows and validation rows; not necessarily on the same workers: the chunk path
                // keeps rows where they were read where it can (row ranges of the cached partitions, GroupedRDD),
                // the row path deals them out
                List<List<Long>> la = layout(a);
                List<List<Long>> lb = layout(b);
                assertEquals(lb.size(), la.size(), what);
                int parts = split.kind() == SplitSpec.Kind.NONE ? la.size() : la.size() - 1;
                assertEquals(sortedUnion(lb.subList(0, parts)), sortedUnion(la.subList(0, parts)), what + ": training rows");
                if (parts < la.size()) {
                    assertEquals(lb.get(parts), la.get(parts), what + ": validation rows, in the same order");
                }
                for (List<List<Long>> l : List.of(la, lb)) {
                    assertTrue(Math.abs(l.get(0).size() - l.get(1).size()) <= 1, what + ": balanced workers");
                }
                assertArrayEquals(b.classCountsBefore(), a.classCountsBefore(), what);
                float[][] sa = {a.scaler().shift(), a.scaler().scale()};
                float[][] sb = {b.scaler().shift(), b.scaler().scale()};
                for (int t = 0; t < 2; t++) {
                    for (int k = 0; k < 6; k++) {
                        assertEquals(sb[t][k], sa[t][k], 2e-6 * Math.max(1, Math.abs(sb[t][k])), what + " feature " + k);
                    }
                }
                // an epoch's minibatches (scaled; stored chunks may hold the values as read)
                Map<Long, float[]> fa = features(a.trainBlocks(1));
                Map<Long, float[]> fb = features(b.trainBlocks(1));
                assertEquals(fb.keySet(), fa.keySet(), what);
                for (Map.Entry<Long, float[]> e : fb.entrySet()) {
                    float[] x = fa.get(e.getKey());
                    for (int k = 0; k < 6; k++) {
                        assertEquals(e.getValue()[k], x[k], 1e-4 * Math.max(1, Math.abs(e.getValue()[k])), what);
                    }
                }
                a.unpersist();
                b.unpersist();
            }
        }
        cached.unpersist();
    }

    @Test
    void idxSummaryMatchesAPlainFitOfTheTrainingPixelsToAMillionth() throws Exception {
        int n = 53;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 4;
        }
        Path dir = tmp.resolve("idx");
        TestData.idx(dir, "train", n, 5, 7, labels, false);
        LabeledData d = Readers.idx(spark, dir.toString(), "train", ReadOptions.classes(4).partitions(2));
        float[] pixels = new float[n * 35];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 35; k++) {
                pixels[i * 35 + k] = ((i + k) % 256) / 255f;
            }
        }
        for (SplitSpec split : new SplitSpec[] {SplitSpec.none(), SplitSpec.holdout()}) {
            for (FittedScaler.Kind kind : FittedScaler.Kind.values()) {
                PreparedFold f = DataPipeline.defaults().split(split).scaler(kind).workers(2).prepare(d).fold(0);
                FittedScaler got = f.scaler();
                // the reference: a plain fit on the training rows' pixels
                List<Long> train = TestData.ids(f.trainBlocks());
                float[] flat = new float[train.size() * 35];
                for (int i = 0; i < train.size(); i++) {
                    System.arraycopy(pixels, (int) (long) train.get(i) * 35, flat, i * 35, 35);
                }
                FittedScaler ref = FittedScaler.fit(kind, flat, train.size(), 35);
                String what = split + " " + kind;
                for (int k = 0; k < 35; k++) {
                    assertEquals(ref.shift()[k], got.shift()[k], 1e-6 * Math.max(1, Math.abs(ref.shift()[k])), what + " " + k);
                    assertEquals(ref.scale()[k], got.scale()[k], 1e-6 * Math.abs(ref.scale()[k]), what + " " + k);
                }
                // stored: the raw bytes (a quarter of the memory); an epoch's minibatches: the pixels scaled by
                // the fitted scaler, bit for bit
                // (packed where the rows lie, as here without a split; rows moved between workers are floats)
                for (Block b : f.trainBlocks().collect()) {
                    if (split.kind() == SplitSpec.Kind.NONE) {
                        assertNull(b.features);
                        assertEquals(b.size * 35, b.bytes.length);
                        assertThrows(IllegalStateException.class, b::toMiniBatch);
                    } else {
                        assertTrue((b.features == null) != (b.bytes == null));
                    }
                }
                for (Block b : f.trainBlocks(1).collect()) {
                    assertNull(b.bytes);
                    for (int i = 0; i < b.size; i++) {
                        float[] want = java.util.Arrays.copyOfRange(pixels, (int) b.ids[i] * 35, (int) b.ids[i] * 35 + 35);
                        got.apply(want, 0, 1);
                        assertArrayEquals(want, java.util.Arrays.copyOfRange(b.features, i * 35, i * 35 + 35), what);
                    }
                }
                f.unpersist();
            }
        }
        // the cached rows are the pixels, in file order
        List<Example> rows = d.rows().collect();
        assertEquals(n, rows.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, rows.get(i).id);
            assertEquals(labels[i], rows.get(i).label);
            assertArrayEquals(java.util.Arrays.copyOfRange(pixels, i * 35, (i + 1) * 35), rows.get(i).features);
        }
        d.unpersist();
    }

    @Test
    void eachSummaryAloneGivesTheBitsItGivesBesideTheOther() {
        Random r = new Random(9);
        int f = 21; // not a multiple of 8: ByteRange's and ByteSums' one-by-one tail too
        int n = 700;
        for (int kind = 0; kind < 3; kind++) { // floats, integers 0-255 as bytes, fractions b / 255 as bytes
            RowChunk c = new RowChunk(n, f);
            for (int i = 0; i < n * f; i++) {
                int b = r.nextInt(200) + (i % f);
                c.features[i] = kind == 0 ? (float) r.nextGaussian() * 3 + i % f : kind == 1 ? b : b / 255f;
            }
            for (int i = 0; i < n; i++) {
                c.ids[i] = i;
                c.size++;
            }
            c.narrow();
            assertEquals(kind > 0, c.bytes != null, "kind " + kind + " is stored as bytes");
            ChunkPasses.Keep keep = (id, label) -> id % 7 != 3;
            Moments[] both = Moments.summarize(c, keep, null);
            Moments[] z = Moments.summarize(c, keep, null, true, false);
            Moments[] range = Moments.summarize(c, keep, null, false, true);
            Moments[] none = Moments.summarize(c, keep, null, false, false);
            assertNull(z[1]);
            assertNull(range[0]);
            assertNull(none[0]);
            assertNull(none[1]);
            assertEquals(both[0].n, z[0].n);
            assertEquals(both[1].n, range[1].n);
            assertArrayEquals(both[0].a, z[0].a, 0.0, "kind " + kind + ": means");
            assertArrayEquals(both[0].b, z[0].b, 0.0, "kind " + kind + ": M2");
            assertArrayEquals(both[1].a, range[1].a, 0.0, "kind " + kind + ": minima");
            assertArrayEquals(both[1].b, range[1].b, 0.0, "kind " + kind + ": maxima");
            for (int k = 0; k < f; k++) { // and the range is the rows' own
                double mn = Double.POSITIVE_INFINITY;
                double mx = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    if (i % 7 != 3) {
                        float[] row = new float[f];
                        c.copyRow(i, row, 0, null, null);
                        mn = Math.min(mn, row[k]);
                        mx = Math.max(mx, row[k]);
                    }
                }
                assertEquals(mn, range[1].a[k], 0.0, "kind " + kind + ": min of feature " + k);
                assertEquals(mx, range[1].b[k], 0.0, "kind " + kind + ": max of feature " + k);
            }
        }
    }

    @Test
    void aReadThatSummarisesNothingFitsTheSameScalerByAPassOfItsOwn() {
        for (FittedScaler.Kind kind : FittedScaler.Kind.values()) {
            PreparedFold[] folds = new PreparedFold[4];
            LabeledData[] reads = new LabeledData[4];
            ReadOptions.Summaries[] asked = ReadOptions.Summaries.values();
            for (int i = 0; i < asked.length; i++) {
                reads[i] = Readers.synthetic(spark, 1201, 6, 9, ReadOptions.classes(3).partitions(3).summaries(asked[i]));
                assertEquals(asked[i].zscore(), reads[i].summary(true) != null, asked[i] + ": z-score summary");
                assertEquals(asked[i].range(), reads[i].summary(false) != null, asked[i] + ": range summary");
                folds[i] = DataPipeline.defaults().split(SplitSpec.none()).scaler(kind).workers(2).batchSize(16).seed(3)
                        .prepare(reads[i]).fold(0);
            }
            for (int i = 1; i < asked.length; i++) {
                String what = kind + ", read summarising " + asked[i] + " against " + asked[0];
                assertArrayEquals(folds[0].scaler().shift(), folds[i].scaler().shift(), 0f, what + ": shift");
                assertArrayEquals(folds[0].scaler().scale(), folds[i].scaler().scale(), 0f, what + ": scale");
                assertEquals(features(folds[0].trainBlocks(1)).keySet(), features(folds[i].trainBlocks(1)).keySet(), what);
            }
            for (int i = 0; i < asked.length; i++) {
                folds[i].unpersist();
                reads[i].unpersist();
            }
        }
    }

    @Test
    void summaryIsAccurateFarFromZero() {
        // values 1e4 + N(0, 1): a one-pass Σx² − (Σx)²/n in float would lose every digit of the variance
        int f = 3;
        int n = 5000;
        RowChunk c = new RowChunk(n, f);
        Random r = new Random(5);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < f; k++) {
                c.features[i * f + k] = (float) (1e4 * (k + 1) + r.nextGaussian() * (k + 1));
            }
            c.ids[i] = i;
            c.size++;
        }
        long[] counts = new long[1];
        Moments[] m = Moments.summarize(c, (id, label) -> id % 5 != 0, counts);
        assertEquals(4000, counts[0]);
        for (int k = 0; k < f; k++) {
            double mean = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (i % 5 != 0) {
                    mean += c.features[i * f + k];
                    min = Math.min(min, c.features[i * f + k]);
                    max = Math.max(max, c.features[i * f + k]);
                }
            }
            mean /= 4000;
            double m2 = 0;
            for (int i = 0; i < n; i++) {
                if (i % 5 != 0) {
                    double d = c.features[i * f + k] - mean;
                    m2 += d * d;
                }
            }
            assertEquals(4000, m[0].n);
            assertEquals(mean, m[0].a[k], 1e-9 * mean, "mean " + k);
            assertEquals(m2, m[0].b[k], 1e-5 * m2, "M2 " + k);
            assertEquals(min, m[1].a[k], 0.0, "min " + k);
            assertEquals(max, m[1].b[k], 0.0, "max " + k);
        }
    }

    @Test
    void chunksHoldTheValidRowsInOrderAndThePartitionStatisticsOnTheLast() {
        int f = 1000; // capacity 1048 rows: 3000 rows make 3 chunks
        List<Example> in = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            if (i == 1500) {
                in.add(Example.bad(i, Problem.NOT_A_NUMBER, "cell 3 is not a number"));
                continue;
            }
            float[] x = new float[f];
            x[0] = i;
            x[f - 1] = -i;
            in.add(new Example(i, i % 2, x));
        }
        List<RowChunk> chunks = new ArrayList<>();
        RowChunk.pack(4, in.iterator(), 2, 5, f, ReadOptions.Summaries.ZSCORE_AND_RANGE).forEachRemaining(chunks::add);
        assertEquals(3, chunks.size());
        long rows = 0;
        for (int j = 0; j < 3; j++) {
            RowChunk c = chunks.get(j);
            rows += c.size;
            assertEquals(c.size * f, c.features.length);
            assertEquals(j == 2, c.stats != null, "statistics only on the last chunk");
        }
        assertEquals(2999, rows);
        ReadStats s = chunks.get(2).stats;
        assertEquals(2999, s.partitionRows[4]);
        assertEquals(1, s.bad());
        assertEquals(1500, s.sampleIds[0]);
        assertEquals(2999, s.zscore.n);
        Iterator<Example> back = RowChunk.rows(chunks.iterator());
        for (Example e : in) {
            if (!e.isValid()) {
                continue;
            }
            Example b = back.next();
            assertEquals(e.id, b.id);
            assertEquals(e.label, b.label);
            assertArrayEquals(e.features, b.features);
        }
        assertTrue(!back.hasNext());
        // a partition without a single valid row still reports its statistics, on an empty chunk
        List<RowChunk> none = new ArrayList<>();
        RowChunk.pack(0, List.of(Example.bad(7, Problem.NOT_A_NUMBER, "x")).iterator(), 2, 1, f,
                ReadOptions.Summaries.ZSCORE_AND_RANGE)
                .forEachRemaining(none::add);
        assertEquals(1, none.size());
        assertEquals(0, none.get(0).size);
        assertEquals(1, none.get(0).stats.bad());
    }

    private LabeledData rowsOf(List<Example> rows) {
        JavaRDD<Example> rdd = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(rows, 2);
        return LabeledData.validate(rdd, TestData.source(), ReadOptions.classes(3), org.sparktrain.engine.Shape.of(4),
                StorageLevel.MEMORY_AND_DISK());
    }

    /** Per worker (partition of the stored blocks): rows per class. */
    private static long[][] classesPerWorker(PreparedFold f) {
        List<long[]> parts = f.trainBlocks().mapPartitionsWithIndex((p, it) -> {
            long[] c = new long[4];
            c[3] = p;
            it.forEachRemaining(b -> {
                for (int i = 0; i < b.size; i++) {
                    c[b.labels[i]]++;
                }
            });
            return List.of(c).iterator();
        }, true).collect();
        long[][] out = new long[parts.size()][];
        for (long[] c : parts) {
            out[(int) c[3]] = java.util.Arrays.copyOf(c, 3);
        }
        return out;
    }

    @Test
    void inputGroupedByClassIsDealtOutSoEveryWorkerSeesEveryClass() {
        List<Example> sorted = new ArrayList<>();
        List<Example> mixed = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            sorted.add(new Example(i, i / 200, new float[] {i, 1, 2, 3}));
            mixed.add(new Example(i, i % 3, new float[] {i, 1, 2, 3}));
        }
        // grouped by class: read in place, worker 0 would hold classes 0 and 1 only
        LabeledData g = rowsOf(sorted);
        assertArrayEquals(new long[] {200, 100, 0}, g.partitionClassRows()[0]);
        PreparedFold fg = DataPipeline.defaults().split(SplitSpec.none()).workers(2).prepare(g).fold(0);
        for (long[] w : classesPerWorker(fg)) {
            assertArrayEquals(new long[] {100, 100, 100}, w, "every worker gets an even share of every class");
        }
        // an even mix stays where it is (no shuffle): worker 0 holds the first half of the input
        LabeledData m = rowsOf(mixed);
        PreparedFold fm = DataPipeline.defaults().split(SplitSpec.none()).workers(2).prepare(m).fold(0);
        assertEquals(List.of(0L, 1L, 2L), TestData.ids(fm.trainBlocks()).subList(0, 3));
        assertTrue(layout(fm).get(0).stream().allMatch(id -> id < 300));
        // the decision itself
        assertTrue(Packer.inPlace(new long[][] {{100, 100, 100}, {100, 100, 100}}, 2));
        assertTrue(!Packer.inPlace(new long[][] {{200, 100, 0}, {0, 100, 200}}, 2), "grouped by class");
        assertTrue(!Packer.inPlace(new long[][] {{100, 100, 100}, {100, 100, 98}}, 2), "sizes differ by 2");
        assertTrue(!Packer.inPlace(new long[][] {{100, 100, 100}}, 2), "one partition for two workers");
        fg.unpersist();
        fm.unpersist();
        g.unpersist();
        m.unpersist();
    }

    @Test
    void aSplitOfWellMixedPartitionsIsBalancedByMovingOnlyTheSurplus() {
        List<Example> mixed = new ArrayList<>();
        Random r = new Random(3);
        for (int i = 0; i < 601; i++) {
            mixed.add(new Example(i, i % 3, new float[] {(float) r.nextGaussian(), i, 2, 3}));
        }
        LabeledData d = rowsOf(mixed); // partition 0: ids 0..299, partition 1: ids 300..600
        DataPipeline p = DataPipeline.defaults().split(SplitSpec.holdout()).workers(2).batchSize(16).seed(8);
        PreparedFold f = p.prepare(d).fold(0);
        List<List<Long>> lay = layout(f);
        long[] per = f.rowsPerWorker();
        assertTrue(Math.abs(per[0] - per[1]) <= 1, java.util.Arrays.toString(per));
        // the same training rows as the row by row path (which deals every row out)
        java.util.Set<Long> train = new java.util.HashSet<>(lay.get(0));
        train.addAll(lay.get(1));
        assertEquals(f.trainRows(), train.size());
        java.util.Set<Long> val = new java.util.HashSet<>(lay.get(2));
        assertEquals(601, train.size() + val.size());
        for (Long v : val) {
            assertTrue(!train.contains(v));
        }
        // few rows moved: worker q keeps its own partition's rows and receives only what it lacks
        long moved = 0;
        for (int q = 0; q < 2; q++) {
            for (long id : lay.get(q)) {
                if ((id < 300 ? 0 : 1) != q) {
                    moved++;
                }
            }
        }
        long[] own = new long[2];
        for (long id : train) {
            own[id < 300 ? 0 : 1]++;
        }
        assertEquals(Math.abs(own[0] - own[1]) / 2, moved, "own " + java.util.Arrays.toString(own));
        assertTrue(moved > 0, "the test needs partitions of different sizes");
        // deterministic
        assertEquals(lay, layout(p.prepare(d).fold(0)));
        // validation blocks are small enough to predict at once
        for (Block b : f.validationBlocks().collect()) {
            assertTrue(b.size <= ScoringBlocks.PREDICT_ROWS, "validation block of " + b.size + " rows");
        }
        // every row scaled once, whichever way it came
        Map<Long, float[]> raw = new HashMap<>();
        for (Example e : mixed) {
            raw.put(e.id, e.features);
        }
        for (Block b : f.trainBlocks(1).collect()) {
            for (int i = 0; i < b.size; i++) {
                float[] want = raw.get(b.ids[i]).clone();
                f.scaler().apply(want, 0, 1);
                assertArrayEquals(want, java.util.Arrays.copyOfRange(b.features, i * 4, i * 4 + 4));
            }
        }
        f.unpersist();
        d.unpersist();
    }
}
