package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import org.sparktrain.engine.layer.BatchStatsSync;

/**
 * Synchronised BatchNorm in a barrier task (docs/architecture.md, "The global minibatch"): the {@link BatchStatsSync}
 * of each of the task's T engine threads. A call waits for the task's T threads; the last to arrive adds their
 * vectors in thread order, in double, and then, when the stage has more than one task, sums that over the tasks
 * with the stage's {@link AllReduce} (in float: the all-reduce's element type; its order is fixed by the ranks);
 * every thread then reads the same sum. One thread and one task: nothing is installed (see {@link #needed}).
 *
 * <p>Cost per call: T copies of the vector (2C + 1 values at most, C the layer's channels or units), a T-way
 * barrier, and one all-reduce of that many floats: latency-bound, three per BatchNorm layer and step. Memory:
 * T + 2 vectors of the largest layer's size.
 *
 * <p>Failure: a thread that fails elsewhere {@link #fail}s the exchange, which breaks the barrier; the other
 * threads' calls then throw with that cause rather than wait for a thread that will not come.
 */
final class BatchStatsExchange {
    private final int threads;
    private final AllReduce ring;
    private final double[][] slots;
    private final double[] sum;
    private final float[] wire;
    private final CyclicBarrier barrier;
    private volatile int length;
    private volatile Throwable failure;

    /**
     * @param threads the task's engine threads
     * @param ring the stage's all-reduce, connected, or null when the stage has one task
     * @param maxValues the longest vector a layer will exchange
     */
    BatchStatsExchange(int threads, AllReduce ring, int maxValues) {
        this.threads = threads;
        this.ring = ring;
        this.slots = new double[threads][maxValues];
        this.sum = new double[maxValues];
        this.wire = new float[maxValues];
        this.barrier = threads == 1 ? null : new CyclicBarrier(threads, this::reduce);
    }

    /** Whether a stage of {@code tasks} tasks of {@code threads} threads has anything to synchronise. */
    static boolean needed(int tasks, int threads) {
        return tasks * threads > 1;
    }

    /** The longest vector a BatchNorm layer of {@code net} exchanges: 2C + 1 for its largest C (0: no BatchNorm). */
    static int maxValues(org.sparktrain.engine.Network net) {
        int max = 0;
        for (org.sparktrain.engine.layer.Layer l : net.layers()) {
            if (l instanceof org.sparktrain.engine.layer.BatchNorm) {
                max = Math.max(max, l.paramCount() + 1); // γ and β: 2C
            }
        }
        return max;
    }

    /** Thread {@code j}'s view. */
    BatchStatsSync forThread(int j) {
        return (v, n) -> exchange(j, v, n);
    }

    /** Stops the exchange: every waiting and later call throws with {@code cause}. */
    void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        if (barrier != null) {
            barrier.reset();
        }
    }

    private void exchange(int j, double[] v, int n) {
        if (barrier == null) {
            System.arraycopy(v, 0, sum, 0, n);
            length = n;
            acrossTasks();
            System.arraycopy(sum, 0, v, 0, n);
            return;
        }
        System.arraycopy(v, 0, slots[j], 0, n);
        if (j == 0) {
            length = n;
        }
        try {
            barrier.await();
        } catch (BrokenBarrierException e) {
            Throwable why = failure;
            throw new IllegalStateException("the task's BatchNorm statistics exchange stopped"
                    + (why == null ? "" : ": " + why.getMessage()), why == null ? e : why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in the task's BatchNorm statistics exchange (the task was"
                    + " killed)", e);
        }
        System.arraycopy(sum, 0, v, 0, n);
    }

    /** The barrier's action, on the last thread to arrive: the threads' sum in thread order, then the tasks'. */
    private void reduce() {
        try {
            int n = length;
            Arrays.fill(sum, 0, n, 0);
            for (int t = 0; t < threads; t++) {
                double[] s = slots[t];
                for (int i = 0; i < n; i++) {
                    sum[i] += s[i];
                }
            }
            acrossTasks();
        } catch (RuntimeException | Error e) {
            failure = e; // the other threads see the barrier broken, with this cause
            throw e;
        }
    }

    private void acrossTasks() {
        if (ring == null) {
            return;
        }
        int n = length;
        for (int i = 0; i < n; i++) {
            wire[i] = (float) sum[i];
        }
        try {
            ring.allReduce(wire, n);
        } catch (IOException e) {
            throw new UncheckedIOException("the BatchNorm statistics all-reduce failed: " + e.getMessage(), e);
        }
        for (int i = 0; i < n; i++) {
            sum[i] = wire[i];
        }
    }
}
