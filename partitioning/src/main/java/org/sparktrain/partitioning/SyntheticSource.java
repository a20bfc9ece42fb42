package org.sparktrain.partitioning;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.SplitMix;

/**
 * Synthetic rows generated on the executors (for benchmarks and tests): row i has label
 * {@code derive(seed, i) mod classes} and pixel-like features in [0, 1] from a per-row xorshift stream
 * seeded by {@code derive(seed, i)}, shifted a little by the label so classes differ. Nothing passes
 * through the driver; every row goes through the same validation as real input.
 */
public final class SyntheticSource implements RowSource {
    private final String name;

    private SyntheticSource(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String locate(long id) {
        return name + ", row " + id;
    }

    static LabeledData read(SparkSession spark, long n, int features, ReadOptions options, long seed) {
        int parts = options.partitions() > 0 ? options.partitions() : spark.sparkContext().defaultParallelism();
        final int classes = options.classes();
        JavaRDD<Example> parsed = generate(spark.sparkContext(), n, parts, id -> {
            long s = SplitMix.derive(seed, id);
            int label = (int) Long.remainderUnsigned(s, classes);
            float shiftBy = label * (0.5f / classes);
            float[] f = new float[features];
            long x = s | 1;
            for (int k = 0; k < features; k++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                f[k] = ((x >>> 40) & 0xff) * (0.5f / 255f) + shiftBy;
            }
            return Checks.features(id, label, f, features);
        });
        Shape shape = options.shape() != null ? options.shape() : Shape.of(features);
        return LabeledData.validate(parsed, new SyntheticSource("synthetic data (" + n + " rows)"), options, shape,
                options.storageFor(spark.sparkContext(), n * features * 4, parts));
    }

    /** Makes row i of generated data; shipped to the executors. */
    public interface RowMaker<T> extends java.io.Serializable {
        T make(long i);
    }

    /**
     * Rows 0 … n−1 made on the executors by {@code maker}, in {@code parts} partitions of consecutive rows
     * (partition p holds [p·n/parts, (p+1)·n/parts)); nothing passes through the driver.
     */
    public static <T> JavaRDD<T> generate(org.apache.spark.SparkContext sc, long n, int parts, RowMaker<T> maker) {
        List<Integer> idx = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            idx.add(p);
        }
        return JavaSparkContext.fromSparkContext(sc).parallelize(idx, parts).mapPartitionsWithIndex((p, ignored) -> {
            long from = p * n / parts;
            long to = (p + 1) * n / parts;
            return new Iterator<T>() {
                long i = from;

                @Override
                public boolean hasNext() {
                    return i < to;
                }

                @Override
                public T next() {
                    return maker.make(i++);
                }
            };
        }, true);
    }
}
