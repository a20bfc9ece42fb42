package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The ring all-reduce: 2(W−1) messages of n/W floats per task, bandwidth-optimal and latency-bound
 * (docs/architecture.md, Measured facts: ~0.4 ms per round for LeNet-5's 62k floats on local[2], against
 * ~32 ms for a Spark job per round). Task r's partners are its successor (r + 1) mod W and its predecessor
 * (r − 1) mod W.
 *
 * <p>One all-reduce of n floats: the vector is cut into W chunks, chunk c = [c·n/W, (c+1)·n/W).
 * Reduce-scatter, W − 1 steps: at step s task r sends chunk (r − s) mod W to its successor and adds the
 * chunk (r − s − 1) mod W received from its predecessor into its own copy; task r then holds the full
 * sum of chunk (r + 1) mod W. All-gather, W − 1 steps: at step s task r sends chunk (r + 1 − s) mod W and
 * overwrites chunk (r − s) mod W with the one received. The summation order of every element is fixed by
 * the ring (chunk c is summed starting from task c, along the ring), so a run is deterministic, and since
 * every element's final value is computed by exactly one task and copied to the others, every task ends
 * with the same bits.
 */
public final class RingAllReduce extends LinkedAllReduce {

    RingAllReduce(int rank, int size, String label, PeerLinks links) {
        super(rank, size, label, links, size);
    }

    /** Task {@code rank} of {@code size} (see {@link AllReduce#open}). */
    public static RingAllReduce open(int rank, int size, AllReduceSettings settings, BooleanSupplier killed,
                                     String label) throws IOException {
        return (RingAllReduce) AllReduce.open(AllReduceAlgorithm.RING, rank, size, settings, killed, label,
                MessageDelay.NONE);
    }

    @Override
    public AllReduceAlgorithm algorithm() {
        return AllReduceAlgorithm.RING;
    }

    @Override
    int[] partners() {
        int next = (rank + 1) % size;
        int prev = (rank + size - 1) % size;
        return next == prev ? new int[] {next} : new int[] {next, prev};
    }

    @Override
    int longestMessage(int maxFloats) {
        return maxFloats / size + 1;
    }

    @Override
    void reduce(float[] v, int n) throws IOException {
        int next = (rank + 1) % size;
        int prev = (rank + size - 1) % size;
        for (int s = 0; s < size - 1; s++) {
            step(v, next, prev, Math.floorMod(rank - s, size), Math.floorMod(rank - s - 1, size), true);
        }
        for (int s = 0; s < size - 1; s++) {
            step(v, next, prev, Math.floorMod(rank + 1 - s, size), Math.floorMod(rank - s, size), false);
        }
    }

    /** Sends chunk {@code sc} to the successor while receiving chunk {@code rc} from the predecessor. */
    private void step(float[] v, int next, int prev, int sc, int rc, boolean add) throws IOException {
        links.exchange(v, next, bounds[sc], bounds[sc + 1] - bounds[sc], prev, bounds[rc], bounds[rc + 1] - bounds[rc],
                add);
    }
}
