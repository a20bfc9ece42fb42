package org.sparktrain.driver.ml;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.partitioning.ReadOptions;

/**
 * sparktrain regression as a Spark ML {@link Estimator} (docs/architecture.md, "Regression"): {@code fit} trains a
 * regression spec ({@code outputs: N}) data-parallel on the DataFrame's {@code features} (an ML vector or an array
 * of numbers) and its numeric target column {@code labelCol} (for N outputs, N columns separated by commas), as
 * {@code sparktrain train --label-cols} does, with the targets scaled by {@code targetScaling} (default zscore)
 * fitted on the data, and returns a {@link SparktrainRegressionModel}, whose predictions are mapped back to the
 * targets' units.
 *
 * <pre>{@code
 * SparktrainRegressionModel model = new SparktrainRegressor().setSpec(Files.readString(Path.of("reg.yaml")))
 *     .setLabelCol("price").setWorkers(2).fit(train);
 * Dataset<Row> scored = model.transform(test);   // + prediction (double; a vector for N > 1 outputs)
 * }</pre>
 *
 * <p>The averaging params ({@code averagingMode}, {@code syncEpochs}, {@code optimizerState}, {@code outerMomentum},
 * {@code outerLr}, {@code syncBatchNorm}) are {@link SparktrainEstimator}'s, as for the classifier.
 *
 * <p>Spark ML persistence as {@link SparktrainClassifier}'s: params metadata (JSON), atomic replacement with
 * {@code write().overwrite()}, no Java serialization.
 */
public final class SparktrainRegressor extends SparktrainEstimator<SparktrainRegressionModel, SparktrainRegressor> {
    private static final long serialVersionUID = 1L;
    private final Param<String> targetScaling;

    public SparktrainRegressor() {
        this(Identifiable$.MODULE$.randomUID("sparktrain"));
    }

    public SparktrainRegressor(String uid) {
        super(uid, "the model spec (outputs: N, loss mse|mae|huber), YAML or JSON text",
                "target column(s), numeric; for outputs: N, N names separated by commas");
        targetScaling = new Param<>(this, "targetScaling", "target scaling fitted on the training data, inverted on"
                + " every prediction: none, zscore, minmax");
        setDefault(targetScaling, "zscore");
    }

    public Param<String> targetScaling() {
        return targetScaling;
    }

    public SparktrainRegressor setTargetScaling(String s) {
        set(targetScaling, s);
        return this;
    }

    /** The target columns {@code labelCol} names. */
    List<String> targets() {
        return Arrays.stream($(labelCol()).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public SparktrainRegressionModel fit(Dataset<?> dataset) {
        ModelSpec ms = parsedSpec("SparktrainRegressor");
        if (!ms.regression()) {
            throw new IllegalArgumentException(uid() + " spec: SparktrainRegressor needs a regression spec (outputs: N"
                    + " and a loss mse, mae or huber); for classes: use SparktrainClassifier");
        }
        List<String> targets = targets();
        if (targets.size() != ms.outputs()) {
            throw new IllegalArgumentException("SparktrainRegressor: labelCol names " + targets.size() + " column(s) "
                    + targets + " for the spec's outputs: " + ms.outputs());
        }
        RunOptions run = runOptions(ms).withTargetScaler(RunOptions.scaler($(targetScaling), "targetScaling"));
        Column[] cols = new Column[targets.size() + 1];
        cols[0] = functions.col($(featuresCol()));
        for (int t = 0; t < targets.size(); t++) {
            cols[t + 1] = functions.col(targets.get(t));
        }
        @SuppressWarnings("unchecked")
        Dataset<Row> df = ((Dataset<Row>) dataset).select(selected(cols));
        Fitted f = train(df, run, ReadOptions.regression(targets).shape(ms.input()));
        Network net = f.trained().network();
        SparktrainRegressionModel model = new SparktrainRegressionModel(uid(), net.toModel(
                Optional.ofNullable(f.scaler()), Optional.ofNullable(f.targetScaler()),
                provenance(run, Map.of("trained.by", "SparktrainRegressor " + uid(), "targets", String.join(",", targets),
                        "target.scaling", $(targetScaling)))));
        model.set(model.featuresCol(), $(featuresCol()));
        return model.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        int outputs = isDefined(spec()) ? ModelSpec.parse($(spec()), uid() + " spec").outputs() : 1;
        return SparktrainRegressionModel.outputSchema(schema, $(featuresCol()), "prediction", outputs);
    }

    public static MLReader<SparktrainRegressor> read() {
        return new Reader<>(SparktrainRegressor.class, SparktrainRegressor::new);
    }

    public static SparktrainRegressor load(String path) {
        return read().load(path);
    }
}
