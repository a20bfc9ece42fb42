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
        // a barrier stage needing more slots than the cluster has waits 90 x 2 s (Spark's default: 40 x 15 s)
        // before it fails; BarrierEpoch then says what to do instead of rerunning it. Checking every 2 s instead
        // of 15 s lets the rerun after a lost executor start as soon as its replacement registers (measured on the
        // standalone cluster: 9 s of a 27.5 s loss were this wait; docs/architecture.md, "Failing cleanly")
        c.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "2s");
        c.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "90");
        c.setIfMissing("spark.scheduler.mode", "FAIR");
        shipAppJar(c, System.getProperty(APP_JAR_PROPERTY));
        if (c.get("spark.master", "").startsWith("local")) {
            c.setIfMissing("spark.driver.host", "127.0.0.1");
            c.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            c.setIfMissing("spark.ui.enabled", "false");
            c.setIfMissing("spark.ui.showConsoleProgress", "false");
            // An OutOfMemoryError in a task would make Spark exit the one JVM (status 52) before sparktrain
            // could say what ran out; with 0 the task fails with it and the run ends with OutOfMemory's message.
            c.setIfMissing("spark.executor.killOnFatalError.depth", "0");
            // the executor is this JVM: its heartbeat carries the running tasks' metrics, which the read's progress
            // line counts rows from (docs/architecture.md, "Progress"); every 2 s instead of Spark's 10
            c.setIfMissing("spark.executor.heartbeatInterval", "2s");
        }
        return c;
    }

    /**
     * Set by the launcher (scripts/sparktrain): the application jar (target/sparktrain-VERSION-app.jar),
     * which a cluster's executors need when they do not have sparktrain's jars installed.
     */
    public static final String APP_JAR_PROPERTY = "sparktrain.app.jar";

    /**
     * For a cluster master, adds the application jar to {@code spark.jars} (executors fetch it from the
     * driver), unless it is already there. Not for local masters (the classes are on the driver's class path)
     * nor under spark-submit, which ships the application jar itself (the launcher sets no property then).
     */
    static void shipAppJar(SparkConf c, String appJar) {
        String master = c.get("spark.master", "");
        if (appJar == null || appJar.isEmpty() || master.startsWith("local")) {
            return;
        }
        if (!new java.io.File(appJar).isFile()) {
            throw new IllegalStateException("the application jar " + appJar + " (" + APP_JAR_PROPERTY + ") is missing;"
                    + " build it with 'mvn -DskipTests package' (scripts/sparktrain does when the sources changed)");
        }
        String uri = java.nio.file.Path.of(appJar).toAbsolutePath().toUri().toString();
        String jars = c.get("spark.jars", "");
        for (String j : jars.split(",")) {
            if (j.trim().equals(uri) || j.trim().equals(appJar)) {
                return;
            }
        }
        c.set("spark.jars", jars.isBlank() ? uri : jars + "," + uri);
    }

    public static SparkSession session(String appName, String master) {
        return session(appName, master, java.util.Map.of());
    }

    /** {@link #session(String, String)} with more defaults (each set only when the caller has not set it). */
    public static SparkSession session(String appName, String master, java.util.Map<String, String> defaults) {
        return session(appName, master, defaults, java.util.Map.of());
    }

    /**
     * {@link #session(String, String, java.util.Map)} with {@code settings} the command line gave as flags (e.g.
     * {@code --threads}), which win over the same keys given by spark-submit.
     */
    public static SparkSession session(String appName, String master, java.util.Map<String, String> defaults,
                                       java.util.Map<String, String> settings) {
        SparkConf c = conf(appName, master);
        defaults.forEach(c::setIfMissing);
        settings.forEach(c::set);
        return SparkSession.builder().config(c).getOrCreate();
    }
}
