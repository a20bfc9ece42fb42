/**
 * The engine's hot loops, in float32. The matrix product behind the dense, convolutional and recurrent layers is
 * {@link org.sparktrain.engine.kernel.Gemm} ({@link org.sparktrain.engine.kernel.Gemms#fastest()}):
 * {@link org.sparktrain.engine.kernel.VectorGemm} (register-blocked FMA micro-kernels on the Vector API) or
 * {@link org.sparktrain.engine.kernel.EjmlGemm}; {@link org.sparktrain.engine.kernel.NaiveGemm} is the reference in
 * tests. Also the im2col / col2im transforms of a convolution ({@link org.sparktrain.engine.kernel.Columns}) and the
 * element-wise, batch-norm, pooling and optimizer-update kernels ({@link org.sparktrain.engine.kernel.Elementwise},
 * {@code NormKernels}, {@code PoolKernels}, {@code UpdateKernels}), each with a plain-Java {@code Scalar*} version
 * (fallback and test reference) and a {@code Vector*} version. {@link org.sparktrain.engine.kernel.Kernels} makes
 * every such choice, the recurrent layers' included, once per JVM by one rule and one system property
 * ({@code sparktrain.kernels=vector|scalar}; default: the Vector API when the module {@code jdk.incubator.vector}
 * is present). Every Vector API kernel has a plain-Java <em>twin</em> ({@code TwinGemm}, {@code TwinElementwise}, ...)
 * that computes the same bits, and comes behind a {@link org.sparktrain.engine.kernel.ColdPhase} switch that can
 * send calls to the twin until the vector code is C2-compiled ({@code sparktrain.kernels.cold=twin|vector};
 * docs/architecture.md, "Cold JVMs"). {@link org.sparktrain.engine.kernel.GemmBench} times the GEMMs.
 *
 * <p>Imports: the JDK, EJML and {@code jdk.incubator.vector}; nothing from the rest of sparktrain. The training
 * path loads the {@code Vector*} classes by reflection, so a JVM started without the module never links them
 * ({@code GemmBench} refers to {@code VectorGemm} directly and needs the module). Must not import: Spark, Hadoop,
 * {@code org.sparktrain.partitioning}, {@code org.sparktrain.driver}, or other engine packages (layers and
 * optimizers call kernels, not the reverse).
 *
 * <p>Design: docs/architecture.md, decision 2 (float32, EJML, own SIMD GEMM kernel) and Measured facts (GEMM).
 */
package org.sparktrain.engine.kernel;
