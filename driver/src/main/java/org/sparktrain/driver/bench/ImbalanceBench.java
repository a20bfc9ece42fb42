package org.sparktrain.driver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.driver.cli.Main;
import org.sparktrain.driver.eval.Summary;
import org.sparktrain.engine.io.IdxDataset;
import org.sparktrain.engine.io.IdxImages;

/**
 * {@code scripts/bench --task imbalance}: issue 12's class-imbalance target. Fashion-MNIST's training set with one
 * class cut to a fraction of its rows (a seeded draw, written once as CSV under {@code runs/bench-data/}), the full
 * test set, and {@code sparktrain train} run in this JVM exactly as a user runs it (local master, the CLI's
 * defaults) once per seed with no correction, {@code --class-weight balanced} and {@code --resample up}. One JSON
 * line per run (the minority class's test recall, accuracy, macro F1 from the run's {@code metrics.json}), then
 * one summary line per method: mean and standard deviation over the seeds, and for each correction its
 * difference to {@code --resample up} with the difference's standard error.
 *
 * <p>Why seeds: the last epoch's recall of a class with ~300 training rows moves by ~10 points from one seed to
 * the next (measured: sd 0.07-0.11 over five seeds), so a single pair of runs says little about the methods.
 */
final class ImbalanceBench {
    private static final List<String> METHODS = List.of("none", "balanced", "up");

    private ImbalanceBench() {
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args("bench --task imbalance", argv, 0,
                Set.of("task", "runs", "data", "model", "minority", "keep", "epochs", "seeds", "methods", "scale"),
                Set.of());
        Path runs = Path.of(a.get("runs", "runs"));
        Path root = runs.toAbsolutePath().getParent();
        Path fmnist = Path.of(a.get("data", IdxDataset.FASHION_MNIST_DIR.toString()));
        String model = a.get("model", root.resolve("conf/models/mlp.yaml").toString());
        int minority = a.intValue("minority", 6, 0);
        double keep = Double.parseDouble(a.get("keep", "0.05"));
        if (!(keep > 0 && keep <= 1)) {
            throw new Args.UsageException("--keep is a fraction in (0, 1], got " + keep);
        }
        int epochs = a.intValue("epochs", 5, 1);
        List<Long> seeds = seeds(a.get("seeds", "1-10"));
        List<String> methods = List.of(a.get("methods", String.join(",", METHODS)).split(","));
        for (String m : methods) {
            if (!METHODS.contains(m)) {
                throw new Args.UsageException("--methods takes none, balanced, up; got '" + m + "'");
            }
        }
        String scale = a.get("scale", "minmax");

        Path dir = runs.resolve("bench-data");
        Files.createDirectories(dir);
        String stem = String.format(Locale.ROOT, "fmnist-class%d-keep%s", minority, Double.toString(keep));
        Path train = dir.resolve(stem + "-train.csv");
        Path test = dir.resolve("fmnist-test.csv");
        IdxDataset tr = IdxDataset.load(fmnist, "train");
        int[] kept = cut(tr.labels(), minority, keep, 20261206L);
        if (!Files.exists(train)) {
            writeCsv(train, tr, kept);
        }
        if (!Files.exists(test)) {
            IdxDataset te = IdxDataset.load(fmnist, "t10k");
            int[] all = new int[te.count()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            writeCsv(test, te, all);
        }
        int minorityRows = 0;
        for (int i : kept) {
            minorityRows += tr.labels()[i] == minority ? 1 : 0;
        }
        System.err.printf(Locale.ROOT, "imbalance: %s (%d training rows, class %d cut to %d rows), test %s; "
                + "%d seeds x %s; each run's log under runs/bench-imbalance/%n", train, kept.length, minority,
                minorityRows, test, seeds.size(), methods);

        Path out = runs.resolve("bench-imbalance");
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        Map<String, List<double[]>> byMethod = new LinkedHashMap<>();
        for (long seed : seeds) {
            for (String method : methods) {
                Path runDir = out.resolve(method + "-seed" + seed);
                deleteTree(runDir);
                List<String> args = new ArrayList<>(List.of("train", "--model", model, "--data", train.toString(),
                        "--test", test.toString(), "--scale", scale, "--epochs", Integer.toString(epochs),
                        "--seed", Long.toString(seed), "--out", runDir.toString()));
                if (method.equals("balanced")) {
                    args.addAll(List.of("--class-weight", "balanced"));
                } else if (method.equals("up")) {
                    args.addAll(List.of("--resample", "up"));
                }
                double load0 = Bench.load1();
                long t0 = System.nanoTime();
                int rc;
                try (OutputStream logFile = Files.newOutputStream(out.resolve(method + "-seed" + seed + ".log"));
                        PrintStream log = new PrintStream(logFile, true, StandardCharsets.UTF_8)) {
                    rc = Main.run(args.toArray(String[]::new), log, log);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (rc != 0) {
                    throw new IllegalStateException("train exited " + rc + " for " + method + " seed " + seed
                            + "; see " + out.resolve(method + "-seed" + seed + ".log"));
                }
                JsonNode m = json.readTree(runDir.resolve("metrics.json").toFile());
                double recall = m.get("per_class").get(minority).get("recall").asDouble();
                double acc = m.get("accuracy").asDouble();
                double f1 = m.get("macro").get("f1").asDouble();
                byMethod.computeIfAbsent(method, k -> new ArrayList<>()).add(new double[] {recall, acc, f1});
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("system", "sparktrain");
                rec.put("task", "imbalance");
                rec.put("model", Path.of(model).getFileName().toString());
                rec.put("method", method);
                rec.put("seed", seed);
                rec.put("epochs", epochs);
                rec.put("minority_class", minority);
                rec.put("minority_train_rows", minorityRows);
                rec.put("minority_recall", Bench.round(recall, 4));
                rec.put("accuracy", Bench.round(acc, 4));
                rec.put("macro_f1", Bench.round(f1, 4));
                rec.put("wall_seconds", Bench.round(seconds, 1));
                rec.put("load1_start", load0);
                rec.put("load1", Bench.load1());
                System.out.println(Bench.json(rec));
            }
        }
        List<double[]> up = byMethod.get("up");
        for (var e : byMethod.entrySet()) {
            double[] r = column(e.getValue(), 0);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("system", "sparktrain");
            rec.put("task", "imbalance");
            rec.put("phase", "summary");
            rec.put("method", e.getKey());
            rec.put("runs", r.length);
            rec.put("minority_recall_mean", Bench.round(Summary.mean(r), 4));
            rec.put("minority_recall_sd", Bench.round(Summary.sd(r), 4));
            rec.put("accuracy_mean", Bench.round(Summary.mean(column(e.getValue(), 1)), 4));
            rec.put("macro_f1_mean", Bench.round(Summary.mean(column(e.getValue(), 2)), 4));
            if (up != null && !e.getKey().equals("up")) {
                double[] u = column(up, 0);
                rec.put("recall_minus_up", Bench.round(Summary.mean(r) - Summary.mean(u), 4));
                double se = Math.sqrt(Summary.sd(r) * Summary.sd(r) / r.length
                        + Summary.sd(u) * Summary.sd(u) / u.length);
                rec.put("recall_minus_up_se", Bench.round(se, 4));
            }
            System.out.println(Bench.json(rec));
        }
    }

    /**
     * The rows kept: every row of the other classes, and of {@code minority} the first ceil(keep · n) of a seeded
     * shuffle of its rows; in the file's order.
     */
    static int[] cut(int[] labels, int minority, double keep, long seed) {
        List<Integer> of = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == minority) {
                of.add(i);
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = of.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Integer t = of.get(i);
            of.set(i, of.get(j));
            of.set(j, t);
        }
        boolean[] in = new boolean[labels.length];
        int n = (int) Math.ceil(keep * of.size());
        for (int i = 0; i < n; i++) {
            in[of.get(i)] = true;
        }
        int count = 0;
        for (int i = 0; i < labels.length; i++) {
            count += labels[i] != minority || in[i] ? 1 : 0;
        }
        int[] rows = new int[count];
        for (int i = 0, k = 0; i < labels.length; i++) {
            if (labels[i] != minority || in[i]) {
                rows[k++] = i;
            }
        }
        return rows;
    }

    /** The rows as CSV, header p0..p783,label, pixels as the file's integers 0-255. */
    private static void writeCsv(Path file, IdxDataset d, int[] rows) throws IOException {
        IdxImages img = d.images();
        int f = img.features();
        float[] px = img.pixels();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            for (int j = 0; j < f; j++) {
                line.append('p').append(j).append(',');
            }
            w.write(line.append("label\n").toString());
            for (int i : rows) {
                line.setLength(0);
                for (int j = 0; j < f; j++) {
                    line.append(Math.round(px[i * f + j] * 255f)).append(',');
                }
                line.append(d.labels()[i]).append('\n');
                w.write(line.toString());
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    static List<Long> seeds(String s) {
        List<Long> out = new ArrayList<>();
        for (String part : s.split(",")) {
            int dash = part.indexOf('-', 1);
            if (dash > 0) {
                long lo = Long.parseLong(part.substring(0, dash).trim());
                long hi = Long.parseLong(part.substring(dash + 1).trim());
                for (long v = lo; v <= hi; v++) {
                    out.add(v);
                }
            } else {
                out.add(Long.parseLong(part.trim()));
            }
        }
        if (out.isEmpty()) {
            throw new Args.UsageException("--seeds is a list such as 1-10 or 1,2,5");
        }
        return out;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private static double[] column(List<double[]> rows, int c) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[c];
        }
        return out;
    }
}
