package org.sparktrain.driver.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession every sparktrain command runs in: Kryo with registration required
 * ({@link SparktrainKryoRegistrator}), defaults that work on {@code local[*]} and on a cluster.
 * Settings given by spark-submit or {@code --conf} win over these defaults.
 */
public final class SparkSetup {
    private SparkSetup() {
    }

    /** The defaults sparktrain needs, on top of whatever the caller (spark-submit) set. */
    public static SparkConf conf(String appName, String master) {
        SparkConf c = new SparkConf(true);
        c.setIfMissing("spark.app.name", appName);
        if (master != null) {
            c.setMaster(master);
        } else {
            c.setIfMissing("spark.master", "local[*]");
        }
        c.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        c.setIfMissing("spark.kryo.registrationRequired", "true");
        c.setIfMissing("spark.kryo.registrator", SparktrainKryoRegistrator.class.getName());
        // a round's result and broadcast are flat float arrays: allow large ones
        c.setIfMissing("spark.kryoserializer.buffer.max", "512m");
        // retried tasks must not run twice at once with pooled trainers; determinism does not need it
        c.setIfMissing("spark.speculation", "false");
        c.setIfMissing("spark.scheduler.mode", "FAIR");
        if (c.get("spark.master", "").startsWith("local")) {
            c.setIfMissing("spark.driver.host", "127.0.0.1");
            c.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            c.setIfMissing("spark.ui.enabled", "false");
            c.setIfMissing("spark.ui.showConsoleProgress", "false");
        }
        return c;
    }

    public static SparkSession session(String appName, String master) {
        return SparkSession.builder().config(conf(appName, master)).getOrCreate();
    }
}
