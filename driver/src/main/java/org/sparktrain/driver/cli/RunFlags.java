package org.sparktrain.driver.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sparktrain.engine.Shape;
import org.sparktrain.partitioning.SequenceOptions;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.round.LearningRateScaling;
import org.sparktrain.driver.round.SlowMo;
import org.sparktrain.driver.train.ClassWeights;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.DivergenceGuard;
import org.sparktrain.partitioning.Resampling;

/**
 * The flags {@code train} and {@code evaluate} share, checked all at once before anything is read (a typo
 * costs nothing), and the spec they name with its training section overridden by the flags; {@link #run()} turns
 * them into the {@link RunOptions} both commands train with.
 */
final class RunFlags {
    static final Set<String> VALUED = Set.of("model", "data", "epochs", "batch-size", "seed", "limit-train",
            "workers", "master", "averaging-frequency", "mode", "warmup-rounds", "scale", "resample", "label-col",
            "transport", "metrics-out", "validation", "shuffle-window", "sync-epochs", "optimizer-state",
            "lr-scaling-reference", "lr-warmup-epochs", "class-weight", "threads", "label-cols", "scale-target",
            "divergence-factor", "divergence-rounds", "threshold", "sequence-col", "step-col", "step-features",
            "weight-col", "outer-momentum", "outer-lr");
    static final Set<String> SWITCHES = Set.of("help", "drop-bad-rows", "sync-batchnorm");

    /**
     * A regression spec's target columns ({@code --label-cols y1,y2}, {@code --label-col y}, default {@code label});
     * null for a classifier. docs/architecture.md, "Regression".
     */
    final List<String> targets;
    /**
     * A multi-label spec's decision threshold ({@code --threshold T}, default 0.5): a label is yes when its probability
     * is at least T; recorded in the model's provenance for {@code score}. docs/architecture.md, "Multi-label".
     */
    final double threshold;
    final Integer limit;
    /**
     * Variable-length sequences ({@code --sequence-col/--step-col}, {@code --step-features}, or a spec taking [T, F]
     * for Parquet's {@code array<array<float>>}); null for a spec whose input is not [T, F].
     * docs/data-preparation.md, "Sequences".
     */
    final SequenceOptions sequences;
    final Path specFile;
    final String dataPath;
    /**
     * {@code --weight-col NAME}: each row of {@code --data} weighs its loss by that column's value (CSV, Parquet); null
     * when not given. docs/architecture.md, Conventions, "Row weights".
     */
    final String weightCol;
    /** {@code --threads T}: engine threads per worker task, or null for Spark's {@code spark.task.cpus}. */
    final Integer threads;
    private RunOptions run;

    RunFlags(Args a) throws IOException {
        Integer epochs = a.has("epochs") ? a.intValue("epochs", 0, 1) : null;
        Integer batch = a.has("batch-size") ? a.intValue("batch-size", 0, 1) : null;
        Long seed = a.has("seed") ? a.longValue("seed", 0) : null;
        limit = a.has("limit-train") ? a.intValue("limit-train", 0, 1) : null;
        threads = a.has("threads") ? a.intValue("threads", 1, 1) : null;
        int workers = a.has("workers") ? a.intValue("workers", 0, 1) : 0;
        int shuffleWindow = a.intValue("shuffle-window", 0, 0);
        List<Integer> averagingFrequency = frequencies(a.get("averaging-frequency",
                Integer.toString(RunOptions.DEFAULT_AVERAGING_FREQUENCY)));
        int syncEpochs = a.intValue("sync-epochs", 0, 0);
        Averaging.OptimizerState optimizerState = choice(a, "optimizer-state", "average",
                Averaging.OptimizerState::parse);
        int warmupRounds = a.intValue("warmup-rounds", 0, 0);
        AveragingMode mode = choice(a, "mode", "parameter", AveragingMode::parse);
        SlowMo slowMo = slowMo(a, mode);
        MasterConfig.RoundTransport transport = choice(a, "transport", "barrier", MasterConfig.RoundTransport::parse);
        boolean syncBatchNorm = syncBatchNorm(a, mode);
        FittedScaler.Kind scale = choice(a, "scale", "none", s -> RunOptions.scaler(s, "--scale"));
        Resampling resample = choice(a, "resample", "none", RunFlags::resampling);
        specFile = Path.of(a.require("model"));
        dataPath = a.require("data");
        if (!Files.isRegularFile(specFile)) {
            throw new Args.UsageException("--model " + specFile + ": no such file");
        }
        ModelSpec spec = ModelSpec.load(specFile);
        TrainingConfig c = spec.training();
        if (epochs != null) {
            c = c.withEpochs(epochs);
        }
        if (batch != null) {
            c = c.withBatchSize(batch, false); // --batch-size is the global minibatch, whatever the spec said
        }
        if (seed != null) {
            c = c.withSeed(seed);
        }
        if (spec.regression()) {
            // regression (docs/architecture.md, "Regression"): what balances classes has nothing to balance
            if (a.has("resample") && resample != null && !resample.isNone()) {
                throw new Args.UsageException("--resample balances classes, but " + specFile + " is a regression spec"
                        + " (outputs: " + spec.outputs() + ") whose targets have none; drop --resample");
            }
            if (a.has("class-weight")) {
                throw new Args.UsageException("--class-weight weights classes, but " + specFile + " is a regression"
                        + " spec (outputs: " + spec.outputs() + ") whose targets have none; drop --class-weight");
            }
            targets = targetColumns(a, spec.outputs(), specFile);
        } else if (spec.multiLabel()) {
            // multi-label (docs/architecture.md, "Multi-label"): K yes/no labels, no classes to balance, no scale
            String what = specFile + " is a multi-label spec (labels: " + spec.labels() + ")";
            if (a.has("resample") && resample != null && !resample.isNone()) {
                throw new Args.UsageException("--resample balances the classes of one label, but " + what
                        + " whose rows carry " + spec.labels() + " labels at once; drop --resample");
            }
            if (a.has("class-weight")) {
                throw new Args.UsageException("--class-weight weights the classes of one label, but " + what
                        + "; drop --class-weight");
            }
            if (a.has("scale-target") && !a.get("scale-target", "").equals("none")) {
                throw new Args.UsageException("--scale-target scales regression targets, but " + what
                        + " whose labels are 0 or 1; drop --scale-target");
            }
            targets = targetColumns(a, spec.labels(), specFile, true);
        } else {
            for (String flag : List.of("label-cols", "scale-target")) {
                if (a.has(flag)) {
                    throw new Args.UsageException("--" + flag + " is for regression or multi-label specs, but "
                            + specFile + " is a classification spec (classes:, no outputs: or labels:); name the"
                            + " label column with --label-col");
                }
            }
            targets = null;
        }
        threshold = threshold(a, spec, specFile.toString());
        sequences = sequences(a, spec, specFile.toString());
        weightCol = a.has("weight-col") && !a.get("weight-col", "").isEmpty() ? a.get("weight-col", "") : null;
        if (weightCol != null && a.has("resample") && resample != null && !resample.isNone()) {
            throw new Args.UsageException("--resample and --weight-col both reweigh rows (a row drawn k times would"
                    + " weigh k times its weight); use one of them");
        }
        if (weightCol != null && sequences != null) {
            throw new Args.UsageException("--weight-col is not built for sequence input (" + specFile + " takes [T, F]);"
                    + " drop --weight-col");
        }
        if (sequences != null && sequences.isPerStep()) {
            // many-to-many (docs/data-preparation.md, "Sequences"): a row is a sequence of labelled steps
            String what = specFile + " gives one output per step (many-to-many)";
            if (a.has("resample") && resample != null && !resample.isNone()) {
                throw new Args.UsageException("--resample copies or drops whole rows to balance classes, but " + what
                        + ": a sequence holds steps of several classes, so no copy of rows balances them; drop"
                        + " --resample");
            }
            if (a.has("class-weight")) {
                throw new Args.UsageException("--class-weight is not built for a per-step model: " + what
                        + "; drop --class-weight");
            }
            if (spec.regression() && a.has("scale-target") && !a.get("scale-target", "").equals("none")) {
                throw new Args.UsageException("--scale-target is not built for a per-step model: " + what
                        + " and trains on its targets as read; drop --scale-target");
            }
        }
        FittedScaler.Kind scaleTarget = choice(a, "scale-target", DEFAULT_TARGET_SCALER,
                s -> RunOptions.scaler(s, "--scale-target"));
        run = RunOptions.of(spec).withConfig(c).withWorkers(workers)
                .withAveraging(averaging(new Averaging(mode, averagingFrequency, warmupRounds, syncEpochs,
                        optimizerState, slowMo, syncBatchNorm), transport, workers))
                .withTransport(transport)
                .withScaler(scale).withResampling(resample).withShuffleWindow(shuffleWindow)
                .withTargetScaler(spec.regression() && (sequences == null || !sequences.isPerStep()) ? scaleTarget
                        : null);
        run = run.withDivergence(divergence(a));
        if (a.has("class-weight")) {
            ClassWeights w = choice(a, "class-weight", "balanced", ClassWeights::parse);
            if (w.given() != null && w.given().length != run.classes()) { // known before any data is read
                throw new Args.UsageException("--class-weight gives " + w.given().length + " weights for the "
                        + run.classes() + " classes of " + specFile);
            }
            run = run.withClassWeights(w);
        }
        if (a.has("lr-scaling-reference")) {
            run = run.withLrScaling(new LearningRateScaling(a.intValue("lr-scaling-reference", 0, 1),
                    a.intValue("lr-warmup-epochs", 5, 0)));
        } else if (a.has("lr-warmup-epochs")) {
            throw new Args.UsageException("--lr-warmup-epochs belongs to the scaling rule: give"
                    + " --lr-scaling-reference B (the minibatch the spec's learning rate was tuned for) too");
        }
    }

    /** Spark settings these flags make: {@code --threads} as {@code spark.sparktrain.task.threads}. */
    java.util.Map<String, String> sparkSettings() {
        return threads == null ? java.util.Map.of()
                : java.util.Map.of(org.sparktrain.driver.barrier.BarrierEpoch.THREADS, Integer.toString(threads));
    }

    /** {@code --threshold}'s default: a label is yes when it is at least as likely as not. */
    static final double DEFAULT_THRESHOLD = 0.5;

    /**
     * {@code --threshold T} in (0, 1), {@code dflt} when not given; refused for a spec that is not multi-label.
     */
    static double threshold(Args a, ModelSpec spec, String where, double dflt) {
        if (!a.has("threshold")) {
            return dflt;
        }
        if (!spec.multiLabel()) {
            throw new Args.UsageException("--threshold decides a multi-label model's labels, but " + where
                    + " is not a multi-label spec (labels: K); drop --threshold");
        }
        String v = a.get("threshold", "");
        double t;
        try {
            t = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            t = Double.NaN;
        }
        if (!(t > 0 && t < 1)) {
            throw new Args.UsageException("--threshold must be a probability strictly between 0 and 1, got '" + v + "'");
        }
        return t;
    }

    static double threshold(Args a, ModelSpec spec, String where) {
        return threshold(a, spec, where, DEFAULT_THRESHOLD);
    }

    /**
     * The sequence options of a run or a scoring (docs/data-preparation.md, "Sequences"): for a spec taking [T, F],
     * long-format CSV when {@code --sequence-col} and {@code --step-col} are given, Parquet {@code array<float>} of
     * steps·F values with {@code --step-features F}, Parquet {@code array<array<float>>} with neither; null for any
     * other spec (the flags are then refused, naming the spec).
     */
    static SequenceOptions sequences(Args a, ModelSpec spec, String specName) {
        boolean given = a.has("sequence-col") || a.has("step-col") || a.has("step-features");
        Shape input = spec.input();
        if (input.rank() != 2) {
            if (given) {
                throw new Args.UsageException("--sequence-col, --step-col and --step-features read variable-length"
                        + " sequences for a recurrent model, but " + specName + " takes input: " + input
                        + ", not [T, F] (steps, features per step)");
            }
            return null;
        }
        SequenceOptions s = SequenceOptions.of(input, specName);
        String data = a.get("data", "").toLowerCase(java.util.Locale.ROOT);
        if (a.has("sequence-col") && !a.has("step-col") && (data.endsWith(".csv") || data.endsWith(".csv.gz"))) {
            throw new Args.UsageException("long-format CSV sequences need --step-col (the column steps are sorted by)"
                    + " beside --sequence-col");
        }
        if (a.has("step-col") && !a.has("sequence-col")) {
            throw new Args.UsageException("long-format sequences need both --sequence-col (the sequence id column) and"
                    + " --step-col (the column steps are sorted by)");
        }
        if (a.has("sequence-col")) {
            if (a.has("step-features") && a.has("step-col")) {
                throw new Args.UsageException("--step-features is for Parquet array<float> sequences; long-format CSV"
                        + " (--sequence-col, --step-col) has one column per feature: drop --step-features");
            }
            s = s.columns(a.get("sequence-col", ""), a.get("step-col", null)); // without --step-col: Parquet's id
        }
        if (a.has("step-features")) {
            int f = a.intValue("step-features", 0, 1);
            if (f != input.dim(1)) {
                throw new Args.UsageException("--step-features " + f + " does not match " + specName + ", which takes "
                        + "input: " + input + " (" + input.dim(1) + " features per step)");
            }
            s = s.stepFeatures(f);
        }
        org.sparktrain.engine.Network probe = org.sparktrain.engine.Network.build(spec, 0);
        if (probe.perStep()) { // many-to-many: every step's label is read (docs/data-preparation.md, "Sequences")
            if (spec.multiLabel()) {
                throw new Args.UsageException(specName + " gives one output per step (output " + probe.outputShape()
                        + ") with labels: " + spec.labels() + "; per-step multi-label is not built (per-step"
                        + " classification with classes: and regression with outputs: are)");
            }
            s = s.perStep(org.sparktrain.partitioning.Block.stepTargets(probe),
                    org.sparktrain.partitioning.Block.stepClasses(probe));
        }
        return s;
    }

    /** {@code --scale-target}'s default: targets in standard units train well whatever their own units are. */
    static final String DEFAULT_TARGET_SCALER = "zscore";

    /**
     * The target columns of a regression run: {@code --label-cols y1,y2,...} or {@code --label-col y} (default
     * {@code label}), one per output of the spec.
     */
    static List<String> targetColumns(Args a, int outputs, Path specFile) {
        return targetColumns(a, outputs, specFile, false);
    }

    /** As above; for a multi-label spec the columns are its K 0/1 label columns. */
    static List<String> targetColumns(Args a, int outputs, Path specFile, boolean multiLabel) {
        if (a.has("label-cols") && a.has("label-col")) {
            throw new Args.UsageException("give --label-col (one target) or --label-cols (several), not both");
        }
        List<String> cols = new java.util.ArrayList<>();
        for (String c : a.get("label-cols", a.get("label-col", "label")).split(",")) {
            if (!c.isBlank()) {
                cols.add(c.trim());
            }
        }
        if (cols.size() != outputs || new HashSet<>(cols).size() != cols.size()) {
            throw new Args.UsageException((a.has("label-cols") ? "--label-cols" : "--label-col") + " names "
                    + cols.size() + " distinct target column(s) " + cols + ", but " + specFile + " has "
                    + (multiLabel ? "labels: " : "outputs: ") + outputs + "; name one " + (multiLabel ? "label" : "target")
                    + " column per " + (multiLabel ? "label" : "output") + " (--label-cols "
                    + (multiLabel ? "l1,l2" : "y1,y2") + ",...)");
        }
        return List.copyOf(cols);
    }

    /** {@code --divergence-factor F} (0: off) and {@code --divergence-rounds N}; the guard's defaults without them. */
    static DivergenceGuard.Settings divergence(Args a) {
        double factor = DivergenceGuard.Settings.DEFAULT_FACTOR;
        if (a.has("divergence-factor")) {
            try {
                factor = Double.parseDouble(a.get("divergence-factor", ""));
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--divergence-factor must be a number above 1, or 0 to turn the guard"
                        + " off, got '" + a.get("divergence-factor", "") + "'");
            }
        }
        int rounds = a.intValue("divergence-rounds", DivergenceGuard.Settings.DEFAULT_ROUNDS, 1);
        try {
            return new DivergenceGuard.Settings(factor, rounds);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }

    /** The run these flags describe; {@code workers} 0 when {@code --workers} is not given (Spark's default). */
    RunOptions run() {
        return run;
    }

    /**
     * {@code --outer-momentum β} (default 0, in [0, 1)) and {@code --outer-lr α} (default 1, above 0): SlowMo, an
     * outer momentum on the averaged update in parameter mode; refused with {@code --mode gradient} when either is
     * given at a value other than its default.
     */
    static SlowMo slowMo(Args a, AveragingMode mode) {
        float beta = number(a, "outer-momentum", 0f, "a number in [0, 1)");
        float alpha = number(a, "outer-lr", 1f, "a number above 0");
        SlowMo s;
        try {
            s = new SlowMo(beta, alpha);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        if (s.enabled() && mode == AveragingMode.GRADIENT) {
            throw new Args.UsageException("--outer-momentum and --outer-lr (SlowMo) act on the average of K local steps"
                    + " and need --mode parameter; with --mode gradient every round is one optimizer step on the"
                    + " averaged gradient (use the spec's optimizer momentum instead)");
        }
        return s;
    }

    /**
     * {@code --sync-batchnorm}: BatchNorm statistics over the whole global minibatch, summed over the workers inside
     * every step; needs {@code --mode gradient} (and the barrier transport, or one worker: {@link #averaging}).
     */
    static boolean syncBatchNorm(Args a, AveragingMode mode) {
        if (!a.flag("sync-batchnorm")) {
            return false;
        }
        if (mode != AveragingMode.GRADIENT) {
            throw new Args.UsageException(Averaging.SYNC_BATCHNORM_NEEDS_GRADIENT);
        }
        return true;
    }

    /** {@code averaging} once the transport can carry it for {@code workers} ({@link MasterConfig#checkTransport}). */
    private static Averaging averaging(Averaging averaging, MasterConfig.RoundTransport transport, int workers) {
        try {
            MasterConfig.checkTransport(averaging, transport, workers);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        return averaging;
    }

    /** A float flag, {@code dflt} when absent; {@code what} says what it must be when it does not parse. */
    private static float number(Args a, String flag, float dflt, String what) {
        if (!a.has(flag)) {
            return dflt;
        }
        String v = a.get(flag, "");
        try {
            float f = Float.parseFloat(v.trim());
            if (Float.isFinite(f)) {
                return f;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new Args.UsageException("--" + flag + " must be " + what + ", got '" + v + "'");
    }

    /** {@code --averaging-frequency}: one K, or K per epoch ({@code 1,5,20}: the last for every later epoch). */
    static List<Integer> frequencies(String text) {
        List<Integer> ks = new java.util.ArrayList<>();
        for (String part : text.split(",")) {
            int k;
            try {
                k = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--averaging-frequency must be a whole number K >= 1 or one K per epoch"
                        + " like 1,5,20, got '" + text + "'");
            }
            if (k < 1) {
                throw new Args.UsageException("--averaging-frequency must be >= 1, got " + k);
            }
            ks.add(k);
        }
        return ks;
    }

    static <T> T choice(Args a, String flag, String dflt, java.util.function.Function<String, T> parse) {
        try {
            return parse.apply(a.get(flag, dflt));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }

    static Resampling resampling(String s) {
        return switch (s) {
            case "up" -> Resampling.balanceUp();
            case "down" -> Resampling.balanceDown();
            case "none" -> Resampling.none();
            default -> throw new IllegalArgumentException("--resample must be up, down or none, got '" + s + "'");
        };
    }

    /** A fraction flag in [0, 1); 0 when absent. */
    static double fraction(Args a, String flag) {
        if (!a.has(flag)) {
            return 0;
        }
        double v;
        try {
            v = Double.parseDouble(a.get(flag, "0"));
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--" + flag + " must be a fraction in [0, 1), got " + a.get(flag, ""));
        }
        if (!(v >= 0 && v < 1)) {
            throw new Args.UsageException("--" + flag + " must be a fraction in [0, 1), got " + v);
        }
        return v;
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
