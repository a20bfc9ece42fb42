package org.sparktrain.driver.barrier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.sparktrain.driver.round.RoundRule;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.train.Trainer;

/**
 * T engine workers inside one barrier task (docs/architecture.md, "Threads inside a task"; issue 17). The task
 * reads its minibatches once, as with one thread; every minibatch (the task's share of a global step) is cut
 * into T slices of rows (sizes differ by at most one, the first {@code size % T} one row larger), and thread j
 * works on slice j with its own replica of the model, as worker {@code task * T + j} (the index its random
 * streams derive from). The T results are added in thread order on the task's thread, and the task, not the
 * thread, joins the all-reduce with that partial sum and the count of threads that contributed. Every replica
 * then combines the same global sum: the same operations on the same bits, as across tasks.
 *
 * <p>So W tasks of T threads compute what W × T single-threaded workers on these slices would, with the sum
 * taken in another (fixed) order: the same seed, W and T give the same bits; another split of the same
 * W × T changes the float summation order (and which rows a worker sees), not the mathematics. With T = 1
 * this class calls the rule exactly as a single-threaded task does.
 *
 * <p>Costs per round: the slices are copies of the task's rows (one pass over them, into each thread's reused buffers); the partial sum is
 * T × (vector length) additions; the combine runs on every replica, in parallel. Memory: T replicas of the
 * model and its optimizer state.
 */
final class TaskThreads implements AutoCloseable {
    /** Spark configuration key (or a job's local property) for the threads per task; default {@code spark.task.cpus}. */
    static final String KEY = "spark.sparktrain.task.threads";

    private final Trainer[] replicas;
    private final float[][] partial;
    /** Thread j's slice buffer, refilled every step (the rule consumes a minibatch before it takes the next). */
    private final MiniBatch[] sliceBuffers;
    private final ExecutorService pool;
    private final int featureSize;
    private final int targetSize;
    private final int maskSteps;
    private final int labelsPerRow;
    private final int n;
    /** The replicas' synchronised BatchNorm sum, or null ({@link #synchroniseBatchNorm}). */
    private BatchStatsExchange batchStats;

    /**
     * @param make builds one replica of the task's starting trainer (called T times, on the task's thread)
     * @param threads T, at least 1
     */
    TaskThreads(Supplier<Trainer> make, int threads, RoundRule rule) {
        if (threads < 1) {
            throw new IllegalArgumentException(KEY + " must be >= 1, got " + threads);
        }
        org.sparktrain.engine.train.Warmup.stopInThisJvm(); // training starts here: the warm-up yields its core
        replicas = new Trainer[threads];
        for (int j = 0; j < threads; j++) {
            replicas[j] = make.get();
        }
        n = rule.resultLength(replicas[0]);
        sliceBuffers = new MiniBatch[threads];
        for (int j = 0; j < threads; j++) {
            sliceBuffers[j] = new MiniBatch(new float[0], null, null, 0);
        }
        partial = new float[threads][];
        for (int j = 1; j < threads; j++) {
            partial[j] = new float[n + 1];
        }
        featureSize = replicas[0].network().inputShape().size();
        targetSize = replicas[0].network().outputShape().size();
        org.sparktrain.engine.Shape in = replicas[0].network().inputShape();
        maskSteps = in.rank() >= 2 ? in.dim(0) : 1; // a sequence input is [T, F]: a mask holds T values per row
        // a per-step classifier ([T, K] output, many-to-many) takes a label per step
        labelsPerRow = org.sparktrain.partitioning.Block.stepClasses(replicas[0].network())
                ? replicas[0].network().outputShape().dim(0) : 1;
        pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "sparktrain-task-thread");
            t.setDaemon(true);
            return t;
        });
    }

    /** The threads per task that {@code conf} asks for: {@value #KEY}, else {@code spark.task.cpus}, else 1. */
    static int fromConf(SparkConf conf, String localProperty) {
        String v = localProperty != null ? localProperty : conf == null ? null : conf.get(KEY, null);
        if (v == null) {
            return conf == null ? 1 : conf.getInt("spark.task.cpus", 1);
        }
        try {
            int t = Integer.parseInt(v.trim());
            if (t >= 1) {
                return t;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(KEY + " (--threads) must be a whole number >= 1, got '" + v + "'");
    }

    int threads() {
        return replicas.length;
    }

    /**
     * When {@code rule} synchronises BatchNorm and the stage's {@code tasks} tasks of these threads are more than one
     * worker: connects every replica's BatchNorm layers to one {@link BatchStatsExchange} over the threads and,
     * with more than one task, over {@code ring} (connected); a wait there ends when {@code killed} says so. Returns
     * whether it did.
     */
    boolean synchroniseBatchNorm(RoundRule rule, AllReduce ring, int tasks, java.util.function.BooleanSupplier killed) {
        int max = BatchStatsExchange.maxValues(replicas[0].network());
        if (!rule.synchronisesBatchNorm() || !BatchStatsExchange.needed(tasks, replicas.length) || max == 0) {
            return false;
        }
        batchStats = new BatchStatsExchange(replicas.length, tasks > 1 ? ring : null, max, killed);
        for (int j = 0; j < replicas.length; j++) {
            replicas[j].network().synchroniseBatchNorm(batchStats.forThread(j));
        }
        return true;
    }

    /** Floats in a result, without the contributor count. */
    int resultLength() {
        return n;
    }

    /** Replica 0 (all replicas hold the same bits between rounds). */
    Trainer first() {
        return replicas[0];
    }

    /**
     * The task's part of a round: minibatches {@code step .. step + k - 1} of task {@code task}'s epoch from
     * {@code blocks}, each cut into T slices, every thread working on its slices; the threads' results added in
     * thread order into {@code out[0 .. n)} and their count into {@code out[n]} (0 and zeros when none had rows).
     *
     * @return the examples the task used
     */
    long work(RoundRule rule, Iterator<MiniBatch> blocks, int epoch, int task, int step, int k, float[] out)
            throws InterruptedException {
        int threads = replicas.length;
        for (Trainer r : replicas) {
            rule.beginRound(r); // every replica holds the round's start now, before its local steps
        }
        if (threads == 1) {
            long used = rule.work(replicas[0], blocks, epoch, task, step, k, out);
            if (used > 0) {
                out[n] = 1;
            } else {
                Arrays.fill(out, 0, n + 1, 0f);
            }
            return used;
        }
        List<MiniBatch> round = new ArrayList<>(k); // the round's minibatches, read once on the task's thread
        for (int i = 0; i < k && blocks.hasNext(); i++) {
            round.add(blocks.next());
        }
        long[] used = new long[threads];
        List<Future<?>> running = new ArrayList<>(threads - 1);
        for (int j = 1; j < threads; j++) {
            int jj = j;
            running.add(pool.submit(() -> {
                try {
                    used[jj] = rule.work(replicas[jj], slices(round, jj, threads), epoch, task * threads + jj, step,
                            k, partial[jj]);
                } catch (RuntimeException | Error e) {
                    stopExchange(e); // the other threads must not wait for this one's BatchNorm statistics
                    throw e;
                }
            }));
        }
        try {
            used[0] = rule.work(replicas[0], slices(round, 0, threads), epoch, task * threads, step, k, out);
        } catch (RuntimeException | Error e) {
            stopExchange(e);
            throw e;
        }
        await(running);
        long examples = used[0];
        int contributors = used[0] > 0 ? 1 : 0;
        if (used[0] == 0) {
            Arrays.fill(out, 0, n + 1, 0f);
        }
        for (int j = 1; j < threads; j++) { // thread order: a fixed summation order
            if (used[j] > 0) {
                float[] p = partial[j];
                for (int i = 0; i < n; i++) {
                    out[i] += p[i];
                }
                contributors++;
                examples += used[j];
            }
        }
        out[n] = contributors;
        return examples;
    }

    /**
     * Turns the round's global sum into the next round's start on every replica ({@code sum} is averaged in place
     * by replica 0's combine, as with one thread; the others combine copies taken first).
     */
    void combine(RoundRule rule, float[] sum, int contributors, long roundStartSteps, int k)
            throws InterruptedException {
        int threads = replicas.length;
        List<Future<?>> running = new ArrayList<>(threads - 1);
        for (int j = 1; j < threads; j++) {
            int jj = j;
            float[] copy = partial[jj];
            System.arraycopy(sum, 0, copy, 0, n + 1);
            running.add(pool.submit(() -> rule.combine(replicas[jj], copy, contributors, roundStartSteps, k)));
        }
        rule.combine(replicas[0], sum, contributors, roundStartSteps, k);
        await(running);
    }

    private void stopExchange(Throwable cause) {
        if (batchStats != null) {
            batchStats.fail(cause);
        }
    }

    private static void await(List<Future<?>> running) throws InterruptedException {
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException r) {
                    throw r;
                }
                if (c instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(c);
            }
        }
    }

    /**
     * Slice {@code j} of {@code T} of every minibatch of {@code round}, in order, copied into buffers of its
     * own; it ends at the first empty slice (a last step with fewer rows than threads: the remainder goes to
     * the first threads, so an empty slice is only ever followed by empty ones).
     */
    private Iterator<MiniBatch> slices(List<MiniBatch> round, int j, int threads) {
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < round.size() && rows(round.get(i).size, j, threads) > 0;
            }

            @Override
            public MiniBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                MiniBatch b = round.get(i++);
                int from = first(b.size, j, threads);
                return slice(b, from, from + rows(b.size, j, threads), featureSize, targetSize, maskSteps,
                        labelsPerRow, sliceBuffers[j]);
            }
        };
    }

    /** Rows of slice {@code j} of a minibatch of {@code size} rows. */
    static int rows(int size, int j, int threads) {
        return size / threads + (j < size % threads ? 1 : 0);
    }

    /** The first row of slice {@code j}. */
    static int first(int size, int j, int threads) {
        return j * (size / threads) + Math.min(j, size % threads);
    }

    /**
     * Rows {@code [from, to)} of {@code b} copied into {@code into} (its buffers grown when too small; nothing
     * allocated per step once they fit), which is returned.
     */
    static MiniBatch slice(MiniBatch b, int from, int to, int featureSize, int targetSize, int maskSteps,
                           MiniBatch into) {
        return slice(b, from, to, featureSize, targetSize, maskSteps, 1, into);
    }

    /** As above, with {@code labelsPerRow} labels per row (T for a per-step classifier, many-to-many). */
    static MiniBatch slice(MiniBatch b, int from, int to, int featureSize, int targetSize, int maskSteps,
                           int labelsPerRow, MiniBatch into) {
        int rows = to - from;
        into.features = fill(b.features, from * featureSize, rows * featureSize, into.features);
        if (b.labels == null) {
            into.labels = null;
        } else {
            // a label per row, or per step (many-to-many: size × T labels, as the mask)
            int per = labelsPerRow;
            if (into.labels == null || into.labels.length < rows * per) {
                into.labels = new int[rows * per];
            }
            System.arraycopy(b.labels, from * per, into.labels, 0, rows * per);
        }
        into.targets = b.targets == null ? null : fill(b.targets, from * targetSize, rows * targetSize, into.targets);
        into.mask = b.mask == null ? null : fill(b.mask, from * maskSteps, rows * maskSteps, into.mask); // size × T
        into.weights = b.weights == null ? null : fill(b.weights, from, rows, into.weights); // a weight per row
        into.size = rows;
        return into;
    }

    private static float[] fill(float[] src, int from, int count, float[] dst) {
        float[] d = dst != null && dst.length >= count ? dst : new float[count];
        System.arraycopy(src, from, d, 0, count);
        return d;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
