/**
 * The model spec: {@link org.sparktrain.engine.spec.ModelSpec} reads a YAML (or JSON) spec into the network's
 * input shape and layer configurations, its loss, and how to train it (optimizer section, regularization,
 * clipping, {@link org.sparktrain.engine.spec.TrainingConfig}: minibatch size, epochs, seed, sampling, early
 * stopping), keeping the text verbatim for the model file. {@link org.sparktrain.engine.spec.LayerParser} reads
 * the {@code layers:} list through {@code LayerTypes}, the registry of layer types (name, aliases, keys, reader);
 * {@link org.sparktrain.engine.spec.SpecMap} does typed, checked reads of every spec map, the optimizer,
 * regularization and clipping sections included; a spec that cannot be used fails with
 * {@link org.sparktrain.engine.spec.SpecException}, naming the file, layer and key.
 *
 * <p>Imports: the JDK, snakeyaml-engine (YAML 1.2, builds no Java objects from the text),
 * {@link org.sparktrain.engine.Shape}, the layer configurations of {@code org.sparktrain.engine.layer} and
 * {@link org.sparktrain.engine.loss.Loss}. Must not import: Spark, Hadoop, {@code org.sparktrain.partitioning} or
 * {@code org.sparktrain.driver}.
 *
 * <p>Design: docs/architecture.md, The data flow (spec → network), decision 6 (safe model files: the spec is the
 * file's text) and Failing cleanly (a spec with impossible shapes).
 */
package org.sparktrain.engine.spec;
