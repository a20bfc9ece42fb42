package org.sparktrain.partitioning;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * File access through Hadoop's FileSystem (docs/architecture.md, decision 7), so {@code file:}, {@code hdfs:} and
 * {@code s3a:} paths all work, on the driver and on the executors.
 */
final class HadoopFiles {
    private HadoopFiles() {
    }

    static FileSystem fs(String uri, Configuration conf) throws IOException {
        return FileSystem.get(URI.create(uri), conf);
    }

    /** The fully qualified URI of a path, to ship to executors. */
    static String qualify(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        return p.getFileSystem(conf).makeQualified(p).toString();
    }

    /**
     * Opens a file for reading, decompressing gzip when the content starts with the gzip magic (not
     * judged by the name).
     */
    static InputStream open(String uri, Configuration conf) throws IOException {
        java.nio.file.Path local = fileUri(uri);
        if (local != null) {
            return openLocalAt(local, 0);
        }
        Path p = new Path(uri);
        InputStream raw = new BufferedInputStream(p.getFileSystem(conf).open(p), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return raw;
    }

    /**
     * The local file a path names, or null when it lives elsewhere: a {@code file:} URI, or a path without
     * a scheme while Hadoop's default file system is the local one. Local files are then read with java.nio,
     * the same bytes as through Hadoop's local file system, without starting that machinery.
     */
    static java.nio.file.Path local(String path, Configuration conf) {
        URI u = uri(path);
        if (u == null) {
            return null;
        }
        String scheme = u.getScheme();
        if (scheme == null) {
            String dfs = conf == null ? "file:///" : conf.get("fs.defaultFS", "file:///");
            if (!"file".equals(URI.create(dfs).getScheme())) {
                return null;
            }
            return java.nio.file.Path.of(u.getPath()).toAbsolutePath();
        }
        return "file".equals(scheme) ? java.nio.file.Path.of(u.getPath()).toAbsolutePath() : null;
    }

    /** The local file of a {@code file:} URI (encoded or not), else null. */
    static java.nio.file.Path fileUri(String uri) {
        URI u = uri(uri);
        return u != null && "file".equals(u.getScheme()) ? java.nio.file.Path.of(u.getPath()).toAbsolutePath() : null;
    }

    /**
     * A path or URI as a URI: an encoded URI as it is (e.g. {@code file:///data/my%20dir/x}, as
     * {@code Path.toUri().toString()} gives), otherwise read the way Hadoop's {@code Path} reads it
     * (unencoded, e.g. {@code /data/my dir/x}); null when neither can read it.
     */
    private static URI uri(String path) {
        try {
            URI u = new URI(path);
            if (u.getScheme() != null && u.isOpaque()) {
                return null; // e.g. file:relative (no such local path form): leave it to Hadoop
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            try {
                return new Path(path).toUri();
            } catch (IllegalArgumentException bad) {
                return null;
            }
        }
    }
    /**
     * Opens a file for reading from byte {@code offset} of its (decompressed) content. An uncompressed
     * file is positioned by a seek, so a task reading the end of a large file does not read its start;
     * a gzip file cannot be entered in the middle, so it is opened at its start and
     * {@link #toSkip} tells the caller how many bytes to skip.
     */
    static InputStream openAt(String uri, long offset, Configuration conf) throws IOException {
        java.nio.file.Path local = fileUri(uri);
        if (local != null) {
            return openLocalAt(local, offset);
        }
        Path p = new Path(uri);
        FSDataInputStream in = p.getFileSystem(conf).open(p);
        try {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 == 0x1f && b1 == 0x8b) {
                in.seek(0);
                return new Positioned(new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16), 0);
            }
            in.seek(Math.min(offset, p.getFileSystem(conf).getFileStatus(p).getLen()));
            return new Positioned(new BufferedInputStream(in, 1 << 16), in.getPos());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * A local file opened with java.nio: the same bytes as through Hadoop's local file system, without
     * building a Hadoop Configuration (which parses its XML defaults) in every task.
     */
    private static InputStream openLocalAt(java.nio.file.Path file, long offset) throws IOException {
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file);
        try {
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(2);
            while (head.hasRemaining() && ch.read(head) >= 0) {
                // read the first two bytes (gzip magic?)
            }
            InputStream raw = java.nio.channels.Channels.newInputStream(ch);
            if (head.position() == 2 && (head.get(0) & 0xff) == 0x1f && (head.get(1) & 0xff) == 0x8b) {
                ch.position(0);
                return new Positioned(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16), 0);
            }
            long at = Math.min(offset, ch.size());
            ch.position(at);
            return new Positioned(new BufferedInputStream(raw, 1 << 16), at);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Bytes still to skip on a stream from {@link #openAt} to reach {@code offset}. */
    static long toSkip(InputStream in, long offset) {
        return Math.max(0, offset - ((Positioned) in).start);
    }

    /** A stream that remembers where in the content it starts. */
    private static final class Positioned extends FilterInputStream {
        final long start;

        Positioned(InputStream in, long start) {
            super(in);
            this.start = start;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }
    }

    /**
     * The data files under a path: the file itself, or a directory's files (not starting with {@code _}
     * or {@code .}), sorted by path so that file indices, and so row ids, are stable.
     */
    static List<FileStatus> list(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus[] found = fs.globStatus(p);
        if (found == null || found.length == 0) {
            throw new DataFormatException("input " + path + " does not exist; check the path.");
        }
        List<FileStatus> files = new ArrayList<>();
        for (FileStatus s : found) {
            if (s.isDirectory()) {
                for (FileStatus c : fs.listStatus(s.getPath())) {
                    String n = c.getPath().getName();
                    if (c.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
                        files.add(c);
                    }
                }
            } else {
                files.add(s);
            }
        }
        files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
        return files;
    }
}
