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
            org.sparktrain.driver.barrier.TaskReport.class, org.sparktrain.driver.barrier.TaskReport[].class,
        };
    }

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
    }
}
