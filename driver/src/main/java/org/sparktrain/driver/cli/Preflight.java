package org.sparktrain.driver.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.train.Trainer;

/**
 * What a command checks before Spark starts (docs/architecture.md, "Failing cleanly"): the whole model spec (its
 * network, optimizer, regularization and clipping are built once, so a bad section fails naming the spec file),
 * the input paths exist, and the output paths can be written. A mistake costs a second, not a Spark start-up and a
 * data read, and nothing is written. Paths on other file systems (hdfs:, s3a:, ...) are checked by the command
 * once Spark has its Hadoop configuration; a glob is left to the reader.
 */
final class Preflight {
    private Preflight() {
    }

    /**
     * Builds everything the spec describes; a mistake in any section fails here with one message naming
     * {@code specFile} (exit status 1, as any bad spec). Returns the network it built.
     */
    static Network spec(RunOptions run, Path specFile) {
        try {
            Network net = run.network();
            Trainer.fromSpec(net, run.config());
            return net; // the checked network: its sizes serve the command, no second build
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException(m.startsWith(specFile.toString()) ? m : specFile + ": " + m, e);
        }
    }

    /** {@code flag}'s input {@code path} exists (local paths; others are checked by the reader). */
    static void input(String flag, String path) {
        Path p = local(path);
        if (p != null && !Files.exists(p)) {
            throw new Args.UsageException(flag + " " + path + ": no such file or directory");
        }
    }

    /**
     * {@code flag}'s output directory {@code path} can be made or written: not a regular file, and writable where
     * it exists or in its nearest existing parent. With {@code mustNotExist}, it must not exist yet.
     */
    static void outputDir(String flag, String path, boolean mustNotExist) {
        Path p = local(path);
        if (p == null) {
            return;
        }
        if (Files.exists(p)) {
            if (mustNotExist) {
                throw new Args.UsageException(flag + " " + path + " exists already; " + flag.substring(2)
                        + " never overwrites: choose another directory or remove it");
            }
            if (!Files.isDirectory(p)) {
                throw new Args.UsageException(flag + " " + path + " is a file, not a directory: " + flag
                        + " names the directory the run writes into");
            }
            if (!Files.isWritable(p)) {
                throw new Args.UsageException(flag + " " + path + ": the directory is not writable");
            }
            return;
        }
        writableParent(flag, path, p);
    }

    /** {@code flag}'s output file {@code path} can be written: not a directory, its directory writable or makeable. */
    static void outputFile(String flag, String path) {
        Path p = local(path);
        if (p == null) {
            return;
        }
        if (Files.isDirectory(p)) {
            throw new Args.UsageException(flag + " " + path + " is a directory; " + flag + " names a file");
        }
        if (Files.exists(p)) {
            if (!Files.isWritable(p)) {
                throw new Args.UsageException(flag + " " + path + ": the file is not writable");
            }
            return;
        }
        writableParent(flag, path, p);
    }

    private static void writableParent(String flag, String path, Path p) {
        Path parent = p.toAbsolutePath().getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null) {
            return;
        }
        if (!Files.isDirectory(parent)) {
            throw new Args.UsageException(flag + " " + path + ": " + parent + " is a file, so no directory can be"
                    + " made under it");
        }
        if (!Files.isWritable(parent)) {
            throw new Args.UsageException(flag + " " + path + ": cannot be created, " + parent + " is not writable");
        }
    }

    /** The local file a path names (no scheme, or file:), or null for other file systems and globs. */
    static Path local(String path) {
        if (path == null || path.isEmpty() || path.matches(".*[*?\\[{].*")) {
            return null;
        }
        if (path.startsWith("file:")) {
            try {
                return Path.of(URI.create(path));
            } catch (IllegalArgumentException e) {
                return Path.of(path.substring("file:".length()));
            }
        }
        if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return null; // hdfs:, s3a:, ...
        }
        return Path.of(path);
    }
}
