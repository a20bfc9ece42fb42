package org.sparktrain.engine.train;

import java.util.SplittableRandom;
import org.sparktrain.engine.spec.TrainingConfig;

/**
 * The order in which an epoch visits the examples: minibatch s takes {@code order[s·m, s·m + m)}.
 * {@code shuffle} is a permutation (each example once); {@code bootstrap} is n draws with replacement
 * (some examples repeat, about 1/e are missed), i.e. ceil(n/m) minibatches of m draws.
 */
final class EpochOrder {
    private EpochOrder() {
    }

    /** Fills {@code order} (n = its length) from {@code rnd}, the epoch's stream (docs/architecture.md, decision 5). */
    static void draw(TrainingConfig.Sampling sampling, SplittableRandom rnd, int[] order) {
        int n = order.length;
        if (sampling == TrainingConfig.Sampling.BOOTSTRAP) {
            for (int i = 0; i < n; i++) {
                order[i] = rnd.nextInt(n);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Fisher-Yates, from the end
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
