package org.sparktrain.engine.layer;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparktrain.engine.Shape;

/**
 * Long short-term memory (docs/architecture.md, Conventions: gates on {@code [h_{t−1}, x_t]}, forget-gate bias
 * starting at 1):
 * <pre>
 *   [i f o g]_t = x_t·Wx + h_{t−1}·Wh + b            (four gates stacked: one GEMM per step)
 *   i, f, o = σ(·),  g = tanh(·)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g
 *   h_t = o ⊙ tanh(c_t)
 * </pre>
 * {@code Wx} is {@code F × 4H}, {@code Wh} is {@code H × 4H}, {@code b} is {@code 4H}, the columns of
 * each in gate order input, forget, output, candidate (the three sigmoid gates first, so one call
 * covers them). Writing {@code [h_{t−1}, x_t]·W} with W = [Wh; Wx] is the same product split in two.
 * One bias per gate (PyTorch's {@code b_ih + b_hh} is the same function with a redundant pair).
 * Init: {@code uniform} U(±1/sqrt(H)) for Wx and Wh as PyTorch (default), or {@code xavier} for Wx;
 * {@code recurrent_init: orthogonal} makes each gate's H×H block of Wh orthogonal; biases 0 except
 * the forget gate's, {@code forget_bias} (default 1).
 *
 * <p>Backward, per step, with {@code dc} carried from step t+1:
 * {@code dc += dh ⊙ o ⊙ (1 − tanh²c_t)}, {@code do = dh ⊙ tanh c_t ⊙ o(1−o)},
 * {@code di = dc ⊙ g ⊙ i(1−i)}, {@code df = dc ⊙ c_{t−1} ⊙ f(1−f)}, {@code dg = dc ⊙ i ⊙ (1−g²)},
 * {@code dc_{t−1} = dc ⊙ f}, {@code dh_{t−1} = dz_t·Whᵀ}. Layout, masks, tbptt: {@link Recurrent}.
 */
public final class Lstm extends Recurrent {

    /** Immutable configuration; spec type {@code lstm}. */
    public record Config(int units, boolean returnSequences, int tbptt, Init init, boolean orthogonal,
                         float forgetBias) implements LayerConfig {
        public Config {
            if (units <= 0) {
                throw new IllegalArgumentException("lstm: units must be > 0, got " + units);
            }
        }

        public Config(int units, boolean returnSequences) {
            this(units, returnSequences, 0, Init.UNIFORM, false, 1f);
        }

        @Override
        public String type() {
            return "lstm";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            int t = sequenceLength(in, layerName);
            return returnSequences ? Shape.of(t, units) : Shape.of(units);
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new Lstm(layerName, in, this);
        }
    }

    private final Config config;
    /** Cell states, laid out as {@code hs} ({@code (B + N) × H}; rows {@link #hIn}/{@link #hOut}); the first B rows are the initial cell state. */
    private float[] cs;
    /** {@code tanh(c_t)}, {@code N × H} (rows as z), kept for backward. */
    private float[] tc;
    private float[] dc;
    private float[] dcPrev;
    private float[] whT;
    /** Initial cell state (tests); null means zeros. */
    float[] initialC;

    Lstm(String name, Shape in, Config config) {
        super(name, in, 4, config.units(), config.returnSequences(), config.tbptt(),
                config.units() * 4 * config.units(), 0);
        this.config = config;
    }

    @Override
    public void initParams(SplittableRandom rnd) {
        initInputWeights(config.init(), rnd);
        initRecurrentWeights(config.orthogonal(), pOff + whRel, gh, rnd);
        int b = pOff + bRel;
        Arrays.fill(params, b, b + gh, 0f);
        Arrays.fill(params, b + units, b + 2 * units, config.forgetBias());
    }

    @Override
    protected void beginSequence(int batch) {
        int bh = batch * units;
        cs = ensure(cs, (batch + stepRowsTotal()) * units);
        tc = ensure(tc, stepRowsTotal() * units);
        if (initialC != null) {
            placeInitial(initialC, cs, batch);
        } else {
            Arrays.fill(cs, 0, bh, 0f);
        }
    }

    @Override
    protected void forwardStep(int t, int batch) {
        int h = units;
        int rows = rowsAt(t);
        int zOff = zRow(t) * gh;
        int tcOff = zRow(t) * h;
        int hPrev = hIn(t) * h;
        int hNext = hOut(t) * h;
        gemm.gemm(false, false, rows, gh, h, hs, hPrev, params, pOff + whRel, z, zOff, true);
        for (int b = 0; b < rows; b++) {
            int r = zOff + b * gh;
            fn.sigmoid(z, r, 3 * h);
            fn.tanh(z, r + 3 * h, h);
        }
        float[] z = this.z;
        float[] cs = this.cs;
        for (int b = 0; b < rows; b++) {
            int r = zOff + b * gh;
            int o = b * h;
            for (int j = 0; j < h; j++) {
                cs[hNext + o + j] = z[r + h + j] * cs[hPrev + o + j] + z[r + j] * z[r + 3 * h + j];
            }
        }
        fn.tanh(cs, hNext, tc, tcOff, rows * h);
        for (int b = 0; b < rows; b++) {
            int r = zOff + b * gh + 2 * h;
            int o = b * h;
            if (padded(b, t)) {
                System.arraycopy(hs, hPrev + o, hs, hNext + o, h);
                System.arraycopy(cs, hPrev + o, cs, hNext + o, h);
                continue;
            }
            for (int j = 0; j < h; j++) {
                hs[hNext + o + j] = z[r + j] * tc[tcOff + o + j];
            }
        }
    }

    @Override
    protected void beginBackward(int batch) {
        int bh = batch * units;
        dc = ensure(dc, bh);
        dcPrev = ensure(dcPrev, bh);
        Arrays.fill(dc, 0, bh, 0f);
        Arrays.fill(dcPrev, 0, bh, 0f); // rows not yet started (packed) stay 0 in both
        whT = ensure(whT, units * gh);
        transpose(params, pOff + whRel, units, gh, whT);
    }

    @Override
    protected void cutCarry(int p) {
        Arrays.fill(dc, p * units, (p + 1) * units, 0f);
    }

    @Override
    protected void backwardStep(int t, int batch) {
        int h = units;
        int rows = rowsAt(t);
        int zOff = zRow(t) * gh;
        int tcOff = zRow(t) * h;
        int cPrev = hIn(t) * h;
        float[] z = this.z;
        float[] dz = this.dz;
        float[] dh = this.dh;
        float[] dc = this.dc;
        for (int b = 0; b < rows; b++) {
            int r = zOff + b * gh;
            int o = b * h;
            if (padded(b, t)) {
                Arrays.fill(dz, r, r + gh, 0f);
                System.arraycopy(dh, o, dhPrev, o, h);
                System.arraycopy(dc, o, dcPrev, o, h);
                continue;
            }
            for (int j = 0; j < h; j++) {
                float ig = z[r + j];
                float fg = z[r + h + j];
                float og = z[r + 2 * h + j];
                float gg = z[r + 3 * h + j];
                float th = tc[tcOff + o + j];
                float dhv = dh[o + j];
                float dcv = dc[o + j] + dhv * og * (1f - th * th);
                dz[r + j] = dcv * gg * ig * (1f - ig);
                dz[r + h + j] = dcv * cs[cPrev + o + j] * fg * (1f - fg);
                dz[r + 2 * h + j] = dhv * th * og * (1f - og);
                dz[r + 3 * h + j] = dcv * ig * (1f - gg * gg);
                dcPrev[o + j] = dcv * fg;
                dhPrev[o + j] = 0f;
            }
        }
        // dh_{t−1} (B × H) += dz_t (B × 4H) · Whᵀ (4H × H)
        gemm.gemm(false, false, rows, h, gh, dz, zOff, whT, 0, dhPrev, 0, true);
        float[] s = this.dc;
        this.dc = dcPrev;
        dcPrev = s;
    }

    @Override
    protected void recurrentGradients(int batch) {
        // dWh (H × 4H) = Σ_t h_{t−1}ᵀ·dz_t = hs[0..T)ᵀ · dz, one GEMM over all steps
        gemm.gemm(true, false, units, gh, stepRowsTotal(), statesIn(), 0, dz, 0, grads, pOff + whRel, false);
    }

    /** The cell states after step t (t = −1: initial) of the last forward, {@code B × H}, copied (tests). */
    float[] cellAt(int t) {
        return stateAt(cs, t);
    }
}
