package org.sparktrain.partitioning;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * One local[2] SparkSession for every test class in the fork (start-up costs seconds): UI off, bound to
 * 127.0.0.1, Kryo with registration required and exactly {@link PartitioningKryo#classes()} registered, so
 * the tests prove the list complete. Stopped by Spark's shutdown hook when the fork exits.
 */
final class SharedSpark {
    private static SparkSession spark;

    private SharedSpark() {
    }

    static synchronized SparkSession get() {
        if (spark == null) {
            SparkConf conf = new SparkConf()
                    .setMaster("local[2]")
                    .setAppName("partitioning-tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.sql.shuffle.partitions", "2")
                    .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                    .set("spark.kryo.registrationRequired", "true")
                    .registerKryoClasses(PartitioningKryo.classes())
                    .registerKryoClasses(PartitioningKryo.sparkSqlClasses());
            spark = SparkSession.builder().config(conf).getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }
}
