package org.sparktrain.driver.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * How much of Spark's own logging a command shows. By default the launcher's {@code conf/log4j2.properties}
 * (warnings and errors), without the warnings that are not actionable on one machine; {@code -v}/{@code --verbose}
 * shows everything again from INFO up (Spark's start-up, stages, block manager, the warnings dropped by default).
 */
final class Logs {
    /** Warnings that say nothing a user of a local master can act on. */
    private static final String[] LOCAL_NOISE = {
        // "Your hostname resolves to a loopback address ... Set SPARK_LOCAL_IP": the driver binds to 127.0.0.1
        // on a local master anyway (SparkSetup); the launcher sets SPARK_LOCAL_IP, spark-submit and java do not
        "org.apache.spark.util.Utils",
    };

    private static volatile boolean verbose;

    /**
     * The engine's kernel loader says which GEMM kernel it uses at INFO (java.util.logging); {@code train}'s start-up
     * line names it already, so only {@code -v} shows it. Held here: java.util.logging keeps loggers weakly.
     */
    private static final java.util.logging.Logger KERNELS =
            java.util.logging.Logger.getLogger(org.sparktrain.engine.kernel.Kernels.class.getName());

    private Logs() {
    }

    /** Removes {@code -v}/{@code --verbose} from the arguments (anywhere after the command) and remembers it. */
    static String[] takeVerbose(String[] argv) {
        java.util.List<String> rest = new java.util.ArrayList<>();
        boolean v = false;
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("-v") || argv[i].equals("--verbose")) {
                v = true;
            } else {
                rest.add(argv[i]);
            }
        }
        verbose = v;
        return rest.toArray(new String[0]);
    }

    static boolean verbose() {
        return verbose;
    }

    /** As a command starts: with --verbose everything from INFO up, else the kernel loader's INFO line off. */
    static void atStart() {
        KERNELS.setLevel(verbose ? null : java.util.logging.Level.WARNING);
        if (verbose) {
            try {
                Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.INFO);
            } catch (LinkageError | RuntimeException e) {
                // another logging back end (a cluster's own): leave its configuration alone
            }
        }
    }

    /** The Spark master a command will use: {@code --master}, else spark-submit's, else {@code local[*]}. */
    static String master(String flag) {
        return flag != null ? flag : System.getProperty("spark.master", "local[*]");
    }

    /** Before Spark starts: without --verbose, the warnings that mean nothing on a local master off. */
    static void beforeSpark(String master) {
        if (verbose) {
            return;
        }
        try {
            String m = master(master);
            if (m.startsWith("local") && System.getenv("SPARK_LOCAL_IP") == null) {
                for (String logger : LOCAL_NOISE) {
                    Configurator.setLevel(logger, Level.ERROR);
                }
            }
        } catch (LinkageError | RuntimeException e) {
            // another logging back end (a cluster's own): leave its configuration alone
        }
    }
}
