package org.sparktrain.engine.kernel;

/**
 * The plain-Java twin of {@link VectorPoolKernels}: the same outputs (docs/architecture.md, "Cold JVMs"). Where
 * the vector kernel works on whole vectors it takes {@code Math.max} of the pairs within each window row and then
 * of the rows (lanewise MAX: +0 beats −0 whatever the order), with the winner's code from the strict comparisons;
 * the rest of a row, where its loads would leave an array, goes to {@link ScalarPoolKernels#row} as in the vector
 * kernel. It writes nothing past the outputs (the vector kernel's junk lanes there are unspecified).
 */
final class TwinPoolKernels implements PoolKernels {
    private final int lanes;

    TwinPoolKernels(int lanes) {
        this.lanes = lanes;
    }

    @Override
    public void maxPool2x2(float[] x, int planes, int inH, int inW, int outH, int outW, float[] y, int[] code) {
        final int l = lanes;
        final int h = l / 2;
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < outH; oy++) {
                int r0 = pl * inH * inW + 2 * oy * inW;
                int o = (pl * outH + oy) * outW;
                int ox0 = 0;
                for (; ox0 < outW; ox0 += h) {
                    int s = r0 + 2 * ox0;
                    if (s + inW + l > x.length || o + ox0 + l > y.length || o + ox0 + l > code.length) {
                        break;
                    }
                    int end = Math.min(outW, ox0 + h);
                    for (int ox = ox0; ox < end; ox++) {
                        int i0 = r0 + 2 * ox;
                        int i1 = i0 + inW;
                        float a0 = x[i0];
                        float a1 = x[i0 + 1];
                        float b0 = x[i1];
                        float b1 = x[i1 + 1];
                        boolean selA = a1 > a0;
                        boolean selB = b1 > b0;
                        float ma = Math.max(a0, a1);
                        float mb = Math.max(b0, b1);
                        boolean selRow = (selB ? b1 : b0) > ma;
                        y[o + ox] = Math.max(ma, mb);
                        code[o + ox] = selRow ? (selB ? 3 : 2) : (selA ? 1 : 0);
                    }
                }
                if (ox0 < outW) {
                    ScalarPoolKernels.row(x, r0, inW, ox0, outW, y, code, o);
                }
            }
        }
    }

    @Override
    public int slack() {
        return lanes;
    }
}
