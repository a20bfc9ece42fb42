package org.sparktrain.engine.layer;

import org.sparktrain.engine.kernel.ColdPhase;

/** {@link VectorRecurrentKernels} behind its cold phases, on {@link TwinRecurrentKernels} while cold ({@link ColdPhase}). */
final class ColdRecurrentKernels implements RecurrentKernels {
    private static final RecurrentKernels WARM = new VectorRecurrentKernels();
    private static final float[] A = new float[101];
    private static final float[] B = new float[101];
    private static final ColdPhase SIGMOID = new ColdPhase("sigmoid", () -> {
        for (int i = 0; i < A.length; i++) {
            A[i] = ((i * 7) % 11) - 5;
        }
        WARM.sigmoid(A, 0, 101);
    });
    private static final ColdPhase TANH = new ColdPhase("tanh", () -> {
        for (int i = 0; i < A.length; i++) {
            A[i] = ((i * 7) % 11) - 5;
        }
        WARM.tanh(A, 1, B, 0, 99);
        WARM.tanh(A, 0, 101);
    });
    final RecurrentKernels vector;
    final RecurrentKernels twin;

    ColdRecurrentKernels(RecurrentKernels vector, RecurrentKernels twin) {
        this.vector = vector;
        this.twin = twin;
    }

    @Override
    public void sigmoid(float[] a, int off, int len) {
        ColdPhase phase = SIGMOID;
        if (phase.vector()) {
            vector.sigmoid(a, off, len);
        } else if (!phase.timed()) {
            twin.sigmoid(a, off, len);
        } else {
            long t0 = System.nanoTime();
            if (phase.tryVector()) {
                vector.sigmoid(a, off, len);
                phase.vectorTook(t0, len);
            } else {
                twin.sigmoid(a, off, len);
                phase.twinTook(t0, len);
            }
        }
    }

    @Override
    public void tanh(float[] a, int off, int len) {
        tanh(a, off, a, off, len);
    }

    @Override
    public void tanh(float[] src, int sOff, float[] dst, int dOff, int len) {
        ColdPhase phase = TANH;
        if (phase.vector()) {
            vector.tanh(src, sOff, dst, dOff, len);
        } else if (!phase.timed()) {
            twin.tanh(src, sOff, dst, dOff, len);
        } else {
            long t0 = System.nanoTime();
            if (phase.tryVector()) {
                vector.tanh(src, sOff, dst, dOff, len);
                phase.vectorTook(t0, len);
            } else {
                twin.tanh(src, sOff, dst, dOff, len);
                phase.twinTook(t0, len);
            }
        }
    }
}
