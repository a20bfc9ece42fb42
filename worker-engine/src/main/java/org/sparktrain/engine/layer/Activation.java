package org.sparktrain.engine.layer;

import java.util.Locale;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.Elementwise;

/**
 * Element-wise activations, and softmax over each example's values.
 * <ul>
 * <li>relu: {@code max(0, x)}; leaky_relu: {@code x > 0 ? x : alpha·x};</li>
 * <li>sigmoid: {@code 1 / (1 + e^{−x})}; tanh;</li>
 * <li>softmax: {@code e^{x_i − max} / Σ_j e^{x_j − max}} (the row maximum is subtracted,
 *     docs/architecture.md, Conventions).
 *     Its backward is the Jacobian-vector product {@code dx_i = y_i (dy_i − Σ_j dy_j y_j)}. As the last
 *     layer under softmax cross-entropy it is not built at all: the loss takes logits (fused).</li>
 * </ul>
 * Backward uses the saved output (and the input for leaky_relu's sign), never recomputes.
 */
public final class Activation extends Layer {

    public enum Kind {
        RELU, LEAKY_RELU, SIGMOID, TANH, SOFTMAX;

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s, String where) {
            for (Kind k : values()) {
                if (k.specName().equals(s.toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException(where + ": unknown activation '" + s
                    + "' (allowed: relu, leaky_relu, sigmoid, tanh, softmax)");
        }
    }

    /** Immutable configuration; {@code alpha} is leaky_relu's negative slope (default 0.01). */
    public record Config(Kind kind, float alpha) implements LayerConfig {
        @Override
        public String type() {
            return kind.specName();
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            return in;
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new Activation(layerName, in, this);
        }
    }

    private static final Elementwise ELEMENTWISE = Elementwise.fastest();
    private final Kind kind;
    private final float alpha;
    private final int size;
    private float[] x;
    private float[] y;
    private float[] dx;

    Activation(String name, Shape in, Config config) {
        super(name, in, in);
        this.kind = config.kind();
        this.alpha = config.alpha();
        this.size = in.size();
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        this.x = x;
        int n = batch * size;
        y = ensure(y, n);
        float[] y = this.y;
        switch (kind) {
            case RELU -> ELEMENTWISE.relu(x, y, n); // a NaN passes through: a diverging run shows a NaN loss
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++) {
                    float v = x[i];
                    y[i] = v < 0f ? alpha * v : v;
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    y[i] = sigmoid(x[i]);
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    y[i] = (float) Math.tanh(x[i]);
                }
            }
            case SOFTMAX -> softmaxRows(x, y, batch, size);
            default -> throw new AssertionError(kind);
        }
        return y;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        if (!needInputGrad) {
            return null;
        }
        int n = batch * size;
        dx = ensure(dx, n);
        float[] dx = this.dx;
        float[] y = this.y;
        switch (kind) {
            case RELU -> ELEMENTWISE.reluBackward(y, dOut, dx, n);
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++) {
                    dx[i] = x[i] > 0f ? dOut[i] : alpha * dOut[i];
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    float s = y[i];
                    dx[i] = dOut[i] * s * (1f - s);
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    float t = y[i];
                    dx[i] = dOut[i] * (1f - t * t);
                }
            }
            case SOFTMAX -> {
                for (int r = 0; r < batch; r++) {
                    int o = r * size;
                    double dot = 0;
                    for (int j = 0; j < size; j++) {
                        dot += dOut[o + j] * y[o + j];
                    }
                    float d = (float) dot;
                    for (int j = 0; j < size; j++) {
                        dx[o + j] = y[o + j] * (dOut[o + j] - d);
                    }
                }
            }
            default -> throw new AssertionError(kind);
        }
        return dx;
    }

    /** Logistic function, stable for large |x| (never computes e^{+large}). */
    public static float sigmoid(float v) {
        if (v >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-v)));
        }
        double e = Math.exp(v);
        return (float) (e / (1.0 + e));
    }

    /** Softmax of each row of {@code cols} values; subtracts the row maximum first. */
    public static void softmaxRows(float[] in, float[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, in[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(in[o + j] - max);
                out[o + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < cols; j++) {
                out[o + j] *= inv;
            }
        }
    }
}
