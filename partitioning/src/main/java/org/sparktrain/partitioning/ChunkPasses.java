package org.sparktrain.partitioning;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.io.FittedScaler;

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
                    s.moments = Moments.merge(s.moments, Moments.summarize(c, keep, s.classCounts)[zscore ? 0 : 1]);
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

    static Iterator<Block> blocks(Iterator<RowChunk> chunks, Keep keep, int batch, FittedScaler scaler, int fs,
            boolean keepBytes) {
        return new Iterator<Block>() {
            final float[] shift = scaler == null ? null : scaler.shift();
            final float[] scale = scaler == null ? null : scaler.scale();
            RowChunk c;
            int i;

            /** Moves to the next kept row; false at the end. */
            private boolean advance() {
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
                int n = 0;
                while (n < batch && advance()) {
                    if (raw) {
                        if (c.bytes == null) {
                            throw new IllegalStateException("a partition mixes byte and float chunks");
                        }
                        System.arraycopy(c.bytes, i * fs, b.bytes, n * fs, fs);
                    } else {
                        c.copyRow(i, b.features, n * fs, shift, scale); // copy and scale in one pass
                    }
                    b.labels[n] = c.labels[i];
                    b.ids[n] = c.ids[i];
                    n++;
                    i++;
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
                }
                return b;
            }
        };
    }

    /** A partition's scan result; a task result, so Kryo-registered. */
    public static final class PartScan {
        public int partition;
        public long[] classCounts;
        public Moments moments;

        public PartScan() {
        }
    }
}
