package org.sparktrain.driver.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.driver.spark.SparkSetup;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.driver.train.AveragingMode;
import org.sparktrain.driver.train.DistributedTraining;
import org.sparktrain.driver.train.EpochData;
import org.sparktrain.driver.train.InMemoryEpochData;
import org.sparktrain.driver.train.MasterConfig;
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
              --workers W             data-parallel workers: Spark partitions, one task each per round
                                      (default: the cores Spark has, e.g. 2 on local[*] with 2 cores)
              --master URL            Spark master (default: as spark-submit set it, else local[*])
              --averaging-frequency K local minibatch steps between two averagings (default 5)
              --mode parameter|gradient  average parameters every K steps (default) or gradients every step
              --warmup-rounds N       first N rounds average after every step (default 0)
              --resume                continue from the checkpoint in --out, if there is one
              --out DIR               where the model file, checkpoint and metrics go (default runs/<model
                                      name>); any Hadoop path (file:, hdfs:, s3a:)
              --metrics-out FILE      also write the final test metrics as JSON to FILE
              --help                  this text

            Prints one line per epoch and the test metrics. A checkpoint is written after every epoch; the
            model file DIR/model.sptr only when the run succeeds, atomically: a failed run leaves an existing
            model untouched.
            """;

    private TrainCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws IOException {
        Args a = new Args("sparktrain train", argv, 1,
                Set.of("model", "data", "test", "epochs", "batch-size", "seed", "validation", "limit-train", "out",
                        "metrics-out", "workers", "master", "averaging-frequency", "mode", "warmup-rounds"),
                Set.of("help", "resume"));
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
        Integer workersFlag = a.has("workers") ? a.intValue("workers", 0, 1) : null;
        int k = a.intValue("averaging-frequency", 5, 1);
        int warmup = a.intValue("warmup-rounds", 0, 0);
        AveragingMode mode;
        try {
            mode = AveragingMode.parse(a.get("mode", "parameter"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
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
        String outDir = a.get("out", "runs/" + spec.name());

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
        SparkSession session = SparkSetup.session("sparktrain train " + spec.name(), a.get("master", null));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
        int workers = workersFlag != null ? workersFlag : sc.defaultParallelism();
        MasterConfig mc = new MasterConfig(workers, k, mode, warmup, spec.name());
        out.printf("sparktrain: %s, %d parameters, %d training examples%s; %d workers on %s, %s averaging every %d"
                        + " step(s); GEMM kernel %s%n", spec.name(), net.params().length, train.size(),
                validation != null ? ", " + validation.size() + " for validation" : "", workers, sc.master(),
                mode.name().toLowerCase(java.util.Locale.ROOT), mode == AveragingMode.GRADIENT ? 1 : k,
                Gemms.fastest().name());

        Trainer trainer = Trainer.fromSpec(net, cfg);
        EpochData data = new InMemoryEpochData(sc, train, workers, cfg.batchSize(), cfg.seed());
        DistributedTraining.Result fit = DistributedTraining.run(sc, trainer, mc, data, validation, outDir,
                a.flag("resume"), out);

        ClassificationMetrics testMetrics = test == null ? null : Trainer.evaluate(net, test, 1000);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("sparktrain.version", "0.1.0-SNAPSHOT");
        provenance.put("spec.source", specFile.toString());
        provenance.put("data", dataDir.toAbsolutePath().toString());
        provenance.put("training.examples", Integer.toString(train.size()));
        provenance.put("seed", Long.toString(cfg.seed()));
        provenance.put("epochs", Integer.toString(fit.epochsRun()));
        provenance.put("best.epoch", Integer.toString(fit.bestEpoch()));
        provenance.put("workers", Integer.toString(workers));
        provenance.put("averaging", mode.name().toLowerCase(java.util.Locale.ROOT) + ", K=" + k + ", warm-up " + warmup);
        provenance.put("optimizer", trainer.optimizer().describe());
        provenance.put("created", Instant.now().toString());
        ModelContents model = net.toModel(Optional.empty(), provenance);
        org.apache.hadoop.conf.Configuration hadoop = sc.hadoopConfiguration();
        String modelFile = outDir + "/model.sptr";
        AtomicWrite.write(hadoop, modelFile, o -> ModelFile.write(o, model));
        if (testMetrics != null) {
            out.println();
            out.println(testMetrics.summary());
            out.printf("test accuracy %.4f  test loss %.4f  (%d examples)%n", testMetrics.accuracy(),
                    testMetrics.logLoss(), testMetrics.count());
            byte[] json = (testMetrics.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicWrite.write(hadoop, outDir + "/metrics.json", o -> o.write(json));
            if (a.has("metrics-out")) {
                AtomicWrite.write(hadoop, a.get("metrics-out", ""), o -> o.write(json));
            }
        }
        out.println("model written to " + modelFile);
        return 0;
    }
}
