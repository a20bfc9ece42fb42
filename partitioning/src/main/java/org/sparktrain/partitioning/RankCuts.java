package org.sparktrain.partitioning;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.SplitMix;

/**
 * Exact per-class cuts in a seeded random order, found on the executors without collecting rows: each
 * row's place in its class is its hash key {@code derive(seed, tag, id, copy)}; a cut at rank r separates
 * exactly the r smallest keys of the class from the rest. This is what makes stratified holdout and
 * k-fold proportions exact (e.g. round(0.3·n_c) validation rows in every class) and down-sampling counts
 * exact, while every row decides its own side from its key and a few thresholds.
 *
 * <p>Two light passes: a per-class histogram of the keys' top bits finds the bucket holding each cut,
 * then only the keys in those buckets (a handful per cut) are collected to place the cut exactly.
 */
final class RankCuts implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long seed;
    private final long tag;
    /** Per class, the thresholds in ascending order: (key, id, copy) of the first row at or above the cut. */
    private final long[][] keys;
    private final long[][] ids;
    private final int[][] copies;

    private RankCuts(long seed, long tag, long[][] keys, long[][] ids, int[][] copies) {
        this.seed = seed;
        this.tag = tag;
        this.keys = keys;
        this.ids = ids;
        this.copies = copies;
    }

    /** The segment of a row: how many of its class's cuts lie at or below it (0 .. cuts). */
    int segment(Example e) {
        return segment(e.id, e.label, e.copy);
    }

    /** {@link #segment(Example)} from a row's id, label and copy number. */
    int segment(long id, int label, int copy) {
        long k = SplitMix.derive(seed, tag, id, copy);
        long[] ck = keys[label];
        int s = 0;
        while (s < ck.length && Seeded.compare(k, id, copy, ck[s], ids[label][s], copies[label][s]) >= 0) {
            s++;
        }
        return s;
    }

    /**
     * Computes cuts at the given ranks (per class, ascending, each within [0, classCounts[c]]).
     *
     * @param classCounts rows per class in {@code rows}
     */
    static RankCuts compute(JavaRDD<Example> rows, int classes, long[] classCounts, long[][] ranks, long seed,
            long tag) {
        int bits = 16;
        while (bits > 4 && ((long) classes << bits) > (1L << 18)) {
            bits--;
        }
        final int b = bits;
        final int buckets = 1 << bits;
        long[][] keys = new long[classes][];
        long[][] ids = new long[classes][];
        int[][] copies = new int[classes][];
        boolean needed = false;
        for (int c = 0; c < classes; c++) {
            keys[c] = new long[ranks[c].length];
            ids[c] = new long[ranks[c].length];
            copies[c] = new int[ranks[c].length];
            for (long r : ranks[c]) {
                if (r < 0 || r > classCounts[c]) {
                    throw new IllegalArgumentException("cut at rank " + r + " outside class " + c + " of "
                            + classCounts[c] + " rows");
                }
                needed |= r > 0 && r < classCounts[c];
            }
        }
        long[] hist = new long[classes * buckets];
        if (needed) {
            hist = rows.mapPartitions(it -> {
                long[] h = new long[classes * buckets];
                while (it.hasNext()) {
                    Example e = it.next();
                    h[e.label * buckets + (int) (Seeded.key(seed, tag, e) >>> (64 - b))]++;
                }
                return List.of(h).iterator();
            }).treeReduce((x, y) -> {
                for (int i = 0; i < x.length; i++) {
                    x[i] += y[i];
                }
                return x;
            });
        }
        // Which bucket holds each cut, and how many keys of that bucket lie below it.
        int[][] bucketOf = new int[classes][];
        long[][] within = new long[classes][];
        HashSet<Integer> wanted = new HashSet<>();
        for (int c = 0; c < classes; c++) {
            bucketOf[c] = new int[ranks[c].length];
            within[c] = new long[ranks[c].length];
            for (int j = 0; j < ranks[c].length; j++) {
                long r = ranks[c][j];
                if (r == 0) {
                    keys[c][j] = 0;
                    ids[c][j] = Long.MIN_VALUE;
                    copies[c][j] = Integer.MIN_VALUE;
                    bucketOf[c][j] = -1;
                } else if (r == classCounts[c]) {
                    keys[c][j] = -1L;
                    ids[c][j] = Long.MAX_VALUE;
                    copies[c][j] = Integer.MAX_VALUE;
                    bucketOf[c][j] = -1;
                } else {
                    long cum = 0;
                    int t = 0;
                    while (cum + hist[c * buckets + t] <= r) {
                        cum += hist[c * buckets + t];
                        t++;
                    }
                    bucketOf[c][j] = t;
                    within[c][j] = r - cum;
                    wanted.add(c * buckets + t);
                }
            }
        }
        if (!wanted.isEmpty()) {
            final HashSet<Integer> want = wanted;
            List<long[]> found = rows.mapPartitions(it -> {
                List<Long> out = new ArrayList<>();
                while (it.hasNext()) {
                    Example e = it.next();
                    long k = Seeded.key(seed, tag, e);
                    int slot = e.label * buckets + (int) (k >>> (64 - b));
                    if (want.contains(slot)) {
                        out.add((long) slot);
                        out.add(k);
                        out.add(e.id);
                        out.add((long) e.copy);
                    }
                }
                long[] a = new long[out.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = out.get(i);
                }
                return List.of(a).iterator();
            }).collect();
            List<long[]> all = new ArrayList<>();
            for (long[] a : found) {
                for (int i = 0; i < a.length; i += 4) {
                    all.add(new long[] {a[i], a[i + 1], a[i + 2], a[i + 3]});
                }
            }
            all.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0])
                    : Seeded.compare(x[1], x[2], (int) x[3], y[1], y[2], (int) y[3]));
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j < ranks[c].length; j++) {
                    if (bucketOf[c][j] < 0) {
                        continue;
                    }
                    long slot = (long) c * buckets + bucketOf[c][j];
                    int first = 0;
                    while (all.get(first)[0] != slot) {
                        first++;
                    }
                    long[] t = all.get(first + (int) within[c][j]);
                    keys[c][j] = t[1];
                    ids[c][j] = t[2];
                    copies[c][j] = (int) t[3];
                }
            }
        }
        return new RankCuts(seed, tag, keys, ids, copies);
    }
}
