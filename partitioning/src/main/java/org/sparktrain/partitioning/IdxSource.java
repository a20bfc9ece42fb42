package org.sparktrain.partitioning;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.engine.Shape;

/**
 * Reads an MNIST-style IDX pair ({@code {prefix}-images-idx3-ubyte[.gz]} and
 * {@code {prefix}-labels-idx1-ubyte[.gz]}) on the executors: the driver checks both headers (magic,
 * dimensions, matching counts, and for uncompressed files the exact length), then each partition opens the
 * files itself and reads its own range of images, so no pixel passes through the driver or a task
 * closure. Pixels are scaled to [0, 1] exactly as {@link org.sparktrain.engine.io.IdxReader} does
 * (byte / 255). Row id = image index.
 */
final class IdxSource implements RowSource {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private final String name;

    private IdxSource(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String locate(long id) {
        return name + ", example " + id;
    }

    static LabeledData read(SparkSession spark, String dir, String prefix, ReadOptions options) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String images;
        String labels;
        int count;
        int rows;
        int cols;
        try {
            images = find(dir, prefix + "-images-idx3-ubyte", conf);
            labels = find(dir, prefix + "-labels-idx1-ubyte", conf);
            int[] ih = header(images, IMAGES_MAGIC, 3, conf);
            int[] lh = header(labels, LABELS_MAGIC, 1, conf);
            count = ih[0];
            rows = ih[1];
            cols = ih[2];
            if (lh[0] != count) {
                throw new DataFormatException("IDX images file " + images + " holds " + count
                        + " images but labels file " + labels + " holds " + lh[0] + " labels; both must hold"
                        + " the same examples (check that both are the same split, e.g. both train).");
            }
            checkLength(images, 16 + (long) count * rows * cols, conf);
            checkLength(labels, 8 + (long) count, conf);
        } catch (IOException e) {
            throw new DataFormatException("cannot read IDX data in " + dir + ": " + e.getMessage()
                    + "; check that the files exist and are readable.", e);
        }
        Shape shape = options.shape() != null ? options.shape() : Shape.of(1, rows, cols);
        int features = rows * cols;
        if (shape.size() != features) {
            throw new DataFormatException("IDX images in " + images + " have " + rows + "×" + cols + " = "
                    + features + " pixels, but the declared shape " + shape + " holds " + shape.size()
                    + " values; declare a shape of that size.");
        }
        int parts = options.partitions() > 0 ? options.partitions()
                : spark.sparkContext().defaultParallelism();
        parts = Math.max(1, Math.min(parts, count));
        List<Integer> idx = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            idx.add(p);
        }
        final int n = count;
        final int np = parts;
        final int classes = options.classes();
        final String imagesUri = images;
        final String labelsUri = labels;
        final String imagesName = new Path(images).getName();
        final String labelsName = new Path(labels).getName();
        JavaRDD<Example> parsed = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(idx, parts)
                .mapPartitionsWithIndex((p, ignored) -> {
                    int start = (int) ((long) p * n / np);
                    int end = (int) ((long) (p + 1) * n / np);
                    return readRange(imagesUri, labelsUri, imagesName, labelsName, start, end, n, features,
                            classes).iterator();
                }, true);
        String name = "IDX data " + dir + " (" + prefix + ")";
        return LabeledData.validate(parsed, new IdxSource(name), options, shape, options.storage());
    }

    private static List<Example> readRange(String imagesUri, String labelsUri, String imagesName,
            String labelsName, int start, int end, int n, int features, int classes) throws IOException {
        List<Example> out = new ArrayList<>(end - start);
        Configuration conf = new Configuration();
        float[] unit = new float[256];
        for (int i = 0; i < 256; i++) {
            unit[i] = i / 255f;
        }
        try (InputStream im = HadoopFiles.open(imagesUri, conf); InputStream lb = HadoopFiles.open(labelsUri, conf)) {
            byte[] buf = new byte[features];
            try {
                im.skipNBytes(16 + (long) start * features);
            } catch (EOFException e) {
                out.add(Example.bad(start, Problem.FILE, truncated(imagesName, start, n)));
                return out;
            }
            try {
                lb.skipNBytes(8 + (long) start);
            } catch (EOFException e) {
                out.add(Example.bad(start, Problem.FILE, truncated(labelsName, start, n)));
                return out;
            }
            byte[] lab = lb.readNBytes(end - start);
            if (lab.length < end - start) {
                out.add(Example.bad(start + lab.length, Problem.FILE, truncated(labelsName, start + lab.length, n)));
                return out;
            }
            for (int i = start; i < end; i++) {
                int got = im.readNBytes(buf, 0, features);
                if (got < features) {
                    out.add(Example.bad(i, Problem.FILE, truncated(imagesName, i, n)));
                    return out;
                }
                int label = lab[i - start] & 0xff;
                if (label >= classes) {
                    out.add(Example.bad(i, Problem.LABEL_OUT_OF_RANGE, "labels file " + labelsName + " gives label "
                            + label + ", outside the declared classes 0.." + (classes - 1)
                            + "; check the file or declare more classes"));
                    continue;
                }
                float[] f = new float[features];
                for (int k = 0; k < features; k++) {
                    f[k] = unit[buf[k] & 0xff];
                }
                out.add(new Example(i, label, f));
            }
            if (end == n) {
                if (im.read() >= 0) {
                    out.add(Example.bad(n - 1, Problem.FILE, "images file " + imagesName + " has bytes after the "
                            + n + " images its header declares; the file is corrupt or not an IDX file"));
                } else if (lb.read() >= 0) {
                    out.add(Example.bad(n - 1, Problem.FILE, "labels file " + labelsName + " has bytes after the "
                            + n + " labels its header declares; the file is corrupt or not an IDX file"));
                }
            }
        }
        return out;
    }

    private static String truncated(String file, long at, int n) {
        return "IDX file " + file + " is truncated: it ends at example " + at + " but its header declares " + n
                + "; download or copy the file again";
    }

    private static String find(String dir, String base, Configuration conf) throws IOException {
        Path d = new Path(dir);
        FileSystem fs = d.getFileSystem(conf);
        if (!fs.exists(d) || !fs.getFileStatus(d).isDirectory()) {
            throw new DataFormatException("IDX data directory " + dir + " does not exist or is not a directory;"
                    + " point the data path at the folder holding " + base + "[.gz].");
        }
        for (String name : new String[] {base, base + ".gz"}) {
            Path p = new Path(d, name);
            if (fs.exists(p)) {
                return fs.makeQualified(p).toString();
            }
        }
        throw new DataFormatException("IDX data directory " + dir + " has neither " + base + " nor " + base
                + ".gz; check the directory and the split name (Fashion-MNIST uses train and t10k).");
    }

    /** Reads and checks a header: returns the dimension sizes. */
    private static int[] header(String uri, int magic, int dims, Configuration conf) throws IOException {
        String file = new Path(uri).getName();
        try (DataInputStream in = new DataInputStream(HadoopFiles.open(uri, conf))) {
            int m;
            try {
                m = in.readInt();
            } catch (EOFException e) {
                throw new DataFormatException("IDX file " + uri + " is shorter than its 4-byte magic; the file is"
                        + " empty or cut short: download or copy it again.");
            }
            if (m != magic) {
                throw new DataFormatException(String.format("IDX file %s starts with magic 0x%08x, expected 0x%08x"
                        + " (unsigned bytes, %d dimension%s); is %s the right file?", uri, m, magic, dims,
                        dims == 1 ? "" : "s", file));
            }
            int[] d = new int[dims];
            for (int i = 0; i < dims; i++) {
                try {
                    d[i] = in.readInt();
                } catch (EOFException e) {
                    throw new DataFormatException("IDX file " + uri + " ends inside its header; the file is cut"
                            + " short: download or copy it again.");
                }
                if (d[i] <= 0) {
                    throw new DataFormatException("IDX file " + uri + " declares dimension " + i + " of size "
                            + d[i] + "; sizes must be positive: the file is corrupt.");
                }
            }
            if ((long) d[0] * (dims == 3 ? (long) d[1] * d[2] : 1) > Integer.MAX_VALUE * 64L) {
                throw new DataFormatException("IDX file " + uri + " declares an implausibly large size; the file"
                        + " is corrupt.");
            }
            return d;
        }
    }

    /** For uncompressed files, the exact length is known: a shorter or longer file is corrupt. */
    private static void checkLength(String uri, long expected, Configuration conf) throws IOException {
        Path p = new Path(uri);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 == 0x1f && b1 == 0x8b) {
                return; // gzip: the executors find truncation while reading
            }
        }
        long len = p.getFileSystem(conf).getFileStatus(p).getLen();
        if (len < expected) {
            throw new DataFormatException("IDX file " + uri + " is truncated: " + len + " bytes, but its header"
                    + " promises " + expected + "; download or copy the file again.");
        }
        if (len > expected) {
            throw new DataFormatException("IDX file " + uri + " has " + (len - expected) + " bytes after the data"
                    + " its header declares; the file is corrupt or not an IDX file.");
        }
    }
}
