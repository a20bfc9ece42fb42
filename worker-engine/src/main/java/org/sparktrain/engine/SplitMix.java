package org.sparktrain.engine;

/**
 * SplitMix64 (Steele, Lea and Flood 2014): the engine's way to derive independent, reproducible
 * random streams from (seed, epoch, worker, step) without any global or thread state (docs/architecture.md,
 * decision 5).
 */
public final class SplitMix {
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private SplitMix() {
    }

    /** The SplitMix64 finaliser: a bijective mix of 64 bits. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed for a sub-stream named by one coordinate (no varargs array: used in the minibatch loop). */
    public static long derive(long seed, long a) {
        return mix(mix(seed + GOLDEN) ^ mix(a + GOLDEN));
    }

    /** Two coordinates; equal to {@code derive(seed, new long[] {a, b})}. */
    public static long derive(long seed, long a, long b) {
        return mix(derive(seed, a) ^ mix(b + GOLDEN));
    }

    /** Three coordinates, e.g. (epoch, worker, step). */
    public static long derive(long seed, long a, long b, long c) {
        return mix(derive(seed, a, b) ^ mix(c + GOLDEN));
    }

    /** A seed for a sub-stream named by the given coordinates, e.g. {@code derive(seed, epoch, worker, step)}. */
    public static long derive(long seed, long... coordinates) {
        long h = mix(seed + GOLDEN);
        for (long c : coordinates) {
            h = mix(h ^ mix(c + GOLDEN));
        }
        return h;
    }
}
