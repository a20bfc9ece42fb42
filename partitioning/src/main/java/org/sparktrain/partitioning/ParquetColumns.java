package org.sparktrain.partitioning;

import java.util.HashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Parquet straight from Spark's column vectors into {@link RowChunk}s: the label and the feature array of
 * a batch of rows (4,096 by default) are copied from the vectorised reader's vectors into the chunk's
 * arrays, with no row object, no {@code UnsafeRow} and no per-row {@code float[]} in between (the row path,
 * {@link FrameSource}, builds all three for every row). Same rows, same order, same partitions, same ids
 * ((file index &lt;&lt; 40) | row index in the file, from Spark's {@code _metadata} columns) and same
 * checks and messages as the row path, so the two give the same chunks bit for bit (ParquetColumnsTest).
 *
 * <p>Used when the plan Spark made for the read is a columnar Parquet scan under projections only (no
 * filter, no shuffle) and the features are one array column of numbers; otherwise {@link #scan} answers
 * null and the row path reads. Memory: one reader batch and one chunk per task, whatever the file size.
 */
final class ParquetColumns {
    private ParquetColumns() {
    }

    /** The scan to read, where its output holds what we read, and how to read those columns. */
    static final class Layout implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        /** Column of the label, or -1 for rows to score (label 0). */
        int label = -1;
        int features = -1;
        int file = -1;
        int row = -1;
        /** The types, checks and messages, shared with the row path. */
        FrameSource.Internal reader;
        /** On the driver only. */
        transient FileSourceScanExec scan;
    }

    /**
     * The columnar Parquet scan under {@code plan} when only projections stand between (the rows it
     * yields are the plan's rows, in order), as a layout; or null.
     */
    static Layout scan(SparkPlan plan, String labelName, String featuresName, boolean unlabelled) {
        SparkPlan p = plan;
        while (!(p instanceof FileSourceScanExec)) {
            if (!(p instanceof ProjectExec || p instanceof ColumnarToRowExec || p instanceof WholeStageCodegenExec
                    || p instanceof InputAdapter) || p.children().size() != 1) {
                return null;
            }
            p = p.children().head();
        }
        FileSourceScanExec scan = (FileSourceScanExec) p;
        if (!scan.supportsColumnar()) {
            return null;
        }
        Layout l = new Layout();
        l.scan = scan;
        DataType labelType = null;
        DataType arrayType = null;
        scala.collection.Iterator<Attribute> it = scan.output().iterator();
        for (int i = 0; it.hasNext(); i++) {
            Attribute a = it.next();
            org.apache.spark.sql.types.Metadata m = a.metadata();
            if (m.contains("__file_source_metadata_col")) {
                String what = m.contains("__metadata_col") ? m.getString("__metadata_col") : "";
                if (what.equals("file_path")) {
                    l.file = i;
                } else if (what.equals("row_index")) {
                    l.row = i;
                }
            } else if (a.name().equals(labelName) && !unlabelled) {
                l.label = i;
                labelType = a.dataType();
            } else if (a.name().equals(featuresName)) {
                l.features = i;
                arrayType = a.dataType();
            }
        }
        if (l.features < 0 || l.file < 0 || l.row < 0 || (l.label < 0 && !unlabelled)) {
            return null;
        }
        l.reader = FrameSource.Internal.of(labelType, arrayType, featuresName, labelName);
        return l.reader == null ? null : l;
    }

    /** The scan's rows as chunks of valid rows with each partition's statistics on its last chunk. */
    static JavaRDD<RowChunk> chunks(Layout layout, HashMap<String, Integer> fileIndex, int classes, int featureSize,
            ReadOptions.Summaries summaries) {
        JavaRDD<ColumnarBatch> batches = layout.scan.executeColumnar().toJavaRDD();
        int parts = batches.getNumPartitions();
        return batches.mapPartitionsWithIndex((p, it) -> new Chunks(p, it, layout, new FrameSource.FileIndex(fileIndex),
                classes, parts, featureSize, summaries), true);
    }

    /**
     * A partition's batches as chunks. The reader refills the same vectors when asked for its next batch
     * (even by {@code hasNext}), so a batch is used up before the next one is asked for.
     */
    private static final class Chunks implements Iterator<RowChunk> {
        private final int partition;
        private final Iterator<ColumnarBatch> batches;
        private final Layout l;
        private final FrameSource.FileIndex fileOf;
        private final FrameSource.Internal reader;
        private final int featureSize;
        private final int classes;
        private final ReadStats stats;
        private final int capacity;
        private final String[] why = new String[1];
        private ColumnarBatch batch;
        private int row;
        private int rows;
        private long fileBits;
        private ColumnVector label;
        private ColumnVector features;
        private ColumnVector values;
        private ColumnVector rowIndex;
        private boolean last;
        private float[] scratch;

        Chunks(int partition, Iterator<ColumnarBatch> batches, Layout l, FrameSource.FileIndex fileOf, int classes,
                int partitions, int featureSize, ReadOptions.Summaries summaries) {
            this.partition = partition;
            this.batches = batches;
            this.l = l;
            this.fileOf = fileOf;
            this.classes = classes;
            this.featureSize = featureSize;
            this.reader = l.reader;
            this.stats = ReadStats.empty(classes, partitions);
            this.capacity = RowChunk.capacity(featureSize);
            stats.startSummary(featureSize, summaries);
        }

        @Override
        public boolean hasNext() {
            return !last;
        }

        /** Moves to the next batch when this one is used up; false at the end of the partition. */
        private boolean more() {
            while (batch == null || row >= rows) {
                if (!batches.hasNext()) {
                    return false;
                }
                batch = batches.next();
                row = 0;
                rows = batch.numRows();
                label = l.label >= 0 ? batch.column(l.label) : null;
                features = batch.column(l.features);
                values = features.getChild(0);
                rowIndex = batch.column(l.row);
                fileBits = rows == 0 ? 0 : RowIds.base(fileOf.of(batch.column(l.file).getUTF8String(0)));
            }
            return true;
        }

        @Override
        public RowChunk next() {
            if (last) {
                throw new NoSuchElementException();
            }
            RowChunk c = RowChunk.reusing(scratch, capacity, featureSize);
            float[] filled = c.features;
            while (c.size < capacity && more()) {
                int r = row++;
                long id = fileBits | rowIndex.getLong(r);
                Example bad = read(r, id, c);
                if (bad != null) {
                    stats.add(partition, bad);
                }
            }
            last = !more();
            scratch = c.finish(stats, last, filled);
            return c;
        }

        /** Appends row r to the chunk, or answers the bad row (the row path's checks and messages). */
        private Example read(int r, long id, RowChunk c) {
            int cls = 0;
            if (label != null) {
                if (label.isNullAt(r)) {
                    return reader.nullLabel(id);
                }
                cls = Checks.label(FrameSource.Internal.number(batch.getRow(r), l.label, reader.labelType()), classes,
                        why);
                if (cls < 0) {
                    return Example.bad(id, Problem.LABEL_OUT_OF_RANGE, why[0]);
                }
            }
            if (features.isNullAt(r)) {
                return reader.nullArray(id);
            }
            org.apache.spark.sql.vectorized.ColumnarArray a = features.getArray(r);
            int n = a.numElements();
            if (values == null || values.hasNull()) {
                for (int k = 0; k < n; k++) {
                    if (a.isNullAt(k)) {
                        return reader.nullElement(id, k);
                    }
                }
            }
            if (n != featureSize) {
                return Checks.wrongLength(id, n, featureSize);
            }
            float[] dst = c.features;
            int d = c.size * featureSize;
            DataType t = reader.element();
            if (t instanceof FloatType) {
                // the finiteness check rides in the copy: an exponent of all ones (Inf, NaN) is the only one that
                // carries into the sign bit when one is added below it; the worded check runs only then
                int carry = 0;
                for (int k = 0; k < n; k++) {
                    float v = a.getFloat(k);
                    dst[d + k] = v;
                    carry |= (Float.floatToRawIntBits(v) & 0x7f800000) + 0x00800000;
                }
                if (carry >= 0) {
                    return accept(id, cls, c);
                }
            } else if (t instanceof DoubleType) {
                for (int k = 0; k < n; k++) {
                    dst[d + k] = (float) a.getDouble(k);
                }
            } else { // as the row path: the integer as a long, rounded once to float
                for (int k = 0; k < n; k++) {
                    dst[d + k] = FrameSource.Internal.integer(a, k, t);
                }
            }
            Example bad = Checks.nonFinite(id, dst, d, n);
            if (bad != null) {
                return bad;
            }
            return accept(id, cls, c);
        }

        /** Keeps the row just copied to the chunk's next place. */
        private Example accept(long id, int cls, RowChunk c) {
            c.labels[c.size] = cls;
            c.ids[c.size] = id;
            c.size++;
            stats.addValid(partition, cls);
            return null;
        }
    }
}
