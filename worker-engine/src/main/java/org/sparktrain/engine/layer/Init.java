package org.sparktrain.engine.layer;

import java.util.SplittableRandom;

/**
 * Weight initialisation schemes, seeded. {@code fanIn}/{@code fanOut} count the inputs and outputs of
 * one unit (for a convolution: channels × kernel area).
 * <ul>
 * <li>{@code HE}: normal, std = sqrt(2 / fanIn) (He et al. 2015), for layers followed by ReLU;</li>
 * <li>{@code XAVIER}: uniform in ±sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio 2010);</li>
 * <li>{@code UNIFORM}: uniform in ±1/sqrt(fanIn), PyTorch's default for Linear and Conv2d.</li>
 * </ul>
 */
public enum Init {
    HE, XAVIER, UNIFORM;

    public void fill(float[] w, int off, int len, int fanIn, int fanOut, SplittableRandom rnd) {
        switch (this) {
            case HE -> {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < len; i++) {
                    w[off + i] = (float) (gaussian(rnd) * std);
                }
            }
            case XAVIER -> {
                double a = Math.sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < len; i++) {
                    w[off + i] = (float) ((2 * rnd.nextDouble() - 1) * a);
                }
            }
            case UNIFORM -> {
                double a = 1.0 / Math.sqrt(fanIn);
                for (int i = 0; i < len; i++) {
                    w[off + i] = (float) ((2 * rnd.nextDouble() - 1) * a);
                }
            }
            default -> throw new AssertionError(this);
        }
    }

    /** Standard normal by Box-Muller from the given stream (SplittableRandom has no nextGaussian in 17). */
    static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    public static Init parse(String s, String where) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "he", "kaiming" -> HE;
            case "xavier", "glorot" -> XAVIER;
            case "uniform" -> UNIFORM;
            default -> throw new IllegalArgumentException(where + ": unknown init '" + s
                    + "' (allowed: he, xavier, uniform)");
        };
    }
}
