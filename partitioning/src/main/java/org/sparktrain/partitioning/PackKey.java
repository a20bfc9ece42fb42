package org.sparktrain.partitioning;

import java.io.Serializable;
import java.util.Comparator;
import org.apache.spark.Partitioner;

/**
 * The shuffle key that sends a training row to its worker and fixes its place there: (worker, key, id,
 * copy). Sorting by it within the worker's partition makes the row order independent of the order in
 * which shuffle blocks arrive. Kryo-registered.
 */
public final class PackKey implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public int worker;
    public long key;
    public long id;
    public int copy;

    public PackKey() {
    }

    PackKey(int worker, long key, long id, int copy) {
        this.worker = worker;
        this.key = key;
        this.id = id;
        this.copy = copy;
    }

    /** Orders keys within a worker. */
    static final class Order implements Comparator<PackKey>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(PackKey x, PackKey y) {
            return Seeded.compare(x.key, x.id, x.copy, y.key, y.id, y.copy);
        }
    }

    /** Partition = worker. */
    static final class ByWorker extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int workers;

        ByWorker(int workers) {
            this.workers = workers;
        }

        @Override
        public int numPartitions() {
            return workers;
        }

        @Override
        public int getPartition(Object key) {
            return ((PackKey) key).worker;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByWorker && ((ByWorker) o).workers == workers;
        }

        @Override
        public int hashCode() {
            return workers;
        }
    }
}
