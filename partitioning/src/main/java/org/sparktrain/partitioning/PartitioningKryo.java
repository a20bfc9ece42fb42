package org.sparktrain.partitioning;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every class this module ships in an RDD, a shuffle, a broadcast or a task result, in one place (those of
 * one format's reader alone are listed by its {@link DataFormat}, and added here): the driver registers them with {@code spark.kryo.registrationRequired=true}
 * ({@code conf.registerKryoClasses(PartitioningKryo.classes())}), so an unlisted class fails loudly rather
 * than being written with its full name. The tests run with exactly this list.
 */
public final class PartitioningKryo {
    private PartitioningKryo() {
    }

    public static Class<?>[] classes() {
        Set<Class<?>> all = new LinkedHashSet<>(LIST);
        all.addAll(DataFormats.kryoClasses()); // each format lists what its own reader ships
        return all.toArray(new Class<?>[0]);
    }

    /**
     * Spark SQL classes that Spark's own Parquet jobs (schema inference, writing) ship as task results when
     * the Parquet reader runs under {@code registrationRequired=true}; found by the tests. Register them
     * too when reading Parquet or DataFrames from files.
     */
    public static Class<?>[] sparkSqlClasses() {
        List<String> names = List.of(
                "org.apache.spark.sql.types.StructType",
                "org.apache.spark.sql.types.StructField",
                "[Lorg.apache.spark.sql.types.StructField;",
                "org.apache.spark.sql.types.ArrayType",
                "org.apache.spark.sql.types.Metadata",
                "org.apache.spark.sql.types.IntegerType$",
                "org.apache.spark.sql.types.LongType$",
                "org.apache.spark.sql.types.DoubleType$",
                "org.apache.spark.sql.types.FloatType$",
                "org.apache.spark.sql.types.ByteType$",
                "org.apache.spark.sql.types.ShortType$",
                "org.apache.spark.sql.types.BooleanType$",
                "org.apache.spark.sql.types.StringType");
        Class<?>[] out = new Class<?>[names.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = Class.forName(names.get(i));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("Spark SQL class " + names.get(i) + " is missing: is spark-sql "
                        + "on the class path, in the version the pom names?", e);
            }
        }
        return out;
    }

    private static final List<Class<?>> LIST = List.of(
            Example.class,
            Example[].class,
            Problem.class,
            ReadStats.class,
            Moments.class,
            Block.class,
            Block[].class,
            RowChunk.class,
            RowChunk[].class,
            ChunkPasses.PartScan.class,
            PackKey.class,
            float[].class,
            byte[].class,
            double[].class,
            int[].class,
            long[].class,
            long[][].class,
            String[].class,
            Object[].class);
}
