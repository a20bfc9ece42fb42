package org.sparktrain.driver.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
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
import java.util.TreeMap;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.EpochStats;
import org.sparktrain.engine.train.Trainer;

/**
 * {@code scripts/bench --task sequence}: variable-length sequence classification (issue 12) on one thread, beside
 * PyTorch's {@code pack_padded_sequence} peer ({@code ../shared/bench/peers/pytorch/run-tasks.sh --task sequence},
 * run by hand on the same files with the same settings; the command is printed). Makes the long-format CSV files
 * ({@code id,t,x0,x1,x2,label}, one row per step) once under {@code runs/bench-data/}: lengths uniform in
 * [min, max]; class k of 4 sets the frequency of a noisy sine in x0 ({@code 0.04 + 0.035·k} cycles per step,
 * random phase) and a weak mean shift of x2; x1 is a distractor random walk. Features are used as they are (the
 * peer does not scale them). The sequences are padded at the end to the longest length and carry their lengths:
 * the recurrent layer computes only the real steps (docs/architecture.md, "Variable-length sequences"). One JSON
 * line per epoch: test accuracy and the training loop's sequences per second (shuffle, forward, backward, Adam:
 * what the peer times).
 */
final class SequenceBench {
    static final int FEATURES = 3;
    static final int CLASSES = 4;

    private SequenceBench() {
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args("bench --task sequence", argv, 0,
                Set.of("task", "sequences", "min-length", "max-length", "cell", "units", "epochs", "batch", "lr",
                        "seed", "runs"), Set.of());
        int sequences = a.intValue("sequences", 20_000, 10);
        int minLen = a.intValue("min-length", 5, 1);
        int maxLen = a.intValue("max-length", 50, minLen);
        String cell = a.get("cell", "lstm");
        if (!cell.equals("lstm") && !cell.equals("gru")) {
            throw new Args.UsageException("--cell is lstm or gru, got " + cell);
        }
        int units = a.intValue("units", 64, 1);
        int epochs = a.intValue("epochs", 5, 1);
        int batch = a.intValue("batch", 64, 1);
        double lr = Double.parseDouble(a.get("lr", "0.001"));
        long seed = a.longValue("seed", 42);
        Path dir = Path.of(a.get("runs", "runs")).resolve("bench-data");
        Files.createDirectories(dir);
        String stem = "sequence-" + sequences + "-len" + minLen + "-" + maxLen;
        Path train = dir.resolve(stem + "-train.csv");
        Path test = dir.resolve(stem + "-test.csv");
        if (!Files.exists(train) || !Files.exists(test)) {
            write(train, sequences, minLen, maxLen, 1);
            write(test, Math.max(10, sequences / 4), minLen, maxLen, 2);
        }
        DataSet tr = read(train, maxLen);
        DataSet te = read(test, maxLen);
        String layer = cell.equals("gru") ? "{type: gru, units: " + units + ", variant: pytorch}"
                : "{type: lstm, units: " + units + "}";
        String specText = String.format(Locale.ROOT, """
                name: sequence-bench
                input: [%d, %d]
                classes: %d
                layers:
                  - %s
                  - {type: dense, units: %d, activation: softmax}
                loss: softmax_cross_entropy
                optimizer: {type: adam, lr: %s}
                training: {batch_size: %d, epochs: %d, seed: %d}
                """, maxLen, FEATURES, CLASSES, layer, CLASSES, Double.toString(lr), batch, epochs, seed);
        ModelSpec spec = ModelSpec.parse(specText, "sequence bench spec");
        TrainingConfig cfg = spec.training();
        Network net = Network.build(spec, cfg.seed());
        Trainer trainer = Trainer.fromSpec(net, cfg);
        System.err.printf(Locale.ROOT, "peer, on the same files: ../shared/bench/peers/pytorch/run-tasks.sh --task sequence"
                + " --train %s --test %s --sequence-col id --step-col t --label-col label --cell %s --units %d"
                + " --epochs %d --batch %d --lr %s --threads 1%n", train, test, cell, units, epochs, batch,
                Double.toString(lr));
        long realSteps = 0;
        for (int len : tr.lengths()) {
            realSteps += len;
        }
        for (int e = 1; e <= epochs; e++) {
            double load0 = Bench.load1();
            EpochStats s = trainer.trainEpoch(tr, e);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("system", "sparktrain");
            rec.put("task", "sequence");
            rec.put("mode", "single");
            rec.put("threads", 1);
            rec.put("cell", cell);
            rec.put("units", units);
            rec.put("epoch", e);
            rec.put("train_seconds", Bench.round(s.seconds(), 3));
            rec.put("samples_per_sec", Bench.round(s.samplesPerSecond(), 1));
            rec.put("train_loss", Bench.round(s.trainLoss(), 5));
            rec.put("test_acc", Bench.round(Trainer.evaluate(net, te, 1000).accuracy(), 4));
            rec.put("samples", tr.size());
            rec.put("batch", batch);
            rec.put("lengths", minLen + "-" + maxLen);
            rec.put("real_step_fraction", Bench.round((double) realSteps / ((long) tr.size() * maxLen), 4));
            rec.put("load1_start", load0);
            rec.put("load1", Bench.load1());
            System.out.println(Bench.json(rec));
        }
    }

    private static void write(Path file, int sequences, int minLen, int maxLen, long stream) throws IOException {
        SplittableRandom r = new SplittableRandom(2000 + stream);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("id,t,x0,x1,x2,label\n");
            StringBuilder line = new StringBuilder();
            for (int id = 0; id < sequences; id++) {
                int len = r.nextInt(minLen, maxLen + 1);
                int k = r.nextInt(CLASSES);
                double freq = 0.04 + 0.035 * k;
                double phase = r.nextDouble(0, 2 * Math.PI);
                double walk = 0;
                for (int t = 0; t < len; t++) {
                    walk += 0.3 * r.nextGaussian();
                    double x0 = Math.sin(2 * Math.PI * freq * t + phase) + 0.5 * r.nextGaussian();
                    double x2 = 0.15 * (k - 1.5) + r.nextGaussian();
                    line.setLength(0);
                    line.append(id).append(',').append(t).append(',')
                            .append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f", x0, walk, x2))
                            .append(',').append(k).append('\n');
                    w.write(line.toString());
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads the long-format file: rows grouped by id, ordered by t, padded at the end to {@code maxLen}. */
    private static DataSet read(Path file, int maxLen) throws IOException {
        TreeMap<Integer, TreeMap<Integer, float[]>> seqs = new TreeMap<>();
        Map<Integer, Integer> labels = new java.util.HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            r.readLine();
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                if (l.isBlank()) {
                    continue;
                }
                String[] p = l.split(",");
                int id = Integer.parseInt(p[0]);
                int t = Integer.parseInt(p[1]);
                float[] v = new float[FEATURES];
                for (int f = 0; f < FEATURES; f++) {
                    v[f] = Float.parseFloat(p[2 + f]);
                }
                seqs.computeIfAbsent(id, x -> new TreeMap<>()).put(t, v);
                labels.put(id, Integer.parseInt(p[2 + FEATURES])); // the last row's label (rows are in step order), as the peer
            }
        }
        int n = seqs.size();
        float[] x = new float[n * maxLen * FEATURES];
        int[] y = new int[n];
        int[] lengths = new int[n];
        int i = 0;
        for (Map.Entry<Integer, TreeMap<Integer, float[]>> e : seqs.entrySet()) {
            List<float[]> steps = new ArrayList<>(e.getValue().values());
            if (steps.size() > maxLen) {
                throw new IOException(file + ": sequence id=" + e.getKey() + " has " + steps.size()
                        + " steps; the bench pads to " + maxLen);
            }
            for (int t = 0; t < steps.size(); t++) {
                System.arraycopy(steps.get(t), 0, x, (i * maxLen + t) * FEATURES, FEATURES);
            }
            lengths[i] = steps.size();
            y[i] = labels.get(e.getKey());
            i++;
        }
        return DataSet.classification(Shape.of(maxLen, FEATURES), x, y).withLengths(lengths);
    }
}
