package org.sparktrain.driver;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.driver.spark.SparkSetup;

/** One local[2] SparkSession for every test class of the fork (starting one takes seconds). */
public final class TestSpark {
    private static SparkSession session;

    private TestSpark() {
    }

    public static synchronized SparkSession session() {
        if (session == null) {
            System.setProperty("spark.sql.shuffle.partitions", "4");
            session = SparkSetup.session("sparktrain-tests", "local[2]");
            session.sparkContext().setLogLevel("WARN");
        }
        return session;
    }

    public static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }
}
