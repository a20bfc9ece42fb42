package org.sparktrain.engine.kernel;

/** Plain-Java pooling kernels: the fallback and the reference in tests. */
public final class ScalarPoolKernels implements PoolKernels {

    @Override
    public void maxPool2x2(float[] x, int planes, int inH, int inW, int outH, int outW, float[] y, int[] code) {
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < outH; oy++) {
                row(x, pl * inH * inW + 2 * oy * inW, inW, 0, outW, y, code, (pl * outH + oy) * outW);
            }
        }
    }

    /**
     * Outputs {@code [ox0, outW)} of one output row: windows start at {@code r0 + 2·ox} (top row) and
     * {@code r0 + inW + 2·ox}; output ox goes to {@code o + ox}. Branch-free (a conditional move and
     * Math.max): the winner's position is unpredictable on real activations.
     */
    static void row(float[] x, int r0, int inW, int ox0, int outW, float[] y, int[] code, int o) {
        for (int ox = ox0; ox < outW; ox++) {
            int i0 = r0 + 2 * ox;
            int i1 = i0 + inW;
            float best = x[i0];
            int bi = 0;
            float v = x[i0 + 1];
            // strict '>' keeps the first maximum; Math.max propagates a NaN
            bi = v > best ? 1 : bi;
            best = Math.max(best, v);
            v = x[i1];
            bi = v > best ? 2 : bi;
            best = Math.max(best, v);
            v = x[i1 + 1];
            bi = v > best ? 3 : bi;
            best = Math.max(best, v);
            y[o + ox] = best;
            code[o + ox] = bi;
        }
    }

    @Override
    public int slack() {
        return 0;
    }
}
