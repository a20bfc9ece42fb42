package org.sparktrain.engine.kernel;

/**
 * The plain-Java twin of {@link VectorNormKernels}: the same bits (docs/architecture.md, "Cold JVMs"). Per block
 * of at most {@value NormKernels#BLOCK} elements, lane q's float sum runs over the elements q, q + L, ... of the
 * block from +0 (the vector accumulator's lane), the lanes are added in order from +0 ({@code reduceLanes(ADD)})
 * and the block's float total is added to the double total; the tail past {@code loopBound} in double, as the
 * vector kernel. Each lane's sum is finished before it is reduced, so no lane array is needed.
 */
final class TwinNormKernels implements NormKernels {
    private final int lanes;

    TwinNormKernels(int lanes) {
        this.lanes = lanes;
    }

    @Override
    public double sum(float[] v, int from, int to) {
        final int l = lanes;
        double total = 0;
        int vend = from + (to - from) / l * l;
        for (int b0 = from; b0 < vend; b0 += BLOCK) {
            int bend = Math.min(vend, b0 + BLOCK);
            float red = 0f;
            for (int q = 0; q < l; q++) {
                float a = 0f;
                for (int i = b0 + q; i < bend; i += l) {
                    a = a + v[i];
                }
                red += a;
            }
            total += red;
        }
        for (int i = vend; i < to; i++) {
            total += v[i];
        }
        return total;
    }

    @Override
    public double sumSquaredDeviation(float[] v, int from, int to, float mu) {
        final int l = lanes;
        double total = 0;
        int vend = from + (to - from) / l * l;
        for (int b0 = from; b0 < vend; b0 += BLOCK) {
            int bend = Math.min(vend, b0 + BLOCK);
            float red = 0f;
            for (int q = 0; q < l; q++) {
                float a = 0f;
                for (int i = b0 + q; i < bend; i += l) {
                    float d = v[i] - mu;
                    a = Math.fma(d, d, a);
                }
                red += a;
            }
            total += red;
        }
        for (int i = vend; i < to; i++) {
            double d = v[i] - mu;
            total += d * d;
        }
        return total;
    }

    @Override
    public void gradientSums(float[] dy, float[] x, int from, int to, float mu, double[] acc1, double[] acc2, int g) {
        final int l = lanes;
        double s1 = 0;
        double s2 = 0;
        int vend = from + (to - from) / l * l;
        for (int b0 = from; b0 < vend; b0 += BLOCK) {
            int bend = Math.min(vend, b0 + BLOCK);
            float red1 = 0f;
            float red2 = 0f;
            for (int q = 0; q < l; q++) {
                float a = 0f;
                float b = 0f;
                for (int i = b0 + q; i < bend; i += l) {
                    float d = dy[i];
                    a = a + d;
                    b = Math.fma(d, x[i] - mu, b);
                }
                red1 += a;
                red2 += b;
            }
            s1 += red1;
            s2 += red2;
        }
        for (int i = vend; i < to; i++) {
            s1 += dy[i];
            s2 += dy[i] * ((double) x[i] - mu);
        }
        acc1[g] += s1;
        acc2[g] += s2;
    }
}
