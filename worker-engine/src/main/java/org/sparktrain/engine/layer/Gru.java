package org.sparktrain.engine.layer;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.sparktrain.engine.Shape;

/**
 * Gated recurrent unit in two forms; gate columns in the order update z, reset r, candidate n.
 *
 * <p><b>{@code variant: seed}</b> (default; docs/architecture.md, Conventions):
 * <pre>
 *   [z r]_t = σ(x_t·Wx[:, z r] + h_{t−1}·Whzr + b[z r])
 *   h̃_t    = tanh(x_t·Wx[:, n] + (r_t ⊙ h_{t−1})·Whn + b[n])     = tanh(W·[r_t ⊙ h_{t−1}, x_t] + b)
 *   h_t    = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t
 * </pre>
 * Parameters: {@code Wx (F × 3H)}, {@code Whzr (H × 2H)}, {@code Whn (H × H)}, {@code b (3H)}. The
 * recurrent product needs r_t before the candidate's, so a step makes two GEMMs ({@code h·Whzr}, then
 * {@code (r⊙h)·Whn}); the input projection of all three gates is still one GEMM for all steps.
 *
 * <p><b>{@code variant: pytorch}</b> (PyTorch's and cuDNN's {@code nn.GRU}: the reset gate applies
 * after the recurrent product, which has its own bias, and z weighs the old state):
 * <pre>
 *   [z r]_t = σ(x_t·Wx[:, z r] + h_{t−1}·Wh[:, z r] + b[z r])
 *   n_t    = tanh(x_t·Wx[:, n] + b[n] + r_t ⊙ (h_{t−1}·Wh[:, n] + bhn))
 *   h_t    = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
 * </pre>
 * Parameters: {@code Wx (F × 3H)}, {@code Wh (H × 3H)}, {@code b (3H)}, {@code bhn (H)}: all three
 * recurrent gates in one GEMM per step.
 *
 * <p>Init as {@link Lstm} (U(±1/sqrt(H)) by default), biases 0 except the update gate's, which starts at
 * {@code update_bias} (default 0; e.g. −2 in the seed form or +2 in the pytorch form makes the unit keep
 * its state over long lags from the start, as LSTM's forget bias 1 does). Layout, masks, tbptt: {@link Recurrent}.
 */
public final class Gru extends Recurrent {

    /** Which GRU equations. */
    public enum Variant {
        SEED, PYTORCH;

        public static Variant parse(String s, String where) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "seed", "default" -> SEED;
                case "pytorch", "cudnn" -> PYTORCH;
                default -> throw new IllegalArgumentException(where + ": unknown GRU variant '" + s
                        + "' (allowed: seed, pytorch)");
            };
        }
    }

    /** Immutable configuration; spec type {@code gru}. */
    public record Config(int units, Variant variant, boolean returnSequences, int tbptt, Init init,
                         boolean orthogonal, float updateBias) implements LayerConfig {
        public Config {
            if (units <= 0) {
                throw new IllegalArgumentException("gru: units must be > 0, got " + units);
            }
        }

        public Config(int units, Variant variant, boolean returnSequences) {
            this(units, variant, returnSequences, 0, Init.UNIFORM, false, 0f);
        }

        /** Update-gate bias 0 (PyTorch's initialisation). */
        public Config(int units, Variant variant, boolean returnSequences, int tbptt, Init init, boolean orthogonal) {
            this(units, variant, returnSequences, tbptt, init, orthogonal, 0f);
        }

        @Override
        public String type() {
            return "gru";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            int t = sequenceLength(in, layerName);
            return returnSequences ? Shape.of(t, units) : Shape.of(units);
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new Gru(layerName, in, this);
        }
    }

    private final Config config;
    private final boolean seed;
    /** Seed form: r ⊙ h_{t−1} ({@code T·B × H}); PyTorch form: h_{t−1}·Wh[:, n] + bhn ({@code T·B × H}). */
    private float[] saved;
    /** Per-step product buffer. */
    private float[] tmp;
    private float[] tmpN;
    /** Seed form: dz[:, z r] ({@code T·B × 2H}) and dz[:, n] ({@code T·B × H}); PyTorch form: dGh ({@code T·B × 3H}). */
    private float[] dRec;
    private float[] dN;
    private float[] drh;
    private float[] whT;
    private float[] whnT;

    Gru(String name, Shape in, Config config) {
        super(name, in, 3, config.units(), config.returnSequences(), config.tbptt(),
                3 * config.units() * config.units(), config.variant() == Variant.PYTORCH ? config.units() : 0);
        this.config = config;
        this.seed = config.variant() == Variant.SEED;
    }

    @Override
    public void initParams(SplittableRandom rnd) {
        initInputWeights(config.init(), rnd);
        if (seed) {
            initRecurrentWeights(config.orthogonal(), pOff + whRel, 2 * units, rnd);
            initRecurrentWeights(config.orthogonal(), pOff + whRel + 2 * units * units, units, rnd);
        } else {
            initRecurrentWeights(config.orthogonal(), pOff + whRel, gh, rnd);
        }
        Arrays.fill(params, pOff + bRel, pOff + paramCount(), 0f);
        // b[0, H) is the update gate's bias (gate order z, r, n): the analogue of LSTM's forget bias
        Arrays.fill(params, pOff + bRel, pOff + bRel + units, config.updateBias());
    }

    @Override
    protected void beginSequence(int batch) {
        saved = ensure(saved, stepRowsTotal() * units);
        tmp = ensure(tmp, batch * gh);
        tmpN = ensure(tmpN, batch * units);
    }

    @Override
    protected void forwardStep(int t, int batch) {
        int h = units;
        int rows = rowsAt(t);
        int zOff = zRow(t) * gh;
        int sOff = zRow(t) * h;
        int hPrev = hIn(t) * h;
        int next = hOut(t) * h;
        float[] z = this.z;
        float[] hs = this.hs;
        float[] saved = this.saved;
        float[] tmp = this.tmp;
        if (seed) {
            gemm.gemm(false, false, rows, 2 * h, h, hs, hPrev, params, pOff + whRel, tmp, 0, false);
            for (int b = 0; b < rows; b++) {
                int r = zOff + b * gh;
                int g = b * 2 * h;
                for (int j = 0; j < 2 * h; j++) {
                    z[r + j] += tmp[g + j];
                }
                fn.sigmoid(z, r, 2 * h);
                int o = b * h;
                for (int j = 0; j < h; j++) {
                    saved[sOff + o + j] = z[r + h + j] * hs[hPrev + o + j];
                }
            }
            gemm.gemm(false, false, rows, h, h, saved, sOff, params, pOff + whRel + 2 * h * h, tmpN, 0, false);
            for (int b = 0; b < rows; b++) {
                int r = zOff + b * gh + 2 * h;
                for (int j = 0; j < h; j++) {
                    z[r + j] += tmpN[b * h + j];
                }
                fn.tanh(z, r, h);
            }
        } else {
            gemm.gemm(false, false, rows, gh, h, hs, hPrev, params, pOff + whRel, tmp, 0, false);
            int bhn = pOff + extraRel;
            for (int b = 0; b < rows; b++) {
                int r = zOff + b * gh;
                int g = b * gh;
                for (int j = 0; j < 2 * h; j++) {
                    z[r + j] += tmp[g + j];
                }
                fn.sigmoid(z, r, 2 * h);
                int o = b * h;
                for (int j = 0; j < h; j++) {
                    float hn = tmp[g + 2 * h + j] + params[bhn + j];
                    saved[sOff + o + j] = hn;
                    z[r + 2 * h + j] += z[r + h + j] * hn;
                }
                fn.tanh(z, r + 2 * h, h);
            }
        }
        for (int b = 0; b < rows; b++) {
            int r = zOff + b * gh;
            int o = b * h;
            if (padded(b, t)) {
                System.arraycopy(hs, hPrev + o, hs, next + o, h);
                continue;
            }
            for (int j = 0; j < h; j++) {
                float zg = z[r + j];
                float n = z[r + 2 * h + j];
                float hp = hs[hPrev + o + j];
                // seed: (1 − z)·h + z·h̃;  pytorch: (1 − z)·n + z·h
                hs[next + o + j] = seed ? hp + zg * (n - hp) : n + zg * (hp - n);
            }
        }
    }

    @Override
    protected void beginBackward(int batch) {
        int tb = stepRowsTotal();
        int h = units;
        if (seed) {
            dRec = ensure(dRec, tb * 2 * h);
            dN = ensure(dN, tb * h);
            drh = ensure(drh, batch * h);
            whT = ensure(whT, 2 * h * h);
            transpose(params, pOff + whRel, h, 2 * h, whT);
            whnT = ensure(whnT, h * h);
            transpose(params, pOff + whRel + 2 * h * h, h, h, whnT);
        } else {
            dRec = ensure(dRec, tb * gh);
            whT = ensure(whT, gh * h);
            transpose(params, pOff + whRel, h, gh, whT);
        }
    }

    @Override
    protected void backwardStep(int t, int batch) {
        int h = units;
        int rows = rowsAt(t);
        int zOff = zRow(t) * gh;
        int sOff = zRow(t) * h;
        int hPrev = hIn(t) * h;
        float[] z = this.z;
        float[] dz = this.dz;
        float[] dh = this.dh;
        float[] dhPrev = this.dhPrev;
        float[] hs = this.hs;
        float[] saved = this.saved;
        float[] dRec = this.dRec;
        if (seed) {
            float[] dN = this.dN;
            for (int b = 0; b < rows; b++) {
                int r = zOff + b * gh;
                int o = b * h;
                if (padded(b, t)) {
                    Arrays.fill(dz, r, r + gh, 0f);
                    Arrays.fill(dN, sOff + o, sOff + o + h, 0f);
                    System.arraycopy(dh, o, dhPrev, o, h);
                    continue;
                }
                for (int j = 0; j < h; j++) {
                    float zg = z[r + j];
                    float n = z[r + 2 * h + j];
                    float hp = hs[hPrev + o + j];
                    float dhv = dh[o + j];
                    float dnp = dhv * zg * (1f - n * n);
                    dz[r + 2 * h + j] = dnp;
                    dN[sOff + o + j] = dnp;
                    dz[r + j] = dhv * (n - hp) * zg * (1f - zg);
                    dhPrev[o + j] = dhv * (1f - zg);
                }
            }
            // d(r ⊙ h_{t−1}) = dn_t · Whnᵀ
            gemm.gemm(false, false, rows, h, h, dN, sOff, whnT, 0, drh, 0, false);
            int rOff = zRow(t) * 2 * h;
            for (int b = 0; b < rows; b++) {
                int r = zOff + b * gh;
                int o = b * h;
                if (!padded(b, t)) {
                    for (int j = 0; j < h; j++) {
                        float rg = z[r + h + j];
                        float d = drh[o + j];
                        dz[r + h + j] = d * hs[hPrev + o + j] * rg * (1f - rg);
                        dhPrev[o + j] += d * rg;
                    }
                }
                System.arraycopy(dz, r, dRec, rOff + b * 2 * h, 2 * h);
            }
            gemm.gemm(false, false, rows, h, 2 * h, dRec, rOff, whT, 0, dhPrev, 0, true);
        } else {
            for (int b = 0; b < rows; b++) {
                int r = zOff + b * gh;
                int o = b * h;
                if (padded(b, t)) {
                    Arrays.fill(dz, r, r + gh, 0f);
                    Arrays.fill(dRec, r, r + gh, 0f);
                    System.arraycopy(dh, o, dhPrev, o, h);
                    continue;
                }
                for (int j = 0; j < h; j++) {
                    float zg = z[r + j];
                    float rg = z[r + h + j];
                    float n = z[r + 2 * h + j];
                    float hp = hs[hPrev + o + j];
                    float hn = saved[sOff + o + j];
                    float dhv = dh[o + j];
                    float dnp = dhv * (1f - zg) * (1f - n * n);
                    float dzp = dhv * (hp - n) * zg * (1f - zg);
                    float drp = dnp * hn * rg * (1f - rg);
                    dz[r + j] = dzp;
                    dz[r + h + j] = drp;
                    dz[r + 2 * h + j] = dnp;
                    dRec[r + j] = dzp;
                    dRec[r + h + j] = drp;
                    dRec[r + 2 * h + j] = dnp * rg;
                    dhPrev[o + j] = dhv * zg;
                }
            }
            gemm.gemm(false, false, rows, h, gh, dRec, zOff, whT, 0, dhPrev, 0, true);
        }
    }

    @Override
    protected void recurrentGradients(int batch) {
        int tb = stepRowsTotal();
        int h = units;
        float[] hIn = statesIn();
        if (seed) {
            gemm.gemm(true, false, h, 2 * h, tb, hIn, 0, dRec, 0, grads, pOff + whRel, false);
            gemm.gemm(true, false, h, h, tb, saved, 0, dN, 0, grads, pOff + whRel + 2 * h * h, false);
        } else {
            gemm.gemm(true, false, h, gh, tb, hIn, 0, dRec, 0, grads, pOff + whRel, false);
            int bhn = pOff + extraRel;
            Arrays.fill(grads, bhn, bhn + h, 0f);
            for (int r = 0; r < tb; r++) {
                int o = r * gh + 2 * h;
                for (int j = 0; j < h; j++) {
                    grads[bhn + j] += dRec[o + j];
                }
            }
        }
    }
}
