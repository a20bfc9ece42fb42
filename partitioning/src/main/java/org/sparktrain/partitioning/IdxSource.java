package org.sparktrain.partitioning;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.io.IdxHeader;

/**
 * Reads an MNIST-style IDX pair ({@code {prefix}-images-idx3-ubyte[.gz]} and
 * {@code {prefix}-labels-idx1-ubyte[.gz]}) on the executors: the driver checks both headers (magic,
 * dimensions, matching counts, and for uncompressed files the exact length), then each partition opens the
 * files itself and reads its own range of images, so no pixel passes through the driver or a task
 * closure. Pixels are scaled to [0, 1] exactly as {@link org.sparktrain.engine.io.IdxReader} does
 * (byte / 255). Row id = image index.
 */
final class IdxSource implements RowSource {
    /** A directory is IDX input for a part when it holds that part's images file. */
    static final DataFormat FORMAT = new DataFormat("IDX", List.of(),
            "an IDX directory (train-images-idx3-ubyte[.gz], ...)", "an IDX directory") {
        @Override
        boolean holdsPart(FileSystem fs, Path dir, String part) throws IOException {
            return fs.exists(new Path(dir, part + "-images-idx3-ubyte.gz"))
                    || fs.exists(new Path(dir, part + "-images-idx3-ubyte"));
        }

        @Override
        String inDirectory(String part) {
            return part + "-images-idx3-ubyte[.gz]";
        }

        @Override
        LabeledData read(SparkSession spark, String path, String part, ReadOptions options) {
            return IdxSource.read(spark, path, part, options);
        }
    };

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
        // messages count from 1, as CSV lines and Parquet rows are (docs/architecture.md, "Failing cleanly")
        return name + ", example " + (id + 1) + " (the first example is 1)";
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
            int[] ih = header(images, 3, conf);
            int[] lh = header(labels, 1, conf);
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
        JavaRDD<RowChunk> parsed = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(idx, parts)
                .mapPartitionsWithIndex((p, ignored) -> {
                    int start = (int) ((long) p * n / np);
                    int end = (int) ((long) (p + 1) * n / np);
                    return readRange(imagesUri, labelsUri, imagesName, labelsName, p, np, start, end, n, features,
                            classes);
                }, true);
        String name = "IDX data " + dir + " (" + prefix + ")";
        return LabeledData.fromChunks(parsed, new IdxSource(name), options, shape,
                options.storageFor(spark.sparkContext(), (long) n * features, parts), true);
    }

    /**
     * Streams the examples [start, end) straight into {@link RowChunk}s of bytes (no object per row, a
     * quarter of the memory of floats; pixels become floats, byte / 255, when packed), reading about
     * 256 KB of pixels at a time; the last chunk carries the partition's {@link ReadStats}, with the
     * feature summary computed exactly from the pixel bytes (integer sums). The files are closed when the
     * range is done, when a broken file ends it, or when the task ends early.
     */
    private static Iterator<RowChunk> readRange(String imagesUri, String labelsUri, String imagesName,
            String labelsName, int partition, int partitions, int start, int end, int n, int features, int classes)
            throws IOException {
        Configuration conf = imagesUri.startsWith("file:") ? null : new Configuration();
        InputStream im = HadoopFiles.openAt(imagesUri, 16 + (long) start * features, conf);
        InputStream lb;
        try {
            lb = HadoopFiles.openAt(labelsUri, 8 + (long) start, conf);
        } catch (IOException | RuntimeException e) {
            im.close();
            throw e;
        }
        RangeReader r = new RangeReader(im, lb, imagesName, labelsName, partition, partitions, start, end, n,
                features, classes);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> r.close());
        }
        return r;
    }

    private static final class RangeReader implements Iterator<RowChunk> {
        private final InputStream im;
        private final InputStream lb;
        private final String imagesName;
        private final String labelsName;
        private final int partition;
        private final int start;
        private final int end;
        private final int n;
        private final int features;
        private final int classes;
        private final int capacity;
        private final byte[] buf;
        private final ReadStats stats;
        /** Exact per-feature sums of the valid rows' pixel bytes: Σb and Σb². */
        private final ByteSums sums;
        private long valid;
        private byte[] lab;
        private int next;
        private boolean done;
        private boolean emittedLast;
        private boolean closed;

        RangeReader(InputStream im, InputStream lb, String imagesName, String labelsName, int partition,
                int partitions, int start, int end, int n, int features, int classes) {
            this.im = im;
            this.lb = lb;
            this.imagesName = imagesName;
            this.labelsName = labelsName;
            this.partition = partition;
            this.start = start;
            this.next = start;
            this.end = end;
            this.n = n;
            this.features = features;
            this.classes = classes;
            this.capacity = Math.min(RowChunk.capacity(features), 1 << 15);
            this.buf = new byte[Math.max(1, Math.min(capacity, (1 << 18) / features)) * features];
            this.stats = ReadStats.empty(classes, partitions);
            this.sums = new ByteSums(features);
        }

        @Override
        public boolean hasNext() {
            return !emittedLast;
        }

        @Override
        public RowChunk next() {
            if (emittedLast) {
                throw new NoSuchElementException();
            }
            RowChunk c = new RowChunk(capacity, features, true);
            try {
                while (!done && c.size < capacity) {
                    try {
                        fill(c);
                    } catch (EOFException | java.util.zip.ZipException e) {
                        // a gzip stream that ends early or is damaged: the file is cut short or corrupt
                        fail(next, "IDX file " + imagesName + " or " + labelsName + " is truncated or corrupt ("
                                + e.getMessage() + ") at or after example " + (next + 1) + " (the first is 1); download or copy it again");
                    }
                }
            } catch (IOException e) {
                close();
                throw new java.io.UncheckedIOException("reading " + imagesName + " / " + labelsName, e);
            }
            stats.noteChunk(c.labels, c.size);
            if (done) {
                emittedLast = true;
                stats.finishChunks();
                c.trim();
                stats.zscore = summary();
                c.stats = stats;
            }
            return c;
        }

        /** Reads up to one buffer of images into the chunk, or finishes the range (sets done). */
        private void fill(RowChunk c) throws IOException {
            if (lab == null) {
                try {
                    im.skipNBytes(HadoopFiles.toSkip(im, 16 + (long) start * features));
                } catch (EOFException e) {
                    fail(start, truncated(imagesName, start, n));
                    return;
                }
                try {
                    lb.skipNBytes(HadoopFiles.toSkip(lb, 8 + (long) start));
                } catch (EOFException e) {
                    fail(start, truncated(labelsName, start, n));
                    return;
                }
                lab = lb.readNBytes(end - start);
                if (lab.length < end - start) {
                    fail(start + lab.length, truncated(labelsName, start + lab.length, n));
                    return;
                }
            }
            if (next >= end) {
                if (end == n) {
                    if (im.read() >= 0) {
                        stats.add(partition, Example.bad(n - 1, Problem.FILE, "images file " + imagesName
                                + " has bytes after the " + n + " images its header declares; the file is corrupt"
                                + " or not an IDX file"));
                    } else if (lb.read() >= 0) {
                        stats.add(partition, Example.bad(n - 1, Problem.FILE, "labels file " + labelsName
                                + " has bytes after the " + n + " labels its header declares; the file is corrupt"
                                + " or not an IDX file"));
                    }
                }
                done = true;
                close();
                return;
            }
            int m = Math.min(Math.min(buf.length / features, capacity - c.size), end - next);
            int got = im.readNBytes(buf, 0, m * features);
            int whole = got / features;
            byte[] out = c.bytes;
            for (int j = 0; j < whole; j++) {
                int i = next + j;
                int label = lab[i - start] & 0xff;
                if (label >= classes) {
                    stats.add(partition, Example.bad(i, Problem.LABEL_OUT_OF_RANGE, "labels file " + labelsName
                            + " gives label " + label + ", outside the declared classes 0.." + (classes - 1)
                            + "; check the file or declare more classes"));
                    continue;
                }
                System.arraycopy(buf, j * features, out, c.size * features, features);
                sums.add(buf, j * features);
                c.labels[c.size] = label;
                c.ids[c.size] = i;
                c.size++;
                valid++;
                stats.classCounts[label]++;
                stats.partitionRows[partition]++;
                stats.partitionClassRows[partition * classes + label]++;
            }
            if (whole < m) {
                fail(next + whole, truncated(imagesName, next + whole, n));
                return;
            }
            next += m;
        }

        /**
         * The partition's exact z-score moments from the byte sums (pixels are byte / 255). No min-max
         * summary: a min-max fit takes its own pass.
         */
        private Moments summary() {
            Moments s = Moments.empty(true, features);
            if (valid > 0) {
                sums.finish();
                Moments.fromByteSums(s, valid, sums.sum, sums.sumSq);
            }
            return s;
        }

        private void fail(long at, String detail) {
            stats.add(partition, Example.bad(at, Problem.FILE, detail));
            done = true;
            close();
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                im.close();
            } catch (IOException ignored) {
                // reading is over; nothing to lose
            }
            try {
                lb.close();
            } catch (IOException ignored) {
                // reading is over; nothing to lose
            }
        }
    }

    private static String truncated(String file, long at, int n) {
        return "IDX file " + file + " is truncated: it holds " + at + " complete examples but its header declares " + n
                + "; download or copy the file again";
    }

    private static String find(String dir, String base, Configuration conf) throws IOException {
        java.nio.file.Path local = HadoopFiles.local(dir, conf);
        if (local != null) {
            if (!java.nio.file.Files.isDirectory(local)) {
                throw new DataFormatException("IDX data directory " + dir + " does not exist or is not a directory;"
                        + " point the data path at the folder holding " + base + "[.gz].");
            }
            for (String name : new String[] {base, base + ".gz"}) {
                java.nio.file.Path p = local.resolve(name);
                if (java.nio.file.Files.exists(p)) {
                    return p.toUri().toString();
                }
            }
            throw new DataFormatException("IDX data directory " + dir + " has neither " + base + " nor " + base
                    + ".gz; check the directory and the split name (Fashion-MNIST uses train and t10k).");
        }
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

    /** Reads and checks a header ({@link IdxHeader}, as the engine's reader does): returns the dimension sizes. */
    private static int[] header(String uri, int dims, Configuration conf) throws IOException {
        IdxHeader h;
        try (InputStream in = HadoopFiles.open(uri, conf)) {
            h = IdxHeader.read(new EndAtEof(in), dims);
        }
        if (h.problem() != null) {
            throw headerProblem(uri, h, dims);
        }
        int[] d = new int[dims];
        for (int i = 0; i < dims; i++) {
            d[i] = h.size(i);
        }
        if ((long) d[0] * (dims == 3 ? (long) d[1] * d[2] : 1) > Integer.MAX_VALUE * 64L) {
            throw new DataFormatException("IDX file " + uri + " declares an implausibly large size; the file"
                    + " is corrupt.");
        }
        return d;
    }

    /**
     * Ends where the stream below throws {@link EOFException} (a gzip file cut short inside the header), so
     * that the header check says where the file ends instead of failing with gzip's own message.
     */
    private static final class EndAtEof extends FilterInputStream {
        EndAtEof(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (EOFException e) {
                return -1;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (EOFException e) {
                return -1;
            }
        }
    }

    /**
     * What is wrong with a header, in this reader's words: any wrong magic byte is one message, and a size
     * that is not positive is named even when the header also ends early after it.
     */
    private static DataFormatException headerProblem(String uri, IdxHeader h, int dims) {
        int bad = h.firstNonPositive();
        return new DataFormatException(switch (h.problem()) {
            case SHORT_MAGIC -> "IDX file " + uri + " is shorter than its 4-byte magic; the file is empty or cut"
                    + " short: download or copy it again.";
            case NOT_IDX, TYPE, DIMENSIONS -> String.format("IDX file %s starts with magic 0x%08x, expected 0x%08x"
                    + " (unsigned bytes, %d dimension%s); is %s the right file?", uri, h.magic(), IdxHeader.magic(dims),
                    dims, dims == 1 ? "" : "s", new Path(uri).getName());
            case SHORT_SIZES, NON_POSITIVE_SIZE -> bad >= 0
                    ? "IDX file " + uri + " declares dimension " + bad + " of size " + h.size(bad) + "; sizes must be"
                            + " positive: the file is corrupt."
                    : "IDX file " + uri + " ends inside its header; the file is cut short: download or copy it again.";
        });
    }

    /** For uncompressed files, the exact length is known: a shorter or longer file is corrupt. */
    private static void checkLength(String uri, long expected, Configuration conf) throws IOException {
        java.nio.file.Path local = HadoopFiles.local(uri, conf);
        Path p = new Path(uri);
        try (InputStream in = local != null ? java.nio.file.Files.newInputStream(local) : p.getFileSystem(conf).open(p)) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 == 0x1f && b1 == 0x8b) {
                return; // gzip: the executors find truncation while reading
            }
        }
        long len = local != null ? java.nio.file.Files.size(local) : p.getFileSystem(conf).getFileStatus(p).getLen();
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
