package org.sparktrain.driver.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small IDX files (the MNIST format) for tests: n images of side×side pixels and their labels. */
final class TinyIdx {
    private TinyIdx() {
    }

    /** Images whose brightest pixel position encodes the label: learnable in a few epochs. */
    static void write(Path dir, String prefix, int n, int side, int classes, long seed) throws IOException {
        Files.createDirectories(dir);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        ByteArrayOutputStream img = new ByteArrayOutputStream();
        ByteArrayOutputStream lab = new ByteArrayOutputStream();
        try (DataOutputStream di = new DataOutputStream(img); DataOutputStream dl = new DataOutputStream(lab)) {
            di.writeInt(0x00000803);
            di.writeInt(n);
            di.writeInt(side);
            di.writeInt(side);
            dl.writeInt(0x00000801);
            dl.writeInt(n);
            for (int i = 0; i < n; i++) {
                int label = r.nextInt(classes);
                dl.writeByte(label);
                for (int p = 0; p < side * side; p++) {
                    di.writeByte(p == label ? 255 : r.nextInt(60));
                }
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), img.toByteArray());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.toByteArray());
    }
}
