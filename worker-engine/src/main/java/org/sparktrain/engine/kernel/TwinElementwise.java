package org.sparktrain.engine.kernel;

/**
 * The plain-Java twin of {@link VectorElementwise}: the same bits (docs/architecture.md, "Cold JVMs"). ReLU is
 * {@code Math.max(x, +0)} on the lanes (lanewise MAX: −0 becomes +0) and {@code x < 0 ? 0 : x} on the tail
 * past {@code loopBound(n)} (−0 stays −0), as the vector kernel does; its backward pass is one select everywhere.
 */
final class TwinElementwise implements Elementwise {
    private final int lanes;

    TwinElementwise(int lanes) {
        this.lanes = lanes;
    }

    @Override
    public void relu(float[] x, float[] y, int n) {
        int bound = n / lanes * lanes;
        int i = 0;
        for (; i < bound; i++) {
            y[i] = Math.max(x[i], 0f);
        }
        for (; i < n; i++) {
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
