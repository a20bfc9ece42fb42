package org.sparktrain.partitioning;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.Partition;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.BlockManagerId;
import org.apache.spark.storage.RDDBlockId;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;

/**
 * W partitions of cached chunks, each a contiguous range of the rows in partition order (worker w: rows
 * [w·N/W, (w+1)·N/W), so sizes differ by at most one row), without a shuffle and without a dependency the
 * scheduler sees: partition w reads the source partitions its range overlaps, in order, through
 * {@code source.iterator(...)}, i.e. from Spark's cache where they are (memory, local disk or another
 * executor's), recomputed from their own lineage if lost; a source partition cut between two workers is read
 * by both, each taking its rows (whole chunks are skipped, at most two chunks per worker are copied). Why not {@code coalesce}: a barrier stage (the
 * training transport) refuses an RDD chain whose ancestors have another number of partitions, and the read's
 * partitions (one per file split) rarely number W. Why not a shuffle: it would move and copy every row to
 * put them exactly where they already are (docs/data-preparation.md, "Bounded memory").
 *
 * <p>Each partition prefers the hosts that hold most of its source partitions' cached blocks.
 */
final class GroupedRDD extends RDD<RowChunk> {
    private static final long serialVersionUID = 1L;

    private static final ClassTag<RowChunk> TAG = scala.reflect.ClassTag$.MODULE$.apply(RowChunk.class);

    private final RDD<RowChunk> source;
    /** Per worker: {partition, rows to skip, rows to take} for every source partition its range overlaps. */
    private final long[][][] ranges;

    /** One partition of the grouped RDD: the source partitions it reads, in order, and which rows of each. */
    static final class Group implements Partition {
        private static final long serialVersionUID = 1L;
        final int index;
        final Partition[] parts;
        final long[] skip;
        final long[] take;

        Group(int index, Partition[] parts, long[] skip, long[] take) {
            this.index = index;
            this.parts = parts;
            this.skip = skip;
            this.take = take;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public int hashCode() {
            return index;
        }

        @Override
        public boolean equals(Object o) {
            return o == this;
        }
    }

    private GroupedRDD(RDD<RowChunk> source, long[][][] ranges) {
        super(source.context(), CollectionConverters.asScala(new ArrayList<org.apache.spark.Dependency<?>>()).toList(),
                TAG);
        this.source = source;
        this.ranges = ranges;
    }

    /** {@code source} (valid rows per partition {@code rows}) as {@code workers} even, contiguous row ranges. */
    static JavaRDD<RowChunk> of(JavaRDD<RowChunk> source, long[] rows, int workers) {
        return new GroupedRDD(source.rdd(), ranges(rows, workers)).toJavaRDD();
    }

    /** Rows per worker of {@link #of}: the total split as evenly as possible, in order. */
    static long[] sizes(long[] rows, int workers) {
        long total = 0;
        for (long r : rows) {
            total += r;
        }
        long[] out = new long[workers];
        for (int w = 0; w < workers; w++) {
            out[w] = total * (w + 1) / workers - total * w / workers;
        }
        return out;
    }

    /** Per worker: {partition, skip, take} triples over the source partitions its row range overlaps. */
    static long[][][] ranges(long[] rows, int workers) {
        long total = 0;
        for (long r : rows) {
            total += r;
        }
        long[][][] out = new long[workers][][];
        for (int w = 0; w < workers; w++) {
            long a = total * w / workers;
            long b = total * (w + 1) / workers;
            List<long[]> parts = new ArrayList<>();
            long start = 0;
            for (int p = 0; p < rows.length; p++) {
                long end = start + rows[p];
                long from = Math.max(a, start);
                long to = Math.min(b, end);
                if (to > from) {
                    parts.add(new long[] {p, from - start, to - from});
                }
                start = end;
            }
            out[w] = parts.toArray(new long[0][]);
        }
        return out;
    }

    @Override
    public Partition[] getPartitions() {
        Partition[] all = source.partitions();
        Partition[] out = new Partition[ranges.length];
        for (int w = 0; w < ranges.length; w++) {
            long[][] r = ranges[w];
            Partition[] parts = new Partition[r.length];
            long[] skip = new long[r.length];
            long[] take = new long[r.length];
            for (int i = 0; i < r.length; i++) {
                parts[i] = all[(int) r[i][0]];
                skip[i] = r[i][1];
                take[i] = r[i][2];
            }
            out[w] = new Group(w, parts, skip, take);
        }
        return out;
    }

    @Override
    public Iterator<RowChunk> compute(Partition split, TaskContext context) {
        Group g = (Group) split;
        return new scala.collection.AbstractIterator<RowChunk>() {
            private int next;
            private Iterator<RowChunk> current = scala.collection.Iterator$.MODULE$.empty();
            private long skip;
            private long take;
            private RowChunk ahead;

            /** The next chunk of this range (whole, or the part of it in range), or null at the end. */
            private RowChunk advance() {
                while (true) {
                    while (take > 0 && current.hasNext()) {
                        RowChunk c = current.next();
                        if (skip >= c.size) {
                            skip -= c.size;
                            continue;
                        }
                        int from = (int) skip;
                        int to = (int) Math.min(c.size, from + take);
                        skip = 0;
                        take -= to - from;
                        return from == 0 && to == c.size ? c : c.slice(from, to);
                    }
                    if (next >= g.parts.length) {
                        return null;
                    }
                    // a source partition's rows beyond this range are left unread
                    current = source.iterator(g.parts[next], context);
                    skip = g.skip[next];
                    take = g.take[next];
                    next++;
                }
            }

            @Override
            public boolean hasNext() {
                if (ahead == null) {
                    ahead = advance();
                }
                return ahead != null;
            }

            @Override
            public RowChunk next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                RowChunk c = ahead;
                ahead = null;
                return c;
            }
        };
    }

    @Override
    public scala.collection.immutable.Seq<String> getPreferredLocations(Partition split) {
        // the hosts holding most of the cached source partitions this range reads
        Map<String, Integer> hosts = new HashMap<>();
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            for (Partition p : ((Group) split).parts) {
                scala.collection.immutable.Seq<BlockManagerId> at = env.blockManager().master()
                        .getLocations(new RDDBlockId(source.id(), p.index()));
                for (BlockManagerId id : CollectionConverters.asJava(at)) {
                    hosts.merge(id.host(), 1, Integer::sum);
                }
            }
        }
        int best = hosts.values().stream().max(Integer::compare).orElse(0);
        List<String> out = new ArrayList<>();
        hosts.forEach((h, n) -> {
            if (n == best) {
                out.add(h);
            }
        });
        out.sort(null);
        return CollectionConverters.asScala(out).toList();
    }
}
