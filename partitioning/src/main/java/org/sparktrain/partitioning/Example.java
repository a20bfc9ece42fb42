package org.sparktrain.partitioning;

/**
 * One row as the pipeline carries it between stages on the executors: a stable id, a class label and
 * the example's features flattened to {@code float[]} (an image [C, H, W] or a sequence [T, F] is just
 * its floats, row-major).
 *
 * <p>The id is stable for a given input whatever the partitioning: for files it encodes the file's
 * position in the sorted file list and the row's place in that file, so splits, which hash (seed, id),
 * do not change when Spark splits the input differently. A row that failed validation carries a
 * {@link Problem} and a description instead of features; readers keep such rows only until they have
 * been counted and reported.
 *
 * <p>Mutable fields and a no-argument constructor, so that Kryo handles it without a custom serializer.
 * Stages never modify an Example they did not create (cached rows are shared).
 */
public final class Example implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Stable row id, unique within one input (see the reader for its encoding). */
    public long id;
    /** Class index in [0, classes). */
    public int label;
    /** The example's values; null for a row that failed validation. */
    public float[] features;
    /**
     * 0 for an input row; a distinct number for each further copy made by bootstrap or up-sampling, so
     * that copies of one row hash differently (ties would make cuts and orders inexact).
     */
    public int copy;
    /** Why the row failed validation, or null. */
    public Problem problem;
    /** What exactly was wrong (without the location, which the source adds from {@link #id}), or null. */
    public String detail;
    /**
     * A sequence id that is text (long-format CSV or a Parquet string id column), as written, or null: the row's
     * {@link #id} is then its hash, and {@code score} writes this instead (docs/data-preparation.md, "Sequences").
     * Copies made by resampling and bootstrap do not keep it (only scoring reads it).
     */
    public String key;

    public Example() {
    }

    public Example(long id, int label, float[] features) {
        this.id = id;
        this.label = label;
        this.features = features;
    }

    /** A row that failed validation. */
    public static Example bad(long id, Problem problem, String detail) {
        Example e = new Example();
        e.id = id;
        e.problem = problem;
        e.detail = detail;
        return e;
    }

    /** A shallow copy (sharing the feature array, which nobody modifies) with another copy number. */
    public Example copyNumbered(int copyNumber) {
        Example e = new Example(id, label, features);
        e.copy = copyNumber;
        return e;
    }

    public boolean isValid() {
        return problem == null;
    }
}
