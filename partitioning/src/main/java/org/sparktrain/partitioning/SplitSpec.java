package org.sparktrain.partitioning;

/**
 * How to split validated rows into (train, validation) pairs. Defaults follow docs/architecture.md (Conventions):
 * holdout 7:3, k-fold k = 10, both stratified by label with exact per-class proportions; bootstrap draws n rows with
 * replacement and validates on the out-of-bag rows. {@link #none()} trains on everything (no validation).
 */
public final class SplitSpec {
    /** The kinds of split. */
    public enum Kind { NONE, HOLDOUT, KFOLD, BOOTSTRAP }

    private final Kind kind;
    private final double validationFraction;
    private final int k;

    private SplitSpec(Kind kind, double validationFraction, int k) {
        this.kind = kind;
        this.validationFraction = validationFraction;
        this.k = k;
    }

    public static SplitSpec none() {
        return new SplitSpec(Kind.NONE, 0, 1);
    }

    /** Stratified holdout 7:3. */
    public static SplitSpec holdout() {
        return holdout(0.3);
    }

    /**
     * Stratified holdout: in every class, round(validationFraction · n_c) rows, chosen by a seeded hash of
     * the row id, validate; the rest train.
     */
    public static SplitSpec holdout(double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("holdout validation fraction must lie strictly between 0 and 1, got "
                    + validationFraction + " (0.3 means 7:3)");
        }
        return new SplitSpec(Kind.HOLDOUT, validationFraction, 1);
    }

    /** Stratified 10-fold. */
    public static SplitSpec kFold() {
        return kFold(10);
    }

    /**
     * Stratified k-fold: every class's rows, in seeded hash order, are cut into k runs of equal size
     * (±1); fold j validates on run j and trains on the others. Every row validates exactly once.
     */
    public static SplitSpec kFold(int k) {
        if (k < 2) {
            throw new IllegalArgumentException("k-fold needs k >= 2 folds, got " + k);
        }
        return new SplitSpec(Kind.KFOLD, 0, k);
    }

    /** Bootstrap: n draws with replacement train, the out-of-bag rows (≈ 1/e) validate. */
    public static SplitSpec bootstrap() {
        return new SplitSpec(Kind.BOOTSTRAP, 0, 1);
    }

    public Kind kind() {
        return kind;
    }

    public double validationFraction() {
        return validationFraction;
    }

    /** How many (train, validation) pairs the split gives. */
    public int folds() {
        return kind == Kind.KFOLD ? k : 1;
    }

    @Override
    public String toString() {
        switch (kind) {
            case HOLDOUT:
                return "holdout(validation " + validationFraction + ")";
            case KFOLD:
                return k + "-fold";
            case BOOTSTRAP:
                return "bootstrap";
            default:
                return "none";
        }
    }
}
