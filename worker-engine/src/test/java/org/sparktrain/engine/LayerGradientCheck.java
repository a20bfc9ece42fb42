package org.sparktrain.engine;

import java.util.SplittableRandom;
import org.sparktrain.engine.layer.Layer;
import org.sparktrain.engine.layer.LayerConfig;

/**
 * Gradient check of one layer in isolation: objective {@code L = Σ r·forward(x)} with a fixed random
 * {@code r}, so {@code dL/dy = r}; checks the parameter gradients and the input gradient.
 */
public final class LayerGradientCheck {
    private LayerGradientCheck() {
    }

    /**
     * Builds the layer for {@code in}, initialises its parameters from {@code seed}, and checks
     * parameters and input gradients at up to {@code maxChecks} positions each. {@code x} must hold
     * {@code batch × in.size()} floats. Returns the layer for further assertions.
     */
    public static Layer check(LayerConfig config, Shape in, float[] x, int batch, long seed, int maxChecks) {
        Layer layer = config.create(in, "layer under test (" + config.type() + ")");
        int np = layer.paramCount();
        float[] params = new float[np];
        float[] grads = new float[np];
        float[] state = new float[layer.stateCount()];
        layer.bind(params, grads, 0, state, 0);
        layer.initParams(new SplittableRandom(seed));
        layer.initState();
        layer.setRandomSeed(seed);
        int outN = batch * layer.outShape().size();
        float[] r = GradientCheck.uniform(outN, -1f, 1f, seed + 1);

        layer.forward(x, batch, true);
        float[] dx = layer.backward(r, batch);
        float[] dxCopy = dx == null ? null : dx.clone();
        float[] gCopy = grads.clone();
        float[] stateBefore = state.clone();

        // Each evaluation restores the state (BatchNorm's running statistics move on every training
        // forward) and re-seeds randomness (Dropout: the same mask every time).
        java.util.function.DoubleSupplier objective = () -> {
            System.arraycopy(stateBefore, 0, state, 0, state.length);
            layer.setRandomSeed(seed);
            float[] y = layer.forward(x, batch, true);
            return GradientCheck.dot(r, y, outN);
        };
        if (np > 0) {
            GradientCheck.check(layer.name() + " parameters", params, 0, np, gCopy, 0, objective, maxChecks);
        }
        if (dxCopy != null) {
            GradientCheck.check(layer.name() + " input", x, 0, batch * in.size(), dxCopy, 0, objective, maxChecks);
        }
        return layer;
    }
}
