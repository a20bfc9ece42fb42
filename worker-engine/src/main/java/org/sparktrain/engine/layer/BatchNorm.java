package org.sparktrain.engine.layer;

import java.util.Arrays;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.NormKernels;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) following docs/architecture.md (Conventions). The input shape's rank
 * picks the form: rank 1 ({@code [F]}, after a dense layer) normalises each of the F units over the minibatch;
 * rank 3 ({@code [C, H, W]}, after a convolution) normalises each channel over {@code N×H×W}. Either
 * way there are {@code C} groups (C = F for dense) of {@code M = batch·S} values, S = 1 or H·W.
 * <pre>
 *   training:  μ = (1/M) Σ x,   σ² = (1/M) Σ (x − μ)²   (biased),   x̂ = (x − μ) / sqrt(σ² + ε)
 *              y = γ·x̂ + β
 *              running_mean = (1 − m)·running_mean + m·μ
 *              running_var  = (1 − m)·running_var  + m·σ²·M/(M − 1)   (stored unbiased)
 *   inference: y = γ·(x − running_mean) / sqrt(running_var + ε) + β
 *   backward:  dβ = Σ dy,  dγ = Σ dy·x̂,
 *              dx = (γ / (M·sqrt(σ² + ε)))·(M·dy − Σ dy − x̂·Σ dy·x̂)
 * </pre>
 * Sums are accumulated in double (the vector kernels: float partial sums over short blocks, added
 * in double; see {@link NormKernels}); the variance is computed in a second pass around the mean (no
 * {@code E[x²] − μ²} cancellation). Training needs M ≥ 2 values per group (PyTorch refuses the same):
 * with one value the variance is 0 and its unbiased estimate undefined.
 *
 * <p>Parameters: γ {@code [C]} (initialised to 1) then β {@code [C]} (0); neither is penalised.
 * State (the flat state vector, averaged across workers like parameters, not trained):
 * running mean {@code [C]} (initialised to 0) then running variance {@code [C]} (1).
 * Memory: output and input gradient of {@code batch × size}; per-group mean and 1/σ (no x̂ buffer:
 * backward recomputes x̂ from the kept input).
 *
 * <p><b>Synchronised</b> ({@link #synchronise}): where W workers each hold a share of one global minibatch, the
 * sums above run over the union of the shares. Forward sums {@code [Σx, m]} over the workers (M = Σ m), then
 * {@code Σ(x − μ)²} around the global mean; backward sums {@code [m·Σdy, m·Σdy·(x − μ)]}. The weights m are there
 * because each worker's dy comes from the mean loss of its own share, which is the global minibatch's mean loss
 * scaled by B / b_w; the gradient rounds weight each worker's gradient by its rows, which undoes that scale
 * everywhere but inside this sum. With R the summed values, a worker's {@code dx = γ·invstd·(dy − R₁/(M·m) −
 * (x − μ)·invstd²·R₂/(M·m))}, which is the one-machine dx scaled by B / b_w like every other gradient it
 * computes; dγ and dβ stay the share's own sums. Three collectives per layer and step (two when the layer needs no
 * input gradient); a worker's share may then hold a single row, as long as M ≥ 2.
 */
public final class BatchNorm extends Layer {
    public static final float DEFAULT_MOMENTUM = 0.1f;
    public static final float DEFAULT_EPS = 1e-5f;

    /**
     * Immutable configuration.
     *
     * @param momentum weight m of the new batch in the running statistics, in [0, 1] (default 0.1)
     * @param eps      added to the variance before the square root, &gt; 0 (default 1e-5)
     */
    public record Config(float momentum, float eps) implements LayerConfig {
        public Config {
            if (!(momentum >= 0f && momentum <= 1f)) {
                throw new IllegalArgumentException("batchnorm: momentum must be in [0, 1], got " + momentum
                        + " (it is the weight of the new batch in the running statistics; default 0.1)");
            }
            if (!(eps > 0f) || Float.isInfinite(eps)) {
                throw new IllegalArgumentException("batchnorm: eps must be a positive number, got " + eps
                        + " (default 1e-5)");
            }
        }

        /** momentum 0.1, eps 1e-5. */
        public Config() {
            this(DEFAULT_MOMENTUM, DEFAULT_EPS);
        }

        @Override
        public String type() {
            return "batchnorm";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            if (in.rank() != 1 && in.rank() != 3) {
                throw new ShapeException(layerName + ": batchnorm needs an input of shape [features] (after a "
                        + "dense layer) or [channels, height, width] (after a convolution), got " + in
                        + " (rank " + in.rank() + ")");
            }
            return in;
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new BatchNorm(layerName, outputShape(in, layerName), this);
        }
    }

    private static final NormKernels NORM = NormKernels.fastest();
    private final float momentum;
    private final float eps;
    /** Groups: features (dense) or channels (conv). */
    private final int c;
    /** Values per group per example: 1 (dense) or H·W (conv). */
    private final int s;
    private final int size;

    private float[] x;
    private float[] y;
    private float[] dx;
    /** Per group, from the last training forward: the mean and 1/sqrt(σ² + ε). */
    private final double[] mean;
    /** The mean rounded to float: what forward subtracts, and what the reductions centre on. */
    private final float[] meanF;
    private final double[] invStd;
    /** Per-group accumulators, reused. */
    private final double[] acc1;
    private final double[] acc2;
    private int trainedBatch;
    /** Where the statistics are summed over the workers of a step, or null (this worker's rows alone). */
    private BatchStatsSync sync;
    /** Values in the last training forward's statistics, over every worker when synchronised. */
    private long trainedTotal;
    /** What travels through {@link #sync}: up to 2C values. */
    private double[] syncBuffer;

    private BatchNorm(String name, Shape in, Config config) {
        super(name, in, in);
        this.momentum = config.momentum();
        this.eps = config.eps();
        this.c = in.dim(0);
        this.s = in.rank() == 1 ? 1 : in.dim(1) * in.dim(2);
        this.size = in.size();
        mean = new double[c];
        meanF = new float[c];
        invStd = new double[c];
        acc1 = new double[c];
        acc2 = new double[c];
    }

    @Override
    public int paramCount() {
        return 2 * c;
    }

    @Override
    public int stateCount() {
        return 2 * c;
    }

    @Override
    public void initParams(java.util.SplittableRandom rnd) {
        Arrays.fill(params, pOff, pOff + c, 1f);
        Arrays.fill(params, pOff + c, pOff + 2 * c, 0f);
    }

    @Override
    public void initState() {
        Arrays.fill(state, sOff, sOff + c, 0f);
        Arrays.fill(state, sOff + c, sOff + 2 * c, 1f);
    }

    /**
     * Sums this layer's batch statistics over the workers of every training step through {@code s}
     * (synchronised BatchNorm); null: each worker normalises over its own rows (the default).
     */
    public void synchronise(BatchStatsSync s) {
        this.sync = s;
        if (s != null && syncBuffer == null) {
            syncBuffer = new double[2 * c + 1];
        }
    }

    /**
     * A worker without rows in a synchronised step: takes part in the training forward's collectives with nothing
     * (zeros), so that the workers with rows get theirs; updates the running statistics as they do.
     */
    public void idleForward() {
        if (sync == null) {
            return; // nothing to take part in
        }
        this.x = null;
        forwardTraining(null, 0);
    }

    /** The backward counterpart of {@link #idleForward}. */
    public void idleBackward() {
        if (sync == null) {
            return;
        }
        if (needInputGrad && trainedTotal > 0) { // as backward, which a step of M = 0 values never reaches
            java.util.Arrays.fill(syncBuffer, 0, 2 * c, 0);
            sync.allReduce(syncBuffer, 2 * c);
        }
        trainedBatch = 0;
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        this.x = x;
        y = ensure(y, batch * size);
        return training ? forwardTraining(x, batch) : forwardInference(x, batch);
    }

    private float[] forwardTraining(float[] x, int batch) {
        long m = (long) batch * s;
        if (m < 2 && sync == null) {
            throw tooFewValues(", got batch " + batch);
        }
        // pass 1: mean
        Arrays.fill(acc1, 0);
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < c; g++) {
                int base = (n * c + g) * s;
                acc1[g] += NORM.sum(x, base, base + s);
            }
        }
        if (sync != null) { // [Σx, m] over the workers
            System.arraycopy(acc1, 0, syncBuffer, 0, c);
            syncBuffer[c] = m;
            sync.allReduce(syncBuffer, c + 1);
            System.arraycopy(syncBuffer, 0, acc1, 0, c);
            m = Math.round(syncBuffer[c]);
            if (m == 0) {
                // no worker has rows in this step (a one-row last minibatch the data left out): every worker saw
                // the same 0 and stops here; nothing to normalise, no statistics to update
                trainedBatch = batch;
                trainedTotal = 0;
                return y;
            }
            if (m < 2) {
                throw tooFewValues(" over the workers' shares of a minibatch, got " + m);
            }
        }
        for (int g = 0; g < c; g++) {
            mean[g] = acc1[g] / m;
            meanF[g] = (float) mean[g];
        }
        // pass 2: biased variance around the mean
        Arrays.fill(acc2, 0);
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < c; g++) {
                int base = (n * c + g) * s;
                acc2[g] += NORM.sumSquaredDeviation(x, base, base + s, meanF[g]);
            }
        }
        if (sync != null) { // Σ(x − μ)² around the global mean, over the workers
            System.arraycopy(acc2, 0, syncBuffer, 0, c);
            sync.allReduce(syncBuffer, c);
            System.arraycopy(syncBuffer, 0, acc2, 0, c);
        }
        double keep = 1.0 - momentum;
        for (int g = 0; g < c; g++) {
            double var = acc2[g] / m;
            invStd[g] = 1.0 / Math.sqrt(var + eps);
            int rm = sOff + g;
            int rv = sOff + c + g;
            state[rm] = (float) (keep * state[rm] + momentum * mean[g]);
            state[rv] = (float) (keep * state[rv] + momentum * var * m / (m - 1));
        }
        // y = (x − μ)·(γ/σ) + β, subtracting the mean first so a large mean does not cost precision
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < c; g++) {
                int base = (n * c + g) * s;
                float mu = meanF[g];
                float scale = (float) (params[pOff + g] * invStd[g]);
                float beta = params[pOff + c + g];
                for (int i = base; i < base + s; i++) {
                    y[i] = (x[i] - mu) * scale + beta;
                }
            }
        }
        trainedBatch = batch;
        trainedTotal = m;
        return y;
    }

    /** Training with fewer than two values per group: {@code got} says how many, and where they were counted. */
    private IllegalArgumentException tooFewValues(String got) {
        return new IllegalArgumentException(name + ": batchnorm in training needs more than one value per "
                + (s == 1 ? "feature" : "channel") + got + " of " + inShape
                + "; use a minibatch of at least 2 (or drop a last minibatch of 1)");
    }

    private float[] forwardInference(float[] x, int batch) {
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < c; g++) {
                int base = (n * c + g) * s;
                float mu = state[sOff + g];
                float scale = (float) (params[pOff + g] / Math.sqrt((double) state[sOff + c + g] + eps));
                float beta = params[pOff + c + g];
                for (int i = base; i < base + s; i++) {
                    y[i] = (x[i] - mu) * scale + beta;
                }
            }
        }
        trainedBatch = 0;
        return y;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        if (trainedBatch != batch) {
            throw new IllegalStateException(name + ": backward needs the preceding forward to be a training "
                    + "forward with the same batch (got batch " + batch + ", last training batch " + trainedBatch + ")");
        }
        long m = (long) batch * s;
        // acc1 = Σ dy (= dβ), acc2 = Σ dy·(x − μ) (= dγ·σ)
        Arrays.fill(acc1, 0);
        Arrays.fill(acc2, 0);
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < c; g++) {
                int base = (n * c + g) * s;
                NORM.gradientSums(dOut, x, base, base + s, meanF[g], acc1, acc2, g);
            }
        }
        for (int g = 0; g < c; g++) {
            grads[pOff + g] = (float) (acc2[g] * invStd[g]);
            grads[pOff + c + g] = (float) acc1[g];
        }
        if (!needInputGrad) {
            return null;
        }
        dx = ensure(dx, batch * size);
        // the sums dx needs, and what divides them: this worker's own (Σdy, Σdy(x − μ), M = m), or, synchronised,
        // [m·Σdy, m·Σdy(x − μ)] summed over the workers, divided by M·m (see the class comment)
        double[] sums = acc1;
        double[] sums2 = acc2;
        int at2 = 0;
        double divisor = m;
        if (sync != null) {
            for (int g = 0; g < c; g++) {
                syncBuffer[g] = m * acc1[g];
                syncBuffer[c + g] = m * acc2[g];
            }
            sync.allReduce(syncBuffer, 2 * c);
            sums = syncBuffer;
            sums2 = syncBuffer;
            at2 = c;
            divisor = (double) trainedTotal * m;
        }
        // dx = γ·invstd·(dy − Σdy/M − (x − μ)·invstd²·Σdy(x − μ)/M): the standard formula with x̂ expanded
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < c; g++) {
                int base = (n * c + g) * s;
                double is = invStd[g];
                float k1 = (float) (params[pOff + g] * is);
                float k2 = (float) (sums[g] / divisor);
                float k3 = (float) (sums2[at2 + g] * is * is / divisor);
                float mu = meanF[g];
                for (int i = base; i < base + s; i++) {
                    dx[i] = k1 * (dOut[i] - k2 - (x[i] - mu) * k3);
                }
            }
        }
        return dx;
    }
}
