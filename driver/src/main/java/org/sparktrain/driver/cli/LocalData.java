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
}
