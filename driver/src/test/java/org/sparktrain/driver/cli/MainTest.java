package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.ModelFile;

/** The command line: exit status, one clear message, and a good model never overwritten by a failed run. */
class MainTest {
    static final String SPEC = """
            name: tiny
            input: [16]
            classes: 3
            layers:
              - {type: dense, units: 16, activation: relu}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 8, epochs: 3, seed: 1}
            """;

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aJavaThatSparksHadoopClientCannotRunOnIsNamed() {
        // what Hadoop's login throws on Java 23+, wrapped as Spark wraps it
        Exception e = new RuntimeException("failed to start",
                new UnsupportedOperationException("getSubject is not supported"));
        String m = Main.unsupportedJava(e);
        assertTrue(m != null && m.contains("Java 17 or 21") && m.contains("getSubject"), m);
        assertEquals(null, Main.unsupportedJava(new UnsupportedOperationException("something else")));
    }

    @Test
    void aJvmThatIsNotExitingIsNotShuttingDown() {
        assertFalse(Main.shuttingDown());
    }

    @Test
    void helpEverywhere() {
        assertEquals(0, run("--help").status());
        Result r = run("train", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--model SPEC"), r.out());
    }

    @Test
    void wrongCommandLinesExitTwoWithOneMessage() {
        Result r = run("trian");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unknown command 'trian'"), r.err());
        r = run("train", "--modle", "x.yaml");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unknown flag --modle"), r.err());
        r = run("train", "--data", "/tmp");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--model is required"), r.err());
        r = run("train", "--model", "/nonexistent/spec.yaml", "--data", "/tmp");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no such file"), r.err());
        r = run("train", "--model", "x", "--data", "y", "--epochs", "many");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--epochs must be a whole number"), r.err());
    }

    @Test
    void trainsWritesModelAndMetrics(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 300, 4, 3, 1);
        TinyIdx.write(data, "t10k", 90, 4, 3, 2);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, SPEC);
        Path out = dir.resolve("run");
        Path metrics = dir.resolve("m/metrics.json");
        Result r = run("train", "--model", spec.toString(), "--data", data.toString(), "--out", out.toString(),
                "--metrics-out", metrics.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("epoch 3/3"), r.out());
        String json = Files.readString(metrics);
        assertTrue(json.contains("\"accuracy\"") && json.contains("\"loss\""), json);
        Network net = Network.restore(ModelFile.load(out.resolve("model.sptr")), "model.sptr");
        assertEquals(16 * 16 + 16 + 16 * 3 + 3, net.params().length);
    }

    @Test
    void aDivergingRunExitsOneAndKeepsTheGoodModel(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 200, 4, 3, 1);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, SPEC);
        Path out = dir.resolve("run");
        assertEquals(0, run("train", "--model", spec.toString(), "--data", data.toString(), "--out", out.toString())
                .status());
        byte[] good = Files.readAllBytes(out.resolve("model.sptr"));
        // the same model with an absurd learning rate: the loss becomes infinite or NaN
        Path bad = dir.resolve("diverge.yaml");
        Files.writeString(bad, SPEC.replace("lr: 0.01", "lr: 1.0e30").replace("name: tiny", "name: diverge"));
        Result r = run("train", "--model", bad.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("the training loss became") && r.err().contains("epoch"), r.err());
        assertArrayEquals(good, Files.readAllBytes(out.resolve("model.sptr")));
    }

    @Test
    void badSpecAndBadDataExitOneNamingTheCulprit(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 50, 4, 3, 1);
        Path spec = dir.resolve("cnn.yaml");
        Files.writeString(spec, "input: [1, 4, 4]\nlayers:\n  - {type: conv2d, filters: 2, kernel: 5}\n"
                + "  - flatten\n  - {type: dense, units: 3}\n");
        Result r = run("train", "--model", spec.toString(), "--data", data.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("layer 1 (conv2d)") && r.err().contains("[1, 4, 4]"), r.err());

        Path specOk = dir.resolve("tiny.yaml");
        Files.writeString(specOk, SPEC);
        Path images = data.resolve("train-images-idx3-ubyte");
        byte[] all = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(all, all.length - 7));
        r = run("train", "--model", specOk.toString(), "--data", data.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("train-images-idx3-ubyte"), r.err());

        Path specWide = dir.resolve("wide.yaml");
        Files.writeString(specWide, SPEC.replace("input: [16]", "input: [784]"));
        TinyIdx.write(data, "train", 50, 4, 3, 1);
        r = run("train", "--model", specWide.toString(), "--data", data.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("the declared shape [784]"), r.err());
    }
}
