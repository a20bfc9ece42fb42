package org.sparktrain.driver.train;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a file through Hadoop's FileSystem so that readers see the old content or the new, never a
 * half-written file: write a temporary file beside the target, then rename it over (moving the old one
 * aside first, since Hadoop's rename does not overwrite). A failed write leaves the old file in place.
 */
public final class AtomicWrite {
    private AtomicWrite() {
    }

    /** Writes {@code body} to {@code target}; on any failure the previous file is untouched. */
    public static void write(Configuration hadoop, String target, Body body) throws IOException {
        Path t = new Path(target);
        FileSystem fs = t.getFileSystem(hadoop);
        fs.setWriteChecksum(false); // no ".name.crc" side files on the local file system: our format has a CRC
        Path parent = t.getParent();
        if (parent != null) {
            fs.mkdirs(parent);
        }
        Path tmp = new Path(parent, "." + t.getName() + "." + UUID.randomUUID() + ".tmp");
        try (OutputStream out = fs.create(tmp, false)) {
            body.writeTo(out);
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, false);
            throw e;
        }
        Path previous = new Path(parent, "." + t.getName() + ".previous");
        if (fs.exists(t)) {
            fs.delete(previous, false);
            if (!fs.rename(t, previous)) {
                fs.delete(tmp, false);
                throw new IOException("cannot move " + t + " aside to replace it");
            }
        }
        if (!fs.rename(tmp, t)) {
            fs.rename(previous, t);
            throw new IOException("cannot rename " + tmp + " to " + t);
        }
        fs.delete(previous, false);
    }

    /**
     * Writes a directory the same way: {@code body} fills a temporary directory beside {@code target}, which
     * is then renamed over it (the old directory moved aside first and deleted only once the new one is in
     * place). On any failure the previous directory is untouched (or, if the last rename fails, put back).
     */
    public static void writeDirectory(Configuration hadoop, String target, DirectoryBody body) throws IOException {
        Path t = new Path(target);
        FileSystem fs = t.getFileSystem(hadoop);
        Path parent = t.getParent();
        if (parent != null) {
            fs.mkdirs(parent);
        }
        Path tmp = new Path(parent, "." + t.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            body.writeInto(tmp.toString());
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, true);
            throw e;
        }
        Path previous = new Path(parent, "." + t.getName() + ".previous");
        if (fs.exists(t)) {
            fs.delete(previous, true);
            if (!fs.rename(t, previous)) {
                fs.delete(tmp, true);
                throw new IOException("cannot move " + t + " aside to replace it");
            }
        }
        if (!fs.rename(tmp, t)) {
            fs.rename(previous, t);
            fs.delete(tmp, true);
            throw new IOException("cannot rename " + tmp + " to " + t);
        }
        fs.delete(previous, true);
    }

    /** What to write. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** What to write into a directory (which does not exist yet when called). */
    @FunctionalInterface
    public interface DirectoryBody {
        void writeInto(String dir) throws IOException;
    }
}
