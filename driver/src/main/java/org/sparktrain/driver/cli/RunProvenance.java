package org.sparktrain.driver.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.optim.Optimizers;

/**
 * The provenance {@code train} and {@code evaluate} share (docs/architecture.md, "The report"): what was trained
 * (the spec's file and a hash of its text), on what (data path), how (seed, batch size, workers, Spark master,
 * averaging, scaling, resampling, class weights, learning-rate scaling, optimizer, the transport) and with which
 * versions. {@code train} stores it in {@code model.sptr} with its own keys added; {@code evaluate}, which writes no
 * model, in its {@code metrics.json} ({@code provenance}, beside the spec's text as {@code spec}), so a comparison
 * shows the settings that differ for both kinds of run, under the same keys.
 */
final class RunProvenance {
    static final String VERSION = "0.1.0-SNAPSHOT";

    private RunProvenance() {
    }

    /** The shared keys of a run of {@code run} (its workers resolved) on {@code flags}' spec and data. */
    static Map<String, String> of(RunFlags flags, RunOptions run, JavaSparkContext sc) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("sparktrain.version", VERSION);
        p.put("spark.version", sc.version());
        p.put("java.version", System.getProperty("java.version"));
        p.put("spec.source", flags.specFile.toString());
        p.put("spec.sha256", sha256(run.spec().text()));
        p.put("data", flags.dataPath);
        if (flags.weightCol != null) { // docs/architecture.md, Conventions, "Row weights"
            p.put("weight.column", flags.weightCol);
        }
        if (flags.limit != null) {
            p.put("limit.train", Integer.toString(flags.limit));
        }
        p.put("seed", Long.toString(run.config().seed()));
        p.put("batch.size", Integer.toString(run.config().batchSize()));
        p.put("master", sc.master());
        p.put("workers", Integer.toString(run.workers()));
        p.put("averaging", run.averaging().describe());
        p.put("transport", run.transport().name().toLowerCase(java.util.Locale.ROOT));
        if (run.classWeights() != null) {
            p.put("class.weights", run.classWeights().toString());
        }
        if (run.lrScaling() != null) {
            p.put("lr.scaling", "linear, reference batch " + run.lrScaling().referenceBatch()
                    + ", warm-up " + run.lrScaling().warmupEpochs() + " epoch(s)");
        }
        p.put("scaling", run.scalerName());
        if (run.regression()) {
            p.put("targets", String.join(",", flags.targets));
            p.put("target.scaling", run.targetScalerName());
        }
        p.put("resampling", run.resampling().toString());
        if (flags.sequences != null && flags.sequences.sequenceColumn() != null) { // score reads sequences alike
            p.put("sequence.col", flags.sequences.sequenceColumn());
        }
        if (flags.sequences != null && flags.sequences.longFormat()) {
            p.put("step.col", flags.sequences.stepColumn());
        }
        if (flags.sequences != null && flags.sequences.stepFeatures() > 0) {
            p.put("step.features", Integer.toString(flags.sequences.stepFeatures()));
        }
        int threads = org.sparktrain.driver.barrier.BarrierEpoch.threadsPerTask(sc);
        if (threads > 1) {
            p.put("threads.per.task", Integer.toString(threads));
        }
        p.put("optimizer", Optimizers.fromSpec(run.spec().optimizer()).describe());
        return p;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
