package org.sparktrain.engine.kernel;

/** {@link VectorPoolKernels} behind its cold phase, on {@link TwinPoolKernels} while cold ({@link ColdPhase}). */
final class ColdPoolKernels implements PoolKernels {
    private static final PoolKernels WARM = new VectorPoolKernels();
    /** Two 12×28 planes, the array exactly that long (its last row's loads leave it: the scalar end). */
    private static final float[] X = ColdElementwise.warmValues(2 * 12 * 28);
    private static final float[] Y = new float[2 * 6 * 14 + WARM.slack()];
    private static final int[] CODE = new int[Y.length];
    private static final ColdPhase POOL = new ColdPhase("maxpool2x2",
            () -> WARM.maxPool2x2(X, 2, 12, 28, 6, 14, Y, CODE));
    final PoolKernels vector;
    final PoolKernels twin;

    ColdPoolKernels(PoolKernels vector, PoolKernels twin) {
        this.vector = vector;
        this.twin = twin;
    }

    @Override
    public void maxPool2x2(float[] x, int planes, int inH, int inW, int outH, int outW, float[] y, int[] code) {
        ColdPhase phase = POOL;
        if (phase.vector()) {
            vector.maxPool2x2(x, planes, inH, inW, outH, outW, y, code);
        } else if (!phase.timed()) {
            twin.maxPool2x2(x, planes, inH, inW, outH, outW, y, code);
        } else {
            long t0 = System.nanoTime();
            long work = (long) planes * outH * outW;
            if (phase.tryVector()) {
                vector.maxPool2x2(x, planes, inH, inW, outH, outW, y, code);
                phase.vectorTook(t0, work);
            } else {
                twin.maxPool2x2(x, planes, inH, inW, outH, outW, y, code);
                phase.twinTook(t0, work);
            }
        }
    }

    @Override
    public int slack() {
        return vector.slack();
    }
}
