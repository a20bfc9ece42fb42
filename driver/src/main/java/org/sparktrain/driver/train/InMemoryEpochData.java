package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.engine.SplitMix;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.data.MiniBatch;

/**
 * Epoch data from a data set already in the driver's memory (tests, and single-machine runs of the
 * command line): the data set is broadcast once; each epoch, every worker's task builds its own
 * minibatches on the executor from (seed, epoch, worker), so nothing but the worker index is shipped
 * per task. Epoch e: one permutation of all examples drawn from (seed, e). With a per-worker minibatch b it is cut
 * into W contiguous parts (sizes differ by at most one), each part cut into minibatches of b in order. With a
 * global minibatch B ({@link #globalBatch}) it is cut into minibatches of B in order, as one machine would, and
 * worker w's minibatch of step t is its share of step t's rows (shares differ by at most one row): the union of the
 * workers' minibatches is one machine's minibatch, row for row.
 */
public final class InMemoryEpochData implements EpochData {
    private final JavaSparkContext sc;
    private final Broadcast<DataSet> data;
    private final int workers;
    private final int batchSize;
    private final long seed;
    private final long examples;
    private final boolean global;
    private final Map<Integer, JavaRDD<MiniBatch>> cached = new HashMap<>();

    /** Minibatches of {@code batchSize} rows per worker. */
    public InMemoryEpochData(JavaSparkContext sc, DataSet data, int workers, int batchSize, long seed) {
        this(sc, data, workers, batchSize, seed, false);
    }

    /** Global minibatches of {@code batchSize} rows, each split over the workers. */
    public static InMemoryEpochData globalBatch(JavaSparkContext sc, DataSet data, int workers, int batchSize,
                                                long seed) {
        org.sparktrain.partitioning.DataPipeline.shares(batchSize, workers); // refuses a share of no rows
        return new InMemoryEpochData(sc, data, workers, batchSize, seed, true);
    }

    private InMemoryEpochData(JavaSparkContext sc, DataSet data, int workers, int batchSize, long seed,
                              boolean global) {
        if (data.size() < workers) {
            throw new IllegalArgumentException("only " + data.size() + " training examples for " + workers
                    + " workers: every worker needs at least one");
        }
        this.sc = sc;
        this.data = sc.broadcast(data);
        this.workers = workers;
        this.batchSize = batchSize;
        this.seed = seed;
        this.examples = data.size();
        this.global = global;
    }

    @Override
    public JavaRDD<MiniBatch> blocks(int epoch) {
        JavaRDD<MiniBatch> rdd = cached.get(epoch);
        if (rdd == null) {
            Broadcast<DataSet> d = data;
            int w = workers;
            int b = batchSize;
            long s = seed;
            boolean g = global;
            List<Integer> ids = IntStream.range(0, w).boxed().collect(Collectors.toList());
            rdd = sc.parallelize(ids, w)
                    .flatMap(worker -> (g ? globalBlocksFor(d.value(), epoch, worker, w, b, s)
                            : blocksFor(d.value(), epoch, worker, w, b, s)).iterator())
                    .persist(StorageLevel.MEMORY_ONLY());
            sc.setJobDescription("prepare epoch " + epoch + " minibatches");
            rdd.count();
            cached.put(epoch, rdd);
        }
        return rdd;
    }

    @Override
    public int maxBlocksPerWorker(int epoch) {
        if (global) {
            return (int) ((examples + batchSize - 1) / batchSize);
        }
        long perWorker = (examples + workers - 1) / workers;
        return (int) ((perWorker + batchSize - 1) / batchSize);
    }

    @Override
    public long examples() {
        return examples;
    }

    @Override
    public void release(int epoch) {
        JavaRDD<MiniBatch> rdd = cached.remove(epoch);
        if (rdd != null) {
            rdd.unpersist(false);
        }
    }

    /** Worker {@code worker}'s minibatches of {@code epoch}, in order (deterministic in its arguments). */
    public static List<MiniBatch> blocksFor(DataSet data, int epoch, int worker, int workers, int batchSize, long seed) {
        int n = data.size();
        int[] order = permutation(n, SplitMix.derive(seed, epoch, 0x5EEDL));
        int from = (int) ((long) n * worker / workers);
        int to = (int) ((long) n * (worker + 1) / workers);
        List<MiniBatch> out = new ArrayList<>();
        int fs = data.shape().size();
        for (int i = from; i < to; i += batchSize) {
            int count = Math.min(batchSize, to - i);
            if (count == 1 && !out.isEmpty()) {
                break; // as Trainer.trainEpoch: a one-example remainder has no batch statistics
            }
            MiniBatch mb = MiniBatch.allocate(count, fs, data.labels() != null, data.targetSize());
            data.gather(order, i, count, mb);
            out.add(mb);
        }
        return out;
    }

    /**
     * Worker {@code worker}'s shares of {@code epoch}'s global minibatches of {@code batch} rows, in order: step t's
     * rows are {@code order[t·batch, (t+1)·batch)} of the epoch's permutation (the last step the remainder), split
     * over the workers in shares that differ by at most one row. A worker whose share of the remainder is empty has
     * no minibatch in the last step; a one-row last step is left out, as one machine leaves it out.
     */
    public static List<MiniBatch> globalBlocksFor(DataSet data, int epoch, int worker, int workers, int batch,
                                                  long seed) {
        int n = data.size();
        int[] order = permutation(n, SplitMix.derive(seed, epoch, 0x5EEDL));
        List<MiniBatch> out = new ArrayList<>();
        int fs = data.shape().size();
        for (int start = 0; start < n; start += batch) {
            int rows = Math.min(batch, n - start);
            if (rows == 1 && start > 0) {
                break; // as Trainer.trainEpoch: a one-example remainder has no batch statistics
            }
            int from = start + (int) ((long) rows * worker / workers);
            int to = start + (int) ((long) rows * (worker + 1) / workers);
            if (to > from) {
                MiniBatch mb = MiniBatch.allocate(to - from, fs, data.labels() != null, data.targetSize());
                data.gather(order, from, to - from, mb);
                out.add(mb);
            }
        }
        return out;
    }

    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
