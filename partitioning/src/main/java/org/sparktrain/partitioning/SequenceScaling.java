package org.sparktrain.partitioning;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.io.FittedScaler;

/**
 * Scaling of sequence rows (docs/data-preparation.md, "Sequences"): statistics per FEATURE over the real steps of
 * the training sequences only (a sequence of length L adds its L steps; padded steps are never counted), the same
 * conventions as rows of fixed shape (z-score with the sample standard deviation, min-max to [0, 1], a constant
 * feature maps to 0). The fitted scaler is the F statistics repeated for each of the T steps, a scaler over the
 * model's T·F inputs: the form the model file stores ({@code SCAL}, docs/model-file.md), so {@code score} scales a
 * sequence as training did. Padding is left at −shift·scale by that scaler and set back to 0 when a minibatch is
 * cut ({@link Block#toMiniBatch(int, int)}): the engine never sees a padded value other than 0.
 */
final class SequenceScaling {
    private SequenceScaling() {
    }

    /** The per-feature moments of the real steps of {@code rows} (sequence rows laid out by {@code seq}). */
    static Moments moments(JavaRDD<Example> rows, boolean zscore, SequenceOptions seq) {
        int t = seq.steps();
        int f = seq.features();
        // collected and merged in partition order, as Moments.of: the same bits from run to run
        List<Moments> parts = rows.mapPartitions(it -> {
            Moments m = Moments.empty(zscore, f);
            float[] step = new float[f];
            while (it.hasNext()) {
                float[] x = it.next().features;
                int length = (int) x[t * f];
                for (int s = 0; s < length; s++) {
                    System.arraycopy(x, s * f, step, 0, f);
                    m.add(step);
                }
            }
            return List.of(m).iterator();
        }).collect();
        Moments total = Moments.empty(zscore, f);
        for (Moments m : parts) {
            total = Moments.merge(total, m);
        }
        return total;
    }

    /** The scaler of {@code kind} fitted on the real steps of {@code rows}, repeated over the T steps (T·F columns). */
    static FittedScaler fit(JavaRDD<Example> rows, FittedScaler.Kind kind, SequenceOptions seq) {
        return tiled(moments(rows, kind == FittedScaler.Kind.ZSCORE, seq).toScaler(), seq.steps());
    }

    /** A per-feature scaler of F columns repeated for each of {@code steps} steps: T·F columns. */
    static FittedScaler tiled(FittedScaler perFeature, int steps) {
        int f = perFeature.featureCount();
        float[] shift = new float[steps * f];
        float[] scale = new float[steps * f];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(perFeature.shift(), 0, shift, s * f, f);
            System.arraycopy(perFeature.scale(), 0, scale, s * f, f);
        }
        return FittedScaler.of(perFeature.kind(), shift, scale);
    }
}
