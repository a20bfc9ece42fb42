package org.sparktrain.partitioning;

import org.sparktrain.engine.SplitMix;

/**
 * Seeded randomness for the pipeline: every value derives from (seed, a stage tag, coordinates) through
 * {@link SplitMix}, so it is the same on every run and every retry of a task, never tied to time or
 * thread. Also an exact binomial sampler, for splitting draws with replacement among rows.
 */
final class Seeded {
    /** Stage tags: each stage draws from its own streams. */
    static final long SPLIT = 0x5350_4c49_54L;
    static final long BOOTSTRAP = 0x424f_4f54L;
    static final long DOWN = 0x444f_574eL;
    static final long UP = 0x5550L;
    static final long PACK = 0x5041_434bL;
    static final long EPOCH = 0x4550_4f43L;

    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    private Seeded() {
    }

    /** The hash key of a row for a stage: uniform over 64 bits, compared unsigned. */
    static long key(long seed, long tag, Example e) {
        return SplitMix.derive(seed, tag, e.id, e.copy);
    }

    /** A uniform double in [0, 1) from 64 random bits. */
    static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }

    /** Orders rows by (key unsigned, id, copy): a total order, so cuts and sorts are exact. */
    static int compare(long keyA, long idA, int copyA, long keyB, long idB, int copyB) {
        int c = Long.compareUnsigned(keyA, keyB);
        if (c != 0) {
            return c;
        }
        c = Long.compare(idA, idB);
        return c != 0 ? c : Integer.compare(copyA, copyB);
    }

    /**
     * A Binomial(n, p) sample from the uniform {@code u}: inverse transform walking outward from the mode,
     * so it takes O(sqrt(n·p)) steps and stays exact (each k receives an interval of length pmf(k)).
     */
    static long binomial(long n, double p, double u) {
        if (n <= 0 || p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return n;
        }
        long mode = (long) Math.floor((n + 1) * p);
        if (mode > n) {
            mode = n;
        }
        double logPmf = lgamma(n + 1.0) - lgamma(mode + 1.0) - lgamma(n - mode + 1.0) + mode * Math.log(p)
                + (n - mode) * Math.log1p(-p);
        double pm = Math.exp(logPmf);
        double acc = pm;
        if (u < acc) {
            return mode;
        }
        double odds = p / (1 - p);
        long lo = mode;
        long hi = mode;
        double plo = pm;
        double phi = pm;
        while (true) {
            boolean moved = false;
            if (hi < n && phi > 0) {
                phi *= (double) (n - hi) / (hi + 1) * odds;
                hi++;
                acc += phi;
                moved = true;
                if (u < acc) {
                    return hi;
                }
            }
            if (lo > 0 && plo > 0) {
                plo *= (double) lo / (n - lo + 1) / odds;
                lo--;
                acc += plo;
                moved = true;
                if (u < acc) {
                    return lo;
                }
            }
            if (!moved) {
                return mode; // rounding left a sliver of probability unassigned: give it to the mode
            }
        }
    }

    /** log Γ(x) for x ≥ 1 (Stirling series after shifting x to ≥ 16): absolute error below 1e-13. */
    static double lgamma(double x) {
        double shift = 0;
        while (x < 16) {
            shift -= Math.log(x);
            x += 1;
        }
        double x2 = 1 / (x * x);
        double series = (1.0 / 12 - x2 * (1.0 / 360 - x2 * (1.0 / 1260 - x2 / 1680))) / x;
        return shift + (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series;
    }
}
