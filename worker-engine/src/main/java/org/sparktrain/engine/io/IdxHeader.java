package org.sparktrain.engine.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * The header of an IDX file, parsed and checked in one place for {@link IdxReader} and for the partitioning
 * module's distributed reader, so both accept the same files: {@code 0x00 0x00 type ndims}, then {@code ndims}
 * big-endian int32 sizes, each positive. Each reader words a {@link #problem()} in its own messages, and
 * checks the data against the sizes itself (one reads it into an array, the other streams it from several
 * tasks).
 */
public final class IdxHeader {
    /** What is wrong with a header, in the order the checks run. */
    public enum Problem {
        /** Fewer than the 4 bytes of the magic. */
        SHORT_MAGIC,
        /** The magic does not start with 0x00 0x00. */
        NOT_IDX,
        /** A data type other than unsigned byte. */
        TYPE,
        /** Not the number of dimensions asked for. */
        DIMENSIONS,
        /** The file ends inside the sizes. */
        SHORT_SIZES,
        /** A size that is 0 or negative. */
        NON_POSITIVE_SIZE
    }

    private final byte[] magic;
    private final byte[] sizes;
    private final Problem problem;

    private IdxHeader(byte[] magic, byte[] sizes, Problem problem) {
        this.magic = magic;
        this.sizes = sizes;
        this.problem = problem;
    }

    /** The magic an unsigned-byte IDX file of {@code dims} dimensions starts with, as a big-endian int. */
    public static int magic(int dims) {
        return IdxReader.TYPE_UNSIGNED_BYTE << 8 | dims;
    }

    /**
     * Reads a header from the start of {@code in} (decompressed already) and checks it for an unsigned-byte
     * file of {@code dims} dimensions, reading no further than the first problem.
     */
    public static IdxHeader read(InputStream in, int dims) throws IOException {
        byte[] magic = in.readNBytes(4);
        byte[] none = new byte[0];
        if (magic.length < 4) {
            return new IdxHeader(magic, none, Problem.SHORT_MAGIC);
        }
        if (magic[0] != 0 || magic[1] != 0) {
            return new IdxHeader(magic, none, Problem.NOT_IDX);
        }
        if ((magic[2] & 0xff) != IdxReader.TYPE_UNSIGNED_BYTE) {
            return new IdxHeader(magic, none, Problem.TYPE);
        }
        if ((magic[3] & 0xff) != dims) {
            return new IdxHeader(magic, none, Problem.DIMENSIONS);
        }
        IdxHeader h = new IdxHeader(magic, in.readNBytes(4 * dims), null);
        if (h.sizeBytes() < 4 * dims) {
            return new IdxHeader(magic, h.sizes, Problem.SHORT_SIZES);
        }
        return h.firstNonPositive() >= 0 ? new IdxHeader(magic, h.sizes, Problem.NON_POSITIVE_SIZE) : h;
    }

    /** What is wrong, or null for a good header. */
    public Problem problem() {
        return problem;
    }

    /** The bytes of the magic read (all 4 unless {@link Problem#SHORT_MAGIC}). */
    public int magicBytes() {
        return magic.length;
    }

    /** Byte {@code i} of the magic (unsigned). */
    public int magicByte(int i) {
        return magic[i] & 0xff;
    }

    /** The magic as a big-endian int (4 bytes read). */
    public int magic() {
        return magicByte(0) << 24 | magicByte(1) << 16 | magicByte(2) << 8 | magicByte(3);
    }

    /** The bytes of sizes read: 4 a dimension, fewer when {@link Problem#SHORT_SIZES}. */
    public int sizeBytes() {
        return sizes.length;
    }

    /** The sizes read in full (all of them unless the header is cut short). */
    public int sizesRead() {
        return sizes.length / 4;
    }

    /** Dimension {@code d}'s size, as the file declares it (a signed int). */
    public int size(int d) {
        int i = 4 * d;
        return (sizes[i] & 0xff) << 24 | (sizes[i + 1] & 0xff) << 16 | (sizes[i + 2] & 0xff) << 8 | (sizes[i + 3] & 0xff);
    }

    /** The first dimension read in full whose size is not positive, or -1. */
    public int firstNonPositive() {
        for (int d = 0; d < sizesRead(); d++) {
            if (size(d) <= 0) {
                return d;
            }
        }
        return -1;
    }
}
