package org.sparktrain.partitioning;

/** What was wrong with an input row. All but {@link #FILE} may be dropped with {@code dropBadRows}. */
public enum Problem {
    /** A CSV row with more or fewer cells than the header, or a feature array of the wrong length. */
    WRONG_COLUMN_COUNT("wrong number of columns"),
    /** A cell that is not a number (or a null/missing value). */
    NOT_A_NUMBER("non-numeric cell"),
    /** A NaN or infinite feature value. */
    NON_FINITE("NaN or infinite feature"),
    /** A label that is not an integer in [0, classes). */
    LABEL_OUT_OF_RANGE("label outside the declared classes"),
    /** A sequence with more steps than the model's input takes (docs/data-preparation.md, "Sequences"). */
    SEQUENCE_TOO_LONG("sequence longer than the model's steps"),
    /** Two rows of one sequence with the same step value. */
    DUPLICATE_STEP("step repeated in a sequence"),
    /** A sequence without steps (Parquet: an empty array). */
    EMPTY_SEQUENCE("sequence without steps"),
    /** A row weight that is null, not a number, negative, NaN or infinite (docs/architecture.md, "Row weights"). */
    BAD_WEIGHT("negative, NaN or infinite row weight"),
    /** The file itself is broken (truncated, wrong magic, different header): never dropped, always fails. */
    FILE("broken file");

    private final String description;

    Problem(String description) {
        this.description = description;
    }

    /** A short phrase for reports, e.g. "non-numeric cell". */
    public String description() {
        return description;
    }

    /** Whether dropping the row is allowed (a broken file cannot be fixed by dropping rows). */
    public boolean droppable() {
        return this != FILE;
    }
}
