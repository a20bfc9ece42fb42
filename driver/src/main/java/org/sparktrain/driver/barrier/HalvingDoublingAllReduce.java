package org.sparktrain.driver.barrier;

import java.io.IOException;

/**
 * Recursive halving/doubling (Rabenseifner's all-reduce): 2·log₂W messages per task instead of the ring's
 * 2(W−1), for the same bytes at a power of two; it is what makes many tasks cheap when the latency of a
 * message, not bandwidth, dominates (docs/architecture.md, Measured facts; {@link AllReduceAlgorithm} has the
 * cost model and the rule between the two).
 *
 * <p>Let p be the largest power of two ≤ W and r = W − p. <b>Fold in</b>: each even task 2i &lt; 2r sends its
 * whole vector to task 2i + 1, which adds it, and waits for the result; the odd tasks 2i + 1 &lt; 2r and the tasks
 * ≥ 2r are the p "virtual ranks" (virtual rank i &lt; r is task 2i + 1, i ≥ r is task i + r). The vector is cut
 * into p blocks, block b = [b·n/p, (b+1)·n/p). <b>Reduce-scatter by recursive halving</b>: for m = p/2, p/4, ...,
 * 1, virtual rank v exchanges with v XOR m: of its current range of 2m blocks, the one with bit m clear keeps the
 * lower half, the other the upper half; each sends the half it gives up and adds the partner's copy of the half
 * it keeps; afterwards v holds the full sum of block v. <b>All-gather by recursive doubling</b>: for m = 1, 2,
 * ..., p/2, v and v XOR m swap the m blocks each has complete, so both have 2m. <b>Fold out</b>: task 2i + 1
 * sends the result to task 2i. Every element is summed along a tree fixed by the ranks and its final value is
 * computed by one task and copied to the others, so every task ends with the same bits, run after run. At
 * W = 2 each element is one addition, as in the ring: the same bits as the ring.
 *
 * <p>Partners: the fold partner and log₂p others; all messages with one partner travel both ways on one
 * connection.
 */
public final class HalvingDoublingAllReduce extends LinkedAllReduce {
    /** The largest power of two ≤ size, and how many tasks fold into a partner. */
    private final int pow2;
    private final int extra;
    /** This task's virtual rank, or −1 for an even task that folds into its partner. */
    private final int virtual;

    HalvingDoublingAllReduce(int rank, int size, String label, PeerLinks links) {
        super(rank, size, label, links, Integer.highestOneBit(size));
        this.pow2 = Integer.highestOneBit(size);
        this.extra = size - pow2;
        this.virtual = rank < 2 * extra ? (rank % 2 == 1 ? rank / 2 : -1) : rank - extra;
    }

    private int task(int virtualRank) {
        return virtualRank < extra ? 2 * virtualRank + 1 : virtualRank + extra;
    }

    @Override
    public AllReduceAlgorithm algorithm() {
        return AllReduceAlgorithm.RHD;
    }

    /** The tasks this one exchanges with, in the order of the exchanges. */
    @Override
    int[] partners() {
        if (virtual < 0) {
            return new int[] {rank + 1};
        }
        int steps = Integer.numberOfTrailingZeros(pow2);
        boolean folds = rank < 2 * extra;
        int[] p = new int[steps + (folds ? 1 : 0)];
        int i = 0;
        if (folds) {
            p[i++] = rank - 1;
        }
        for (int m = pow2 / 2; m >= 1; m /= 2) {
            p[i++] = task(virtual ^ m);
        }
        return p;
    }

    @Override
    int longestMessage(int maxFloats) {
        return extra > 0 ? maxFloats : maxFloats / 2 + 1;
    }

    @Override
    void reduce(float[] v, int n) throws IOException {
        int none = PeerLinks.NONE;
        if (virtual < 0) {
            links.exchange(v, rank + 1, 0, n, none, 0, 0, true);
            links.exchange(v, none, 0, 0, rank + 1, 0, n, false);
            return;
        }
        if (rank < 2 * extra) {
            links.exchange(v, none, 0, 0, rank - 1, 0, n, true);
        }
        int lo = 0;
        int hi = pow2;
        for (int m = pow2 / 2; m >= 1; m /= 2) {
            boolean lower = (virtual & m) == 0;
            int keepLo = lower ? lo : lo + m;
            swap(v, task(virtual ^ m), lower ? lo + m : lo, keepLo, m, true);
            lo = keepLo;
            hi = keepLo + m;
        }
        for (int m = 1; m < pow2; m *= 2) {
            int theirs = (virtual & m) == 0 ? hi : lo - m;
            swap(v, task(virtual ^ m), lo, theirs, m, false);
            lo = Math.min(lo, theirs);
            hi = lo + 2 * m;
        }
        if (rank < 2 * extra) {
            links.exchange(v, rank - 1, 0, n, none, 0, 0, false);
        }
    }

    /** Sends blocks [sb, sb + count) to {@code partner} while receiving blocks [rb, rb + count) from it. */
    private void swap(float[] v, int partner, int sb, int rb, int count, boolean add) throws IOException {
        links.exchange(v, partner, bounds[sb], bounds[sb + count] - bounds[sb], partner, bounds[rb],
                bounds[rb + count] - bounds[rb], add);
    }
}
