package org.sparktrain.engine.layer;

import org.sparktrain.engine.Shape;
import org.sparktrain.engine.SplitMix;

/**
 * Inverted dropout (docs/architecture.md, Conventions): during training each unit is kept with probability
 * {@code 1 − rate} and the kept values are divided by {@code 1 − rate}, so the expected output equals the input;
 * at inference it is the identity. {@code rate} is the probability of dropping (not of keeping).
 * The mask is drawn from a stream seeded by {@link #setRandomSeed} (derived from seed, epoch, worker
 * and step), so a run is reproducible and a gradient check can fix the mask by fixing the seed.
 */
public final class Dropout extends Layer {

    public record Config(float rate) implements LayerConfig {
        public Config {
            if (!(rate >= 0f && rate < 1f)) {
                throw new IllegalArgumentException("dropout: rate must be in [0, 1), got " + rate
                        + " (rate is the probability of dropping a unit)");
            }
        }

        @Override
        public String type() {
            return "dropout";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            return in;
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new Dropout(layerName, in, rate);
        }
    }

    private final float rate;
    private final int size;
    private long seed;
    private float[] mask;
    private float[] y;
    private float[] dx;
    private boolean lastTraining;

    Dropout(String name, Shape in, float rate) {
        super(name, in, in);
        this.rate = rate;
        this.size = in.size();
    }

    @Override
    public void setRandomSeed(long seed) {
        this.seed = seed;
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        lastTraining = training && rate > 0f;
        if (!lastTraining) {
            return x;
        }
        int n = batch * size;
        mask = ensure(mask, n);
        y = ensure(y, n);
        float keep = 1f - rate;
        float scale = 1f / keep;
        long s = seed;
        for (int i = 0; i < n; i++) {
            s += SplitMix.GOLDEN;
            // top 24 bits of a SplitMix64 output: a uniform float in [0, 1)
            float u = (SplitMix.mix(s) >>> 40) * 0x1.0p-24f;
            float m = u < keep ? scale : 0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
        return y;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        if (!needInputGrad) {
            return null;
        }
        if (!lastTraining) {
            return dOut;
        }
        int n = batch * size;
        dx = ensure(dx, n);
        for (int i = 0; i < n; i++) {
            dx[i] = dOut[i] * mask[i];
        }
        return dx;
    }
}
