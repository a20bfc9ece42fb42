package org.sparktrain.engine.layer;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.sparktrain.engine.Shape;

/**
 * The simple (Elman) recurrent layer of docs/architecture.md (Conventions), {@code s_t = f(U x_t + W s_{t−1} + b)},
 * f = tanh by default (or relu, sigmoid). The layer outputs the states s (every step or the last one); the output
 * map {@code o_t = g(V s_t + c)} is the layer after it: a {@code dense} on the last state, or a
 * {@code time_distributed} dense on every step (many-to-many), with g its activation or the fused loss.
 *
 * <p>Stored row-major and input-major as in {@link Recurrent}: {@code U} as {@code Wx (F × H)},
 * {@code W} as {@code Wh (H × H)}, then {@code b (H)}; so {@code s_t = f(x_t·Wx + s_{t−1}·Wh + b)}.
 * Backward per step: {@code dz_t = ds_t ⊙ f'(z_t)} (from the saved s), {@code ds_{t−1} = dz_t·Whᵀ}.
 * Init as {@link Lstm} (U(±1/sqrt(H)) by default), bias 0.
 */
public final class SimpleRnn extends Recurrent {

    /** The state activation f. */
    public enum Fn {
        TANH, RELU, SIGMOID;

        public static Fn parse(String s, String where) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "tanh" -> TANH;
                case "relu" -> RELU;
                case "sigmoid" -> SIGMOID;
                default -> throw new IllegalArgumentException(where + ": unknown activation '" + s
                        + "' for a simple RNN (allowed: tanh, relu, sigmoid)");
            };
        }
    }

    /** Immutable configuration; spec type {@code simple_rnn} (alias {@code rnn}). */
    public record Config(int units, Fn activation, boolean returnSequences, int tbptt, Init init,
                         boolean orthogonal) implements LayerConfig {
        public Config {
            if (units <= 0) {
                throw new IllegalArgumentException("simple_rnn: units must be > 0, got " + units);
            }
        }

        public Config(int units, boolean returnSequences) {
            this(units, Fn.TANH, returnSequences, 0, Init.UNIFORM, false);
        }

        @Override
        public String type() {
            return "simple_rnn";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            int t = sequenceLength(in, layerName);
            return returnSequences ? Shape.of(t, units) : Shape.of(units);
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new SimpleRnn(layerName, in, this);
        }
    }

    private final Config config;
    private float[] whT;

    SimpleRnn(String name, Shape in, Config config) {
        super(name, in, 1, config.units(), config.returnSequences(), config.tbptt(),
                config.units() * config.units(), 0);
        this.config = config;
    }

    @Override
    public void initParams(SplittableRandom rnd) {
        initInputWeights(config.init(), rnd);
        initRecurrentWeights(config.orthogonal(), pOff + whRel, units, rnd);
        Arrays.fill(params, pOff + bRel, pOff + bRel + units, 0f);
    }

    @Override
    protected void forwardStep(int t, int batch) {
        int h = units;
        int rows = rowsAt(t);
        int bh = rows * h;
        int zOff = zRow(t) * h;
        int prev = hIn(t) * h;
        gemm.gemm(false, false, rows, h, h, hs, prev, params, pOff + whRel, z, zOff, true);
        switch (config.activation()) {
            case TANH -> fn.tanh(z, zOff, bh);
            case SIGMOID -> fn.sigmoid(z, zOff, bh);
            case RELU -> {
                for (int i = zOff; i < zOff + bh; i++) {
                    z[i] = z[i] < 0f ? 0f : z[i];
                }
            }
            default -> throw new AssertionError(config.activation());
        }
        int next = hOut(t) * h;
        System.arraycopy(z, zOff, hs, next, bh);
        if (mask != null) {
            for (int b = 0; b < rows; b++) {
                if (padded(b, t)) {
                    System.arraycopy(hs, prev + b * h, hs, next + b * h, h);
                }
            }
        }
    }

    @Override
    protected void beginBackward(int batch) {
        whT = ensure(whT, units * units);
        transpose(params, pOff + whRel, units, units, whT);
    }

    @Override
    protected void backwardStep(int t, int batch) {
        int h = units;
        int rows = rowsAt(t);
        int bh = rows * h;
        int zOff = zRow(t) * h;
        float[] z = this.z;
        float[] dz = this.dz;
        float[] dh = this.dh;
        Fn f = config.activation();
        for (int i = 0; i < bh; i++) {
            float s = z[zOff + i];
            float d = switch (f) {
                case TANH -> 1f - s * s;
                case SIGMOID -> s * (1f - s);
                case RELU -> s > 0f ? 1f : 0f;
            };
            dz[zOff + i] = dh[i] * d;
        }
        Arrays.fill(dhPrev, 0, bh, 0f);
        if (mask != null) {
            for (int b = 0; b < rows; b++) {
                if (padded(b, t)) {
                    Arrays.fill(dz, zOff + b * h, zOff + b * h + h, 0f);
                    System.arraycopy(dh, b * h, dhPrev, b * h, h);
                }
            }
        }
        gemm.gemm(false, false, rows, h, h, dz, zOff, whT, 0, dhPrev, 0, true);
    }

    @Override
    protected void recurrentGradients(int batch) {
        gemm.gemm(true, false, units, units, stepRowsTotal(), statesIn(), 0, dz, 0, grads, pOff + whRel, false);
    }
}
