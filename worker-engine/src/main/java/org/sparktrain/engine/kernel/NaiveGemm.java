package org.sparktrain.engine.kernel;

/** Plain triple loop, accumulating in double: the slow, obviously correct reference for tests. */
public final class NaiveGemm implements Gemm {

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff,
                     float[] c, int cOff, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    float bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    s += (double) av * bv;
                }
                int ci = cOff + i * n + j;
                c[ci] = accumulate ? (float) (c[ci] + s) : (float) s;
            }
        }
    }

    @Override
    public String name() {
        return "naive";
    }

    @Override
    public String toString() {
        return "naive (scalar triple loop, double accumulation)";
    }
}
