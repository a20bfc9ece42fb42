package org.sparktrain.partitioning;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.io.FittedScaler;
import scala.Tuple2;

/**
 * The pipeline's passes over cached {@link RowChunk}s: they read the chunk arrays directly, so no
 * {@link Example} is created. One scan counts a part's rows per (partition, class) and fits its scaler
 * together; packing copies a part's rows into blocks where they are.
 */
final class ChunkPasses {
    private ChunkPasses() {
    }

    /** Which rows of the chunks belong to a part (e.g. the training part of a fold). */
    interface Keep extends Serializable {
        boolean keep(long id, int label);

        Keep ALL = (id, label) -> true;
    }

    /** What one scan found: rows per (partition, class) and, when asked for, the part's moments. */
    static final class Scan {
        final long[][] perPartClass;
        final Moments moments;

        Scan(long[][] perPartClass, Moments moments) {
            this.perPartClass = perPartClass;
            this.moments = moments;
        }
    }

    /**
     * Counts the kept rows per (partition, class) and, unless {@code kind} is null, accumulates their
     * moments, in one pass. Partitions' moments are merged on the driver in partition order, so the
     * result does not depend on which task finished first.
     */
    static Scan scan(JavaRDD<RowChunk> chunks, Keep keep, int classes, FittedScaler.Kind kind, int features) {
        boolean fit = kind != null;
        boolean zscore = kind == FittedScaler.Kind.ZSCORE;
        List<PartScan> parts = chunks.mapPartitionsWithIndex((p, it) -> {
            PartScan s = new PartScan();
            s.partition = p;
            s.classCounts = new long[classes];
            s.moments = fit ? Moments.empty(zscore, features) : null;
            while (it.hasNext()) {
                RowChunk c = it.next();
                if (fit) {
                    s.moments = Moments.merge(s.moments, Moments.summarize(c, keep, s.classCounts, zscore, !zscore)[zscore ? 0 : 1]);
                } else {
                    for (int i = 0; i < c.size; i++) {
                        if (keep.keep(c.ids[i], c.labels[i])) {
                            s.classCounts[c.labels[i]]++;
                        }
                    }
                }
            }
            return List.of(s).iterator();
        }, true).collect();
        long[][] per = new long[chunks.getNumPartitions()][];
        Moments[] m = new Moments[per.length];
        for (PartScan s : parts) {
            per[s.partition] = s.classCounts;
            m[s.partition] = s.moments;
        }
        Moments total = null;
        if (fit) {
            total = Moments.empty(zscore, features);
            for (Moments x : m) {
                total = Moments.merge(total, x);
            }
        }
        return new Scan(per, total);
    }

    /** The kept rows of each partition, in order, packed into scaled blocks of {@code batch} where they are. */
    static JavaRDD<Block> pack(JavaRDD<RowChunk> chunks, Keep keep, int batch, FittedScaler scaler, int features) {
        return pack(chunks, keep, batch, scaler, features, false);
    }

    /**
     * As {@link #pack(JavaRDD, Keep, int, FittedScaler, int)}; with {@code keepBytes}, rows of byte chunks
     * stay raw bytes (unscaled) in the blocks, to be scaled when an epoch repacks them.
     */
    static JavaRDD<Block> pack(JavaRDD<RowChunk> chunks, Keep keep, int batch, FittedScaler scaler, int features,
            boolean keepBytes) {
        return chunks.mapPartitions(it -> blocks(it, keep, batch, scaler, features, keepBytes), true);
    }

    /**
     * Packs the kept rows one partition per worker with balanced sizes, moving as few rows as possible: each
     * partition keeps its first {@code targets[p]} kept rows where they are, and only the rows beyond that
     * travel, through a shuffle, to the partitions short of their target (in a seeded order there). For
     * parts that already hold the classes in even proportions but differ in size by a few rows (a
     * stratified split of balanced partitions), this replaces a shuffle of every row by one of a handful.
     *
     * @param counts  kept rows per partition (one partition per worker)
     * @param targets rows each worker ends with (sum equal to that of counts)
     */
    static JavaRDD<Block> packBalanced(JavaRDD<RowChunk> chunks, Keep keep, long[] counts, long[] targets, int batch,
            FittedScaler scaler, int features, long seed) {
        int workers = counts.length;
        // moves[p] = {destination, rows, ...}: partition p's surplus rows, in order, go to these workers
        long[][] moves = new long[workers][];
        long[] need = new long[workers];
        for (int q = 0; q < workers; q++) {
            need[q] = Math.max(0, targets[q] - counts[q]);
        }
        int q = 0;
        for (int p = 0; p < workers; p++) {
            long surplus = Math.max(0, counts[p] - targets[p]);
            java.util.List<Long> plan = new java.util.ArrayList<>();
            while (surplus > 0) {
                while (need[q] == 0) {
                    q++;
                }
                long m = Math.min(surplus, need[q]);
                plan.add((long) q);
                plan.add(m);
                need[q] -= m;
                surplus -= m;
            }
            moves[p] = plan.stream().mapToLong(Long::longValue).toArray();
        }
        long[] stay = new long[workers];
        for (int p = 0; p < workers; p++) {
            stay[p] = Math.min(counts[p], targets[p]);
        }
        JavaRDD<Block> staying = chunks.mapPartitionsWithIndex(
                (p, it) -> blocks(it, keep, batch, scaler, features, true, stay[p]), true);
        JavaPairRDD<PackKey, Example> moving = chunks.mapPartitionsWithIndex((p, it) -> {
            java.util.List<Tuple2<PackKey, Example>> out = new java.util.ArrayList<>();
            long seen = 0;
            int seg = 0;
            long segLeft = moves[p].length > 0 ? moves[p][1] : 0;
            while (it.hasNext()) {
                RowChunk c = it.next();
                for (int i = 0; i < c.size; i++) {
                    if (!keep.keep(c.ids[i], c.labels[i]) || seen++ < stay[p]) {
                        continue;
                    }
                    while (segLeft == 0) {
                        seg++;
                        segLeft = moves[p][2 * seg + 1];
                    }
                    segLeft--;
                    Example e = c.example(i);
                    out.add(new Tuple2<>(new PackKey((int) moves[p][2 * seg], Seeded.key(seed, Seeded.PACK, e), e.id,
                            e.copy), e));
                }
            }
            return out.iterator();
        }, true).mapPartitionsToPair(it -> it);
        JavaRDD<Block> moved = moving.repartitionAndSortWithinPartitions(new PackKey.ByWorker(workers),
                new PackKey.Order()).values().mapPartitions(it -> Packer.blocks(it, batch, features, scaler), true);
        return staying.zipPartitions(moved, (a, b) -> {
            // streamed: the rows that stay, then those that arrived (never a whole partition in a list)
            return new java.util.Iterator<Block>() {
                @Override
                public boolean hasNext() {
                    return a.hasNext() || b.hasNext();
                }

                @Override
                public Block next() {
                    return a.hasNext() ? a.next() : b.next();
                }
            };
        });
    }

    static Iterator<Block> blocks(Iterator<RowChunk> chunks, Keep keep, int batch, FittedScaler scaler, int fs,
            boolean keepBytes) {
        return blocks(chunks, keep, batch, scaler, fs, keepBytes, Long.MAX_VALUE);
    }

    /** As above, packing at most {@code limit} kept rows (the first ones). */
    static Iterator<Block> blocks(Iterator<RowChunk> chunks, Keep keep, int batch, FittedScaler scaler, int fs,
            boolean keepBytes, long limit) {
        return new Iterator<Block>() {
            long packed;
            final float[] shift = scaler == null ? null : scaler.shift();
            final float[] scale = scaler == null ? null : scaler.scale();
            RowChunk c;
            int i;

            /** Moves to the next kept row; false at the end (or when the limit is reached). */
            private boolean advance() {
                if (packed >= limit) {
                    return false;
                }
                while (true) {
                    while (c != null && i < c.size) {
                        if (keep.keep(c.ids[i], c.labels[i])) {
                            return true;
                        }
                        i++;
                    }
                    if (!chunks.hasNext()) {
                        return false;
                    }
                    c = chunks.next();
                    i = 0;
                }
            }

            @Override
            public boolean hasNext() {
                return advance();
            }

            @Override
            public Block next() {
                if (!advance()) {
                    throw new NoSuchElementException();
                }
                boolean raw = keepBytes && c.bytes != null;
                Block b = new Block(batch, fs, raw);
                b.integers = raw && c.integers;
                int n = 0;
                while (n < batch && advance()) {
                    if (raw) {
                        if (c.bytes == null || c.integers != b.integers) {
                            throw new IllegalStateException("a partition mixes byte and float chunks");
                        }
                        System.arraycopy(c.bytes, i * fs, b.bytes, n * fs, fs);
                    } else {
                        c.copyRow(i, b.features, n * fs, shift, scale); // copy and scale in one pass
                    }
                    b.labels[n] = c.labels[i];
                    b.ids[n] = c.ids[i];
                    Block.key(b, n, c.keys == null ? null : c.keys[i], batch);
                    n++;
                    i++;
                    packed++;
                }
                if (n < batch) {
                    b.size = n;
                    if (raw) {
                        b.bytes = java.util.Arrays.copyOf(b.bytes, n * fs);
                    } else {
                        b.features = java.util.Arrays.copyOf(b.features, n * fs);
                    }
                    b.labels = java.util.Arrays.copyOf(b.labels, n);
                    b.ids = java.util.Arrays.copyOf(b.ids, n);
                    b.keys = b.keys == null ? null : java.util.Arrays.copyOf(b.keys, n);
                }
                return b;
            }
        };
    }

    /** A partition's scan result; a task result, so Kryo-registered. */
    public static final class PartScan implements Serializable {
        private static final long serialVersionUID = 1L;

        public int partition;
        public long[] classCounts;
        public Moments moments;

        public PartScan() {
        }
    }
}
