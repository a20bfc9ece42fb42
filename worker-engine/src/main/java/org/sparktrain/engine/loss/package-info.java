/**
 * Losses on the network's raw output. {@link org.sparktrain.engine.loss.Loss} returns the mean loss over the
 * minibatch and writes the output gradient already divided by the batch size, so backward needs no other scaling.
 * Implementations: {@link org.sparktrain.engine.loss.SoftmaxCrossEntropy} (softmax fused with cross-entropy on
 * logits, by log-sum-exp), {@link org.sparktrain.engine.loss.SigmoidBinaryCrossEntropy} (sigmoid fused with binary
 * cross-entropy, one output or multi-label), and for regression {@link org.sparktrain.engine.loss.MeanSquaredError},
 * {@link org.sparktrain.engine.loss.MeanAbsoluteError} and {@link org.sparktrain.engine.loss.HuberLoss};
 * {@code Targets} reads a float target or a class label from a minibatch. A loss that fuses an activation says
 * which, so that {@code Network} leaves the spec's last activation out and applies it only when predicting.
 *
 * <p>Imports: the JDK, {@link org.sparktrain.engine.data.MiniBatch} and
 * {@link org.sparktrain.engine.layer.Activation}. Must not import: Spark, Hadoop,
 * {@code org.sparktrain.partitioning} or {@code org.sparktrain.driver}.
 *
 * <p>Design: docs/architecture.md, Conventions (softmax/cross-entropy; the data loss is the mean over the
 * minibatch).
 */
package org.sparktrain.engine.loss;
