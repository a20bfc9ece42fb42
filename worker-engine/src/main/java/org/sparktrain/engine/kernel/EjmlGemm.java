package org.sparktrain.engine.kernel;

import java.util.Arrays;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.mult.MatrixMatrixMult_FDRM;

/**
 * GEMM through EJML's {@code CommonOps_FDRM}: the portable fallback when the Vector API module is
 * absent (scalar code, roughly 10× slower than {@link VectorGemm} on minibatch shapes).
 *
 * <p>EJML matrices start at index 0 of their array, so an operand at offset 0 is used in place: a
 * per-thread {@link FMatrixRMaj} view gets its {@code data/numRows/numCols} fields set (EJML reads
 * only the first rows·cols elements, so a longer array is fine). An operand at a non-zero offset is
 * copied into a per-thread workspace, and so is C, then copied back. Views and workspaces are reused,
 * so nothing is allocated per call after warm-up ({@code FMatrixRMaj.wrap} would allocate a view, and
 * {@code multTransAB} an auxiliary row, on every call).
 */
public final class EjmlGemm implements Gemm {
    private static final ThreadLocal<Views> VIEWS = ThreadLocal.withInitial(Views::new);

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff,
                     float[] c, int cOff, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                Arrays.fill(c, cOff, cOff + m * n, 0f);
            }
            return;
        }
        Views v = VIEWS.get();
        FMatrixRMaj ma = v.view(v.a, a, aOff, transA ? k : m, transA ? m : k, v.wsA, true);
        FMatrixRMaj mb = v.view(v.b, b, bOff, transB ? n : k, transB ? k : n, v.wsB, true);
        FMatrixRMaj mc = v.view(v.c, c, cOff, m, n, v.wsC, accumulate);
        if (transA && transB) {
            // multTransAB would allocate its k-long auxiliary row per call: pass ours.
            float[] aux = v.aux.aux(k);
            if (accumulate) {
                MatrixMatrixMult_FDRM.multAddTransAB_aux(ma, mb, mc, aux);
            } else {
                MatrixMatrixMult_FDRM.multTransAB_aux(ma, mb, mc, aux);
            }
        } else if (transA) {
            if (accumulate) {
                CommonOps_FDRM.multAddTransA(ma, mb, mc);
            } else {
                CommonOps_FDRM.multTransA(ma, mb, mc);
            }
        } else if (transB) {
            if (accumulate) {
                CommonOps_FDRM.multAddTransB(ma, mb, mc);
            } else {
                CommonOps_FDRM.multTransB(ma, mb, mc);
            }
        } else if (accumulate) {
            CommonOps_FDRM.multAdd(ma, mb, mc);
        } else {
            CommonOps_FDRM.mult(ma, mb, mc);
        }
        if (mc.data != c) {
            System.arraycopy(mc.data, 0, c, cOff, m * n);
        }
        // Views must not pin the caller's arrays between calls.
        v.release();
    }

    @Override
    public String name() {
        return "ejml";
    }

    @Override
    public String toString() {
        return "ejml (org.ejml FDRM, scalar)";
    }

    /** Reusable EJML views and copy buffers of one thread. */
    private static final class Views {
        final FMatrixRMaj a = new FMatrixRMaj(1, 1);
        final FMatrixRMaj b = new FMatrixRMaj(1, 1);
        final FMatrixRMaj c = new FMatrixRMaj(1, 1);
        final GemmWorkspace wsA = new GemmWorkspace(0);
        final GemmWorkspace wsB = new GemmWorkspace(0);
        final GemmWorkspace wsC = new GemmWorkspace(0);
        final GemmWorkspace aux = new GemmWorkspace(0);

        /**
         * Points {@code view} at {@code rows×cols} floats of {@code data} from {@code off}: the array
         * itself at offset 0, else a workspace copy ({@code copy} false when the contents are about
         * to be overwritten, i.e. for C without accumulation).
         */
        FMatrixRMaj view(FMatrixRMaj view, float[] data, int off, int rows, int cols,
                         GemmWorkspace ws, boolean copy) {
            int size = rows * cols;
            if (off == 0) {
                view.data = data;
            } else {
                float[] buf = ws.panel(size);
                if (copy) {
                    System.arraycopy(data, off, buf, 0, size);
                }
                view.data = buf;
            }
            view.numRows = rows;
            view.numCols = cols;
            return view;
        }

        void release() {
            a.data = wsA.panel(0);
            b.data = wsB.panel(0);
            c.data = wsC.panel(0);
        }
    }
}
