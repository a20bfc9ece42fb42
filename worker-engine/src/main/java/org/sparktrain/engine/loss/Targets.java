package org.sparktrain.engine.loss;

import org.sparktrain.engine.data.MiniBatch;

/** Reads a float target from a minibatch: its targets, or its class label when it has one output. */
final class Targets {
    private Targets() {
    }

    static double value(MiniBatch b, int i, int k) {
        if (b.targets != null) {
            return b.targets[i];
        }
        if (k == 1 && b.labels != null) {
            return b.labels[i];
        }
        throw new IllegalArgumentException("this loss needs float targets (or, with one output, 0/1 labels)"
                + " but the minibatch has " + (b.labels != null ? "labels for " + k + " outputs" : "neither"));
    }
}
