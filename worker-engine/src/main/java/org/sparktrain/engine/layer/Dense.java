package org.sparktrain.engine.layer;

import java.util.SplittableRandom;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.Gemm;
import org.sparktrain.engine.kernel.Gemms;

/**
 * Fully connected layer: {@code Y = X·W + b}, X is {@code batch × in}, W is {@code in × out}
 * (stored row-major, so the forward product needs no transpose), b is {@code out}.
 * Backward: {@code dW = Xᵀ·dY}, {@code db = Σ_rows dY}, {@code dX = dY·Wᵀ}.
 * Parameters in the flat vector: W first, then b. Input of any rank is read flat.
 */
public final class Dense extends Layer {

    /** Immutable configuration. */
    public record Config(int units, boolean bias, Init init) implements LayerConfig {
        public Config {
            if (units <= 0) {
                throw new IllegalArgumentException("dense: units must be > 0, got " + units);
            }
        }

        @Override
        public String type() {
            return "dense";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            return Shape.of(units);
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new Dense(layerName, in, this);
        }
    }

    private final int in;
    private final int out;
    private final Config config;
    private final Gemm gemm = Gemms.fastest();
    private float[] x;
    private float[] y;
    private float[] dx;

    Dense(String name, Shape inShape, Config config) {
        super(name, inShape, Shape.of(config.units()));
        this.in = inShape.size();
        this.out = config.units();
        this.config = config;
    }

    @Override
    public int paramCount() {
        return in * out + (config.bias() ? out : 0);
    }

    @Override
    public void initParams(SplittableRandom rnd) {
        config.init().fill(params, pOff, in * out, in, out, rnd);
        if (config.bias()) {
            java.util.Arrays.fill(params, pOff + in * out, pOff + in * out + out, 0f);
        }
    }

    @Override
    public void addPenalizedRanges(ParamRanges.Builder b) {
        b.add(pOff, in * out);
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        this.x = x;
        y = ensure(y, batch * out);
        if (config.bias()) {
            int bOff = pOff + in * out;
            for (int r = 0; r < batch; r++) {
                System.arraycopy(params, bOff, y, r * out, out);
            }
            gemm.gemm(false, false, batch, out, in, x, 0, params, pOff, y, 0, true);
        } else {
            gemm.gemm(false, false, batch, out, in, x, 0, params, pOff, y, 0, false);
        }
        return y;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        // dW (in × out) = Xᵀ (in × batch) · dY (batch × out)
        gemm.gemm(true, false, in, out, batch, x, 0, dOut, 0, grads, pOff, false);
        if (config.bias()) {
            int bOff = pOff + in * out;
            java.util.Arrays.fill(grads, bOff, bOff + out, 0f);
            for (int r = 0; r < batch; r++) {
                int ro = r * out;
                for (int j = 0; j < out; j++) {
                    grads[bOff + j] += dOut[ro + j];
                }
            }
        }
        if (!needInputGrad) {
            return null;
        }
        // dX (batch × in) = dY (batch × out) · Wᵀ (out × in)
        dx = ensure(dx, batch * in);
        gemm.gemm(false, true, batch, in, out, dOut, 0, params, pOff, dx, 0, false);
        return dx;
    }
}
