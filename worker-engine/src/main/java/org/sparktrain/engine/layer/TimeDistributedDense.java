package org.sparktrain.engine.layer;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.Gemm;
import org.sparktrain.engine.kernel.Gemms;

/**
 * The same dense map applied to every step of a sequence: {@code [T, in] → [T, out]},
 * {@code y_t = x_t·W + b}; for a simple RNN below it this is the output map {@code o_t = V s_t + c} of
 * docs/architecture.md (Conventions). As the steps of the minibatch are rows of one {@code (B·T) × in} matrix,
 * it is one GEMM: {@code Y = X·W + b}; backward {@code dW = Xᵀ·dY}, {@code db = 1ᵀ·dY},
 * {@code dX = dY·Wᵀ}. Parameters: W ({@code in × out}), then b.
 *
 * <p>Masks: the output of a padded step is 0 and the gradient arriving there is ignored, so padded
 * steps add nothing to any gradient. With a loss over every output value (mse on {@code T·out}
 * targets per example), a padded step then contributes the constant {@code target²} to the loss:
 * zero when the targets are zero-padded. A mask-aware per-step loss (cross-entropy per step, averaged
 * over real steps) belongs in {@code loss/} and does not exist yet.
 */
public final class TimeDistributedDense extends Layer {

    /** Immutable configuration; spec type {@code time_distributed}. */
    public record Config(int units, boolean bias, Init init) implements LayerConfig {
        public Config {
            if (units <= 0) {
                throw new IllegalArgumentException("time_distributed: units must be > 0, got " + units);
            }
        }

        @Override
        public String type() {
            return "time_distributed";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            if (in.rank() != 2) {
                throw new ShapeException(layerName + ": a per-step dense layer takes sequences of shape "
                        + "[time, features] (a recurrent layer with return_sequences: true), got " + in);
            }
            return Shape.of(in.dim(0), units);
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new TimeDistributedDense(layerName, in, this);
        }
    }

    private final int steps;
    private final int in;
    private final int out;
    private final Config config;
    private final Gemm gemm = Gemms.fastest();
    private float[] mask;
    private float[] x;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] ones;

    TimeDistributedDense(String name, Shape inShape, Config config) {
        super(name, inShape, config.outputShape(inShape, name));
        this.steps = inShape.dim(0);
        this.in = inShape.dim(1);
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
            Arrays.fill(params, pOff + in * out, pOff + in * out + out, 0f);
        }
    }

    @Override
    public void addPenalizedRanges(ParamRanges.Builder b) {
        b.add(pOff, in * out);
    }

    @Override
    public void setMask(float[] mask, int batch) {
        if (mask != null && mask.length < batch * steps) {
            throw new IllegalArgumentException(name + ": the mask holds " + mask.length + " values but a minibatch of "
                    + batch + " sequences of " + steps + " steps needs " + batch * steps + " (one per step)");
        }
        this.mask = mask;
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        this.x = x;
        int rows = batch * steps;
        y = ensure(y, rows * out);
        if (config.bias()) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(params, pOff + in * out, y, r * out, out);
            }
        }
        gemm.gemm(false, false, rows, out, in, x, 0, params, pOff, y, 0, config.bias());
        if (mask != null) {
            for (int r = 0; r < rows; r++) {
                if (mask[r] == 0f) {
                    Arrays.fill(y, r * out, r * out + out, 0f);
                }
            }
        }
        return y;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        int rows = batch * steps;
        float[] d = dOut;
        if (mask != null) {
            dy = ensure(dy, rows * out);
            System.arraycopy(dOut, 0, dy, 0, rows * out);
            for (int r = 0; r < rows; r++) {
                if (mask[r] == 0f) {
                    Arrays.fill(dy, r * out, r * out + out, 0f);
                }
            }
            d = dy;
        }
        gemm.gemm(true, false, in, out, rows, x, 0, d, 0, grads, pOff, false);
        if (config.bias()) {
            ones = ensure(ones, rows);
            if (ones[rows - 1] != 1f) {
                Arrays.fill(ones, 1f);
            }
            gemm.gemm(false, false, 1, out, rows, ones, 0, d, 0, grads, pOff + in * out, false);
        }
        if (!needInputGrad) {
            return null;
        }
        dx = ensure(dx, rows * in);
        gemm.gemm(false, true, rows, in, out, d, 0, params, pOff, dx, 0, false);
        return dx;
    }
}
