package org.sparktrain.driver.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.partitioning.Resampling;

/**
 * The flags {@code train} and {@code evaluate} share, checked all at once before anything is read (a typo
 * costs nothing), and the spec they name with its training section overridden by the flags.
 */
final class RunFlags {
    static final Set<String> VALUED = Set.of("model", "data", "epochs", "batch-size", "seed", "limit-train",
            "workers", "master", "averaging-frequency", "mode", "warmup-rounds", "scale", "resample", "label-col",
            "transport", "metrics-out", "validation", "shuffle-window");
    static final Set<String> SWITCHES = Set.of("help", "drop-bad-rows");

    final Integer limit;
    /** Rows a worker permutes together per epoch; 0: automatic (DataPipeline.shuffleWindow). */
    final int shuffleWindow;
    final Integer workers;
    final int averagingFrequency;
    final int warmupRounds;
    final AveragingMode mode;
    final MasterConfig.RoundTransport transport;
    final FittedScaler.Kind scale;
    final Resampling resample;
    final Path specFile;
    final String dataPath;
    final ModelSpec spec;
    final TrainingConfig config;

    RunFlags(Args a) throws IOException {
        Integer epochs = a.has("epochs") ? a.intValue("epochs", 0, 1) : null;
        Integer batch = a.has("batch-size") ? a.intValue("batch-size", 0, 1) : null;
        Long seed = a.has("seed") ? a.longValue("seed", 0) : null;
        limit = a.has("limit-train") ? a.intValue("limit-train", 0, 1) : null;
        workers = a.has("workers") ? a.intValue("workers", 0, 1) : null;
        shuffleWindow = a.intValue("shuffle-window", 0, 0);
        averagingFrequency = a.intValue("averaging-frequency", 5, 1);
        warmupRounds = a.intValue("warmup-rounds", 0, 0);
        mode = TrainCommand.choice(a, "mode", "parameter", AveragingMode::parse);
        transport = TrainCommand.choice(a, "transport", "barrier", MasterConfig.RoundTransport::parse);
        scale = TrainCommand.choice(a, "scale", "none", TrainCommand::scaler);
        resample = TrainCommand.choice(a, "resample", "none", TrainCommand::resampling);
        specFile = Path.of(a.require("model"));
        dataPath = a.require("data");
        if (!Files.isRegularFile(specFile)) {
            throw new Args.UsageException("--model " + specFile + ": no such file");
        }
        spec = ModelSpec.load(specFile);
        TrainingConfig c = spec.training();
        if (epochs != null) {
            c = c.withEpochs(epochs);
        }
        if (batch != null) {
            c = c.withBatchSize(batch);
        }
        if (seed != null) {
            c = c.withSeed(seed);
        }
        config = c;
    }

    /** The shared flags plus a command's own. */
    static Set<String> valued(String... own) {
        Set<String> s = new HashSet<>(VALUED);
        s.addAll(Set.of(own));
        return s;
    }

    static Set<String> switches(String... own) {
        Set<String> s = new HashSet<>(SWITCHES);
        s.addAll(Set.of(own));
        return s;
    }
}
