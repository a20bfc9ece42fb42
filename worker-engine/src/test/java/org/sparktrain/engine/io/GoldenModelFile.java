package org.sparktrain.engine.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The committed golden model file ({@value #RESOURCE}, format version 1): its contents, which
 * {@code ModelFileTest} compares the file with, and the program that wrote it. The tests only read the
 * file; a person runs {@link #main} by hand, once per new format version (a new file next to the old one,
 * which must keep reading), from {@code worker-engine/} after {@code mvn test-compile}:
 * <pre>
 *   java -cp target/classes:target/test-classes org.sparktrain.engine.io.GoldenModelFile \
 *       src/test/resources/org/sparktrain/engine/io
 * </pre>
 */
final class GoldenModelFile {
    static final String RESOURCE = "golden-v1.sptr";

    private GoldenModelFile() {
    }

    /** The contents of the committed golden v1 file. Never change: the file must keep reading as this. */
    static ModelContents contents() {
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("sparktrain.version", "0.1.0-SNAPSHOT");
        prov.put("seed", "42");
        prov.put("data", "file:/usr/share/datasets/fashion-mnist");
        prov.put("epochs", "3");
        prov.put("date", "2025-01-01T00:00:00Z");
        prov.put("note", "ünïcödé ✓");
        String spec = "input: [4]\nlayers:\n  - dense: {units: 3, activation: relu}\n"
                + "  - batchnorm: {}\n  - softmax: {units: 2}\n";
        float[] params = {0.5f, -1.25f, 3e-8f, Float.MAX_VALUE, -0f, 1f, 2f, 3f, Float.MIN_VALUE, 1e30f};
        float[] state = {0.1f, 0.9f, 0f, 1f, 0.25f, 4f};
        FittedScaler scaler = FittedScaler.of(FittedScaler.Kind.ZSCORE,
                new float[] {1.5f, -2f, 0f, 7f}, new float[] {0.25f, 0f, 1f, 3f});
        return new ModelContents(spec, params, state, Optional.of(scaler), prov);
    }

    /** Writes {@value #RESOURCE} into the directory {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: GoldenModelFile DIRECTORY   (src/test/resources/org/sparktrain/engine/io)");
            System.exit(2);
        }
        ModelFile.save(Path.of(args[0], RESOURCE), contents());
    }
}
