package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.layer.BatchNorm;
import org.sparktrain.engine.layer.BatchStatsSync;

/**
 * Synchronised BatchNorm in a barrier task (docs/architecture.md, "The global minibatch"): the {@link BatchStatsSync}
 * of each of the task's T engine threads. A call waits until the task's T threads have put their vectors in; thread
 * 0 then adds them in thread order, in double, and, when the stage has more than one task, sums that over the tasks
 * with the stage's {@link AllReduce} (in float, the all-reduce's element type; its order is fixed by the ranks);
 * every thread then reads the same sum. One thread and one task: nothing is installed (see {@link #needed}).
 *
 * <p>Each call is two phases of a {@link Phaser} of T parties: "every vector is in", then "the sum is out". A thread
 * writes its slot before the first and reads the sum after the second, and thread 0 sums between them, so a fast
 * thread's next vector never meets a slow thread's reading of this sum.
 *
 * <p>Cost per call: T copies of the vector (2C + 1 values at most, C the layer's channels or units), two T-way
 * phases, and one all-reduce of that many floats: latency-bound, three per BatchNorm layer and step. Memory:
 * T + 2 vectors of the largest layer's size.
 *
 * <p>Failure: a thread that fails anywhere {@link #fail}s the exchange, which terminates the phaser for good: every
 * waiting and every later call throws with that cause instead of waiting for a thread that will not come. A wait
 * also ends when the task is killed (its kill flag, checked every second).
 */
final class BatchStatsExchange {
    private final int threads;
    private final AllReduce ring;
    private final BooleanSupplier killed;
    private final double[][] slots;
    private final double[] sum;
    private final float[] wire;
    private final Phaser phaser;
    private volatile Throwable failure;

    /**
     * @param threads the task's engine threads
     * @param ring the stage's all-reduce, connected, or null when the stage has one task
     * @param maxValues the longest vector a layer will exchange ({@link #maxValues})
     * @param killed the task's kill flag
     */
    BatchStatsExchange(int threads, AllReduce ring, int maxValues, BooleanSupplier killed) {
        this.threads = threads;
        this.ring = ring;
        this.killed = killed;
        this.slots = new double[threads][maxValues];
        this.sum = new double[maxValues];
        this.wire = new float[maxValues];
        this.phaser = threads == 1 ? null : new Phaser(threads);
    }

    /** Whether a stage of {@code tasks} tasks of {@code threads} threads has anything to synchronise. */
    static boolean needed(int tasks, int threads) {
        return tasks * threads > 1;
    }

    /** The longest vector a BatchNorm layer of {@code net} exchanges: 2C + 1 for its largest C (0: no BatchNorm). */
    static int maxValues(Network net) {
        int max = 0;
        for (BatchNorm bn : net.batchNormLayers()) {
            max = Math.max(max, bn.paramCount() + 1); // γ and β: 2C
        }
        return max;
    }

    /** Thread {@code j}'s view. */
    BatchStatsSync forThread(int j) {
        return (v, n) -> exchange(j, v, n);
    }

    /** Stops the exchange for good: every waiting and later call throws with {@code cause}. */
    void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        if (phaser != null) {
            phaser.forceTermination();
        }
    }

    private void exchange(int j, double[] v, int n) {
        if (phaser == null) {
            System.arraycopy(v, 0, sum, 0, n);
            acrossTasks(n);
            System.arraycopy(sum, 0, v, 0, n);
            return;
        }
        System.arraycopy(v, 0, slots[j], 0, n);
        await(phaser.arrive()); // every vector is in
        if (j == 0) {
            try {
                Arrays.fill(sum, 0, n, 0);
                for (int t = 0; t < threads; t++) {
                    double[] s = slots[t];
                    for (int i = 0; i < n; i++) {
                        sum[i] += s[i];
                    }
                }
                acrossTasks(n);
            } catch (RuntimeException | Error e) {
                fail(e);
                throw e;
            }
        }
        await(phaser.arrive()); // the sum is out
        System.arraycopy(sum, 0, v, 0, n);
    }

    /** Waits for phase {@code phase} to end; throws when the exchange failed or the task was killed. */
    private void await(int phase) {
        int p = phase;
        while (p >= 0) {
            try {
                phaser.awaitAdvanceInterruptibly(p, 1, TimeUnit.SECONDS);
                if (phaser.isTerminated()) {
                    break;
                }
                return;
            } catch (TimeoutException e) {
                if (killed.getAsBoolean()) {
                    fail(new IllegalStateException("the task was killed"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new IllegalStateException("interrupted (the task was killed)", e));
            }
            if (phaser.isTerminated()) {
                break;
            }
        }
        Throwable why = failure;
        throw new IllegalStateException("the task's BatchNorm statistics exchange stopped"
                + (why == null ? "" : ": " + why.getMessage()), why);
    }

    private void acrossTasks(int n) {
        if (ring == null) {
            return;
        }
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
