package org.sparktrain.driver.examples;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The data of {@code scripts/example-forecast} (issue 12's bundled example): a seasonal time series with noise,
 * hourly, {@code y_t = 10 + 3 sin(2πt/24) + 1.5 sin(2πt/168) + 0.02 t/24 + N(0, σ²)} with σ = 0.3 (a daily and
 * a weekly season and a slow trend), cut into windows of 24 to 72 consecutive hours that each forecast the next
 * hour: long-format CSV, one line per step, {@code id,t,y,hour_sin,hour_cos,next}: the window's id, the step,
 * the value and the hour of day as a point on the unit circle, and {@code next}, the value one hour after the
 * window (the label column; a sequence's label is its last step's). Training windows end in the first 80% of the
 * series, test windows after it. Prints the test RMSE of two baselines on the same windows: the last value
 * ("persistence") and the value 24 hours before the target ("seasonal naive"), and the noise σ, the best any
 * forecast can do on average.
 *
 * <p>Usage: {@code SeasonalSeries DIR [--windows N] [--seed S]}: writes DIR/forecast-train.csv and
 * DIR/forecast-test.csv (N training windows, N/4 test windows).
 */
public final class SeasonalSeries {
    static final double NOISE = 0.3;
    static final int MIN_LEN = 24;
    static final int MAX_LEN = 72;

    private SeasonalSeries() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: SeasonalSeries DIR [--windows N] [--seed S]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int windows = 8000;
        long seed = 7;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--windows" -> windows = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> {
                    System.err.println("SeasonalSeries: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        int hours = 24 * 365 * 2;
        double[] y = series(hours, seed);
        int split = hours * 4 / 5;
        Files.createDirectories(dir);
        double[] train = write(dir.resolve("forecast-train.csv"), y, MAX_LEN, split - 1, windows, seed + 1);
        double[] test = write(dir.resolve("forecast-test.csv"), y, split + MAX_LEN, hours - 1, Math.max(10, windows / 4),
                seed + 2);
        System.out.printf(Locale.ROOT, "wrote %s (%d windows) and %s (%d windows); test RMSE of the baselines:"
                + " persistence %.4f, seasonal naive %.4f; the noise sigma %.4f%n", dir.resolve("forecast-train.csv"),
                (int) train[2], dir.resolve("forecast-test.csv"), (int) test[2], test[0], test[1], NOISE);
    }

    static double[] series(int hours, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] y = new double[hours];
        for (int t = 0; t < hours; t++) {
            y[t] = 10 + 3 * Math.sin(2 * Math.PI * t / 24) + 1.5 * Math.sin(2 * Math.PI * t / 168) + 0.02 * t / 24
                    + NOISE * r.nextGaussian();
        }
        return y;
    }

    /**
     * Writes {@code n} windows whose target hour lies in [{@code firstTarget}, {@code lastTarget}]; returns the
     * persistence and seasonal-naive RMSE over them and n.
     */
    static double[] write(Path file, double[] y, int firstTarget, int lastTarget, int n, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        double persistence = 0;
        double seasonal = 0;
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("id,t,y,hour_sin,hour_cos,next\n");
            StringBuilder line = new StringBuilder();
            for (int id = 0; id < n; id++) {
                int target = r.nextInt(firstTarget, lastTarget + 1);
                int len = r.nextInt(MIN_LEN, MAX_LEN + 1);
                for (int s = 0; s < len; s++) {
                    int t = target - len + s;
                    double phase = 2 * Math.PI * (t % 24) / 24;
                    line.setLength(0);
                    line.append(id).append(',').append(s).append(',')
                            .append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f", y[t], Math.sin(phase),
                                    Math.cos(phase), y[target])).append('\n');
                    w.write(line.toString());
                }
                persistence += sq(y[target - 1] - y[target]);
                seasonal += sq(y[target - 24] - y[target]);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        return new double[] {Math.sqrt(persistence / n), Math.sqrt(seasonal / n), n};
    }

    private static double sq(double v) {
        return v * v;
    }
}
