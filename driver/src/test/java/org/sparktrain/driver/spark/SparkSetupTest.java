package org.sparktrain.driver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application jar goes to a cluster's executors through spark.jars, and only there. */
class SparkSetupTest {
    @Test
    void clusterMastersGetTheApplicationJarOnceLocalOnesNot(@TempDir Path tmp) throws Exception {
        Path jar = Files.write(tmp.resolve("sparktrain-app.jar"), new byte[] {1});
        String uri = jar.toUri().toString();

        SparkConf cluster = new SparkConf(false).setMaster("spark://127.0.0.1:7077");
        SparkSetup.shipAppJar(cluster, jar.toString());
        assertEquals(uri, cluster.get("spark.jars"));
        SparkSetup.shipAppJar(cluster, jar.toString());
        assertEquals(uri, cluster.get("spark.jars"), "not added twice");

        SparkConf withJars = new SparkConf(false).setMaster("yarn").set("spark.jars", "hdfs:///libs/extra.jar");
        SparkSetup.shipAppJar(withJars, jar.toString());
        assertEquals("hdfs:///libs/extra.jar," + uri, withJars.get("spark.jars"));

        SparkConf local = new SparkConf(false).setMaster("local[2]");
        SparkSetup.shipAppJar(local, jar.toString());
        assertFalse(local.contains("spark.jars"));

        SparkConf submitted = new SparkConf(false).setMaster("spark://127.0.0.1:7077");
        SparkSetup.shipAppJar(submitted, null); // spark-submit: the launcher's property is absent
        assertFalse(submitted.contains("spark.jars"));
    }

    @Test
    void aMissingApplicationJarIsNamed(@TempDir Path tmp) {
        String missing = tmp.resolve("gone.jar").toString();
        SparkConf c = new SparkConf(false).setMaster("spark://127.0.0.1:7077");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SparkSetup.shipAppJar(c, missing));
        assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("sparktrain.app.jar"), e.getMessage());
    }
}
