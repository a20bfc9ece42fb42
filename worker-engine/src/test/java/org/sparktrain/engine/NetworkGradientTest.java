package org.sparktrain.engine;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.optim.Regularization;
import org.sparktrain.engine.spec.ModelSpec;

/**
 * Whole-network gradient checks: loss → every layer → parameters, with L1/L2 on, i.e. exactly what
 * the trainer differentiates.
 */
class NetworkGradientTest {

    static void checkNetwork(String yaml, float[] x, int batch, int[] labels, float[] targets, double l1, double l2) {
        ModelSpec spec = ModelSpec.parse(yaml, "test.yaml");
        Network net = Network.build(spec, 7);
        MiniBatch b = new MiniBatch(x, labels, targets, batch);
        Regularization reg = new Regularization(l1, l2, net.penalizedRanges());
        if (l1 > 0) {
            // |w| has a kink at 0: keep every weight at least 2h from it so the central difference is valid
            float[] w = net.params();
            for (int i = 0; i < w.length; i++) {
                if (Math.abs(w[i]) < 2 * GradientCheck.H) {
                    w[i] = w[i] < 0 ? -2 * GradientCheck.H : 2 * GradientCheck.H;
                }
            }
        }
        long seed = 99;
        net.setStepSeed(seed);
        net.computeGradient(b);
        reg.addPenaltyGradient(net.params(), net.grads());
        float[] g = net.grads().clone();
        GradientCheck.check("network " + spec.name(), net.params(), 0, net.params().length, g, 0, () -> {
            net.setStepSeed(seed);
            float[] out = net.forward(b.features, batch, true);
            return net.lossFunction().forwardBackward(out, net.outputShape().size(), b, null)
                    + reg.penalty(net.params());
        }, 400);
    }

    @Test
    void mlpWithSoftmaxCrossEntropyAndL1L2() {
        String yaml = """
                input: [6]
                layers:
                  - {type: dense, units: 5, activation: tanh}
                  - {type: dense, units: 4, activation: sigmoid}
                  - {type: dense, units: 3, activation: softmax}
                loss: softmax_cross_entropy
                """;
        checkNetwork(yaml, GradientCheck.uniform(4 * 6, -1f, 1f, 3), 4, new int[] {0, 2, 1, 2}, null, 1e-3, 1e-2);
    }

    @Test
    void mlpWithDropoutAndMse() {
        String yaml = """
                input: [5]
                layers:
                  - {type: dense, units: 8, activation: tanh}
                  - {type: dropout, rate: 0.3}
                  - {type: dense, units: 2}
                loss: mse
                """;
        checkNetwork(yaml, GradientCheck.uniform(3 * 5, -1f, 1f, 4), 3, null,
                GradientCheck.uniform(6, -1f, 1f, 5), 0, 1e-2);
    }

    @Test
    void sigmoidBinaryCrossEntropy() {
        String yaml = """
                input: [4]
                layers:
                  - {type: dense, units: 3, activation: leaky_relu}
                  - {type: dense, units: 1, activation: sigmoid}
                loss: sigmoid_binary_cross_entropy
                """;
        // leaky_relu has a kink at 0: inputs away from it are not guaranteed, so keep the check coarse
        checkNetwork(yaml, GradientCheck.uniform(4 * 4, -1f, 1f, 6), 4, new int[] {0, 1, 1, 0}, null, 0, 0);
    }
}
