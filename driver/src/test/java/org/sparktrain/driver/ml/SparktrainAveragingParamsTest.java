package org.sparktrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.cli.CliAveraging;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.round.GradientRounds;
import org.sparktrain.driver.round.SlowMo;
import org.sparktrain.engine.spec.ModelSpec;

/**
 * The estimators' averaging params (averagingMode, syncEpochs, optimizerState, outerMomentum, outerLr,
 * syncBatchNorm): they build the averaging the command line builds from the equivalent flags, bad values fail at
 * fit naming the param, they survive a save and load, and a gradient-mode fit with synchronised BatchNorm trains.
 */
class SparktrainAveragingParamsTest {
    static final String SPEC = SparktrainClassifierTest.SPEC;

    /** A classifier with a BatchNorm layer. */
    static final String BN_SPEC = """
            input: [4]
            classes: 3
            layers:
              - {type: dense, units: 12}
              - {type: batchnorm}
              - tanh
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.05}
            training: {batch_size: 16, epochs: 4, seed: 3}
            """;

    static final String REGRESSION_SPEC = """
            input: [4]
            outputs: 1
            layers:
              - {type: dense, units: 8, activation: tanh}
              - {type: dense, units: 1}
            optimizer: {type: adam, lr: 0.02}
            training: {batch_size: 16, epochs: 2, seed: 2}
            """;

    static Averaging averaging(SparktrainEstimator<?, ?> e, String spec) {
        return e.runOptions(ModelSpec.parse(spec, "test spec")).averaging();
    }

    /** The estimator's averaging equals the command line's for these flags (and so is the same run). */
    static Averaging assertSameAsCli(Path dir, UnaryOperator<SparktrainClassifier> params, String... flags)
            throws Exception {
        Averaging ml = averaging(params.apply(new SparktrainClassifier().setSpec(SPEC)), SPEC);
        Averaging cli = CliAveraging.of(dir, SPEC, flags);
        assertEquals(cli, ml, String.join(" ", flags));
        assertEquals(cli.rule(1), ml.rule(1), String.join(" ", flags));
        assertEquals(cli.describe(), ml.describe());
        return ml;
    }

    @Test
    void theParamsReachTheRunAsTheCommandLinesFlagsDo(@TempDir Path dir) throws Exception {
        // the defaults: today's run, and the command line's without flags
        Averaging today = new Averaging(AveragingMode.PARAMETER, 5, 0);
        Averaging defaults = assertSameAsCli(dir, c -> c);
        assertEquals(today, defaults);
        assertEquals(today.rule(1), defaults.rule(1));
        assertEquals(today, averaging(new SparktrainRegressor().setSpec(REGRESSION_SPEC), REGRESSION_SPEC));
        // each param at its default given explicitly is still today's run
        assertEquals(today, assertSameAsCli(dir, c -> c.setAveragingMode("parameter").setSyncEpochs(0)
                .setOptimizerState("average").setOuterMomentum(0).setOuterLr(1).setSyncBatchNorm(false),
                "--mode", "parameter", "--sync-epochs", "0", "--optimizer-state", "average", "--outer-momentum", "0",
                "--outer-lr", "1"));

        Averaging sbn = assertSameAsCli(dir, c -> c.setAveragingMode("gradient").setSyncBatchNorm(true),
                "--mode", "gradient", "--sync-batchnorm");
        assertTrue(sbn.syncBatchNorm());
        assertEquals(new GradientRounds(true), sbn.rule(1));
        Averaging gradient = assertSameAsCli(dir, c -> c.setAveragingMode("gradient"), "--mode", "gradient");
        assertEquals(AveragingMode.GRADIENT, gradient.mode());
        assertFalse(gradient.syncBatchNorm());
        // one worker on the job transport may sum its statistics alone, as on the command line
        assertTrue(assertSameAsCli(dir, c -> c.setAveragingMode("gradient").setSyncBatchNorm(true)
                .setTransport("job").setWorkers(1), "--mode", "gradient", "--sync-batchnorm", "--transport", "job",
                "--workers", "1").syncBatchNorm());
        // SlowMo's defaults in gradient mode are fine
        assertEquals(SlowMo.OFF, assertSameAsCli(dir, c -> c.setAveragingMode("gradient").setOuterMomentum(0)
                .setOuterLr(1), "--mode", "gradient", "--outer-momentum", "0", "--outer-lr", "1").slowMo());

        assertEquals(new SlowMo(0.7f, 1f), assertSameAsCli(dir, c -> c.setOuterMomentum(0.7),
                "--outer-momentum", "0.7").slowMo());
        assertEquals(new SlowMo(0.9f, 1.5f), assertSameAsCli(dir, c -> c.setOuterMomentum(0.9).setOuterLr(1.5)
                .setAveragingFrequency(3), "--outer-momentum", "0.9", "--outer-lr", "1.5", "--averaging-frequency",
                "3").slowMo());
        assertEquals(Averaging.OptimizerState.RESET, assertSameAsCli(dir, c -> c.setOptimizerState("reset"),
                "--optimizer-state", "reset").optimizerState());
        Averaging sync = assertSameAsCli(dir, c -> c.setSyncEpochs(1), "--sync-epochs", "1");
        assertEquals(1, sync.syncEpochs());
        assertEquals(new GradientRounds(false), sync.rule(1));
        // the regressor shares them
        assertEquals(CliAveraging.of(dir, SPEC, "--optimizer-state", "reset", "--sync-epochs", "2",
                "--outer-lr", "0.5"), averaging(new SparktrainRegressor().setSpec(REGRESSION_SPEC)
                .setOptimizerState("reset").setSyncEpochs(2).setOuterLr(0.5), REGRESSION_SPEC));
    }

    /** fit refuses the estimator's params with one IllegalArgumentException; the command line refuses the flags. */
    static String refusedAtFit(Path dir, SparktrainEstimator<?, ?> e, String... flags) throws Exception {
        Dataset<Row> df = SparktrainClassifierTest.frame(TestSpark.session(), 20, 1);
        String m = assertThrows(IllegalArgumentException.class, () -> e.fit(df)).getMessage();
        assertFalse(m.contains("--"), "the message names the params, not the command line's flags: " + m);
        CliAveraging.refusal(dir, SPEC, flags); // the command line refuses the same settings
        return m;
    }

    @Test
    void badValuesAndCombinationsAreRefusedAtFitNamingTheParam(@TempDir Path dir) throws Exception {
        String c = "SparktrainClassifier: ";
        assertEquals(c + "outerMomentum must be in [0, 1), got 1.0", refusedAtFit(dir, clf().setOuterMomentum(1),
                "--outer-momentum", "1"));
        assertEquals(c + "outerMomentum must be in [0, 1), got -0.5", refusedAtFit(dir, clf()
                .setOuterMomentum(-0.5), "--outer-momentum", "-0.5"));
        assertEquals(c + "outerLr must be a number above 0, got 0.0", refusedAtFit(dir, clf().setOuterLr(0),
                "--outer-lr", "0"));
        assertTrue(refusedAtFit(dir, clf().setOuterLr(Double.NaN), "--outer-lr", "NaN")
                .startsWith(c + "outerLr must be"));
        assertEquals(c + "averagingMode must be parameter or gradient, got 'foo'", refusedAtFit(dir,
                clf().setAveragingMode("foo"), "--mode", "foo"));
        assertEquals(c + "optimizerState must be average or reset, got 'keep'", refusedAtFit(dir,
                clf().setOptimizerState("keep"), "--optimizer-state", "keep"));
        assertEquals(c + "syncEpochs must be >= 0, got -1", refusedAtFit(dir, clf().setSyncEpochs(-1),
                "--sync-epochs", "-1"));

        String p = refusedAtFit(dir, clf().setSyncBatchNorm(true), "--sync-batchnorm");
        assertTrue(p.startsWith(c + "syncBatchNorm ") && p.contains("needs averagingMode gradient"), p);
        String g = refusedAtFit(dir, clf().setAveragingMode("gradient").setOuterMomentum(0.9), "--mode",
                "gradient", "--outer-momentum", "0.9");
        assertTrue(g.startsWith(c + "outerMomentum and outerLr (SlowMo)") && g.contains("need averagingMode parameter"),
                g);
        assertTrue(refusedAtFit(dir, clf().setAveragingMode("gradient").setOuterLr(2), "--mode", "gradient",
                "--outer-lr", "2").contains("need averagingMode parameter"));
        String j = refusedAtFit(dir, clf().setAveragingMode("gradient").setSyncBatchNorm(true).setTransport("job")
                .setWorkers(2), "--mode", "gradient", "--sync-batchnorm", "--transport", "job", "--workers", "2");
        assertTrue(j.startsWith(c + "syncBatchNorm ") && j.contains("use transport barrier") && j.contains(
                "workers 1"), j);
        // workers 0 (Spark's default parallelism) on the job transport, as the command line without --workers
        assertTrue(refusedAtFit(dir, clf().setAveragingMode("gradient").setSyncBatchNorm(true).setTransport("job"),
                "--mode", "gradient", "--sync-batchnorm", "--transport", "job").startsWith(c + "syncBatchNorm "));
        // the regressor names itself
        assertEquals("SparktrainRegressor: outerMomentum must be in [0, 1), got 1.5", refusedAtFit(dir,
                new SparktrainRegressor().setSpec(REGRESSION_SPEC).setOuterMomentum(1.5), "--outer-momentum", "1.5"));
    }

    static SparktrainClassifier clf() {
        return new SparktrainClassifier().setSpec(SPEC).setWorkers(2);
    }

    @Test
    void aSavedEstimatorKeepsTheAveragingParams(@TempDir Path dir) throws Exception {
        TestSpark.session();
        SparktrainClassifier slowMo = clf().setOuterMomentum(0.7).setOuterLr(1.5).setOptimizerState("reset")
                .setSyncEpochs(2).setAveragingFrequency(3);
        String path = dir.resolve("slowmo").toString();
        slowMo.write().save(path);
        SparktrainClassifier back = SparktrainClassifier.load(path);
        SparktrainPersistenceTest.assertSameParams(slowMo, back);
        assertEquals(0.7, back.getOrDefault(back.outerMomentum()));
        assertEquals(1.5, back.getOrDefault(back.outerLr()));
        assertEquals("reset", back.getOrDefault(back.optimizerState()));
        assertEquals(2, back.getOrDefault(back.syncEpochs()));
        assertEquals(averaging(slowMo, SPEC), averaging(back, SPEC));
        assertNotEquals(averaging(clf(), SPEC), averaging(back, SPEC));

        SparktrainRegressor sbn = new SparktrainRegressor().setSpec(REGRESSION_SPEC).setAveragingMode("gradient")
                .setSyncBatchNorm(true);
        String rp = dir.resolve("pipeline").toString();
        new Pipeline().setStages(new PipelineStage[] {sbn}).write().save(rp);
        SparktrainRegressor r = (SparktrainRegressor) Pipeline.load(rp).getStages()[0];
        SparktrainPersistenceTest.assertSameParams(sbn, r);
        assertEquals("gradient", r.getOrDefault(r.averagingMode()));
        assertEquals(true, r.getOrDefault(r.syncBatchNorm()));
        assertTrue(averaging(r, REGRESSION_SPEC).syncBatchNorm());
    }

    /** An estimator saved before these params existed (its metadata without them) loads with their defaults. */
    @Test
    void anEstimatorSavedWithoutTheParamsLoadsWithTheirDefaults(@TempDir Path dir) throws Exception {
        TestSpark.session();
        SparktrainClassifier old = clf().setAveragingFrequency(7).setOuterMomentum(0.5).setSyncEpochs(3);
        String path = dir.resolve("old").toString();
        old.write().save(path);
        List<String> removed = List.of("averagingMode", "syncEpochs", "optimizerState", "outerMomentum", "outerLr",
                "syncBatchNorm");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        int edited = 0;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve("old/metadata"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                com.fasterxml.jackson.databind.node.ObjectNode md = (com.fasterxml.jackson.databind.node.ObjectNode)
                        json.readTree(java.nio.file.Files.readString(f));
                for (String map : List.of("paramMap", "defaultParamMap")) {
                    com.fasterxml.jackson.databind.node.ObjectNode m =
                            (com.fasterxml.jackson.databind.node.ObjectNode) md.get(map);
                    assertTrue(m.has("averagingFrequency"), map + ": " + m);
                    m.remove(removed);
                }
                java.nio.file.Files.writeString(f, json.writeValueAsString(md) + "\n");
                // its checksum would no longer match
                java.nio.file.Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc"));
                edited++;
            }
        }
        assertEquals(1, edited);
        SparktrainClassifier back = SparktrainClassifier.load(path);
        for (String name : removed) {
            assertFalse(back.isSet(back.getParam(name)), name);
        }
        assertEquals(7, back.getOrDefault(back.averagingFrequency()));
        assertEquals(new Averaging(AveragingMode.PARAMETER, 7, 0), averaging(back, SPEC));
    }

    @Test
    void aGradientModeFitWithSyncBatchNormTrainsAndPredicts() {
        SparkSession spark = TestSpark.session();
        Dataset<Row> train = SparktrainClassifierTest.frame(spark, 240, 11).cache();
        SparktrainClassifier clf = new SparktrainClassifier().setSpec(BN_SPEC).setWorkers(2).setScaling("zscore")
                .setTransport("barrier").setAveragingMode("gradient").setSyncBatchNorm(true);
        try {
            SparktrainClassificationModel model = clf.fit(train);
            Dataset<Row> scored = model.transform(SparktrainClassifierTest.frame(spark, 90, 12));
            assertEquals(90, scored.count());
            double acc = SparktrainClassifierTest.accuracy(scored);
            assertTrue(acc > 0.8, "accuracy " + acc);
            // the param acts: each worker normalising over its own share trains another model
            float[] withSync = model.contents().params();
            float[] perShare = clf.copy(new org.apache.spark.ml.param.ParamMap()).setSyncBatchNorm(false).fit(train)
                    .contents().params();
            assertFalse(Arrays.equals(withSync, perShare), "syncBatchNorm changed nothing");
        } finally {
            train.unpersist();
        }
    }
}
