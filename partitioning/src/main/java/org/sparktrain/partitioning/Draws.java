package org.sparktrain.partitioning;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.SplitMix;

/**
 * Exactly {@code D_g} draws with replacement among the rows of each group g (all rows for bootstrap, one
 * class for up-sampling), spread over the rows on the executors. The driver splits each group's draws over
 * partitions by sequential binomials (a multinomial in proportion to the partition's rows); each partition
 * then gives its rows, in order, Binomial(draws left, 1 / rows left) each. Together this is the
 * multinomial of D_g draws, uniform over the group's rows, with an exact total. Deterministic for a seed, the
 * same input and the same partitioning.
 */
final class Draws implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[][] draws;
    private final long[][] rows;
    private final long seed;
    private final long tag;
    private final boolean oneGroup;

    private Draws(long[][] draws, long[][] rows, long seed, long tag, boolean oneGroup) {
        this.draws = draws;
        this.rows = rows;
        this.seed = seed;
        this.tag = tag;
        this.oneGroup = oneGroup;
    }

    /**
     * Rows per (partition, class) of an RDD: {@code [partition][class]}.
     */
    static long[][] countByPartitionAndClass(JavaRDD<Example> rdd, int classes) {
        List<long[]> per = rdd.mapPartitionsWithIndex((p, it) -> {
            long[] c = new long[classes + 1];
            c[classes] = p;
            while (it.hasNext()) {
                c[it.next().label]++;
            }
            return List.of(c).iterator();
        }, true).collect();
        long[][] out = new long[rdd.getNumPartitions()][classes];
        for (long[] c : per) {
            System.arraycopy(c, 0, out[(int) c[classes]], 0, classes);
        }
        return out;
    }

    /**
     * Allocates draws. {@code rowsPerPartition[p][g]} are the rows of group g in partition p;
     * {@code totals[g]} the draws for group g. With {@code oneGroup} every row counts as group 0 (pass
     * rows summed over classes as {@code [p][0]}).
     */
    static Draws allocate(long[][] rowsPerPartition, long[] totals, long seed, long tag, boolean oneGroup) {
        int parts = rowsPerPartition.length;
        int groups = totals.length;
        long[][] d = new long[parts][groups];
        for (int g = 0; g < groups; g++) {
            long left = totals[g];
            long rowsLeft = 0;
            for (long[] r : rowsPerPartition) {
                rowsLeft += r[g];
            }
            if (left > 0 && rowsLeft == 0) {
                throw new IllegalArgumentException("cannot draw " + left + " rows from group " + g + ", which is empty");
            }
            for (int p = 0; p < parts && left > 0; p++) {
                long n = rowsPerPartition[p][g];
                long k = p == parts - 1 || n == rowsLeft ? left
                        : Seeded.binomial(left, (double) n / rowsLeft, Seeded.unit(SplitMix.derive(seed, tag, -1, g, p)));
                d[p][g] = k;
                left -= k;
                rowsLeft -= n;
            }
        }
        return new Draws(d, rowsPerPartition, seed, tag, oneGroup);
    }

    /**
     * How many times each row of partition p is drawn, in the partition's row order: calls
     * {@code sink} once per row with its count (possibly 0).
     */
    Iterator<Example> expand(int p, Iterator<Example> it, boolean keepOriginal, boolean onlyUndrawn) {
        long[] dLeft = draws[p].clone();
        long[] rLeft = rows[p].clone();
        return new Iterator<Example>() {
            long index;
            final List<Example> pending = new ArrayList<>();
            int next;

            private void fill() {
                while (next >= pending.size() && it.hasNext()) {
                    pending.clear();
                    next = 0;
                    Example e = it.next();
                    int g = oneGroup ? 0 : e.label;
                    long m = 0;
                    if (dLeft[g] > 0) {
                        m = Seeded.binomial(dLeft[g], 1.0 / rLeft[g], Seeded.unit(SplitMix.derive(seed, tag, p, index)));
                    }
                    index++;
                    dLeft[g] -= m;
                    rLeft[g]--;
                    if (onlyUndrawn) {
                        if (m == 0) {
                            pending.add(e);
                        }
                        continue;
                    }
                    if (keepOriginal) {
                        pending.add(e);
                    }
                    int base = keepOriginal ? 1 : 0;
                    for (long j = 0; j < m; j++) {
                        int copy = (int) (e.copy * 1_000_003L + base + j);
                        pending.add(copy == e.copy ? e : e.copyNumbered(copy));
                    }
                }
            }

            @Override
            public boolean hasNext() {
                fill();
                return next < pending.size();
            }

            @Override
            public Example next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.get(next++);
            }
        };
    }
}
