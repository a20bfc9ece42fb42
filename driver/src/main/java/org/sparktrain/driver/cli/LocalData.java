package org.sparktrain.driver.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.io.IdxDataset;
import org.sparktrain.engine.io.IdxImages;

/**
 * Loads an IDX directory (the Fashion-MNIST layout) into memory on one machine, shaped as the spec's
 * input. The Spark readers of the partitioning module replace this for distributed runs.
 */
public final class LocalData {
    private LocalData() {
    }

    /** The {@code prefix} part ({@code train} or {@code t10k}) of {@code dir}, as examples of {@code shape}. */
    public static DataSet loadIdx(Path dir, String prefix, Shape shape) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory; --data expects a directory holding "
                    + prefix + "-images-idx3-ubyte[.gz] and " + prefix + "-labels-idx1-ubyte[.gz]");
        }
        IdxDataset d = IdxDataset.load(dir, prefix);
        IdxImages img = d.images();
        if (img.features() != shape.size()) {
            throw new IOException(d.imagesFile() + ": examples of " + img.rows() + "×" + img.cols() + " = "
                    + img.features() + " values do not fit the model's input " + shape + " (" + shape.size()
                    + " values); change 'input' in the spec");
        }
        return DataSet.classification(shape, img.pixels(), d.labels());
    }

    /** True when {@code dir} holds the {@code prefix} part of an IDX data set. */
    public static boolean hasPart(Path dir, String prefix) {
        return Files.exists(dir.resolve(prefix + "-images-idx3-ubyte.gz"))
                || Files.exists(dir.resolve(prefix + "-images-idx3-ubyte"));
    }

    /**
     * Splits off a validation part: a seeded random {@code fraction} of the examples (at least one),
     * the rest for training. Returns {train, validation}.
     */
    public static DataSet[] holdout(DataSet data, double fraction, long seed) {
        int n = data.size();
        int nVal = Math.max(1, (int) Math.round(n * fraction));
        if (nVal >= n) {
            throw new IllegalArgumentException("a validation fraction of " + fraction + " leaves no training examples");
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(org.sparktrain.engine.SplitMix.derive(seed, 0x5B1172));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new DataSet[] {pick(data, order, nVal, n - nVal), pick(data, order, 0, nVal)};
    }

    private static DataSet pick(DataSet d, int[] order, int from, int count) {
        int fs = d.shape().size();
        float[] x = new float[count * fs];
        int[] y = new int[count];
        int[] idx = java.util.Arrays.copyOfRange(order, from, from + count);
        java.util.Arrays.sort(idx); // keep the original order inside each part
        for (int i = 0; i < count; i++) {
            System.arraycopy(d.features(), idx[i] * fs, x, i * fs, fs);
            y[i] = d.labels()[idx[i]];
        }
        return DataSet.classification(d.shape(), x, y);
    }
}
