package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Splits: exact stratified proportions, disjoint covering folds, bootstrap out-of-bag fraction, determinism. */
class SplitTest {
    private final SparkSession spark = SharedSpark.get();

    private static Map<Long, Integer> labels(LabeledData d) {
        Map<Long, Integer> m = new HashMap<>();
        for (Example e : d.rows().collect()) {
            m.put(e.id, e.label);
        }
        return m;
    }

    @Test
    void holdoutHasExactPerClassProportionsAndIsDeterministic() {
        LabeledData d = Readers.synthetic(spark, 2003, 3, 11, ReadOptions.classes(5).partitions(3));
        long[] n = d.report().classCounts();
        PreparedFold f = DataPipeline.defaults().workers(2).batchSize(32).seed(5).prepare(d).fold(0);
        long[] val = TestData.classCounts(f.validationBlocks(), 5);
        long[] train = TestData.classCounts(f.trainBlocks(), 5);
        for (int c = 0; c < 5; c++) {
            assertEquals(Math.round(0.3 * n[c]), val[c], "class " + c);
            assertEquals(n[c] - val[c], train[c], "class " + c);
        }
        Set<Long> v = TestData.idSet(f.validationBlocks());
        Set<Long> t = TestData.idSet(f.trainBlocks());
        assertEquals(2003, v.size() + t.size());
        v.retainAll(t);
        assertTrue(v.isEmpty(), "validation rows in training blocks: " + v);

        // same seed, different read partitioning: the same validation rows; another seed: different ones
        LabeledData d4 = Readers.synthetic(spark, 2003, 3, 11, ReadOptions.classes(5).partitions(4));
        PreparedFold f4 = DataPipeline.defaults().workers(3).seed(5).prepare(d4).fold(0);
        assertEquals(TestData.idSet(f.validationBlocks()), TestData.idSet(f4.validationBlocks()));
        PreparedFold other = DataPipeline.defaults().workers(2).seed(6).prepare(d4).fold(0);
        assertNotEquals(TestData.idSet(f.validationBlocks()), TestData.idSet(other.validationBlocks()));
        f.unpersist();
        f4.unpersist();
        other.unpersist();
        d.unpersist();
        d4.unpersist();
    }

    @Test
    void kFoldFoldsAreDisjointCoverEveryRowOnceAndAreStratified() {
        LabeledData d = Readers.synthetic(spark, 1237, 2, 3, ReadOptions.classes(3).partitions(2));
        Map<Long, Integer> label = labels(d);
        long[] n = d.report().classCounts();
        int k = 5;
        PreparedData p = DataPipeline.defaults().split(SplitSpec.kFold(k)).scaler(null).workers(2).batchSize(50)
                .seed(9).prepare(d);
        assertEquals(k, p.folds());
        Map<Long, Integer> seen = new HashMap<>();
        for (int i = 0; i < k; i++) {
            PreparedFold f = p.fold(i);
            List<Long> val = TestData.ids(f.validationBlocks());
            List<Long> train = TestData.ids(f.trainBlocks());
            assertEquals(val.size(), new HashSet<>(val).size(), "a validation row twice in fold " + i);
            Set<Long> overlap = new HashSet<>(val);
            overlap.retainAll(new HashSet<>(train));
            assertTrue(overlap.isEmpty(), "fold " + i + " validates on training rows " + overlap);
            assertEquals(1237, val.size() + train.size());
            long[] perClass = new long[3];
            for (long id : val) {
                seen.merge(id, 1, Integer::sum);
                perClass[label.get(id)]++;
            }
            for (int c = 0; c < 3; c++) {
                assertTrue(perClass[c] == n[c] / k || perClass[c] == n[c] / k + 1,
                        "fold " + i + " class " + c + ": " + perClass[c] + " of " + n[c]);
            }
            f.unpersist();
        }
        assertEquals(1237, seen.size());
        assertTrue(seen.values().stream().allMatch(c -> c == 1));
        p.unpersist();
    }

    @Test
    void bootstrapDrawsNRowsAndLeavesAboutOneOverEOutOfBag() {
        int n = 100_000;
        LabeledData d = Readers.synthetic(spark, n, 1, 21, ReadOptions.classes(2).partitions(2));
        PreparedFold f = DataPipeline.defaults().split(SplitSpec.bootstrap()).scaler(null).workers(2)
                .batchSize(1000).seed(3).prepare(d).fold(0);
        List<Long> train = TestData.ids(f.trainBlocks());
        assertEquals(n, train.size(), "n draws with replacement");
        Set<Long> inBag = new HashSet<>(train);
        Set<Long> oob = TestData.idSet(f.validationBlocks());
        assertEquals(n, inBag.size() + oob.size());
        double frac = (double) oob.size() / n;
        assertEquals(Math.exp(-1), frac, 0.01, "out-of-bag fraction");
        oob.retainAll(inBag);
        assertTrue(oob.isEmpty());
        long[] perWorker = f.rowsPerWorker();
        assertTrue(Math.abs(perWorker[0] - perWorker[1]) <= 1);
        System.out.printf("bootstrap: %d rows, out-of-bag fraction %.4f (1/e = %.4f)%n", n, frac, Math.exp(-1));
        f.unpersist();
        d.unpersist();
    }

    @Test
    void binomialSamplerMatchesItsMeanAndVariance() {
        long n = 1000;
        double p = 0.3;
        double sum = 0;
        double sq = 0;
        int draws = 20000;
        for (int i = 0; i < draws; i++) {
            long k = Seeded.binomial(n, p, Seeded.unit(org.sparktrain.engine.SplitMix.derive(1, i)));
            sum += k;
            sq += (double) k * k;
        }
        double mean = sum / draws;
        double var = sq / draws - mean * mean;
        assertEquals(n * p, mean, 0.5);
        assertEquals(n * p * (1 - p), var, 10);
        assertEquals(Math.log(120), Seeded.lgamma(6), 1e-11);
        assertEquals(Math.log(3628800), Seeded.lgamma(11), 1e-11);
        List<Long> small = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            small.add(Seeded.binomial(3, 1e-9, 0.5));
        }
        assertTrue(small.stream().allMatch(k -> k == 0));
    }
}
