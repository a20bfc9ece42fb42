package org.sparktrain.driver.spark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers with Kryo every class sparktrain ships in RDDs, broadcasts and task results. Spark runs
 * with {@code spark.kryo.registrationRequired=true}, so a class missing here fails loudly ("Class is
 * not registered: ...") instead of being written with its full name on every record.
 */
public final class SparktrainKryoRegistrator implements KryoRegistrator {

    /** The classes, in a fixed order (Kryo ids follow the order). */
    public static Class<?>[] classes() {
        return new Class<?>[] {
            float[].class, float[][].class, int[].class, long[].class, double[].class, double[][].class,
            byte[].class, boolean[].class, Object[].class, java.util.ArrayList.class,
            org.sparktrain.engine.data.MiniBatch.class,
            org.sparktrain.engine.data.DataSet.class,
            org.sparktrain.engine.Shape.class,
            org.sparktrain.engine.io.FittedScaler.class,
            org.sparktrain.engine.io.FittedScaler.Kind.class,
            org.sparktrain.engine.metrics.ClassificationMetrics.class,
            org.sparktrain.engine.metrics.RegressionMetrics.class,
            org.sparktrain.engine.metrics.MultiLabelMetrics.class,
            org.sparktrain.driver.barrier.TaskReport.class, org.sparktrain.driver.barrier.TaskReport[].class,
        };
    }

    /**
     * Spark SQL's own classes that its CSV schema inference and file writes ship as task results under
     * registrationRequired (sparktrain score); found by ScoreCommandTest.
     */
    static final String[] SPARK_SQL_SCORING = {
        "[Lorg.apache.spark.sql.types.DataType;",
        "org.apache.spark.sql.types.NullType$",
        // column types CSV inference may report for other inputs (not all exercised by a test)
        "org.apache.spark.sql.types.DecimalType",
        "org.apache.spark.sql.types.TimestampType$",
        "org.apache.spark.sql.types.DateType$",
        "org.apache.spark.sql.types.StringType$",
    };

    @Override
    public void registerClasses(Kryo kryo) {
        for (Class<?> c : classes()) {
            kryo.register(c);
        }
        for (Class<?> c : org.sparktrain.partitioning.PartitioningKryo.classes()) {
            kryo.register(c);
        }
        for (Class<?> c : org.sparktrain.partitioning.PartitioningKryo.sparkSqlClasses()) {
            kryo.register(c);
        }
        for (String name : SPARK_SQL_SCORING) {
            try {
                kryo.register(Class.forName(name));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("Kryo registration: Spark SQL class " + name + " is missing: is"
                        + " spark-sql on the class path, in the version the pom names?", e);
            }
        }
    }
}
