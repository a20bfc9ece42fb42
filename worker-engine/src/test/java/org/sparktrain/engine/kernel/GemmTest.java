package org.sparktrain.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Gemm} against a double-precision reference, on all transpose cases, with offsets,
 * degenerate and ragged shapes.
 *
 * <p>Tolerance: any float summation order of k products plus (when accumulating) the old C value
 * satisfies {@code |ĉ − c| ≤ γ·Σ|terms|} with {@code γ ≈ (k+1)·u}, u = 2⁻²⁴ the unit round-off.
 * The test allows {@link #TOLERANCE_PER_TERM} (2u) per term of that sum, i.e. it accepts any
 * correct summation order and rejects a missing, doubled or misplaced product for the k used here.
 */
class GemmTest {
    /** Allowed error per summed term, relative to Σ|a·b| (+|c₀|): twice the float unit round-off. */
    static final double TOLERANCE_PER_TERM = 0x1p-23;
    /** Written into every slot a GEMM must not read (A, B padding; C before a non-accumulating call). */
    private static final float POISON = Float.NaN;
    /** Written around C's region: must survive bit for bit. */
    private static final float GUARD = -12345.678f;

    static Stream<Gemm> implementations() {
        return Stream.of(new NaiveGemm(), new EjmlGemm(), new VectorGemm(),
                new VectorGemm(VectorGemm.TransBStrategy.DOT), new VectorGemm(VectorGemm.TransBStrategy.PACK));
    }

    /** Shapes: all m ≤ 7 with sampled n ≤ 33, k ≤ 40, zeros, plus the kernels' block boundaries. */
    static List<int[]> shapes() {
        List<int[]> shapes = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(42);
        for (int m = 0; m <= 7; m++) {
            for (int s = 0; s < 24; s++) {
                shapes.add(new int[] {m, rnd.nextInt(34), rnd.nextInt(41)});
            }
        }
        int[][] fixed = {
            {1, 1, 1}, {0, 0, 0}, {0, 5, 3}, {5, 0, 3}, {5, 3, 0}, {1, 1, 0},
            {6, 16, 25}, {6, 17, 25}, {16, 32, 150}, {13, 48, 9}, {23, 33, 40}, {64, 10, 128},
            {12, 1, 7}, {1, 40, 33}, {6, 25, 1100}, {5, 7, 2051}, {37, 41, 520}, {40, 50, 31},
            // NT dot products cut k into chunks when n is large: several chunks, a short last one.
            {5, 300, 1100}, {3, 200, 1030},
        };
        for (int[] f : fixed) {
            shapes.add(f);
        }
        return shapes;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void matchesDoubleReferenceOnAllShapesAndTransposes(Gemm gemm) {
        SplittableRandom rnd = new SplittableRandom(7);
        int checked = 0;
        for (int[] shape : shapes()) {
            for (int t = 0; t < 4; t++) {
                for (boolean acc : new boolean[] {false, true}) {
                    check(gemm, (t & 1) != 0, (t & 2) != 0, shape[0], shape[1], shape[2], acc, rnd);
                    checked++;
                }
            }
        }
        assertTrue(checked > 1000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void reusesWorkspaceAcrossShrinkingAndGrowingCalls(Gemm gemm) {
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] seq = {{30, 70, 90}, {3, 5, 4}, {30, 70, 90}, {7, 19, 200}, {2, 2, 2}};
        for (int[] s : seq) {
            for (int t = 0; t < 4; t++) {
                check(gemm, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], t % 2 == 0, rnd);
            }
        }
    }

    @Test
    void concurrentCallsOnDistinctCAgree() throws InterruptedException {
        Gemm gemm = new VectorGemm();
        int m = 17, n = 45, k = 61;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] a = random(m * k, rnd);
        float[] b = random(k * n, rnd);
        float[] expected = new float[m * n];
        gemm.gemm(false, true, m, n, k, a, 0, b, 0, expected, 0, false);
        float[][] out = new float[4][m * n];
        Thread[] threads = new Thread[out.length];
        for (int t = 0; t < threads.length; t++) {
            float[] c = out[t];
            threads[t] = new Thread(() -> {
                for (int r = 0; r < 200; r++) {
                    gemm.gemm(false, true, m, n, k, a, 0, b, 0, c, 0, false);
                }
            });
            threads[t].start();
        }
        for (Thread th : threads) {
            th.join();
        }
        for (float[] c : out) {
            for (int i = 0; i < c.length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(c[i]));
            }
        }
    }

    /**
     * Runs one product with A, B, C embedded at random offsets in poisoned/guarded arrays and checks
     * C's region against the double reference and everything around it for bitwise equality.
     */
    private static void check(Gemm gemm, boolean transA, boolean transB, int m, int n, int k,
                              boolean acc, SplittableRandom rnd) {
        int aOff = rnd.nextInt(4), bOff = rnd.nextInt(4), cOff = rnd.nextInt(4);
        float[] a = poisoned(aOff + m * k + rnd.nextInt(3));
        float[] b = poisoned(bOff + k * n + rnd.nextInt(3));
        float[] c = new float[cOff + m * n + rnd.nextInt(3)];
        java.util.Arrays.fill(c, GUARD);
        for (int i = 0; i < m * k; i++) {
            a[aOff + i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < k * n; i++) {
            b[bOff + i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < m * n; i++) {
            c[cOff + i] = acc ? (float) (rnd.nextDouble() * 2 - 1) : POISON;
        }
        float[] before = c.clone();
        gemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, acc);
        String where = gemm.name() + " transA=" + transA + " transB=" + transB + " m=" + m + " n=" + n
                + " k=" + k + " acc=" + acc + " offsets=" + aOff + "," + bOff + "," + cOff;
        for (int i = 0; i < c.length; i++) {
            boolean inside = i >= cOff && i < cOff + m * n;
            if (!inside && Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(before[i])) {
                fail(where + ": wrote outside C at index " + i);
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = acc ? before[cOff + i * n + j] : 0;
                double abs = Math.abs(sum);
                for (int p = 0; p < k; p++) {
                    double x = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    double y = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    sum += x * y;
                    abs += Math.abs(x * y);
                }
                float got = c[cOff + i * n + j];
                double tol = TOLERANCE_PER_TERM * (k + 2) * abs;
                if (!(Math.abs(got - sum) <= tol)) {
                    fail(where + ": C[" + i + "," + j + "] = " + got + ", expected " + sum + " ± " + tol);
                }
            }
        }
    }

    private static float[] poisoned(int size) {
        float[] x = new float[size];
        java.util.Arrays.fill(x, POISON);
        return x;
    }

    private static float[] random(int size, SplittableRandom rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
