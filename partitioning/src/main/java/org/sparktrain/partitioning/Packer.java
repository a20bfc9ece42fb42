package org.sparktrain.partitioning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.SplitMix;
import org.sparktrain.engine.io.FittedScaler;
import scala.Tuple2;

/**
 * Packs rows into minibatch {@link Block}s on the executors, scaling each block in place as it is filled.
 *
 * <p>Training rows go to {@code workers} partitions with balanced sizes (they differ by at most one row):
 * rows are dealt out round-robin in input order, the count continuing where the previous input partition
 * stopped, so every worker gets an even slice of every input partition (and of every class); within a
 * worker the rows are sorted by a seeded hash, so the order does not depend on shuffle timing. When the
 * input already has one partition per worker with balanced sizes the rows stay where they are, in input
 * order (no shuffle). Either way rows stream through: a partition is never held in memory as a whole.
 * Every epoch, {@link #reshuffle} permutes each worker's rows afresh, locally, from (seed, epoch,
 * partition).
 */
final class Packer {
    private Packer() {
    }

    /** Rows per partition of an RDD. */
    static long[] partitionCounts(JavaRDD<Example> rows) {
        List<long[]> per = rows.mapPartitionsWithIndex((p, it) -> {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return List.of(new long[] {p, n}).iterator();
        }, true).collect();
        long[] counts = new long[rows.getNumPartitions()];
        for (long[] c : per) {
            counts[(int) c[0]] = c[1];
        }
        return counts;
    }

    /**
     * @param perPartClass rows per (partition, class) of {@code rows} if already known, else null (one more
     *        pass counts the rows per partition, and they are dealt out: the class mix is unknown)
     * @param orderMixed whether the rows may keep their input order (false: always dealt out)
     */
    static JavaRDD<Block> packTraining(JavaRDD<Example> rows, long[][] perPartClass, boolean orderMixed, int workers,
            int batch, FittedScaler scaler, int featureSize, long seed, String what) {
        long[] counts = perPartClass != null ? rowCounts(perPartClass) : partitionCounts(rows);
        checkEnough(Arrays.stream(counts).sum(), workers, what);
        if (perPartClass != null && orderMixed && inPlace(perPartClass, workers)) {
            return rows.mapPartitions(it -> blocks(it, batch, featureSize, scaler));
        }
        long[] offsets = new long[counts.length];
        for (int p = 1; p < counts.length; p++) {
            offsets[p] = offsets[p - 1] + counts[p - 1];
        }
        JavaPairRDD<PackKey, Example> keyed = rows.mapPartitionsWithIndex((p, it) -> new Iterator<Tuple2<PackKey, Example>>() {
            long i = offsets[p];

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Tuple2<PackKey, Example> next() {
                Example e = it.next();
                int w = (int) (i++ % workers);
                return new Tuple2<>(new PackKey(w, Seeded.key(seed, Seeded.PACK, e), e.id, e.copy), e);
            }
        }, false).mapPartitionsToPair(it -> it);
        return keyed.repartitionAndSortWithinPartitions(new PackKey.ByWorker(workers), new PackKey.Order())
                .values()
                .mapPartitions(it -> blocks(it, batch, featureSize, scaler));
    }

    static void checkEnough(long total, int workers, String what) {
        if (total < workers) {
            throw new DataFormatException(what + " has " + total + " rows, fewer than the " + workers
                    + " workers; every worker needs at least one row: use fewer workers or more data.");
        }
    }

    static long[] rowCounts(long[][] perPartClass) {
        long[] counts = new long[perPartClass.length];
        for (int p = 0; p < counts.length; p++) {
            counts[p] = Arrays.stream(perPartClass[p]).sum();
        }
        return counts;
    }

    /**
     * Whether rows can be packed where they are: one partition per worker, sizes within one row of each
     * other, and every partition holding the classes in about the proportions of the whole (each count
     * within 4 standard deviations, plus 2, of what an even mix would give). Input sorted or grouped by
     * class fails the last test and is dealt out instead: workers that each saw a few classes would average
     * models that disagree (non-IID data), where one machine sees them all.
     */
    static boolean inPlace(long[][] perPartClass, int workers) {
        return evenMix(perPartClass, workers) && balanced(rowCounts(perPartClass));
    }

    /** Partitions of at least this many rows (on average) count as balanced within {@link #LARGE_SLACK}. */
    static final long LARGE_PARTITION = 100_000;
    /** 1%: the tolerance for large partitions. */
    static final int LARGE_SLACK = 100;

    /**
     * Sizes within one row of each other; for partitions of 100,000 rows or more, within 1% of the mean
     * (splits of a large file, or runs of files, differ by a few rows in 10,000: not worth a pass and a copy
     * of every row; a worker with fewer rows simply has no minibatch in the epoch's last round or two).
     */
    static boolean balanced(long[] counts) {
        long min = Arrays.stream(counts).min().orElse(0);
        long max = Arrays.stream(counts).max().orElse(0);
        long mean = Arrays.stream(counts).sum() / Math.max(1, counts.length);
        return max - min <= 1 || mean >= LARGE_PARTITION && max - min <= mean / LARGE_SLACK;
    }

    /**
     * Rows each worker should end with: the total split as evenly as possible, the extra rows going to the
     * partitions that hold the most (so the fewest rows move).
     */
    static long[] targets(long[] counts) {
        int w = counts.length;
        long total = Arrays.stream(counts).sum();
        long[] t = new long[w];
        Integer[] order = new Integer[w];
        for (int p = 0; p < w; p++) {
            t[p] = total / w;
            order[p] = p;
        }
        Arrays.sort(order, (a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b));
        for (int k = 0; k < total % w; k++) {
            t[order[k]]++;
        }
        return t;
    }

    /**
     * One partition per worker, each holding the classes in about the proportions of the whole (see
     * {@link #inPlace}).
     */
    static boolean evenMix(long[][] perPartClass, int workers) {
        if (perPartClass == null || perPartClass.length != workers) {
            return false;
        }
        long[] counts = rowCounts(perPartClass);
        long total = Arrays.stream(counts).sum();
        if (total == 0) {
            return true;
        }
        int classes = perPartClass[0].length;
        for (int c = 0; c < classes; c++) {
            long nc = 0;
            for (long[] p : perPartClass) {
                nc += p[c];
            }
            double share = (double) nc / total;
            for (int p = 0; p < perPartClass.length; p++) {
                double expect = counts[p] * share;
                double sd = Math.sqrt(expect * (1 - share));
                if (Math.abs(perPartClass[p][c] - expect) > 4 * sd + 2) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Validation rows: packed where they are, in input order (no balancing needed, never resampled). */
    static JavaRDD<Block> packInPlace(JavaRDD<Example> rows, int batch, FittedScaler scaler, int featureSize) {
        return rows.mapPartitions(it -> blocks(it, batch, featureSize, scaler));
    }

    /** Cuts a stream of rows into blocks of {@code batch} (the last one may be smaller), scaled. */
    static Iterator<Block> blocks(Iterator<Example> it, int batch, int featureSize, FittedScaler scaler) {
        return new Iterator<Block>() {
            final Example[] buf = new Example[batch];

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Block next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                int n = 0;
                while (n < batch && it.hasNext()) {
                    buf[n++] = it.next();
                }
                Block b = new Block(n, featureSize);
                for (int i = 0; i < n; i++) {
                    System.arraycopy(buf[i].features, 0, b.features, i * featureSize, featureSize);
                    b.labels[i] = buf[i].label;
                    b.ids[i] = buf[i].id;
                    Block.key(b, i, buf[i].key, n);
                    buf[i] = null;
                }
                if (scaler != null) {
                    scaler.apply(b.features, 0, n);
                }
                return b;
            }
        };
    }

    /**
     * The worker's rows in a fresh order for an epoch, repacked into blocks of its {@code batches[p]} rows, local to
     * each worker (no shuffle, nothing shipped from the driver). Stored float blocks are already scaled and
     * are copied; stored byte blocks are turned into floats and scaled with {@code scaler} (may be null) in
     * the same copy.
     *
     * <p>A worker with at most {@code window} rows: one Fisher–Yates permutation of all its rows, seeded by
     * (seed, epoch, partition). A worker with more: its stored blocks stream through in stored order and
     * are cut into windows of {@code window} rows, the first window shorter by a seeded offset in
     * [0, window) so that the cuts move every epoch; each window's rows are permuted by Fisher–Yates seeded
     * by (seed, epoch, partition, window) and the minibatches are cut from the concatenation (a minibatch
     * may span two windows). The task holds at most the stored blocks that overlap the current window and
     * the next one, whatever the partition's size (docs/data-preparation.md, "Bounded memory").
     *
     * @param rows rows per partition (the stored counts)
     */
    static JavaRDD<Block> reshuffle(JavaRDD<Block> blocks, long seed, int epoch, int[] batches, FittedScaler scaler,
            long[] rows, int window) {
        float[] shift = scaler == null ? null : scaler.shift();
        float[] scale = scaler == null ? null : scaler.scale();
        return blocks.mapPartitionsWithIndex((p, it) -> new WindowedEpoch(it, rows[p], window, batches[p],
                SplitMix.derive(seed, Seeded.EPOCH, epoch, p), shift, scale), true);
    }

    /** 0..n-1 permuted by Fisher–Yates from the SplitMix stream of {@code s}. */
    static int[] permutation(int n, long s) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            s += SplitMix.GOLDEN;
            int j = (int) ((SplitMix.mix(s) >>> 33) % (i + 1));
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    /**
     * One epoch of a partition, streamed (see {@link #reshuffle}): holds the stored blocks overlapping the
     * current window, its permutation, and the minibatch being filled. A partition of at most one window is
     * one permutation seeded by {@code seed} itself.
     */
    static final class WindowedEpoch implements Iterator<Block> {
        private final Iterator<Block> stored;
        private final long total;
        private final int window;
        private final int batch;
        private final long seed;
        private final float[] shift;
        private final float[] scale;
        /** Stored blocks overlapping the current window, and the partition row where each starts. */
        private final java.util.ArrayDeque<Block> held = new java.util.ArrayDeque<>();
        private final java.util.ArrayDeque<Long> heldStart = new java.util.ArrayDeque<>();
        private long loaded; // rows of the stored blocks read so far
        private final long firstEnd; // where window 0 ends
        private long windowStart; // first row of the current window
        private long windowEnd;
        private int windowRows;
        private int windowIndex = -1;
        private Block[] rowBlock = new Block[0]; // per row of the window: its stored block and row there
        private int[] rowIndex = new int[0];
        private int[] perm;
        private int next; // next position in perm
        private long emitted;

        WindowedEpoch(Iterator<Block> stored, long total, int window, int batch, long seed, float[] shift,
                float[] scale) {
            this.stored = stored;
            this.total = total;
            this.window = window;
            this.batch = batch;
            this.seed = seed;
            this.shift = shift;
            this.scale = scale;
            // the first window is shorter by a seeded offset in [0, window), so the cuts move every epoch
            firstEnd = total <= window ? total : window - Long.remainderUnsigned(SplitMix.derive(seed, -1), window);
        }

        @Override
        public boolean hasNext() {
            return emitted < total;
        }

        @Override
        public Block next() {
            if (emitted >= total) {
                throw new NoSuchElementException();
            }
            int size = (int) Math.min(batch, total - emitted);
            Block nb = null;
            for (int i = 0; i < size; i++) {
                if (next >= windowRows) {
                    advanceWindow();
                }
                int w = perm[next++];
                Block from = rowBlock[w];
                int r = rowIndex[w];
                if (nb == null) {
                    nb = new Block(size, from.featureSize);
                }
                from.copyRow(r, nb.features, i * nb.featureSize, shift, scale);
                nb.labels[i] = from.labels[r];
                nb.ids[i] = from.ids[r];
            }
            emitted += size;
            return nb;
        }

        /** The stored blocks must hold exactly the rows counted when they were packed. */
        private void checkNoMoreRows() {
            while (stored.hasNext()) {
                if (stored.next().size > 0) {
                    throw new IllegalStateException("a worker's stored blocks hold more than the " + total
                            + " rows counted when they were packed");
                }
            }
        }

        private void advanceWindow() {
            windowStart = windowEnd;
            windowIndex++;
            long end = windowIndex == 0 ? firstEnd : windowStart + window;
            end = Math.min(end, total);
            // drop the blocks that end before this window, read those it needs
            while (!held.isEmpty() && heldStart.peekFirst() + held.peekFirst().size <= windowStart) {
                held.pollFirst();
                heldStart.pollFirst();
            }
            while (loaded < end) {
                if (!stored.hasNext()) {
                    throw new IllegalStateException("a worker's stored blocks hold " + loaded + " rows, "
                            + total + " were counted when they were packed");
                }
                Block b = stored.next();
                held.addLast(b);
                heldStart.addLast(loaded);
                loaded += b.size;
            }
            windowEnd = end;
            windowRows = (int) (end - windowStart);
            Arrays.fill(rowBlock, null); // no reference to a dropped block
            if (rowBlock.length < windowRows) {
                rowBlock = new Block[windowRows];
                rowIndex = new int[windowRows];
            }
            int i = 0;
            java.util.Iterator<Long> starts = heldStart.iterator();
            for (Block b : held) {
                long s = starts.next();
                int from = (int) Math.max(0, windowStart - s);
                int to = (int) Math.min(b.size, end - s);
                for (int r = from; r < to; r++, i++) {
                    rowBlock[i] = b;
                    rowIndex[i] = r;
                }
            }
            if (i != windowRows) {
                throw new IllegalStateException("window " + windowIndex + " gathered " + i + " of " + windowRows
                        + " rows");
            }
            perm = permutation(windowRows, total <= window ? seed : SplitMix.derive(seed, windowIndex));
            if (end == total) {
                checkNoMoreRows();
            }
            next = 0;
        }
    }
}
