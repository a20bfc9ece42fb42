/**
 * Optimizers and what happens to the gradient before a step. {@link org.sparktrain.engine.optim.Optimizer}
 * updates the flat parameter vector from the flat gradient and keeps its state (moments, accumulators) as ONE flat
 * array, so the driver can average, broadcast and checkpoint it; implementations {@code Sgd} (momentum, Nesterov),
 * {@code Adam} (and AdamW), {@code RmsProp} and {@code Adagrad} on {@code BaseOptimizer}, in PyTorch's forms, built
 * from a spec's {@code optimizer} section by {@link org.sparktrain.engine.optim.Optimizers} (keys read by
 * {@link org.sparktrain.engine.spec.SpecMap}, the spec's one map reader). {@link org.sparktrain.engine.optim.Regularization} adds the L1/L2 penalty and its gradient
 * on the penalised parameter ranges; {@link org.sparktrain.engine.optim.GradientClipping} clips by global norm or
 * by value before the step.
 *
 * <p>Imports: the JDK, {@link org.sparktrain.engine.ParamRanges},
 * {@link org.sparktrain.engine.kernel.UpdateKernels} and {@link org.sparktrain.engine.spec.SpecMap} (nothing else
 * from {@code engine.spec}: it receives the spec's parsed sections as plain maps). Must not import: Spark, Hadoop,
 * {@code org.sparktrain.partitioning} or {@code org.sparktrain.driver}.
 *
 * <p>Design: docs/architecture.md, decision 1 (one flat parameter vector), decision 4 (optimizer state averaged
 * with the parameters) and Conventions (L1/L2, Adagrad, clipping).
 */
package org.sparktrain.engine.optim;
