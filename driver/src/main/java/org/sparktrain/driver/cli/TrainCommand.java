package org.sparktrain.driver.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.kernel.Gemms;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Trainer;

/** {@code sparktrain train}: train a model on one machine and evaluate it on the test set. */
final class TrainCommand {
    static final String HELP = """
            usage: sparktrain train --model SPEC --data DIR [flags]

              --model SPEC            model spec (YAML or JSON), e.g. conf/models/lenet5.yaml
              --data DIR              training data: an IDX directory (train-images-idx3-ubyte[.gz], ...)
              --test DIR              test data directory (default: --data, files t10k-*)
              --epochs N              override the spec's training.epochs
              --batch-size M          override the spec's training.batch_size
              --seed S                override the spec's training.seed
              --validation F          hold out a fraction F of the training data for validation and early
                                      stopping (default 0: none)
              --limit-train K         use only the first K training examples (quick runs)
              --out DIR               where the model file and metrics go (default runs/<model name>)
              --metrics-out FILE      also write the final test metrics as JSON to FILE
              --help                  this text

            Prints one line per epoch and the test metrics. The model file DIR/model.sptr is written only
            when the run succeeds, atomically: a failed run leaves an existing model untouched.
            """;

    private TrainCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws IOException {
        Args a = new Args("sparktrain train", argv, 1,
                Set.of("model", "data", "test", "epochs", "batch-size", "seed", "validation", "limit-train", "out",
                        "metrics-out"),
                Set.of("help"));
        if (a.flag("help")) {
            out.print(HELP);
            return 0;
        }
        // every flag is checked before anything is read, so a typo costs nothing
        Integer epochsFlag = a.has("epochs") ? a.intValue("epochs", 0, 1) : null;
        Integer batchFlag = a.has("batch-size") ? a.intValue("batch-size", 0, 1) : null;
        Long seedFlag = a.has("seed") ? a.longValue("seed", 0) : null;
        Integer limit = a.has("limit-train") ? a.intValue("limit-train", 0, 1) : null;
        double valFraction = 0;
        if (a.has("validation")) {
            try {
                valFraction = Double.parseDouble(a.get("validation", "0"));
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--validation must be a fraction in [0, 1), got " + a.get("validation", ""));
            }
            if (!(valFraction >= 0 && valFraction < 1)) {
                throw new Args.UsageException("--validation must be a fraction in [0, 1), got " + valFraction);
            }
        }
        Path specFile = Path.of(a.require("model"));
        a.require("data");
        if (!Files.isRegularFile(specFile)) {
            throw new Args.UsageException("--model " + specFile + ": no such file");
        }
        ModelSpec spec = ModelSpec.load(specFile);
        TrainingConfig cfg = spec.training();
        if (epochsFlag != null) {
            cfg = cfg.withEpochs(epochsFlag);
        }
        if (batchFlag != null) {
            cfg = cfg.withBatchSize(batchFlag);
        }
        if (seedFlag != null) {
            cfg = cfg.withSeed(seedFlag);
        }
        Path dataDir = Path.of(a.require("data"));
        Path testDir = Path.of(a.get("test", dataDir.toString()));
        Path outDir = Path.of(a.get("out", "runs/" + spec.name()));

        Network net = Network.build(spec, cfg.seed());
        DataSet train = LocalData.loadIdx(dataDir, "train", spec.input());
        if (limit != null) {
            train = train.head(limit);
        }
        DataSet test = LocalData.hasPart(testDir, "t10k") ? LocalData.loadIdx(testDir, "t10k", spec.input()) : null;
        DataSet validation = null;
        if (valFraction > 0) {
            DataSet[] parts = LocalData.holdout(train, valFraction, cfg.seed());
            train = parts[0];
            validation = parts[1];
        } else if (cfg.patience() > 0) {
            err.println("sparktrain: warning: the spec asks for early stopping but there is no validation data;"
                    + " pass --validation 0.1 to hold out 10% of the training data");
        }
        out.printf("sparktrain: %s, %d parameters, %d training examples%s, GEMM kernel %s%n", spec.name(),
                net.params().length, train.size(), validation != null ? ", " + validation.size() + " for validation" : "",
                Gemms.fastest().name());

        Trainer trainer = Trainer.fromSpec(net, cfg);
        final DataSet testSet = test;
        final DataSet valSet = validation;
        final int epochs = cfg.epochs();
        long start = System.nanoTime();
        Trainer.FitResult fit = trainer.fit(train, validation, (stats, val) -> {
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta = elapsed / stats.epoch() * (epochs - stats.epoch());
            StringBuilder line = new StringBuilder(String.format("epoch %d/%d  loss %.4f", stats.epoch(), epochs,
                    stats.trainLoss()));
            if (val != null) {
                line.append(String.format("  val_loss %.4f  val_acc %.4f", val.logLoss(), val.accuracy()));
            } else if (valSet == null && testSet != null) {
                ClassificationMetrics m = Trainer.evaluate(net, testSet, 1000);
                line.append(String.format("  test_acc %.4f", m.accuracy()));
            }
            line.append(String.format("  %.0f samples/s  %.1fs  ETA %.0fs", stats.samplesPerSecond(), stats.seconds(), eta));
            out.println(line);
        });
        if (fit.stoppedEarly()) {
            out.printf("early stopping after epoch %d; restored the parameters of epoch %d%n", fit.epochsRun(),
                    fit.bestEpoch());
        }

        Files.createDirectories(outDir);
        ClassificationMetrics testMetrics = test == null ? null : Trainer.evaluate(net, test, 1000);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("sparktrain.version", "0.1.0-SNAPSHOT");
        provenance.put("spec.source", specFile.toString());
        provenance.put("data", dataDir.toAbsolutePath().toString());
        provenance.put("training.examples", Integer.toString(train.size()));
        provenance.put("seed", Long.toString(cfg.seed()));
        provenance.put("epochs", Integer.toString(fit.epochsRun()));
        provenance.put("best.epoch", Integer.toString(fit.bestEpoch()));
        provenance.put("optimizer", trainer.optimizer().describe());
        provenance.put("created", Instant.now().toString());
        ModelContents model = new ModelContents(spec.text(), net.params(), net.state(), Optional.empty(), provenance);
        Path modelFile = outDir.resolve("model.sptr");
        ModelFile.save(modelFile, model);
        if (testMetrics != null) {
            out.println();
            out.println(testMetrics.summary());
            out.printf("test accuracy %.4f  test loss %.4f  (%d examples)%n", testMetrics.accuracy(),
                    testMetrics.logLoss(), testMetrics.count());
            writeAtomically(outDir.resolve("metrics.json"), testMetrics.toJson());
            if (a.has("metrics-out")) {
                writeAtomically(Path.of(a.get("metrics-out", "")), testMetrics.toJson());
            }
        }
        out.println("model written to " + modelFile);
        return 0;
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
