package org.sparktrain.partitioning;

import java.util.Arrays;

/**
 * Class-imbalance resampling of a training part (never of validation rows): per class a target count;
 * a class above its target is down-sampled without replacement, a class below it is up-sampled with
 * replacement (its rows kept once each, plus target − n draws with replacement). Counts are exact.
 */
public final class Resampling {
    private enum Mode { NONE, UP, DOWN, RATIO_UP, RATIO_DOWN, COUNTS }

    private final Mode mode;
    private final double ratio;
    private final long[] counts;

    private Resampling(Mode mode, double ratio, long[] counts) {
        this.mode = mode;
        this.ratio = ratio;
        this.counts = counts;
    }

    public static Resampling none() {
        return new Resampling(Mode.NONE, 0, null);
    }

    /** Up-sample every class to the largest class's count. */
    public static Resampling balanceUp() {
        return new Resampling(Mode.UP, 0, null);
    }

    /** Down-sample every class to the smallest (non-empty) class's count. */
    public static Resampling balanceDown() {
        return new Resampling(Mode.DOWN, 0, null);
    }

    /** Up-sample every class smaller than {@code ratio} × the largest class to ceil(ratio × largest). */
    public static Resampling ratioUp(double ratio) {
        checkRatio(ratio);
        return new Resampling(Mode.RATIO_UP, ratio, null);
    }

    /** Down-sample every class larger than the smallest class / {@code ratio} to floor(smallest / ratio). */
    public static Resampling ratioDown(double ratio) {
        checkRatio(ratio);
        return new Resampling(Mode.RATIO_DOWN, ratio, null);
    }

    /** Exact per-class counts (index = class). */
    public static Resampling perClass(long... counts) {
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("per-class counts must be >= 0, got " + Arrays.toString(counts));
            }
        }
        return new Resampling(Mode.COUNTS, 0, counts.clone());
    }

    private static void checkRatio(double r) {
        if (!(r > 0 && r <= 1)) {
            throw new IllegalArgumentException("resampling ratio (smallest : largest class) must lie in (0, 1], got " + r);
        }
    }

    public boolean isNone() {
        return mode == Mode.NONE;
    }

    /** The target count per class for the given counts before resampling. */
    long[] targets(long[] before) {
        long[] t = before.clone();
        long max = Arrays.stream(before).max().orElse(0);
        long min = Arrays.stream(before).filter(c -> c > 0).min().orElse(0);
        for (int c = 0; c < t.length; c++) {
            if (before[c] == 0 && mode != Mode.COUNTS) {
                continue;
            }
            switch (mode) {
                case UP:
                    t[c] = max;
                    break;
                case DOWN:
                    t[c] = min;
                    break;
                case RATIO_UP:
                    t[c] = Math.max(before[c], (long) Math.ceil(ratio * max - 1e-9));
                    break;
                case RATIO_DOWN:
                    t[c] = Math.min(before[c], (long) Math.floor(min / ratio + 1e-9));
                    break;
                case COUNTS:
                    if (counts.length != before.length) {
                        throw new IllegalArgumentException("per-class resampling gives " + counts.length
                                + " counts but the data declares " + before.length + " classes");
                    }
                    if (counts[c] > 0 && before[c] == 0) {
                        throw new DataFormatException("cannot up-sample class " + c + " to " + counts[c]
                                + " rows: the training part holds none of it; lower its count to 0.");
                    }
                    t[c] = counts[c];
                    break;
                default:
                    break;
            }
        }
        return t;
    }

    @Override
    public String toString() {
        switch (mode) {
            case UP:
                return "balance up";
            case DOWN:
                return "balance down";
            case RATIO_UP:
                return "ratio up " + ratio;
            case RATIO_DOWN:
                return "ratio down " + ratio;
            case COUNTS:
                return "per-class " + Arrays.toString(counts);
            default:
                return "none";
        }
    }
}
