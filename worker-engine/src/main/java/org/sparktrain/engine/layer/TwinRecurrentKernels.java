package org.sparktrain.engine.layer;

/**
 * The plain-Java twin of {@link VectorRecurrentKernels}: the same bits (docs/architecture.md, "Cold JVMs").
 * {@link #exp} is the vector kernels' e^x on one lane, operation for operation ({@code Math.max/min} for the
 * clamp, {@code Math.fma} where it fuses, the 2^n bits built from t's bits); the tail past {@code loopBound(len)}
 * goes to {@link RecurrentKernels.Scalar} as in the vector kernel.
 */
final class TwinRecurrentKernels implements RecurrentKernels {
    private static final RecurrentKernels SCALAR = new RecurrentKernels.Scalar();
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = 0x4B400000;
    private final int lanes;

    TwinRecurrentKernels(int lanes) {
        this.lanes = lanes;
    }

    /** One lane of the e^x written out in {@code VectorRecurrentKernels.sigmoid} and {@code tanh}. */
    static float exp(float x) {
        x = Math.min(Math.max(x, -87.3f), 88.7f);
        float t = Math.fma(x, LOG2E, MAGIC);
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = 1.9875691500e-4f;
        p = Math.fma(p, r, 1.3981999507e-3f);
        p = Math.fma(p, r, 8.3334519073e-3f);
        p = Math.fma(p, r, 4.1665795894e-2f);
        p = Math.fma(p, r, 1.6666665459e-1f);
        p = Math.fma(p, r, 5.0000001201e-1f);
        float r2 = r * r;
        float er = Math.fma(p, r2, r + 1f);
        int bits = (Float.floatToRawIntBits(t) - (MAGIC_BITS - 127)) << 23;
        return er * Float.intBitsToFloat(bits);
    }

    @Override
    public void sigmoid(float[] a, int off, int len) {
        int up = len / lanes * lanes;
        for (int i = 0; i < up; i++) {
            float e = exp(-a[off + i]);
            a[off + i] = 1f / (e + 1f);
        }
        SCALAR.sigmoid(a, off + up, len - up);
    }

    @Override
    public void tanh(float[] a, int off, int len) {
        tanh(a, off, a, off, len);
    }

    @Override
    public void tanh(float[] src, int sOff, float[] dst, int dOff, int len) {
        int up = len / lanes * lanes;
        for (int i = 0; i < up; i++) {
            float e = exp(src[sOff + i] * 2f);
            dst[dOff + i] = 1f - 2f / (e + 1f);
        }
        SCALAR.tanh(src, sOff + up, dst, dOff + up, len - up);
    }
}
