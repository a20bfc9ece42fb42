package org.sparktrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Binarizer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/** Spark ML persistence: a PipelineModel with a sparktrain stage saves and loads; the estimator too. */
class SparktrainPersistenceTest {
    static final String SPEC = """
            input: [4]
            classes: 3
            layers:
              - {type: dense, units: 8, activation: tanh}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.05}
            training: {batch_size: 16, epochs: 2, seed: 5}
            """;

    static SparkSession spark;
    static Dataset<Row> data;
    /** One fitted pipeline for the class (fitting is the slow part): probabilityCol/predictionCol set on the model. */
    static PipelineModel fitted;

    @BeforeAll
    static void fit() {
        spark = TestSpark.session();
        data = SparktrainClassifierTest.frame(spark, 300, 7).cache();
        SparktrainClassifier clf = new SparktrainClassifier().setSpec(SPEC).setWorkers(2).setScaling("zscore");
        fitted = new Pipeline().setStages(new PipelineStage[] {clf}).fit(data);
        model(fitted).setProbabilityCol("p").setPredictionCol("yhat");
    }

    static SparktrainClassificationModel model(PipelineModel pm) {
        return (SparktrainClassificationModel) pm.stages()[0];
    }

    static List<Row> scores(PipelineModel pm) {
        return pm.transform(data).select("features", "label", "p", "yhat").collectAsList();
    }

    /** Every param (explicitly set or default) has the same value in both. */
    static void assertSameParams(Params a, Params b) {
        assertEquals(a.uid(), b.uid());
        assertEquals(a.params().length, b.params().length);
        for (Param<?> p : a.params()) {
            Param<Object> q = b.getParam(p.name());
            assertEquals(a.isSet(p), b.isSet(q), p.name() + " set");
            assertEquals(a.isDefined(p), b.isDefined(q), p.name() + " defined");
            if (a.isDefined(p)) {
                assertEquals(a.getOrDefault(p), b.getOrDefault(q), p.name());
            }
        }
    }

    static String stageDir(Path pipelineDir) throws IOException {
        try (Stream<Path> s = Files.list(pipelineDir.resolve("stages"))) {
            return s.findFirst().orElseThrow().toString();
        }
    }

    @Test
    void pipelineModelRoundTripsExactly(@TempDir Path dir) throws Exception {
        String path = dir.resolve("pm").toString();
        fitted.write().save(path);
        PipelineModel loaded = PipelineModel.load(path);

        assertEquals(fitted.uid(), loaded.uid());
        SparktrainClassificationModel a = model(fitted);
        SparktrainClassificationModel b = model(loaded);
        assertSameParams(a, b);
        assertEquals("p", b.getOrDefault(b.probabilityCol()));
        assertEquals("yhat", b.getOrDefault(b.predictionCol()));
        assertEquals(a.contents(), b.contents());
        assertArrayEquals(a.contents().params(), b.contents().params());
        assertTrue(b.contents().scaler().isPresent(), "the fitted scaler is saved");

        List<Row> before = scores(fitted);
        List<Row> after = scores(loaded);
        assertEquals(300, after.size());
        assertEquals(before, after); // probabilities (ML vectors) and predictions, bit for bit

        // the network is stored as a sparktrain model file, readable without Spark
        Path file = Path.of(stageDir(dir.resolve("pm")), StagePersistence.MODEL_FILE);
        assertEquals(a.contents(), ModelFile.load(file));
    }

    @Test
    void modelStageSavesAndLoadsOnItsOwn(@TempDir Path dir) throws Exception {
        String path = dir.resolve("m").toString();
        SparktrainClassificationModel a = model(fitted);
        a.write().save(path);
        SparktrainClassificationModel b = SparktrainClassificationModel.load(path);
        assertSameParams(a, b);
        assertEquals(a.contents(), b.contents());
    }

    @Test
    void estimatorAndUnfittedPipelineRoundTrip(@TempDir Path dir) throws Exception {
        SparktrainClassifier clf = new SparktrainClassifier().setSpec(SPEC).setEpochs(3).setWorkers(2)
                .setAveragingFrequency(7).setScaling("minmax").setTransport("job").setFeaturesCol("f")
                .setLabelCol("y");
        String path = dir.resolve("clf").toString();
        clf.write().save(path);
        SparktrainClassifier back = SparktrainClassifier.load(path);
        assertSameParams(clf, back);
        assertEquals(SPEC, back.getOrDefault(back.spec()));
        assertEquals(7, back.getOrDefault(back.averagingFrequency()));
        assertEquals("job", back.getOrDefault(back.transport()));

        SparktrainClassifier defaults = new SparktrainClassifier();
        defaults.write().save(dir.resolve("defaults").toString());
        SparktrainClassifier d = SparktrainClassifier.load(dir.resolve("defaults").toString());
        assertSameParams(defaults, d);
        assertFalse(d.isDefined(d.spec()));

        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {clf});
        String pp = dir.resolve("pipeline").toString();
        pipeline.write().save(pp);
        Pipeline loaded = Pipeline.load(pp);
        assertEquals(pipeline.uid(), loaded.uid());
        assertSameParams(clf, assertInstanceOf(SparktrainClassifier.class, loaded.getStages()[0]));
    }

    @Test
    void badDirectoriesFailNamingThePath(@TempDir Path dir) throws Exception {
        // nothing there
        String missing = dir.resolve("missing").toString();
        assertMessageNames(missing, () -> SparktrainClassificationModel.load(missing));
        // an empty directory
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertMessageNames(empty.toString(), () -> SparktrainClassificationModel.load(empty.toString()));
        assertMessageNames(empty.toString(), () -> SparktrainClassifier.load(empty.toString()));
        // a single model file is not a stage directory
        Path single = dir.resolve("single.sptr");
        model(fitted).save(spark, single.toString());
        String m = assertMessageNames(single.toString(), () -> SparktrainClassificationModel.load(single.toString()));
        assertTrue(m.contains("load(SparkSession, path)"), m);
        // another Spark ML stage
        String other = dir.resolve("binarizer").toString();
        new Binarizer().write().save(other);
        m = assertMessageNames(other, () -> SparktrainClassificationModel.load(other));
        assertTrue(m.contains("Binarizer"), m);
        // a model saved as a stage is not an estimator, and the other way round
        String stage = dir.resolve("stage").toString();
        model(fitted).write().save(stage);
        assertMessageNames(stage, () -> SparktrainClassifier.load(stage));

        // a pipeline whose sparktrain model file is corrupt: PipelineModel.load names the file
        String pm = dir.resolve("pm").toString();
        fitted.write().save(pm);
        Path file = Path.of(stageDir(Path.of(pm)), StagePersistence.MODEL_FILE);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);
        m = assertMessageNames(file.toString(), () -> PipelineModel.load(pm));
        assertTrue(m.toLowerCase().contains("crc") || m.toLowerCase().contains("checksum"), m);
        // and one without its model file
        Files.delete(file);
        assertMessageNames(file.toString(), () -> PipelineModel.load(pm));
    }

    /** The call fails, and the message of the exception it throws (not a cause's) names {@code path}. */
    static String assertMessageNames(String path, org.junit.jupiter.api.function.Executable call) {
        Throwable t = assertThrows(Exception.class, call);
        String m = String.valueOf(t.getMessage());
        assertTrue(m.contains(path), "the message should name " + path + ": " + t);
        return m;
    }

    @Test
    void saveRefusesAnExistingPathUnlessOverwriteAndNeverDestroysAGoodModel(@TempDir Path dir) throws Exception {
        String pm = dir.resolve("pm").toString();
        fitted.write().save(pm);
        List<Row> expected = scores(fitted);
        // a second save without overwrite fails and leaves the saved pipeline as it was
        IOException e = assertThrows(IOException.class, () -> fitted.write().save(pm));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(expected, scores(PipelineModel.load(pm)));
        // with overwrite it replaces it
        model(fitted).setPredictionCol("yhat2");
        try {
            fitted.write().overwrite().save(pm);
        } finally {
            model(fitted).setPredictionCol("yhat");
        }
        SparktrainClassificationModel replaced = model(PipelineModel.load(pm));
        assertEquals("yhat2", replaced.getOrDefault(replaced.predictionCol()));

        // the stage on its own: the same refusal, and an overwrite that fails half way keeps the old stage
        String stage = dir.resolve("stage").toString();
        SparktrainClassificationModel good = model(fitted);
        good.write().save(stage);
        IOException e2 = assertThrows(IOException.class, () -> good.write().save(stage));
        assertTrue(e2.getMessage().contains(stage), e2.getMessage());
        ModelContents c = good.contents();
        // an unpaired surrogate cannot be stored: the model file write fails after the metadata is written
        ModelContents unwritable = new ModelContents(c.spec(), c.params(), c.state(), c.scaler(),
                Map.of("note", "\uD800"));
        SparktrainClassificationModel bad = new SparktrainClassificationModel("sparktrain_bad", unwritable);
        assertThrows(IllegalArgumentException.class, () -> bad.write().overwrite().save(stage));
        SparktrainClassificationModel still = SparktrainClassificationModel.load(stage);
        assertEquals(good.uid(), still.uid());
        assertNotEquals(bad.uid(), still.uid());
        assertEquals(c, still.contents());
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("pm", "stage"), names, "no temporary directory is left behind");
        }
        // and a good overwrite replaces it
        SparktrainClassificationModel renamed = good.copy(new org.apache.spark.ml.param.ParamMap());
        renamed.setProbabilityCol("p2");
        renamed.write().overwrite().save(stage);
        SparktrainClassificationModel reloaded = SparktrainClassificationModel.load(stage);
        assertEquals("p2", reloaded.getOrDefault(reloaded.probabilityCol()));
    }
}
