package org.sparktrain.engine.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Reads and writes sparktrain model files: a versioned, documented binary container (no Java
 * serialization; loading runs no code). The format is specified byte by byte in {@code docs/model-file.md}:
 *
 * <pre>
 *   "SPTRMDL\0"                      8 bytes magic
 *   format version                   uint32 little-endian (this build writes 1)
 *   sections, each:  tag (4 ASCII bytes) · payload length (int64 LE) · payload
 *     SPEC  model spec, UTF-8 YAML          PARM  parameters, float32 LE
 *     STAT  state, float32 LE (may be empty) SCAL  fitted scaler (optional)
 *     TSCL  target scaler of a regression model (optional; mandatory to understand: inverted on predictions)
 *     PROV  provenance key/value pairs
 *   "END " section with length 0
 *   CRC32 of every byte before it    uint32 LE
 * </pre>
 *
 * <p>Reading trusts nothing: a section length is checked against the bytes that remain (and against the
 * largest Java array) before anything is allocated for it, so a hostile file cannot make the reader
 * allocate gigabytes; the checksum is verified before any payload is interpreted; an unknown section whose
 * tag starts with an upper-case letter (mandatory) is refused, one starting with a lower-case letter
 * (optional) is skipped. Every failure is a {@link ModelFormatException} naming the file.
 *
 * <p>{@link #save} replaces a model atomically (temp file in the same directory, then a rename), so a
 * failed save never destroys the previous good model. Models on HDFS or S3 go through {@link #write} and
 * {@link #read} on Hadoop streams; the caller does the temp-then-rename there.
 */
public final class ModelFile {
    /** The format version this build writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    static final byte[] MAGIC = {'S', 'P', 'T', 'R', 'M', 'D', 'L', 0};
    static final String TAG_SPEC = "SPEC";
    static final String TAG_PARAMS = "PARM";
    static final String TAG_STATE = "STAT";
    static final String TAG_SCALER = "SCAL";
    static final String TAG_PROVENANCE = "PROV";
    /** The target scaler of a regression model: same payload as SCAL; predictions are inverted through it. */
    static final String TAG_TARGET_SCALER = "TSCL";
    static final String TAG_END = "END ";
    static final int SCALER_ZSCORE = 1;
    static final int SCALER_MINMAX = 2;

    /** The largest payload a section may have: the largest byte array the JVM reliably allocates. */
    static final long MAX_SECTION = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;

    private ModelFile() {
    }

    // ------------------------------------------------------------------------------------------ writing

    /**
     * Writes {@code model} in the current format to {@code out}. The stream is flushed, not closed.
     *
     * @throws IllegalArgumentException if the spec text is not valid Unicode (an unpaired surrogate)
     */
    public static void write(OutputStream out, ModelContents model) throws IOException {
        byte[] spec = encodeUtf8(model.spec());
        byte[] prov = encodeProvenance(model.provenance());
        CRC32 crc = new CRC32();
        LeOut w = new LeOut(out, crc);
        w.bytes(MAGIC);
        w.int32(FORMAT_VERSION);
        w.header(TAG_SPEC, spec.length);
        w.bytes(spec);
        w.header(TAG_PARAMS, 4L * model.paramCount());
        w.floats(model.paramsView());
        w.header(TAG_STATE, 4L * model.stateCount());
        w.floats(model.stateView());
        if (model.scaler().isPresent()) {
            writeScaler(w, TAG_SCALER, model.scaler().get());
        }
        if (model.targetScaler().isPresent()) {
            writeScaler(w, TAG_TARGET_SCALER, model.targetScaler().get());
        }
        w.header(TAG_PROVENANCE, prov.length);
        w.bytes(prov);
        w.header(TAG_END, 0);
        w.flush();
        int checksum = (int) crc.getValue();
        w.crc = null;
        w.int32(checksum);
        w.flush();
        out.flush();
    }

    private static void writeScaler(LeOut w, String tag, FittedScaler s) throws IOException {
        w.header(tag, 8 + 8L * s.featureCount());
        w.int32(s.kind() == FittedScaler.Kind.ZSCORE ? SCALER_ZSCORE : SCALER_MINMAX);
        w.int32(s.featureCount());
        w.floats(s.shift());
        w.floats(s.scale());
    }

    /**
     * Writes {@code model} to {@code target} through {@link AtomicFile}: any existing file is replaced only
     * once the new one is completely written and synced; if anything fails, the old model is untouched.
     * Missing parent directories are created.
     */
    public static void save(Path target, ModelContents model) throws IOException {
        AtomicFile.write(target, out -> write(out, model));
    }

    private static byte[] encodeUtf8(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            return Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(), b.arrayOffset() + b.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text to store in a model file is not valid Unicode "
                    + "(it holds an unpaired surrogate): " + abbreviate(s), e);
        }
    }

    private static byte[] encodeProvenance(Map<String, String> prov) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ByteBuffer b4 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        b4.putInt(0, prov.size());
        bos.write(b4.array(), 0, 4);
        for (Map.Entry<String, String> e : prov.entrySet()) {
            for (String s : new String[] {e.getKey(), e.getValue()}) {
                byte[] u = encodeUtf8(s);
                b4.putInt(0, u.length);
                bos.write(b4.array(), 0, 4);
                bos.write(u, 0, u.length);
            }
        }
        return bos.toByteArray();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }

    /** Little-endian writer with a staging buffer; updates the checksum with every byte it passes on. */
    private static final class LeOut {
        private final OutputStream out;
        private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        CRC32 crc;

        LeOut(OutputStream out, CRC32 crc) {
            this.out = out;
            this.crc = crc;
        }

        void header(String tag, long length) throws IOException {
            bytes(tag.getBytes(StandardCharsets.US_ASCII));
            room(8);
            buf.putLong(length);
        }

        void int32(int v) throws IOException {
            room(4);
            buf.putInt(v);
        }

        void bytes(byte[] b) throws IOException {
            int off = 0;
            while (off < b.length) {
                room(1);
                int n = Math.min(buf.remaining(), b.length - off);
                buf.put(b, off, n);
                off += n;
            }
        }

        void floats(float[] f) throws IOException {
            int off = 0;
            while (off < f.length) {
                room(4);
                int n = Math.min(buf.remaining() / 4, f.length - off);
                buf.asFloatBuffer().put(f, off, n);
                buf.position(buf.position() + 4 * n);
                off += n;
            }
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                flush();
            }
        }

        void flush() throws IOException {
            if (buf.position() > 0) {
                if (crc != null) {
                    crc.update(buf.array(), 0, buf.position());
                }
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ reading

    /**
     * Loads a model file. Besides everything {@link #read} checks, refuses bytes after the checksum.
     *
     * @throws ModelFormatException if the file is not a valid model file this build can read
     * @throws IOException if it cannot be read at all
     */
    public static ModelContents load(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("model file " + file + " does not exist; check the path.", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), size);
        }
    }

    /**
     * Reads one model from {@code in}, stopping right after its checksum (the stream is not closed).
     * {@code sourceName} (a path or URI) is used in error messages.
     *
     * @throws ModelFormatException if the bytes are not a valid model file this build can read
     */
    public static ModelContents read(InputStream in, String sourceName) throws IOException {
        return read(in, sourceName, -1);
    }

    private static ModelContents read(InputStream in, String sourceName, long size) throws IOException {
        Parser p = new Parser(in, sourceName, size);
        return p.parse();
    }

    /** One pass over a model file: framing first, checksum next, meaning last. */
    private static final class Parser {
        private final InputStream in;
        private final String what;
        private final long size;
        private final CRC32 crc = new CRC32();
        private final byte[] scratch = new byte[CHUNK];
        private final ByteBuffer le8 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private long pos;
        /** The first problem found in a section's meaning; reported only if the checksum is good. */
        private String problem;

        private byte[] spec;
        private float[] params;
        private float[] state;
        private byte[] scaler;
        private byte[] targetScaler;
        private byte[] provenance;

        Parser(InputStream in, String source, long size) {
            this.in = in; // not buffered here: that would read past the checksum; all reads are chunked
            this.what = "model file " + source;
            this.size = size;
        }

        ModelContents parse() throws IOException {
            checkMagic();
            int version = (int) readUint32("the format version");
            if (version > FORMAT_VERSION || version < 0) {
                throw fail(" was written by a newer sparktrain: format version "
                        + Integer.toUnsignedString(version) + ", this build reads up to " + FORMAT_VERSION
                        + ". Load it with a newer sparktrain (or the file is corrupted).");
            }
            if (version == 0) {
                throw fail(" declares format version 0, which never existed: the file is corrupted.");
            }
            while (true) {
                String tag = readTag();
                long length = readInt64("the length of section '" + tag + "'");
                checkLength(tag, length);
                if (tag.equals(TAG_END)) {
                    if (length != 0) {
                        throw fail(" is corrupted: its end marker declares a length of " + length
                                + " instead of 0.");
                    }
                    break;
                }
                readSection(tag, length);
            }
            long computed = crc.getValue();
            long stored = readUint32("the checksum");
            if (stored != computed) {
                throw fail(" is corrupted: its CRC32 checksum does not match its contents (stored "
                        + hex32(stored) + ", computed " + hex32(computed) + "). Restore it from a backup "
                        + "or a checkpoint, or retrain.");
            }
            if (size >= 0 && in.read() != -1) {
                throw fail(" has " + (size - pos) + " unexpected bytes after its checksum: the file is "
                        + "corrupted or two files were concatenated.");
            }
            if (problem == null) {
                for (String[] required : new String[][] {{TAG_SPEC, "the model spec"},
                        {TAG_PARAMS, "the parameters"}, {TAG_STATE, "the state vector"}}) {
                    if (missing(required[0])) {
                        note("it has no '" + required[0] + "' section (" + required[1] + ")");
                        break;
                    }
                }
            }
            if (problem != null) {
                throw fail(" cannot be loaded: " + problem + ".");
            }
            return new ModelContents(decodeUtf8(spec, "the model spec"), params, state,
                    decodeScaler(scaler, "scaler"), decodeScaler(targetScaler, "target scaler"), decodeProvenance());
        }

        private boolean missing(String tag) {
            switch (tag) {
                case TAG_SPEC: return spec == null;
                case TAG_PARAMS: return params == null;
                default: return state == null;
            }
        }

        private void checkMagic() throws IOException {
            byte[] head = new byte[MAGIC.length];
            int got = readUpTo(head, 0, head.length);
            pos += got;
            crc.update(head, 0, got);
            if (got == 0) {
                throw fail(" is empty (0 bytes), not a sparktrain model; an earlier save may have been "
                        + "interrupted. Use another copy of the model.");
            }
            boolean prefix = Arrays.equals(head, 0, got, MAGIC, 0, got);
            if (prefix && got < MAGIC.length) {
                throw fail(" is truncated: it ends after " + got + " bytes, inside its 8-byte header.");
            }
            if (!prefix) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < Math.min(got, 8); i++) {
                    sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02X", head[i] & 0xff));
                }
                throw fail(" is not a sparktrain model file: it starts with bytes " + sb
                        + " instead of \"SPTRMDL\\0\". Check the path.");
            }
        }

        private void checkLength(String tag, long length) throws ModelFormatException {
            if (length < 0 || length > MAX_SECTION) {
                throw fail(" is corrupted: section '" + tag + "' declares a length of " + length
                        + " bytes, outside 0.." + MAX_SECTION + ".");
            }
            if (size >= 0) {
                long remaining = size - pos - 4; // the 4-byte checksum must follow
                if (length > remaining) {
                    throw fail(" is truncated or corrupted: section '" + tag + "' declares " + length
                            + " bytes but only " + Math.max(remaining, 0) + " remain before the checksum.");
                }
            }
        }

        private void readSection(String tag, long length) throws IOException {
            boolean known = tag.equals(TAG_SPEC) || tag.equals(TAG_PARAMS) || tag.equals(TAG_STATE)
                    || tag.equals(TAG_SCALER) || tag.equals(TAG_TARGET_SCALER) || tag.equals(TAG_PROVENANCE);
            if (!known) {
                char first = tag.charAt(0);
                if (!(first >= 'a' && first <= 'z')) {
                    note("it has a mandatory section '" + tag + "' that this build does not know, so it was "
                            + "probably written by a newer sparktrain; load it with a newer sparktrain");
                }
                skip(tag, length);
                return;
            }
            boolean duplicate = (tag.equals(TAG_SPEC) && spec != null)
                    || (tag.equals(TAG_PARAMS) && params != null)
                    || (tag.equals(TAG_STATE) && state != null)
                    || (tag.equals(TAG_SCALER) && scaler != null)
                    || (tag.equals(TAG_TARGET_SCALER) && targetScaler != null)
                    || (tag.equals(TAG_PROVENANCE) && provenance != null);
            boolean floats = tag.equals(TAG_PARAMS) || tag.equals(TAG_STATE);
            if (duplicate) {
                note("section '" + tag + "' appears twice");
            } else if (floats && length % 4 != 0) {
                note("section '" + tag + "' has " + length + " bytes, not a whole number of float32 values");
            }
            if (duplicate || (floats && length % 4 != 0)) {
                skip(tag, length);
                return;
            }
            switch (tag) {
                case TAG_SPEC: spec = readBytes(tag, (int) length); break;
                case TAG_PARAMS: params = readFloats(tag, (int) (length / 4)); break;
                case TAG_STATE: state = readFloats(tag, (int) (length / 4)); break;
                case TAG_SCALER: scaler = readBytes(tag, (int) length); break;
                case TAG_TARGET_SCALER: targetScaler = readBytes(tag, (int) length); break;
                default: provenance = readBytes(tag, (int) length); break;
            }
        }

        private void note(String message) {
            if (problem == null) {
                problem = message;
            }
        }

        // ---- framing: every byte goes through here, so the checksum and position stay right

        /** Reads exactly {@code len} bytes into {@code b}, or fails naming {@code context}. */
        private void readFully(byte[] b, int off, int len, String context) throws IOException {
            int got = readUpTo(b, off, len);
            crc.update(b, off, got);
            pos += got;
            if (got < len) {
                throw fail(" is truncated: it ends at byte " + pos + ", inside " + context
                        + ". The write was probably interrupted; use another copy of the model.");
            }
        }

        /** Reads until {@code len} bytes or the end of the stream; returns how many were read. */
        private int readUpTo(byte[] b, int off, int len) throws IOException {
            int got = 0;
            while (got < len) {
                int n = in.read(b, off + got, len - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            return got;
        }

        private String readTag() throws IOException {
            readFully(scratch, 0, 4, "a section header");
            for (int i = 0; i < 4; i++) {
                if (scratch[i] < 0x20 || scratch[i] > 0x7e) {
                    throw fail(" is corrupted: byte " + (pos - 4 + i) + " should be part of a section tag "
                            + "(printable ASCII) but is 0x" + String.format(Locale.ROOT, "%02X", scratch[i] & 0xff)
                            + ".");
                }
            }
            return new String(scratch, 0, 4, StandardCharsets.US_ASCII);
        }

        private long readUint32(String context) throws IOException {
            readFully(le8.array(), 0, 4, context);
            return le8.getInt(0) & 0xffffffffL;
        }

        private long readInt64(String context) throws IOException {
            readFully(le8.array(), 0, 8, context);
            return le8.getLong(0);
        }

        private void skip(String tag, long length) throws IOException {
            long left = length;
            while (left > 0) {
                int n = (int) Math.min(left, scratch.length);
                readFully(scratch, 0, n, "section '" + tag + "'");
                left -= n;
            }
        }

        /**
         * Reads a payload. When the file size is unknown (a stream), the array grows as bytes actually
         * arrive, so a lying length costs only as much memory as the data that is really there.
         */
        private byte[] readBytes(String tag, int length) throws IOException {
            byte[] out = new byte[size >= 0 ? length : Math.min(length, CHUNK)];
            int filled = 0;
            while (filled < length) {
                if (filled == out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(length, 2L * out.length));
                }
                int n = Math.min(out.length - filled, CHUNK);
                readFully(out, filled, n, "section '" + tag + "' (" + length + " bytes)");
                filled += n;
            }
            return out;
        }

        private float[] readFloats(String tag, int count) throws IOException {
            float[] out = new float[size >= 0 ? count : Math.min(count, CHUNK)];
            ByteBuffer bb = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN);
            int filled = 0;
            while (filled < count) {
                if (filled == out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(count, 2L * out.length));
                }
                int n = Math.min(out.length - filled, scratch.length / 4);
                readFully(scratch, 0, 4 * n, "section '" + tag + "' (" + 4L * count + " bytes)");
                bb.clear();
                bb.asFloatBuffer().get(out, filled, n);
                filled += n;
            }
            return out;
        }

        // ---- meaning: only after the checksum has been verified

        private String decodeUtf8(byte[] bytes, String context) throws ModelFormatException {
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw fail(" cannot be loaded: " + context + " is not valid UTF-8 text.");
            }
        }

        private Optional<FittedScaler> decodeScaler(byte[] scaler, String label) throws ModelFormatException {
            if (scaler == null) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(scaler).order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() < 8) {
                throw fail(" cannot be loaded: its " + label + " section has " + scaler.length
                        + " bytes, fewer than the 8-byte scaler header.");
            }
            int kindCode = b.getInt();
            long n = b.getInt() & 0xffffffffL;
            FittedScaler.Kind kind;
            if (kindCode == SCALER_ZSCORE) {
                kind = FittedScaler.Kind.ZSCORE;
            } else if (kindCode == SCALER_MINMAX) {
                kind = FittedScaler.Kind.MINMAX;
            } else {
                throw fail(" cannot be loaded: its " + label + " has kind code " + kindCode
                        + ", which this build does not know (1 = z-score, 2 = min-max); it was probably "
                        + "written by a newer sparktrain.");
            }
            if (8 + 8 * n != scaler.length) {
                throw fail(" cannot be loaded: its " + label + " declares " + n + " features, which need "
                        + (8 + 8 * n) + " bytes, but the section has " + scaler.length + ".");
            }
            float[] shift = new float[(int) n];
            float[] scale = new float[(int) n];
            b.asFloatBuffer().get(shift);
            b.position(b.position() + 4 * (int) n);
            b.asFloatBuffer().get(scale);
            try {
                return Optional.of(FittedScaler.of(kind, shift, scale));
            } catch (IllegalArgumentException e) {
                throw fail(" cannot be loaded: its " + label + " is invalid (" + e.getMessage() + ").");
            }
        }

        private Map<String, String> decodeProvenance() throws ModelFormatException {
            Map<String, String> map = new LinkedHashMap<>();
            if (provenance == null) {
                return map;
            }
            ByteBuffer b = ByteBuffer.wrap(provenance).order(ByteOrder.LITTLE_ENDIAN);
            long count = nextLength(b, "entry count");
            for (long i = 0; i < count; i++) {
                String key = nextString(b, "key of entry " + i);
                String value = nextString(b, "value of entry " + i);
                if (map.put(key, value) != null) {
                    throw fail(" cannot be loaded: its provenance has the key '" + key + "' twice.");
                }
            }
            if (b.hasRemaining()) {
                throw fail(" cannot be loaded: its provenance section has " + b.remaining()
                        + " bytes left over after its " + count + " entries.");
            }
            return map;
        }

        private long nextLength(ByteBuffer b, String context) throws ModelFormatException {
            if (b.remaining() < 4) {
                throw fail(" cannot be loaded: its provenance section ends inside the " + context + ".");
            }
            long n = b.getInt() & 0xffffffffL;
            if (n > b.remaining()) {
                throw fail(" cannot be loaded: its provenance " + context + " is " + n
                        + ", more than the " + b.remaining() + " bytes left in the section.");
            }
            return n;
        }

        private String nextString(ByteBuffer b, String context) throws ModelFormatException {
            int n = (int) nextLength(b, "length of the " + context);
            byte[] s = new byte[n];
            b.get(s);
            return decodeUtf8(s, "the provenance " + context);
        }

        private ModelFormatException fail(String rest) {
            return new ModelFormatException(what + rest);
        }

        private static String hex32(long v) {
            return String.format(Locale.ROOT, "0x%08X", v);
        }
    }
}
