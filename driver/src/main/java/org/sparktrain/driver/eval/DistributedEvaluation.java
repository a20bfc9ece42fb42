package org.sparktrain.driver.eval;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.metrics.MultiLabelMetrics;
import org.sparktrain.engine.metrics.RealSteps;
import org.sparktrain.engine.metrics.RegressionMetrics;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.partitioning.Block;

/**
 * Metrics of a network on blocks that stay on the executors (validation parts, test sets): the
 * parameters are broadcast, each partition predicts its blocks with a pooled network and returns its
 * partial metrics, and the driver merges them.
 */
public final class DistributedEvaluation {
    private static final Map<String, ConcurrentLinkedQueue<Network>> POOL = new ConcurrentHashMap<>();

    private DistributedEvaluation() {
    }

    /** A partition's empty metrics (serializable: it travels in the task closure). */
    interface Fresh<M> extends java.io.Serializable {
        M make();
    }

    /** Adds a partition's blocks to {@code m}, predicting with {@code n} (which holds the broadcast weights). */
    interface Scorer<M> extends java.io.Serializable {
        void score(Network n, Iterator<Block> blocks, M m);
    }

    /**
     * Every partition's metrics, one element per partition in partition order: an empty partition's are fresh; the
     * others are scored with a network from this executor's pool for the spec, loaded with the broadcast weights.
     */
    private static <M> JavaRDD<M> perPartition(JavaRDD<Block> blocks, Broadcast<float[]> weights, String spec,
                                               Fresh<M> fresh, Scorer<M> scorer) {
        return blocks.mapPartitions((Iterator<Block> it) -> {
            M m = fresh.make();
            if (!it.hasNext()) {
                return Collections.singletonList(m).iterator();
            }
            ConcurrentLinkedQueue<Network> q = POOL.computeIfAbsent(spec, s -> new ConcurrentLinkedQueue<>());
            Network n = q.poll();
            if (n == null) {
                n = Network.build(ModelSpec.parse(spec, "evaluation"), 0);
            }
            try {
                RoundVector.unpackParamsAndState(weights.value(), n);
                scorer.score(n, it, m);
            } finally {
                q.offer(n);
            }
            return Collections.singletonList(m).iterator();
        });
    }

    /**
     * Every partition's metrics ({@link #perPartition}) merged on the driver in partition order into a fresh one, the
     * broadcast parameters released after.
     */
    private static <M> M merged(JavaSparkContext sc, Network net, JavaRDD<Block> blocks, Fresh<M> fresh,
                                Scorer<M> scorer, java.util.function.BiConsumer<M, M> merge) {
        Broadcast<float[]> weights = sc.broadcast(RoundVector.packParamsAndState(net));
        try {
            M all = fresh.make();
            for (M p : perPartition(blocks, weights, net.spec().text(), fresh, scorer).collect()) {
                merge.accept(all, p);
            }
            return all;
        } finally {
            weights.destroy();
        }
    }

    /**
     * Predicts a block whose rows end with {@code targets} values: a block of the model's plain input as it is, a
     * block of sequences ({@code [x (T·F), length, ...]}) with its padding zeroed and its mask (docs/data-preparation.md,
     * "Sequences").
     */
    public static void predict(Network n, Block b, int targets, float[] out) {
        int steps = Block.sequenceSteps(b.featureSize, targets, n.inputShape());
        if (steps == 0 && targets == 0) {
            n.predict(b.features, b.size, out);
            return;
        }
        MiniBatch mb = b.toMiniBatch(targets, steps);
        n.predict(mb.features, mb.mask, b.size, out);
    }

    public static ClassificationMetrics evaluate(JavaSparkContext sc, Network net, JavaRDD<Block> blocks) {
        if (net.perStep()) {
            return evaluateSteps(sc, net, blocks);
        }
        Broadcast<float[]> weights = sc.broadcast(RoundVector.packParamsAndState(net));
        String spec = net.spec().text();
        int classes = net.outputShape().size();
        try {
            return perPartition(blocks, weights, spec, () -> new ClassificationMetrics(classes), (n, it, m) -> {
                float[] probs = new float[0];
                while (it.hasNext()) {
                    Block b = it.next();
                    if (probs.length < b.size * classes) {
                        probs = new float[b.size * classes];
                    }
                    predict(n, b, 0, probs);
                    m.addBatch(probs, classes, b.labels, b.size);
                }
            }).reduce((a, b) -> {
                a.merge(b);
                return a;
            });
        } finally {
            weights.destroy();
        }
    }

    /**
     * The per-step metrics of a many-to-many classifier (output [T, K]) on sequence blocks whose steps carry their
     * labels ({@link Block#toMiniBatch(int, int, int, boolean)}): every REAL step is one example (accuracy, confusion
     * matrix, log-loss over the real steps), padded steps never count; the metrics note the sequences
     * (docs/architecture.md, "Variable-length sequences"). Merged on the driver in partition order.
     */
    static ClassificationMetrics evaluateSteps(JavaSparkContext sc, Network net, JavaRDD<Block> blocks) {
        int steps = net.outputShape().dim(0);
        int classes = net.outputShape().dim(1);
        return merged(sc, net, blocks, () -> new ClassificationMetrics(classes), (n, it, m) -> {
            float[] probs = new float[0];
            while (it.hasNext()) {
                Block b = it.next();
                if (b.size == 0) {
                    continue;
                }
                MiniBatch mb = b.toMiniBatch(0, steps, 1, true);
                if (probs.length < b.size * steps * classes) {
                    probs = new float[b.size * steps * classes];
                }
                n.predict(mb.features, mb.mask, b.size, probs);
                int real = RealSteps.compact(probs, classes, mb.mask, b.size * steps);
                RealSteps.compact(mb.labels, mb.mask, b.size * steps);
                m.addBatch(probs, classes, mb.labels, real);
                m.addSequences(b.size);
            }
        }, ClassificationMetrics::merge);
    }

    /**
     * The per-step metrics of a many-to-many regressor (output [T, K]) on sequence blocks whose steps carry their K
     * targets: RMSE, MAE and R² over the real steps only (each an example of K outputs), the loss the spec's over
     * the real steps (docs/architecture.md, "Variable-length sequences"). Targets are as read (a per-step model has
     * no target scaler). Merged on the driver in partition order.
     */
    public static RegressionMetrics evaluateStepRegression(JavaSparkContext sc, Network net, JavaRDD<Block> blocks) {
        int steps = net.outputShape().dim(0);
        int outputs = net.outputShape().dim(1);
        return merged(sc, net, blocks, () -> new RegressionMetrics(outputs), (n, it, m) -> {
            float[] out = new float[0];
            while (it.hasNext()) {
                Block b = it.next();
                if (b.size == 0) {
                    continue;
                }
                MiniBatch mb = b.toMiniBatch(0, steps, outputs, false);
                if (out.length < b.size * steps * outputs) {
                    out = new float[b.size * steps * outputs];
                }
                int real = RealSteps.count(mb.mask, b.size * steps);
                m.addLoss(n.loss(mb), real); // the mean over the real steps
                n.predict(mb.features, mb.mask, b.size, out);
                RealSteps.compact(out, outputs, mb.mask, b.size * steps);
                RealSteps.compact(mb.targets, outputs, mb.mask, b.size * steps);
                m.addBatch(out, mb.targets, real);
                m.addSequences(b.size);
            }
        }, RegressionMetrics::merge);
    }

    /**
     * Regression metrics of a network on blocks whose rows end with {@code targets} (scaled) target values: the
     * loss in the units the network trains in (scaled targets), RMSE, MAE and R² with predictions and targets
     * mapped back through {@code targetScaler} (null: not scaled), i.e. in the data's own units
     * (docs/architecture.md, "Regression"). Merged on the driver in partition order.
     */
    public static RegressionMetrics evaluateRegression(JavaSparkContext sc, Network net, JavaRDD<Block> blocks,
            int targets, FittedScaler targetScaler) {
        int outputs = net.outputShape().size();
        if (outputs != targets) {
            throw new IllegalArgumentException("the network has " + outputs + " outputs for " + targets + " targets");
        }
        return merged(sc, net, blocks, () -> new RegressionMetrics(outputs), (n, it, m) -> {
            float[] out = new float[0];
            while (it.hasNext()) {
                Block b = it.next();
                if (b.size == 0) {
                    continue;
                }
                MiniBatch mb = b.toMiniBatch(targets, Block.sequenceSteps(b.featureSize, targets, n.inputShape()));
                if (out.length < b.size * outputs) {
                    out = new float[b.size * outputs];
                }
                n.predict(mb.features, mb.mask, b.size, out);
                m.addLoss(n.lossFunction().forwardBackward(out, outputs, mb, null), b.size);
                if (targetScaler != null) {
                    targetScaler.invert(out, 0, b.size);
                    targetScaler.invert(mb.targets, 0, b.size);
                }
                m.addBatch(out, mb.targets, b.size);
            }
        }, RegressionMetrics::merge);
    }

    /**
     * Multi-label metrics of a network on blocks whose rows end with {@code labels} 0/1 label values: the loss (binary
     * cross-entropy per label), and each label decided yes when its probability is at least {@code threshold}
     * (docs/architecture.md, "Multi-label"). Merged on the driver in partition order.
     */
    public static MultiLabelMetrics evaluateMultiLabel(JavaSparkContext sc, Network net, JavaRDD<Block> blocks,
            int labels, double threshold) {
        int outputs = net.outputShape().size();
        if (outputs != labels) {
            throw new IllegalArgumentException("the network has " + outputs + " outputs for " + labels + " labels");
        }
        return merged(sc, net, blocks, () -> new MultiLabelMetrics(labels), (n, it, m) -> {
            float[] probs = new float[0];
            while (it.hasNext()) {
                Block b = it.next();
                if (b.size == 0) {
                    continue;
                }
                MiniBatch mb = b.toMiniBatch(labels, Block.sequenceSteps(b.featureSize, labels, n.inputShape()));
                if (probs.length < b.size * labels) {
                    probs = new float[b.size * labels];
                }
                // the loss from the logits (a second forward pass: predict gives probabilities)
                m.addLoss(n.loss(mb), b.size);
                n.predict(mb.features, mb.mask, b.size, probs);
                m.addBatch(probs, mb.targets, b.size, threshold);
            }
        }, MultiLabelMetrics::merge);
    }
}
