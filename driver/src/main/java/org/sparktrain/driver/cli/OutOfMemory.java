package org.sparktrain.driver.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a run that ran out of memory, wherever it happened (the driver's thread, a task in the same
 * JVM on {@code local[*]}, an executor on a cluster, which Spark reports as text or as a lost executor with
 * exit code 52), and says where and what to raise. Spark's own message of a failed task names the stage and
 * the executor; it is quoted.
 */
final class OutOfMemory {
    private static final Pattern LOST_TASK = Pattern.compile("Lost task [0-9.]+ in stage [0-9.]+ \\(TID \\d+\\)"
            + "(?: \\([^)]*\\))?");

    private OutOfMemory() {
    }

    /** Whether {@code e}, a cause of it, or Spark's text of a failed task reports an OutOfMemoryError. */
    static boolean find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("java.lang.OutOfMemoryError") || m.contains("exited with code 52")
                    || m.contains("exit code 52") || m.contains("SparkOutOfMemoryError"))) {
                return true;
            }
        }
        return false;
    }

    /** One paragraph: where memory ran out and what to raise. */
    static String message(Throwable e) {
        String kind = "Java heap space";
        String where = "in the driver";
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (t instanceof OutOfMemoryError && m != null) {
                kind = m;
            }
            if (m != null && m.contains("OutOfMemoryError")) {
                Matcher k = Pattern.compile("OutOfMemoryError: ([^\\n]+)").matcher(m);
                if (k.find()) {
                    kind = k.group(1).trim();
                }
                Matcher lt = LOST_TASK.matcher(m);
                if (lt.find()) {
                    where = "in a Spark task (" + lt.group() + ")";
                }
            }
            if (m != null && (m.contains("exited with code 52") || m.contains("exit code 52"))) {
                where = "on an executor (it exited with Spark's out-of-memory status 52)";
            }
        }
        return "ran out of memory (" + kind + ") " + where + ". Give the JVMs more heap: on local[*], where driver"
                + " and tasks share one JVM, SPARKTRAIN_JAVA_OPTS=-Xmx8g (or more); with spark-submit,"
                + " --driver-memory and --executor-memory (spark.executor.memory). A smaller --shuffle-window"
                + " or more workers lower what each task holds. Nothing was overwritten: a model file is written"
                + " only by a finished run, and the checkpoint of the last finished epoch is kept (--resume).";
    }
}
