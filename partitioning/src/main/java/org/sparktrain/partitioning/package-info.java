/**
 * Turns input data into what the training master needs, on the executors: read (IDX, CSV, Parquet,
 * a DataFrame) and validate, split (stratified holdout, stratified k-fold, bootstrap), fit a scaler on each
 * training part in one distributed pass, resample the training part, and pack rows into minibatch
 * {@link org.sparktrain.partitioning.Block}s, one partition per worker.
 *
 * <p>Reading: {@link org.sparktrain.partitioning.Readers} for each reader, or
 * {@link org.sparktrain.partitioning.DataFormats}, the list of formats a path may hold (each reader defines its
 * own {@code DataFormat}) and the one place the command line asks which one a path is. Row ids of inputs
 * made of files read in any order (CSV, Parquet) are {@code RowIds}' (file index, position).
 *
 * <p>Entry point: {@link org.sparktrain.partitioning.DataPipeline}; its result,
 * {@link org.sparktrain.partitioning.PreparedData}, hands out one
 * {@link org.sparktrain.partitioning.PreparedFold} per (train, validation) pair. Every class shipped in an
 * RDD, a broadcast or a task result is listed in {@link org.sparktrain.partitioning.PartitioningKryo}.
 *
 * <p>How the passes stay few and cheap: a reader's one pass reads, validates and caches the valid rows in
 * {@link org.sparktrain.partitioning.RowChunk}s (a few large arrays per partition; raw bytes for IDX), with
 * per-partition class counts and a per-feature summary. Passes that need no row objects (fitting and
 * counting a training part in one scan, packing where the rows lie, balancing by moving only the surplus)
 * read the chunk arrays directly. Rows are packed where they lie when every partition holds the classes in
 * about the proportions of the whole; input grouped by class is dealt out to the workers instead.
 *
 * <p>Order of operations (docs/architecture.md, Conventions): scaling and resampling happen after the split, inside
 * each fold, on its training part only; validation rows are never resampled and never seen by a scaler's fit. Every
 * random choice derives from the seed and a row id, partition or epoch through
 * {@link org.sparktrain.engine.SplitMix}, never from wall-clock time or thread identity.
 */
package org.sparktrain.partitioning;
