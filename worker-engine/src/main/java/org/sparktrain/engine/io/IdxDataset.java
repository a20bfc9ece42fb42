package org.sparktrain.engine.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A matched pair of IDX files: images and their labels, e.g. Fashion-MNIST's
 * {@code t10k-images-idx3-ubyte.gz} and {@code t10k-labels-idx1-ubyte.gz}. Loading checks that both
 * files hold the same number of examples.
 *
 * <p>The arrays are the object's own (they are large); treat them as read-only.
 */
public final class IdxDataset {
    /** Where the Debian package {@code dataset-fashion-mnist} installs Fashion-MNIST. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private final IdxImages images;
    private final int[] labels;
    private final Path imagesFile;
    private final Path labelsFile;

    private IdxDataset(IdxImages images, int[] labels, Path imagesFile, Path labelsFile) {
        this.images = images;
        this.labels = labels;
        this.imagesFile = imagesFile;
        this.labelsFile = labelsFile;
    }

    /**
     * Loads {@code {prefix}-images-idx3-ubyte} and {@code {prefix}-labels-idx1-ubyte} from {@code dir},
     * each either plain or with a {@code .gz} suffix (the MNIST / Fashion-MNIST layout; prefixes are
     * {@code train} and {@code t10k}). If both a plain and a {@code .gz} file exist, the plain one is used.
     *
     * @throws IdxFormatException if a file is missing or invalid, or the two counts differ
     */
    public static IdxDataset load(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IdxFormatException("IDX data directory " + dir + " does not exist or is not a "
                    + "directory; point the data path at the folder holding " + prefix
                    + "-images-idx3-ubyte[.gz] and " + prefix + "-labels-idx1-ubyte[.gz].");
        }
        Path imagesFile = find(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = find(dir, prefix + "-labels-idx1-ubyte");
        return load(imagesFile, labelsFile);
    }

    /**
     * Loads an images file and a labels file given explicitly.
     *
     * @throws IdxFormatException if a file is invalid or the two counts differ
     */
    public static IdxDataset load(Path imagesFile, Path labelsFile) throws IOException {
        IdxImages images = IdxReader.readImages(imagesFile);
        int[] labels = IdxReader.readLabels(labelsFile);
        if (images.count() != labels.length) {
            throw new IdxFormatException("IDX images file " + imagesFile + " holds " + images.count()
                    + " images but labels file " + labelsFile + " holds " + labels.length
                    + " labels; they must hold the same examples. Check that both come from the same "
                    + "split (e.g. both train or both t10k).");
        }
        return new IdxDataset(images, labels, imagesFile, labelsFile);
    }

    private static Path find(Path dir, String baseName) throws IdxFormatException {
        Path plain = dir.resolve(baseName);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(baseName + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new IdxFormatException("IDX data directory " + dir + " has neither " + baseName + " nor "
                + baseName + ".gz; check the directory and the split name (Fashion-MNIST uses train and t10k).");
    }

    /** The images, pixels scaled to [0, 1]. */
    public IdxImages images() {
        return images;
    }

    /** One label per image, 0..255 as stored; the object's own array: do not modify. */
    public int[] labels() {
        return labels;
    }

    /** Number of examples. */
    public int count() {
        return labels.length;
    }

    public Path imagesFile() {
        return imagesFile;
    }

    public Path labelsFile() {
        return labelsFile;
    }
}
