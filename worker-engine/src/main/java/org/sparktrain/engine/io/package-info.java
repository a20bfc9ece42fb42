/**
 * Files the engine reads and writes without Spark. The model file: {@link org.sparktrain.engine.io.ModelFile}
 * reads and writes the versioned binary container specified in docs/model-file.md (spec text, flat parameter and
 * state vectors, optional scaler, provenance, CRC32; no Java serialization, and loading runs no code), holding a
 * {@link org.sparktrain.engine.io.ModelContents}; a bad file fails with
 * {@link org.sparktrain.engine.io.ModelFormatException}; {@code AtomicFile} replaces a local file only once its
 * successor is complete. IDX files (MNIST, Fashion-MNIST), plain or gzip:
 * {@link org.sparktrain.engine.io.IdxReader}, {@code IdxImages}, {@code IdxDataset} and
 * {@link org.sparktrain.engine.io.IdxFormatException}; {@link org.sparktrain.engine.io.IdxHeader} is the one
 * parser of an IDX header, shared with the partitioning module's distributed reader. And {@link org.sparktrain.engine.io.FittedScaler}, a
 * z-score or min-max scaler as fitted values, stored in the model file so that scoring scales as training did.
 *
 * <p>Imports: the JDK only (streams and local paths); nothing from the rest of sparktrain. Must not import: Spark,
 * Hadoop, {@code org.sparktrain.partitioning} or {@code org.sparktrain.driver}. Writing through Hadoop's
 * FileSystem (atomic rename, {@code hdfs:}, {@code s3a:}) is done by the driver around these streams; fitting a
 * scaler on a cluster is done by the partitioning module.
 *
 * <p>Design: docs/architecture.md, decision 6 (safe model files), decision 7 (storage through Hadoop FileSystem),
 * Conventions (scaling) and Failing cleanly.
 */
package org.sparktrain.engine.io;
