package org.sparktrain.driver.cli;

import java.io.IOException;
import java.io.PrintStream;
import org.sparktrain.engine.train.DivergedLossException;
import org.sparktrain.engine.train.NonFiniteLossException;
import org.sparktrain.partitioning.DataFormatException;

/**
 * {@code sparktrain COMMAND [flags]}. Exit status: 0 success, 1 the run failed (bad data, bad spec, NaN
 * loss: one message says what and where), 2 a wrong command line.
 */
public final class Main {
    static final String USAGE = """
            usage: sparktrain COMMAND [flags]

            commands:
              train      train a model on Spark and evaluate it on the test set
              evaluate   holdout, k-fold cross-validation (folds as concurrent Spark jobs) or bootstrap
              score      predict with a saved model, on the executors, into CSV or Parquet
              report     (re)write a run directory's report.html: curves, test metrics, provenance; or
                         compare several runs on one page

            Every command takes --help, and -v/--verbose (Spark's own logs from INFO up, shown on standard
            error; by default only its warnings and errors, less those that mean nothing on one machine).
            """;

    private Main() {
    }

    static final String REPORT_HELP = """
            usage: sparktrain report DIR
                   sparktrain report DIR DIR... [--out FILE]

            With one DIR: writes DIR/report.html from what a 'train' or 'evaluate' run left in DIR (metrics.jsonl,
            metrics.json, model.sptr): one self-contained page with loss and accuracy against epochs, the test
            metrics per class, the confusion matrix as a heat map, the epochs' speed and round times, and the
            provenance. 'train' and 'evaluate' write it at the end of every run; this rebuilds it (e.g. after
            --resume, or for a copied run).

            With two or more: one page comparing the runs: their loss and accuracy curves overlaid, a table of
            final metrics and the settings that differ (from each run's provenance and spec), written to FILE
            (default: compare.html beside the first DIR, e.g. runs/compare.html for runs/a runs/b).
            """;

    /** {@code sparktrain report DIR [DIR...] [--out FILE]}: no Spark, only the files. */
    static int report(String[] argv, PrintStream out) throws java.io.IOException {
        if (argv.length == 2 && (argv[1].equals("--help") || argv[1].equals("-h"))) {
            out.print(REPORT_HELP);
            return 0;
        }
        java.util.List<String> dirs = new java.util.ArrayList<>();
        String outFile = null;
        for (int i = 1; i < argv.length; i++) {
            if (argv[i].equals("--out") && i + 1 < argv.length && outFile == null) {
                outFile = argv[++i];
            } else if (argv[i].startsWith("--")) {
                throw new Args.UsageException("sparktrain report: unknown flag " + argv[i] + " (known: --out FILE with"
                        + " two or more run directories; see sparktrain report --help)");
            } else {
                dirs.add(argv[i]);
            }
        }
        if (dirs.isEmpty()) {
            throw new Args.UsageException("sparktrain report: give a run directory, e.g. sparktrain report"
                    + " runs/lenet5, or several to compare (see sparktrain report --help)");
        }
        if (dirs.size() == 1 && outFile != null) {
            throw new Args.UsageException("sparktrain report: --out goes with two or more run directories (one"
                    + " run's report is DIR/report.html)");
        }
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        String file;
        String page;
        if (dirs.size() == 1) {
            file = dirs.get(0) + "/" + org.sparktrain.driver.report.RunReport.FILE;
            page = org.sparktrain.driver.report.RunReport.html(conf, dirs.get(0));
        } else {
            org.apache.hadoop.fs.Path parent = new org.apache.hadoop.fs.Path(dirs.get(0)).getParent();
            file = outFile != null ? outFile : parent == null ? "compare.html" : parent + "/compare.html";
            page = org.sparktrain.driver.report.RunComparison.html(conf, dirs);
        }
        byte[] bytes = page.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        org.sparktrain.driver.train.AtomicWrite.write(conf, file, o -> o.write(bytes));
        out.println((dirs.size() == 1 ? "report" : "comparison of " + dirs.size() + " runs") + " written to " + file);
        return 0;
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    public static int run(String[] argv, PrintStream out, PrintStream err) {
        argv = Logs.takeVerbose(argv);
        Logs.atStart();
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        try {
            return switch (argv[0]) {
                case "train" -> TrainCommand.run(argv, out, err);
                case "evaluate" -> EvaluateCommand.run(argv, out, err);
                case "score" -> ScoreCommand.run(argv, out, err);
                case "report" -> report(argv, out);
                default -> throw new Args.UsageException("unknown command '" + argv[0]
                        + "' (known: train, evaluate, score, report)");
            };
        } catch (Args.UsageException e) {
            String m = e.getMessage();
            err.println(m.startsWith("sparktrain") ? m : "sparktrain: " + m);
            return 2;
        } catch (OutOfMemoryError e) {
            err.println("sparktrain: " + OutOfMemory.message(e));
            return 1;
        } catch (Exception e) {
            Throwable cause = userFacing(e);
            String jdk = unsupportedJava(e);
            String oom = OutOfMemory.find(e) ? OutOfMemory.message(e) : null;
            if (oom != null) {
                err.println("sparktrain: " + oom);
            } else if (jdk != null) {
                err.println("sparktrain: " + jdk);
            } else if (shuttingDown()) { // whatever broke, it broke because the JVM is being stopped
                err.println("sparktrain: stopped (interrupted, e.g. Ctrl-C or a kill signal); a model file is written"
                        + " only by a finished run, and the checkpoint of the last finished epoch is kept (--resume)");
                return 130;
            } else if (cause != null) {
                err.println("sparktrain: " + cause.getMessage());
            } else {
                err.println("sparktrain: internal error (please report it with this trace): " + e);
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** Whether the JVM is exiting (a signal, System.exit): a shutdown hook can no longer be added then. */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException exiting) {
            return true;
        }
    }

    /**
     * A message when {@code e} is Spark 4.1's Hadoop client failing on a Java it does not support (from Java 23
     * on, {@code Subject.getSubject} throws, and Hadoop's login calls it), else null.
     */
    static String unsupportedJava(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedOperationException && t.getMessage() != null
                    && t.getMessage().contains("getSubject")) {
                return "Spark 4.1 (its Hadoop client's login) does not run on Java " + Runtime.version().feature()
                        + " (" + t.getMessage() + "); run sparktrain with Java 17 or 21 (JAVA_HOME or PATH)";
            }
        }
        return null;
    }

    /**
     * The exception in {@code e}'s cause chain whose message is written for users (bad data, bad spec, a
     * diverging run, a file problem): Spark wraps executor-side failures in its own exceptions.
     */
    static Throwable userFacing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NonFiniteLossException || t instanceof DivergedLossException
                    || t instanceof DataFormatException
                    || t instanceof IllegalArgumentException || t instanceof IOException
                    || t instanceof IllegalStateException && t.getMessage() != null && !t.getMessage().isEmpty()) {
                return t;
            }
        }
        return null;
    }
}
