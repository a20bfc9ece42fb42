package org.sparktrain.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** Bytes of an IDX file: magic 0 0 type ndims, big-endian dims, data, then extra. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(bytes);
        }
        return bos.toByteArray();
    }

    static byte[] ramp(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 37);
        }
        return b;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private void assertImagesMatch(IdxImages img, int count, int rows, int cols, byte[] data) {
        assertEquals(count, img.count());
        assertEquals(rows, img.rows());
        assertEquals(cols, img.cols());
        assertEquals(rows * cols, img.features());
        float[] p = img.pixels();
        assertEquals(data.length, p.length);
        for (int i = 0; i < data.length; i++) {
            assertEquals((data[i] & 0xff) / 255f, p[i], 0f, "pixel " + i);
        }
    }

    @Test
    void readsPlainImagesAndLabels() throws IOException {
        byte[] pixels = ramp(3 * 4 * 5);
        pixels[0] = (byte) 255;
        pixels[1] = 0;
        Path images = write("x-images-idx3-ubyte", idx(0x08, new int[] {3, 4, 5}, pixels));
        IdxImages img = IdxReader.readImages(images);
        assertImagesMatch(img, 3, 4, 5, pixels);
        assertEquals(1f, img.pixels()[0]);
        assertEquals(0f, img.pixels()[1]);

        Path labels = write("x-labels-idx1-ubyte", idx(0x08, new int[] {3}, new byte[] {9, 0, (byte) 200}));
        assertArrayEquals(new int[] {9, 0, 200}, IdxReader.readLabels(labels));
    }

    @Test
    void readsGzipByContentNotByName() throws IOException {
        byte[] pixels = ramp(2 * 3 * 3);
        Path gz = write("images.bin", gzip(idx(0x08, new int[] {2, 3, 3}, pixels)));
        assertImagesMatch(IdxReader.readImages(gz), 2, 3, 3, pixels);
        // a plain file that kept a .gz name still reads
        Path plainNamedGz = write("images.gz", idx(0x08, new int[] {2, 3, 3}, pixels));
        assertImagesMatch(IdxReader.readImages(plainNamedGz), 2, 3, 3, pixels);
        Path labels = write("labels.gz", gzip(idx(0x08, new int[] {4}, new byte[] {1, 2, 3, 4})));
        assertArrayEquals(new int[] {1, 2, 3, 4}, IdxReader.readLabels(labels));
    }

    @Test
    void refusesWrongMagic() throws IOException {
        byte[] bytes = idx(0x08, new int[] {2}, new byte[] {1, 2});
        bytes[0] = '<';
        bytes[1] = 'h';
        Path f = write("page.html", bytes);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
    }

    @Test
    void refusesUnsupportedType() throws IOException {
        Path f = write("floats", idx(0x0D, new int[] {1}, new byte[] {0, 0, 0, 0}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(f));
        assertTrue(e.getMessage().contains("0x0D") && e.getMessage().contains("32-bit float"), e.getMessage());
    }

    @Test
    void refusesTruncatedData() throws IOException {
        byte[] full = idx(0x08, new int[] {2, 3, 3}, ramp(18));
        Path f = write("cut", Arrays.copyOf(full, full.length - 5));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("18")
                && e.getMessage().contains("13"), e.getMessage());

        Path gz = write("cut.gz", gzip(Arrays.copyOf(full, full.length - 5)));
        IdxFormatException eg = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(gz));
        assertTrue(eg.getMessage().contains("truncated") && eg.getMessage().contains("13"), eg.getMessage());

        // the gzip stream itself cut short
        byte[] gzBytes = gzip(full);
        Path gzCut = write("cutstream.gz", Arrays.copyOf(gzBytes, gzBytes.length - 10));
        IdxFormatException es = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(gzCut));
        assertTrue(es.getMessage().contains(gzCut.toString()), es.getMessage());

        Path header = write("header", Arrays.copyOf(full, 7));
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(header));
        Path empty = write("empty", new byte[0]);
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(empty));
    }

    @Test
    void refusesTrailingBytes() throws IOException {
        byte[] full = idx(0x08, new int[] {3}, new byte[] {1, 2, 3});
        byte[] longer = Arrays.copyOf(full, full.length + 2);
        Path f = write("long", longer);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(f));
        assertTrue(e.getMessage().contains("trailing") && e.getMessage().contains("5"), e.getMessage());
        Path gz = write("long.gz", gzip(longer));
        IdxFormatException eg = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(gz));
        assertTrue(eg.getMessage().contains("trailing"), eg.getMessage());
    }

    @Test
    void refusesWrongDimensionCount() throws IOException {
        Path labelsAsImages = write("labels", idx(0x08, new int[] {4}, new byte[4]));
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> IdxReader.readImages(labelsAsImages));
        assertTrue(e.getMessage().contains("1 dimension") && e.getMessage().contains("must have 3"),
                e.getMessage());
        Path twoD = write("twoD", idx(0x08, new int[] {2, 2}, new byte[4]));
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(twoD));
        Path imagesAsLabels = write("images", idx(0x08, new int[] {1, 2, 2}, new byte[4]));
        assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(imagesAsLabels));
    }

    @Test
    void refusesNonPositiveAndAbsurdDimensions() throws IOException {
        Path zero = write("zero", idx(0x08, new int[] {0, 28, 28}, new byte[0]));
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(zero));
        Path negative = write("neg", idx(0x08, new int[] {-5}, new byte[0]));
        assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(negative));
        // claims 2^31·2^31 bytes: refused without allocating
        Path huge = write("huge", idx(0x08, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 4}, new byte[8]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(huge));
        assertTrue(e.getMessage().contains("more than one Java array"), e.getMessage());
        // claims 1.6 GB in a tiny gzip file: refused without allocating
        Path bomb = write("bomb.gz", gzip(idx(0x08, new int[] {40_000, 200, 200}, new byte[8])));
        IdxFormatException eb = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(bomb));
        assertTrue(eb.getMessage().contains("gzip"), eb.getMessage());
    }

    @Test
    void missingFileIsAClearError() {
        Path nothing = dir.resolve("nope-images-idx3-ubyte");
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(nothing));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void datasetFindsPlainOrGzipFilesAndChecksCounts() throws IOException {
        byte[] pixels = ramp(3 * 2 * 2);
        write("train-images-idx3-ubyte.gz", gzip(idx(0x08, new int[] {3, 2, 2}, pixels)));
        write("train-labels-idx1-ubyte", idx(0x08, new int[] {3}, new byte[] {7, 8, 9}));
        IdxDataset ds = IdxDataset.load(dir, "train");
        assertEquals(3, ds.count());
        assertImagesMatch(ds.images(), 3, 2, 2, pixels);
        assertArrayEquals(new int[] {7, 8, 9}, ds.labels());
        assertEquals(dir.resolve("train-images-idx3-ubyte.gz"), ds.imagesFile());

        write("t10k-images-idx3-ubyte", idx(0x08, new int[] {3, 2, 2}, pixels));
        write("t10k-labels-idx1-ubyte.gz", gzip(idx(0x08, new int[] {2}, new byte[] {1, 2})));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxDataset.load(dir, "t10k"));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getMessage().contains("t10k-labels-idx1-ubyte.gz")
                && e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"), e.getMessage());

        IdxFormatException missing = assertThrows(IdxFormatException.class, () -> IdxDataset.load(dir, "valid"));
        assertTrue(missing.getMessage().contains("valid-images-idx3-ubyte"), missing.getMessage());
        assertThrows(IdxFormatException.class, () -> IdxDataset.load(dir.resolve("no-such-dir"), "train"));
    }

    @Test
    void loadsFashionMnistTestSplitWhenInstalled() throws IOException {
        assumeTrue(Files.isDirectory(IdxDataset.FASHION_MNIST_DIR),
                "Fashion-MNIST not installed (Debian package dataset-fashion-mnist)");
        IdxDataset ds = IdxDataset.load(IdxDataset.FASHION_MNIST_DIR, "t10k");
        assertEquals(10_000, ds.count());
        assertEquals(28, ds.images().rows());
        assertEquals(28, ds.images().cols());
        int[] seen = new int[10];
        for (int label : ds.labels()) {
            assertTrue(label >= 0 && label <= 9, "label " + label);
            seen[label]++;
        }
        for (int k = 0; k < 10; k++) {
            assertEquals(1000, seen[k], "class " + k);
        }
        for (float p : ds.images().pixels()) {
            assertTrue(p >= 0f && p <= 1f);
        }
    }

    @Test
    void readsSixtyThousandGzippedImagesEveryPixelInPlace() throws IOException {
        // the size of Fashion-MNIST's training set, synthetic, gzipped like the real download (how fast it
        // reads is measured by the benchmarks, scripts/bench --pipeline, not asserted here)
        byte[] pixels = ramp(60_000 * 784);
        Path f = write("big-images-idx3-ubyte.gz", gzip(idx(0x08, new int[] {60_000, 28, 28}, pixels)));
        IdxImages img = IdxReader.readImages(f);
        assertEquals(60_000, img.count());
        float[] got = img.pixels();
        assertEquals(pixels.length, got.length);
        for (int i = 0; i < pixels.length; i += 7919) { // a prime stride: pixels across the whole file, at every position in an image
            assertEquals((pixels[i] & 0xff) / 255f, got[i], 0f, "pixel " + i);
        }
        assertEquals((pixels[pixels.length - 1] & 0xff) / 255f, got[got.length - 1], 0f, "the last pixel");
    }
}
