/**
 * The network's layers. {@link org.sparktrain.engine.layer.Layer} computes forward and backward over a whole
 * minibatch, row-major, on views of the network's flat parameter, gradient and state vectors, with buffers reused
 * so that the minibatch loop allocates nothing; {@link org.sparktrain.engine.layer.LayerConfig} is its immutable
 * configuration as read from a spec. Layers: {@code Dense}, {@code Conv2D}, {@code MaxPool2D} and
 * {@code AvgPool2D} (sharing {@link org.sparktrain.engine.layer.ConvGeometry}), {@code BatchNorm},
 * {@code Dropout}, {@code Flatten}, {@code Activation}, {@code Residual}, and the recurrent layers
 * {@code SimpleRnn}, {@code Lstm} and {@code Gru} on the common base {@link org.sparktrain.engine.layer.Recurrent},
 * with {@code TimeDistributedDense} for per-step outputs. Also weight initialisation ({@code Init}), the
 * deterministic sigmoid/tanh kernels of the recurrent layers ({@code RecurrentKernels}), {@code ShapeException}
 * for sizes that do not work out, and a convolution benchmark ({@code ConvBench}).
 *
 * <p>Imports: the JDK, {@code org.sparktrain.engine} ({@code Shape}, {@code SplitMix}, {@code ParamRanges}),
 * {@code org.sparktrain.engine.kernel}, and {@code jdk.incubator.vector} in {@code VectorRecurrentKernels} only
 * (loaded by reflection). Must not import: Spark, Hadoop, {@code org.sparktrain.partitioning},
 * {@code org.sparktrain.driver}, or {@code engine.spec} (the spec parser builds these configurations, not the
 * reverse).
 *
 * <p>Design: docs/architecture.md, decision 1 (one flat parameter vector), decision 2 (float32, own GEMM kernel),
 * decision 5 (determinism) and Conventions (output sizes, dropout, BatchNorm, RNN/LSTM/GRU equations).
 */
package org.sparktrain.engine.layer;
