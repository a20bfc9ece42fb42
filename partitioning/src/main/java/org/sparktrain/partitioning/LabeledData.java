package org.sparktrain.partitioning;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.engine.Shape;

/**
 * Validated input, on the executors: the rows that passed validation (persisted at the level the reader
 * was given), the example shape, the declared classes, and the {@link ValidationReport}. What a reader
 * returns and what {@link DataPipeline} splits.
 */
public final class LabeledData {
    private final JavaRDD<Example> persisted;
    private final JavaRDD<Example> rows;
    private final Shape shape;
    private final int classes;
    private final ValidationReport report;
    private final RowSource source;
    private final long[] partitionRows;

    LabeledData(JavaRDD<Example> persisted, JavaRDD<Example> rows, Shape shape, int classes,
            ValidationReport report, RowSource source, long[] partitionRows) {
        this.partitionRows = partitionRows;
        this.persisted = persisted;
        this.rows = rows;
        this.shape = shape;
        this.classes = classes;
        this.report = report;
        this.source = source;
    }

    /**
     * Validates freshly parsed rows: one pass counts valid rows per class and bad rows per problem, then
     * fails with one located message (default) or drops and reports the bad rows.
     *
     * @throws DataFormatException on a broken file, a bad row (unless dropping), or no usable row at all
     */
    static LabeledData validate(JavaRDD<Example> parsed, RowSource source, ReadOptions options, Shape shape,
            StorageLevel storage) {
        JavaRDD<Example> persisted = storage.equals(StorageLevel.NONE()) ? parsed : parsed.persist(storage);
        int classes = options.classes();
        int parts = persisted.getNumPartitions();
        ReadStats stats = persisted.mapPartitionsWithIndex((p, it) -> {
            ReadStats s = ReadStats.empty(classes, parts);
            while (it.hasNext()) {
                s.add(p, it.next());
            }
            return List.of(s).iterator();
        }, true).collect().stream().reduce(ReadStats.empty(classes, parts), ReadStats::merge);
        if (stats.fatalId >= 0) {
            persisted.unpersist(false);
            throw new DataFormatException(source.locate(stats.fatalId) + ": " + stats.fatalDetail);
        }
        long bad = stats.bad();
        if (bad > 0 && !options.dropBadRows()) {
            persisted.unpersist(false);
            String more = bad > 1 ? " (" + (bad - 1) + " more bad row" + (bad > 2 ? "s" : "") + " follow)" : "";
            throw new DataFormatException(source.locate(stats.sampleIds[0]) + ": " + stats.sampleDetails[0]
                    + more + ". Fix the input, or read with dropBadRows to drop bad rows (they are counted"
                    + " and reported).");
        }
        if (stats.valid() == 0) {
            persisted.unpersist(false);
            throw new DataFormatException(source.name() + " holds no usable rows"
                    + (bad > 0 ? " (all " + bad + " rows were bad and dropped)" : "")
                    + "; point the reader at a non-empty input.");
        }
        JavaRDD<Example> rows = bad == 0 ? persisted : persisted.filter(Example::isValid);
        return new LabeledData(persisted, rows, shape, classes, ValidationReport.of(source, stats), source,
                stats.partitionRows);
    }

    /**
     * The first {@code k} valid rows in partition order (a slice for quick runs), validated and counted
     * again; this object itself when it holds no more than {@code k} rows.
     */
    public LabeledData limit(long k) {
        if (k >= count()) {
            return this;
        }
        long[] before = new long[partitionRows.length];
        for (int p = 1; p < before.length; p++) {
            before[p] = before[p - 1] + partitionRows[p - 1];
        }
        JavaRDD<Example> head = rows.mapPartitionsWithIndex((p, it) -> {
            long keep = Math.max(0, k - before[p]);
            List<Example> out = new java.util.ArrayList<>();
            while (it.hasNext() && out.size() < keep) {
                out.add(it.next());
            }
            return out.iterator();
        }, true);
        return validate(head, source, ReadOptions.classes(classes), shape, StorageLevel.MEMORY_AND_DISK());
    }

    /** Valid rows per partition of {@link #rows()}; a copy. */
    public long[] partitionRows() {
        return partitionRows.clone();
    }

    /** The valid rows. */
    public JavaRDD<Example> rows() {
        return rows;
    }

    /** The shape of one example; its size is the number of features. */
    public Shape shape() {
        return shape;
    }

    public int featureCount() {
        return shape.size();
    }

    public int classes() {
        return classes;
    }

    public ValidationReport report() {
        return report;
    }

    public RowSource source() {
        return source;
    }

    public long count() {
        return report.rowsKept();
    }

    /** The rows as a DataFrame {@code (id long, label int, features array<float>)}. */
    public Dataset<Row> toDataFrame(SparkSession spark) {
        StructType schema = new StructType()
                .add("id", DataTypes.LongType, false)
                .add("label", DataTypes.IntegerType, false)
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        JavaRDD<Row> r = rows.map(e -> {
            List<Float> f = new ArrayList<>(e.features.length);
            for (float v : e.features) {
                f.add(v);
            }
            return RowFactory.create(e.id, e.label, f.toArray(new Float[0]));
        });
        return spark.createDataFrame(r, schema);
    }

    /** Releases the cached rows. */
    public void unpersist() {
        persisted.unpersist(false);
    }
}
