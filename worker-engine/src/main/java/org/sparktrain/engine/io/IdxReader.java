package org.sparktrain.engine.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian header
 * {@code 0x00 0x00 type ndims}, then {@code ndims} big-endian int32 dimension sizes, then the data,
 * row-major, with nothing after it.
 *
 * <p>Files may be plain or gzip-compressed; compression is detected from the content (the gzip header
 * {@code 0x1f 0x8b}), not from the file name, so a decompressed file that kept its {@code .gz} name still
 * reads. Only data type {@code 0x08} (unsigned byte) is supported, which covers MNIST, Fashion-MNIST
 * and EMNIST.
 *
 * <p>Everything is validated before it is trusted: the magic, positive dimensions, the dimension count
 * (images 3-D, labels 1-D), and that the data is exactly as long as the dimensions say. A header that
 * claims more data than the file can hold is refused before anything is allocated for it. Every
 * failure is an {@link IdxFormatException} naming the file.
 */
public final class IdxReader {
    /** IDX data type code of unsigned bytes, the only type read. */
    public static final int TYPE_UNSIGNED_BYTE = 0x08;

    /** The largest array the JVM reliably allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Deflate cannot expand data by more than about 1032:1; used to bound what a gzip header may claim. */
    private static final long MAX_DEFLATE_RATIO = 1100;
    private static final int BUFFER = 1 << 16;

    private static final float[] UNIT_SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT_SCALE[i] = i / 255f;
        }
    }

    private IdxReader() {
    }

    /**
     * Reads an images file ({@code *-images-idx3-ubyte[.gz]}): a 3-D unsigned-byte IDX file
     * (count × rows × cols). Pixels are scaled to [0, 1] by dividing by 255.
     *
     * @throws IdxFormatException if the file is not a valid 3-D unsigned-byte IDX file
     * @throws IOException if it cannot be read at all
     */
    public static IdxImages readImages(Path file) throws IOException {
        Raw raw = readRaw(file, 3, "an images file (count × rows × cols)");
        byte[] data = raw.data;
        float[] pixels = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            pixels[i] = UNIT_SCALE[data[i] & 0xff];
        }
        return new IdxImages(raw.dims[0], raw.dims[1], raw.dims[2], pixels);
    }

    /**
     * Reads a labels file ({@code *-labels-idx1-ubyte[.gz]}): a 1-D unsigned-byte IDX file. Each label is
     * returned as an int in 0..255; checking them against the model's classes is the caller's job.
     *
     * @throws IdxFormatException if the file is not a valid 1-D unsigned-byte IDX file
     * @throws IOException if it cannot be read at all
     */
    public static int[] readLabels(Path file) throws IOException {
        Raw raw = readRaw(file, 1, "a labels file (one label per example)");
        byte[] data = raw.data;
        int[] labels = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            labels[i] = data[i] & 0xff;
        }
        return labels;
    }

    /** Header dimensions and the raw data bytes of one IDX file. */
    private static final class Raw {
        final int[] dims;
        final byte[] data;

        Raw(int[] dims, byte[] data) {
            this.dims = dims;
            this.data = data;
        }
    }

    private static Raw readRaw(Path file, int wantDims, String wantWhat) throws IOException {
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new IdxFormatException("IDX file " + file + " does not exist; check the path "
                    + "(Fashion-MNIST files are named like train-images-idx3-ubyte.gz).", e);
        }
        try (InputStream fileIn = Files.newInputStream(file);
                BufferedInputStream buffered = new BufferedInputStream(fileIn, BUFFER)) {
            buffered.mark(2);
            int b0 = buffered.read();
            int b1 = buffered.read();
            buffered.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            if (!gzip) {
                return readBody(file, buffered, false, fileSize, wantDims, wantWhat);
            }
            try (InputStream in = new GZIPInputStream(buffered, BUFFER)) {
                return readBody(file, in, true, fileSize, wantDims, wantWhat);
            } catch (ZipException | EOFException e) {
                throw new IdxFormatException("gzip-compressed IDX file " + file + " is damaged or cut short ("
                        + e.getMessage() + "); download it again.", e);
            }
        }
    }

    private static Raw readBody(Path file, InputStream in, boolean gzip, long fileSize, int wantDims,
            String wantWhat) throws IOException {
        String what = (gzip ? "gzip-compressed IDX file " : "IDX file ") + file;
        IdxHeader h = IdxHeader.read(in, wantDims);
        if (h.problem() != null) {
            throw headerProblem(what, h, wantDims, wantWhat);
        }
        int ndims = wantDims;
        int[] dims = new int[ndims];
        long expected = 1;
        StringBuilder shape = new StringBuilder();
        for (int d = 0; d < ndims; d++) {
            dims[d] = h.size(d);
            if (expected <= MAX_ARRAY) {
                expected *= dims[d]; // at most 2^31 · 2^31: no overflow; once too large it stays too large
            }
            shape.append(d == 0 ? "" : " × ").append(dims[d]);
        }
        if (expected > MAX_ARRAY) {
            throw new IdxFormatException(what + " declares " + shape + " = " + expected
                    + " data bytes, more than one Java array can hold (" + MAX_ARRAY + "). "
                    + "Split the data into several files.");
        }
        long headerBytes = 4 + 4L * ndims;
        if (!gzip) {
            long actual = fileSize - headerBytes;
            checkLength(what, shape, expected, actual);
        } else if (expected > fileSize * MAX_DEFLATE_RATIO) {
            throw new IdxFormatException(what + " declares " + shape + " = " + expected
                    + " data bytes, more than a gzip file of " + fileSize + " bytes can decompress to; "
                    + "the header is corrupt or the file is cut short. Download it again.");
        }
        byte[] data = new byte[(int) expected];
        int got = in.readNBytes(data, 0, data.length);
        if (got < expected) {
            checkLength(what, shape, expected, got);
        }
        if (in.read() != -1) {
            long extra = 1;
            byte[] skip = new byte[BUFFER];
            int n;
            while (extra < (1 << 24) && (n = in.read(skip)) > 0) {
                extra += n;
            }
            checkLength(what, shape, expected, expected + extra);
        }
        return new Raw(dims, data);
    }

    /** What is wrong with a header ({@link IdxHeader} checks it), in this reader's words. */
    private static IdxFormatException headerProblem(String what, IdxHeader h, int wantDims, String wantWhat) {
        return new IdxFormatException(switch (h.problem()) {
            case SHORT_MAGIC -> what + " is only " + h.magicBytes()
                    + " bytes long, too short for the 4-byte IDX magic; the file is empty or cut short.";
            case NOT_IDX -> what + " is not an IDX file: it starts with bytes "
                    + hex(h.magicByte(0)) + " " + hex(h.magicByte(1)) + " where an IDX file starts with 0x00 0x00. "
                    + "Check that it is an MNIST-format file (not, say, an HTML error page saved by a "
                    + "failed download, or a zip archive).";
            case TYPE -> what + " holds data of IDX type " + hex(h.magicByte(2)) + " ("
                    + typeName(h.magicByte(2)) + "); sparktrain reads only type 0x08 (unsigned byte). "
                    + "Convert the data to unsigned bytes, or use the CSV or Parquet reader.";
            case DIMENSIONS -> what + " has " + h.magicByte(3) + " dimension" + (h.magicByte(3) == 1 ? "" : "s")
                    + " but " + wantWhat + " must have " + wantDims + "; check that the images and labels "
                    + "files were not swapped.";
            case SHORT_SIZES -> what + " is cut short inside its header: " + wantDims
                    + " dimension sizes need " + 4 * wantDims + " bytes, only " + h.sizeBytes()
                    + " are present; download it again.";
            case NON_POSITIVE_SIZE -> what + " declares dimension " + h.firstNonPositive() + " of size "
                    + Integer.toUnsignedString(h.size(h.firstNonPositive())) + "; every dimension must be positive. "
                    + "The header is corrupt; download the file again.";
        });
    }

    private static void checkLength(String what, CharSequence shape, long expected, long actual)
            throws IdxFormatException {
        if (actual < expected) {
            throw new IdxFormatException(what + " is truncated: its header declares " + shape + " = "
                    + expected + " data bytes but only " + Math.max(actual, 0) + " are present. "
                    + "The download was probably interrupted; download the file again.");
        }
        if (actual > expected) {
            throw new IdxFormatException(what + " has trailing data: its header declares " + shape + " = "
                    + expected + " data bytes but " + actual + (actual >= expected + (1 << 24) ? " or more" : "")
                    + " follow the header. The file is corrupt or is not what its header says; "
                    + "download it again.");
        }
    }

    private static String hex(int b) {
        return String.format(Locale.ROOT, "0x%02X", b);
    }

    private static String typeName(int type) {
        switch (type) {
            case 0x08: return "unsigned byte";
            case 0x09: return "signed byte";
            case 0x0B: return "16-bit integer";
            case 0x0C: return "32-bit integer";
            case 0x0D: return "32-bit float";
            case 0x0E: return "64-bit float";
            default: return "not a valid IDX type";
        }
    }
}
