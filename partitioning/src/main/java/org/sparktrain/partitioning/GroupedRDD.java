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
 * W partitions made of contiguous runs of a cached RDD's partitions, without a shuffle and without a
 * dependency the scheduler sees: partition w reads its source partitions in order through
 * {@code source.iterator(...)}, i.e. from Spark's cache where they are (memory, local disk or another
 * executor's), recomputed from their own lineage if lost. Why not {@code coalesce}: a barrier stage (the
 * training transport) refuses an RDD chain whose ancestors have another number of partitions, and the read's
 * partitions (one per file split) rarely number W. Why not a shuffle: it would move and copy every row to
 * put them exactly where they already are (docs/data-preparation.md, "Bounded memory").
 *
 * <p>Each partition prefers the hosts that hold most of its source partitions' cached blocks.
 */
final class GroupedRDD<T> extends RDD<T> {
    private static final long serialVersionUID = 1L;

    private final RDD<T> source;
    private final int[][] groups;

    /** One partition of the grouped RDD: the source partitions it reads, in order. */
    static final class Group implements Partition {
        private static final long serialVersionUID = 1L;
        final int index;
        final Partition[] parts;

        Group(int index, Partition[] parts) {
            this.index = index;
            this.parts = parts;
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

    private GroupedRDD(RDD<T> source, int[][] groups, ClassTag<T> tag) {
        super(source.context(), CollectionConverters.asScala(new ArrayList<org.apache.spark.Dependency<?>>()).toList(),
                tag);
        this.source = source;
        this.groups = groups;
    }

    /**
     * {@code source}'s partitions grouped: output partition w reads source partitions
     * {@code groups[w][0], groups[w][1], ...} in that order.
     */
    static <T> JavaRDD<T> of(JavaRDD<T> source, int[][] groups) {
        return new GroupedRDD<>(source.rdd(), groups, source.classTag()).toJavaRDD();
    }

    @Override
    public Partition[] getPartitions() {
        Partition[] all = source.partitions();
        Partition[] out = new Partition[groups.length];
        for (int w = 0; w < groups.length; w++) {
            Partition[] parts = new Partition[groups[w].length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = all[groups[w][i]];
            }
            out[w] = new Group(w, parts);
        }
        return out;
    }

    @Override
    public Iterator<T> compute(Partition split, TaskContext context) {
        Partition[] parts = ((Group) split).parts;
        return new scala.collection.AbstractIterator<T>() {
            private int next;
            private Iterator<T> current = scala.collection.Iterator$.MODULE$.empty();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && next < parts.length) {
                    current = source.iterator(parts[next++], context);
                }
                return current.hasNext();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    @Override
    public scala.collection.immutable.Seq<String> getPreferredLocations(Partition split) {
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

    /**
     * Contiguous groups of {@code counts.length} partitions into {@code workers} groups, cut where the running
     * row count comes nearest to each worker's even share, every group at least one partition; null with
     * fewer partitions than workers.
     */
    static int[][] contiguous(long[] counts, int workers) {
        int n = counts.length;
        if (n < workers) {
            return null;
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        int[] start = new int[workers + 1];
        start[workers] = n;
        long prefix = 0;
        int p = 0;
        for (int w = 1; w < workers; w++) {
            double cut = (double) total * w / workers;
            // advance while taking the next partition brings the running count nearer the cut
            // (leaving at least one partition for each later worker)
            while (p < n - (workers - w) && Math.abs(prefix + counts[p] - cut) <= Math.abs(prefix - cut)) {
                prefix += counts[p++];
            }
            start[w] = Math.max(p, start[w - 1] + 1);
            while (p < start[w]) {
                prefix += counts[p++];
            }
        }
        int[][] groups = new int[workers][];
        for (int w = 0; w < workers; w++) {
            if (start[w + 1] <= start[w]) {
                return null;
            }
            groups[w] = new int[start[w + 1] - start[w]];
            for (int i = 0; i < groups[w].length; i++) {
                groups[w][i] = start[w] + i;
            }
        }
        return groups;
    }
}
