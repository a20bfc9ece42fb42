package org.sparktrain.engine.kernel;

/** Plain-Java element-wise kernels: the fallback and the reference in tests. */
public final class ScalarElementwise implements Elementwise {

    @Override
    public void relu(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            y[i] = v < 0f ? 0f : v;
        }
    }

    @Override
    public void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }
}
