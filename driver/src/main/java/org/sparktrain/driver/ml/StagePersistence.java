package org.sparktrain.driver.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * Spark ML persistence of the sparktrain stages. A stage directory holds Spark's own params metadata
 * ({@code metadata/}, JSON text written by {@link DefaultParamsWriter}, as every Spark ML stage has) and, for a
 * fitted model, the network as a sparktrain model file ({@value #MODEL_FILE}, docs/model-file.md): no Java
 * serialization anywhere.
 */
final class StagePersistence {
    /** The model file inside a model's stage directory. */
    static final String MODEL_FILE = "model.sptr";

    private StagePersistence() {
    }

    /**
     * Writes a stage directory. Like Spark's writers it refuses an existing path unless {@link #overwrite()} was
     * called; unlike them it never deletes the old directory first: the new one is written beside it and renamed
     * into place, so a failed save leaves the previous stage as it was.
     */
    static final class Writer extends MLWriter {
        private final Params stage;
        private final ModelContents model;

        /** {@code model} null: params only (an estimator). */
        Writer(Params stage, ModelContents model) {
            this.stage = stage;
            this.model = model;
        }

        @Override
        public void save(String path) throws IOException {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(sc().hadoopConfiguration());
            if (fs.exists(p) && !shouldOverwrite()) {
                throw new IOException("Path " + path + " already exists. To overwrite it, use"
                        + " write().overwrite().save(path); the existing stage is left as it is.");
            }
            AtomicWrite.writeDirectory(sc().hadoopConfiguration(), path, this::saveImpl);
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(stage, path, sparkSession());
            if (model != null) {
                try {
                    AtomicWrite.write(sc().hadoopConfiguration(), new Path(path, MODEL_FILE).toString(),
                            o -> ModelFile.write(o, model));
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Reads the Spark ML metadata of the stage directory {@code path}, which must have been written for
     * {@code expected}; otherwise fails with a message naming the path.
     */
    static DefaultParamsReader.Metadata metadata(SparkSession spark, String path, Class<?> expected) {
        String what = expected.getSimpleName();
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(p)) {
                throw new IOException(path + " does not exist; expected a " + what + " saved with write().save(path).");
            }
            if (!fs.exists(new Path(p, "metadata"))) {
                throw new IOException(path + " is not a saved Spark ML stage (no metadata directory); expected a "
                        + what + " saved with write().save(path)"
                        + (expected == SparktrainClassificationModel.class
                                ? " (a single model file is read by load(SparkSession, path))." : "."));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        DefaultParamsReader.Metadata md;
        try {
            md = DefaultParamsReader.loadMetadata(path, spark);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ": cannot read its Spark ML metadata: " + e.getMessage(), e);
        }
        if (!expected.getName().equals(md.className())) {
            throw new IllegalArgumentException(path + " holds a " + md.className() + ", not a " + expected.getName()
                    + ".");
        }
        return md;
    }
}
