package org.sparktrain.driver.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.EpochStats;
import org.sparktrain.engine.train.Trainer;

/**
 * {@code scripts/bench --task regression}: the regression MLP of issue 12 on one thread, beside PyTorch's peer
 * ({@code ../shared/bench/peers/pytorch/run-tasks.sh --task regression}, run by hand on the same files with the
 * same settings; the command is printed). Makes the synthetic CSV files once under {@code runs/bench-data/}:
 * F features uniform in [-1, 1), y = 3 + Σ w_i x_i + 2 tanh(2 x_0 x_1) + sin(3 x_2) + N(0, σ²) with σ = 0.5
 * and fixed w. Features and the target are z-scored with the training file's mean and standard deviation (n − 1),
 * as the peer does; metrics are in the target's units. One JSON line per epoch: test RMSE, MAE, R², and the
 * training loop's samples/s (shuffle, forward, backward, Adam: what the peer times).
 */
final class RegressionBench {
    static final double NOISE = 0.5;

    private RegressionBench() {
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args("bench --task regression", argv, 0,
                Set.of("task", "rows", "features", "hidden", "epochs", "batch", "lr", "seed", "runs"), Set.of());
        int rows = a.intValue("rows", 100_000, 100);
        int features = a.intValue("features", 32, 3);
        String hidden = a.get("hidden", "64,64");
        int epochs = a.intValue("epochs", 5, 1);
        int batch = a.intValue("batch", 64, 1);
        double lr = Double.parseDouble(a.get("lr", "0.001"));
        long seed = a.longValue("seed", 42);
        Path dir = Path.of(a.get("runs", "runs")).resolve("bench-data");
        Files.createDirectories(dir);
        String stem = "regression-" + rows + "x" + features;
        Path train = dir.resolve(stem + "-train.csv");
        Path test = dir.resolve(stem + "-test.csv");
        if (!Files.exists(train) || !Files.exists(test)) {
            write(train, rows, features, 1);
            write(test, Math.max(20, rows / 5), features, 2);
        }
        float[][] tr = read(train, features);
        float[][] te = read(test, features);
        double[] xm = new double[features];
        double[] xs = new double[features];
        double[] yms = new double[2];
        moments(tr, features, xm, xs, yms);
        DataSet dtr = scaled(tr, features, xm, xs, yms);
        DataSet dte = scaled(te, features, xm, xs, yms);

        StringBuilder layers = new StringBuilder();
        for (String h : hidden.split(",")) {
            layers.append("  - {type: dense, units: ").append(Integer.parseInt(h.trim())).append(", activation: relu}\n");
        }
        String specText = String.format(Locale.ROOT, """
                name: regression-bench
                input: [%d]
                outputs: 1
                layers:
                %s  - {type: dense, units: 1}
                loss: mse
                optimizer: {type: adam, lr: %s}
                training: {batch_size: %d, epochs: %d, seed: %d}
                """, features, layers, Double.toString(lr), batch, epochs, seed);
        ModelSpec spec = ModelSpec.parse(specText, "regression bench spec");
        TrainingConfig cfg = spec.training();
        Network net = Network.build(spec, cfg.seed());
        Trainer trainer = Trainer.fromSpec(net, cfg);
        System.err.printf(Locale.ROOT, "peer, on the same files: ../shared/bench/peers/pytorch/run-tasks.sh --task regression"
                + " --train %s --test %s --label-cols y --hidden %s --loss mse --epochs %d --batch %d --lr %s"
                + " --threads 1%n", train, test, hidden, epochs, batch, Double.toString(lr));
        float[] pred = new float[dte.size()];
        for (int e = 1; e <= epochs; e++) {
            double load0 = Bench.load1();
            EpochStats s = trainer.trainEpoch(dtr, e);
            net.predict(dte.features(), dte.size(), pred);
            double se = 0;
            double ae = 0;
            double ym = 0;
            for (int i = 0; i < te.length; i++) {
                ym += te[i][features];
            }
            ym /= te.length;
            double ss = 0;
            for (int i = 0; i < te.length; i++) {
                double p = pred[i] * yms[1] + yms[0];
                double y = te[i][features];
                se += (p - y) * (p - y);
                ae += Math.abs(p - y);
                ss += (y - ym) * (y - ym);
            }
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("system", "sparktrain");
            rec.put("task", "regression");
            rec.put("mode", "single");
            rec.put("threads", 1);
            rec.put("rows", rows);
            rec.put("features", features);
            rec.put("hidden", hidden);
            rec.put("epoch", e);
            rec.put("train_seconds", Bench.round(s.seconds(), 3));
            rec.put("samples_per_sec", Bench.round(s.samplesPerSecond(), 1));
            rec.put("train_loss", Bench.round(s.trainLoss(), 5));
            rec.put("rmse", Bench.round(Math.sqrt(se / te.length), 5));
            rec.put("mae", Bench.round(ae / te.length, 5));
            rec.put("r2", Bench.round(1 - se / ss, 5));
            rec.put("noise_sd", NOISE);
            rec.put("load1_start", load0);
            rec.put("load1", Bench.load1());
            System.out.println(Bench.json(rec));
        }
    }

    /** The synthetic function (fixed weights), without noise. */
    static double f(double[] x) {
        double y = 3;
        for (int i = 0; i < x.length; i++) {
            y += ((i % 5) - 2) * 0.5 * x[i];
        }
        return y + 2 * Math.tanh(2 * x[0] * x[1]) + Math.sin(3 * x[2]);
    }

    private static void write(Path file, int rows, int features, long stream) throws IOException {
        SplittableRandom r = new SplittableRandom(1000 + stream);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            StringBuilder h = new StringBuilder();
            for (int i = 0; i < features; i++) {
                h.append('x').append(i).append(',');
            }
            w.write(h.append("y\n").toString());
            double[] x = new double[features];
            StringBuilder line = new StringBuilder();
            for (int n = 0; n < rows; n++) {
                line.setLength(0);
                for (int i = 0; i < features; i++) {
                    x[i] = r.nextDouble(-1, 1);
                    line.append(String.format(Locale.ROOT, "%.5f", x[i])).append(',');
                }
                double y = f(x) + NOISE * r.nextGaussian();
                line.append(String.format(Locale.ROOT, "%.5f", y)).append('\n');
                w.write(line.toString());
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static float[][] read(Path file, int features) throws IOException {
        java.util.List<float[]> out = new java.util.ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            r.readLine();
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                if (l.isBlank()) {
                    continue;
                }
                String[] p = l.split(",");
                float[] v = new float[features + 1];
                for (int i = 0; i <= features; i++) {
                    v[i] = Float.parseFloat(p[i]);
                }
                out.add(v);
            }
        }
        return out.toArray(new float[0][]);
    }

    /** Training means and standard deviations (n − 1) of the features, and of the target in {@code y}. */
    private static void moments(float[][] rows, int features, double[] m, double[] sd, double[] y) {
        int n = rows.length;
        double[] s = new double[features + 1];
        double[] q = new double[features + 1];
        for (float[] r : rows) {
            for (int i = 0; i <= features; i++) {
                s[i] += r[i];
            }
        }
        for (int i = 0; i <= features; i++) {
            s[i] /= n;
        }
        for (float[] r : rows) {
            for (int i = 0; i <= features; i++) {
                q[i] += (r[i] - s[i]) * (r[i] - s[i]);
            }
        }
        for (int i = 0; i < features; i++) {
            m[i] = s[i];
            sd[i] = Math.sqrt(q[i] / (n - 1)) + 1e-12;
        }
        y[0] = s[features];
        y[1] = Math.sqrt(q[features] / (n - 1)) + 1e-12;
    }

    private static DataSet scaled(float[][] rows, int features, double[] m, double[] sd, double[] y) {
        int n = rows.length;
        float[] x = new float[n * features];
        float[] t = new float[n];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < features; i++) {
                x[r * features + i] = (float) ((rows[r][i] - m[i]) / sd[i]);
            }
            t[r] = (float) ((rows[r][features] - y[0]) / y[1]);
        }
        return new DataSet(Shape.of(features), x, null, t, 1);
    }
}
