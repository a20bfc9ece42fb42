package org.sparktrain.partitioning;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.api.java.JavaRDD;

/** Small inputs written for the tests, and helpers that look inside blocks. */
final class TestData {
    private TestData() {
    }

    /** A row source for rows made in a test: "test rows", rows located by id. */
    static RowSource source() {
        return new RowSource() {
            @Override
            public String name() {
                return "test rows";
            }

            @Override
            public String locate(long i) {
                return "test row " + i;
            }
        };
    }

    static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** An IDX pair of n images rows×cols with pixel (i + k) % 256 and the given labels. */
    static void idx(Path dir, String prefix, int n, int rows, int cols, int[] labels, boolean gzip) throws IOException {
        ByteArrayOutputStream im = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(im);
        d.writeInt(0x803);
        d.writeInt(n);
        d.writeInt(rows);
        d.writeInt(cols);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < rows * cols; k++) {
                d.writeByte((i + k) % 256);
            }
        }
        ByteArrayOutputStream lb = new ByteArrayOutputStream();
        DataOutputStream l = new DataOutputStream(lb);
        l.writeInt(0x801);
        l.writeInt(labels.length);
        for (int v : labels) {
            l.writeByte(v);
        }
        Files.createDirectories(dir);
        writeBytes(dir.resolve(prefix + "-images-idx3-ubyte" + (gzip ? ".gz" : "")), im.toByteArray(), gzip);
        writeBytes(dir.resolve(prefix + "-labels-idx1-ubyte" + (gzip ? ".gz" : "")), lb.toByteArray(), gzip);
    }

    static void writeBytes(Path file, byte[] bytes, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }

    /** Every row id in the blocks (with repeats). */
    static List<Long> ids(JavaRDD<Block> blocks) {
        List<Long> out = new ArrayList<>();
        for (long[] a : blocks.map(b -> b.ids).collect()) {
            for (long id : a) {
                out.add(id);
            }
        }
        return out;
    }

    static Set<Long> idSet(JavaRDD<Block> blocks) {
        return new HashSet<>(ids(blocks));
    }

    /** Labels of the blocks counted per class. */
    static long[] classCounts(JavaRDD<Block> blocks, int classes) {
        long[] c = new long[classes];
        for (int[] a : blocks.map(b -> b.labels).collect()) {
            for (int l : a) {
                c[l]++;
            }
        }
        return c;
    }
}
