package org.sparktrain.engine.loss;

import org.sparktrain.engine.data.MiniBatch;

/**
 * A loss on the network's raw output. {@link #forwardBackward} returns the MEAN loss over the examples
 * of the minibatch and writes {@code dL/d(output)} (already divided by the batch size) so that the
 * backward pass needs no other scaling (docs/architecture.md, Conventions: the data loss is the mean over the
 * minibatch). Every loss takes the minibatch's row weights ({@link MiniBatch#weights}) when it has them:
 * {@code Σ w_i L_i / B}, gradient {@code w_i dL_i / B} (docs/architecture.md, Conventions, "Row weights").
 */
public interface Loss {

    /** The spec's name, e.g. {@code softmax_cross_entropy}. */
    String name();

    /**
     * Mean loss over {@code batch.size} examples of {@code outSize} raw outputs each; when {@code dOut}
     * is not null, writes the gradient into it.
     */
    double forwardBackward(float[] out, int outSize, MiniBatch batch, float[] dOut);

    /** Turns raw outputs into what a user reads (class probabilities, or the values themselves). */
    void toPredictions(float[] out, int outSize, int rows, float[] predictions);

    /** True when targets are class labels (accuracy, confusion matrix make sense). */
    boolean classification();

    /**
     * Weights the loss of each example by its class's weight: the loss becomes {@code Σ w_y L / B} over a
     * minibatch of B rows, the expectation up-sampling class c by a factor {@code w_c} gives, without extra rows
     * (docs/architecture.md, Conventions). Null: unweighted. Only single-label classification losses take them.
     */
    default void setClassWeights(float[] weights) {
        if (weights != null) {
            throw new IllegalArgumentException("class weights apply to softmax_cross_entropy, not to " + name());
        }
    }

    /** The activation this loss fuses, which the spec writes as the last layer and the network omits. */
    default String fusedActivation() {
        return null;
    }

    static Loss parse(String name) {
        return parse(name, HUBER_DELTA);
    }

    /** Huber's default threshold δ (PyTorch's). */
    double HUBER_DELTA = 1.0;

    /** The losses for regression ({@code outputs:} in a spec), by their spec names. */
    java.util.List<String> REGRESSION = java.util.List.of("mse", "mae", "huber");

    /** The loss named {@code name}; {@code delta} is Huber's threshold (ignored by the others). */
    static Loss parse(String name, double delta) {
        return switch (name) {
            case "softmax_cross_entropy", "cross_entropy" -> new SoftmaxCrossEntropy();
            case "mse" -> new MeanSquaredError();
            case "mae", "l1" -> new MeanAbsoluteError();
            case "huber" -> new HuberLoss(delta);
            case "sigmoid_binary_cross_entropy", "binary_cross_entropy" -> new SigmoidBinaryCrossEntropy();
            default -> throw new IllegalArgumentException("unknown loss '" + name
                    + "' (allowed: softmax_cross_entropy, sigmoid_binary_cross_entropy, mse, mae, huber)");
        };
    }
}
