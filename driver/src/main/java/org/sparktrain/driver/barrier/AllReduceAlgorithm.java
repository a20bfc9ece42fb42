package org.sparktrain.driver.barrier;

import java.util.Locale;

/**
 * Which all-reduce a barrier stage runs ({@link AllReduceSettings#ALGORITHM}), and the rule {@code auto}
 * follows.
 *
 * <p>The α-β cost model (α: the latency of one message, β: the time per byte on a link; n: the vector's bytes;
 * p: the largest power of two ≤ W, r = W − p):
 * <ul>
 * <li>ring: 2(W−1)·α + 2(W−1)/W·n·β;</li>
 * <li>recursive halving/doubling: 2·log₂p·α + 2(p−1)/p·n·β, plus, when r &gt; 0, 2·α + 2·n·β for folding the
 *     r extra tasks' whole vectors in before and out after.</li>
 * </ul>
 * {@code auto} takes the cheaper by the model at a datacenter link, α = {@value #ALPHA_MICROS} µs and
 * {@value #LINK_GBPS} Gb/s, the ring on a tie. Both move the same bytes at a power of two, so there the rule is
 * "the ring up to W = 2, halving/doubling above"; elsewhere the fold's 2·n·β must be paid for by the ring's extra
 * messages: for LeNet-5's 185k floats the ring keeps W = 2, 3, 5-7, 9-15 and 17, halving/doubling takes W = 4, 8,
 * 16 and every W ≥ 18; 1,000 floats go to halving/doubling from W = 4 (docs/architecture.md, Measured facts).
 */
public enum AllReduceAlgorithm {
    AUTO, RING, RHD;

    /** The datacenter link {@code auto} assumes: latency per message. */
    public static final double ALPHA_MICROS = 50;
    /** The datacenter link {@code auto} assumes: bandwidth. */
    public static final double LINK_GBPS = 10;

    /** {@code auto}, {@code ring} or {@code rhd} (any case). */
    public static AllReduceAlgorithm parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(AllReduceSettings.ALGORITHM + " must be auto, ring or rhd, got '" + s
                    + "'");
        }
    }

    /** This algorithm, or for {@code AUTO} the one the rule picks for W tasks and vectors of n floats. */
    public AllReduceAlgorithm choose(int workers, int floats) {
        if (this != AUTO) {
            return this;
        }
        double alpha = ALPHA_MICROS * 1e-6;
        double beta = 8 / (LINK_GBPS * 1e9);
        return RHD.modelSeconds(workers, floats, alpha, beta) < RING.modelSeconds(workers, floats, alpha, beta)
                ? RHD : RING;
    }

    /**
     * The model's time for one all-reduce of {@code floats} floats among {@code workers} tasks, with
     * {@code alpha} seconds per message and {@code beta} seconds per byte.
     */
    public double modelSeconds(int workers, int floats, double alpha, double beta) {
        double bytes = 4.0 * floats;
        if (workers <= 1) {
            return 0;
        }
        if (this == RING || this == AUTO && choose(workers, floats) == RING) {
            return 2.0 * (workers - 1) * alpha + 2.0 * (workers - 1) / workers * bytes * beta;
        }
        int p = Integer.highestOneBit(workers);
        int steps = Integer.numberOfTrailingZeros(p);
        double t = 2.0 * steps * alpha + 2.0 * (p - 1) / p * bytes * beta;
        return p == workers ? t : t + 2 * alpha + 2 * bytes * beta;
    }
}
