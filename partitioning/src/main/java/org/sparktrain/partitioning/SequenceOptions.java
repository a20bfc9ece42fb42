package org.sparktrain.partitioning;

import org.sparktrain.engine.Shape;

/**
 * How to read variable-length sequences for a many-to-one or many-to-many model whose spec says {@code input: [T, F]}
 * (docs/data-preparation.md, "Sequences"): from long-format CSV ({@link #columns}: one row per step, grouped by
 * a shuffle keyed by the sequence id, steps sorted by the step column) or from Parquet (a column
 * {@code array<array<float>>} of steps × features, or {@code array<float>} of steps·F values with
 * {@link #stepFeatures}).
 *
 * <p>Each sequence becomes one row of values {@code [x (T·F, steps after its length 0), length, targets...]}: the
 * length rides with the row through every split, pack, shuffle and resample, as regression's targets do, and
 * becomes {@code MiniBatch.mask} when a minibatch is cut ({@link Block#toMiniBatch(int, int)}).
 */
public final class SequenceOptions implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int steps;
    private final int features;
    private final String spec;
    private final String sequenceColumn;
    private final String stepColumn;
    private final int stepFeatures;
    /** Many-to-many: the target values of one step (1 for a class label), 0 for many-to-one. */
    private final int stepTargets;
    /** Many-to-many classification: a step's target is a class index. */
    private final boolean stepClasses;

    private SequenceOptions(int steps, int features, String spec, String sequenceColumn, String stepColumn,
            int stepFeatures, int stepTargets, boolean stepClasses) {
        this.steps = steps;
        this.features = features;
        this.spec = spec;
        this.sequenceColumn = sequenceColumn;
        this.stepColumn = stepColumn;
        this.stepFeatures = stepFeatures;
        this.stepTargets = stepTargets;
        this.stepClasses = stepClasses;
    }

    /**
     * Sequences for a model taking {@code input} = [T, F], named {@code spec} in messages (its file).
     *
     * @throws DataFormatException when the input is not [T, F]
     */
    public static SequenceOptions of(Shape input, String spec) {
        if (input == null || input.rank() != 2) {
            throw new DataFormatException("variable-length sequences need a recurrent model whose spec " + spec
                    + " says input: [T, F] (steps, features per step); it says input: " + input);
        }
        return new SequenceOptions(input.dim(0), input.dim(1), spec, null, null, 0, 0, false);
    }

    /**
     * Long-format CSV: the column holding each row's sequence id (an integer or text) and the one holding its step.
     * Parquet (one sequence per row): {@code stepColumn} null, {@code sequenceColumn} an id column (integer or string)
     * naming the rows (null: the rows are numbered).
     */
    public SequenceOptions columns(String sequenceColumn, String stepColumn) {
        return new SequenceOptions(steps, features, spec, sequenceColumn, stepColumn, stepFeatures, stepTargets,
                stepClasses);
    }

    /**
     * Parquet {@code array<float>}: the values per step (the array holds steps·F values, step after step);
     * must equal the spec's F.
     */
    public SequenceOptions stepFeatures(int f) {
        if (f < 1) {
            throw new DataFormatException("--step-features must be at least 1, got " + f);
        }
        if (f != features) {
            throw new DataFormatException("--step-features " + f + " does not match the model: its spec " + spec
                    + " says input: [" + steps + ", " + features + "], " + features + " features per step");
        }
        return new SequenceOptions(steps, features, spec, sequenceColumn, stepColumn, f, stepTargets, stepClasses);
    }

    /**
     * Many-to-many (a model whose output is one vector per step, {@code Network.perStep()}): every step carries its
     * own target, a class index ({@code classes} true, {@code values} 1) or {@code values} regression targets; the
     * row then holds them after the length, T·values of them ({@code [x (T·F), length, y (T·values)]}, padded steps'
     * 0). docs/data-preparation.md, "Sequences".
     */
    public SequenceOptions perStep(int values, boolean classes) {
        if (values < 1 || (classes && values != 1)) {
            throw new IllegalArgumentException("a step carries one class label or at least one target, got " + values
                    + (classes ? " class labels" : " targets"));
        }
        return new SequenceOptions(steps, features, spec, sequenceColumn, stepColumn, stepFeatures, values, classes);
    }

    /** Whether every step carries its own target (many-to-many). */
    public boolean isPerStep() {
        return stepTargets > 0;
    }

    /** Many-to-many: the target values of one step (1 for a class label); 0 for many-to-one. */
    public int stepTargets() {
        return stepTargets;
    }

    /** Many-to-many classification: a step's target is a class index. */
    public boolean stepClasses() {
        return stepClasses;
    }

    /** T: the most steps a sequence may have (the model's input steps). */
    public int steps() {
        return steps;
    }

    /** F: the values of one step. */
    public int features() {
        return features;
    }

    /** The spec as messages name it. */
    public String spec() {
        return spec;
    }

    public String sequenceColumn() {
        return sequenceColumn;
    }

    public String stepColumn() {
        return stepColumn;
    }

    /** The --step-features given (0: none). */
    public int stepFeatures() {
        return stepFeatures;
    }

    /** Whether this is long-format input (sequence and step columns given). */
    public boolean longFormat() {
        return sequenceColumn != null && stepColumn != null;
    }

    /**
     * The values of a row before its (per-sequence) targets: T·F step values and the length, then for many-to-many the
     * steps' targets (T·{@link #stepTargets()}).
     */
    public int inputValues() {
        return steps * features + 1 + steps * stepTargets;
    }

    /** "input: [50, 3] in conf/x.yaml", for messages. */
    String input() {
        return "input: [" + steps + ", " + features + "] in " + spec;
    }

    /** The message for a sequence with more steps than the model takes. */
    String tooLong(String sequence, long length) {
        return "sequence " + sequence + " has " + length + " steps; the model takes at most " + steps + " (" + input()
                + "): cut the sequences or raise T in the spec";
    }

    /** "id=17" for a long-format sequence id. */
    static String named(long id) {
        return "id=" + id;
    }

    /** "id='abc'" for a long-format sequence id that is text. */
    static String named(String id) {
        return "id='" + id + "'";
    }

    /** A step value as the file wrote it, without a trailing ".0" for whole numbers. */
    static String step(double t) {
        return t == Math.rint(t) && Math.abs(t) < 1e15 ? Long.toString((long) t) : Double.toString(t);
    }

    @Override
    public String toString() {
        return longFormat() ? "sequences (" + sequenceColumn + ", " + stepColumn + ") of at most " + steps + " steps"
                : "sequences of at most " + steps + " steps";
    }
}
