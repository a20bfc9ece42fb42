package org.sparktrain.driver.round;

import java.io.Serializable;

/**
 * The linear scaling rule with gradual warm-up (Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in
 * 1 Hour", 2017), opt-in for users who grow the global minibatch with the cluster: the spec's learning rate is the
 * one tuned for {@code referenceBatch} rows per step; with a global minibatch of B rows the rate becomes
 * {@code lr · B / referenceBatch}, reached in equal steps over the first {@code warmupEpochs} epochs (epoch 1
 * trains at the spec's rate). Applied per epoch, on the driver, before the epoch's rounds: both transports carry
 * the rate to every worker with the round's start.
 */
public record LearningRateScaling(int referenceBatch, int warmupEpochs) implements Serializable {

    public LearningRateScaling {
        if (referenceBatch < 1) {
            throw new IllegalArgumentException("--lr-scaling-reference must be >= 1, got " + referenceBatch);
        }
        if (warmupEpochs < 0) {
            throw new IllegalArgumentException("--lr-warmup-epochs must be >= 0, got " + warmupEpochs);
        }
    }

    /** The learning rate of epoch {@code epoch} (from 1) for a spec rate {@code specRate} and a global minibatch. */
    public float rate(float specRate, int globalBatch, int epoch) {
        double target = (double) specRate * globalBatch / referenceBatch;
        if (epoch > warmupEpochs) {
            return (float) target;
        }
        return (float) (specRate + (target - specRate) * (epoch - 1) / warmupEpochs);
    }
}
