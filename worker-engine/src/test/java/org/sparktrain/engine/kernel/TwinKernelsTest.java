package org.sparktrain.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every Vector API kernel and its plain-Java twin give the same bits (docs/architecture.md, "Cold JVMs"), with the
 * vector side cold (a JVM that only interprets: the Vector API's Java fallbacks; a JVM that stops at C1: boxed
 * vectors) and hot (in this JVM, after 20,000+ calls of every kernel, once a call allocates nothing: the C2
 * intrinsics). The comparisons themselves are {@link TwinCheck}.
 */
class TwinKernelsTest {

    @Test
    void twinsMatchTheVectorKernelsInAnInterpretedJvm() throws Exception {
        fork("-Xint", "2", "false");
    }

    @Test
    void twinsMatchTheVectorKernelsInAC1OnlyJvm() throws Exception {
        fork("-XX:TieredStopAtLevel=1", "8", "true");
    }

    @Test
    void twinsMatchTheVectorKernelsOnceC2HasCompiledThem() {
        Hot hot = new Hot();
        // Passes of (hot loop until allocation-free, the same random checks) until one pass's vector calls all
        // ran compiled (allocated nothing): new shapes and branches deoptimise code the hot loop compiled.
        long vectorBytes = -1;
        Object byFamily = null;
        int pass = 0;
        for (; pass < 30 && vectorBytes != 0; pass++) {
            long calls = hot.untilAllocationFree(pass == 0 ? 20_000 : 0);
            assertTrue(calls >= 20_000, "calls " + calls);
            TwinCheck c = new TwinCheck(7, 8).measuring(hot::threadBytes).all();
            assertTrue(c.checks > 500, "checks " + c.checks);
            assertEquals(List.of(), c.failures);
            vectorBytes = c.vectorBytes;
            byFamily = c.bytesByFamily;
        }
        System.out.println("TwinKernelsTest: all vector calls compiled in pass " + pass + ", " + hot.calls + " hot rounds");
        assertEquals(0, vectorBytes, "no pass of the checks ran all its vector calls compiled (allocation-free): "
                + byFamily);
    }

    @Test
    void reduceLanesAddsTheLanesInOrderFromZeroOnceCompiled() {
        // the twins' reductions assume it; TwinCheck checks it interpreted and in C1, this with the C2 intrinsic
        TwinCheck check = new TwinCheck(5, 1);
        float[][] cases = check.reduceCases(200);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long bytes = -1;
        int calls = 0;
        for (; calls < 20_000 && bytes != 0; calls++) {
            long before = mx.getThreadAllocatedBytes(id);
            assertEquals(0, TwinCheck.outOfOrder(cases), "reduceLanes(ADD) is not the in-order sum from +0");
            bytes = mx.getThreadAllocatedBytes(id) - before;
        }
        assertEquals(0, bytes, "outOfOrder still allocates after " + calls + " calls: not C2-compiled");
        assertEquals(0, TwinCheck.outOfOrder(cases));
        // and the cases can tell the orders apart: summed pairwise (a tree), some differ
        int differ = 0;
        for (float[] v : cases) {
            float inOrder = 0f;
            for (float x : v) {
                inOrder += x;
            }
            differ += Float.floatToIntBits(pairwise(v, 0, v.length)) != Float.floatToIntBits(inOrder) ? 1 : 0;
        }
        assertTrue(differ > 0, "no case tells the in-order sum from a tree's");
    }

    private static float pairwise(float[] v, int from, int to) {
        return to - from == 1 ? v[from] : pairwise(v, from, (from + to) / 2) + pairwise(v, (from + to) / 2, to);
    }

    /** Runs TwinCheck in a new JVM with {@code jit}; it must report no failure. */
    private static void fork(String jit, String rounds, String longK) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("--add-modules=jdk.incubator.vector");
        cmd.add(jit);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TwinCheck.class.getName());
        cmd.add(rounds);
        cmd.add("11");
        cmd.add(longK);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), jit + ": TwinCheck did not finish in 120 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), jit + ":\n" + out);
        assertTrue(out.contains(" failures=0"), out);
        long checks = Long.parseLong(out.replaceAll("(?s).*checks=(\\d+).*", "$1"));
        assertTrue(checks > 100, out);
    }

    /** Small calls of every vector kernel, repeated until C2 has compiled them (a round allocates nothing). */
    static final class Hot {
        private final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final VectorGemm gemm = new VectorGemm();
        private final Elementwise relu = new VectorElementwise();
        private final NormKernels norm = new VectorNormKernels();
        private final PoolKernels pool = new VectorPoolKernels();
        private final UpdateKernels adam = new VectorUpdateKernels();
        private final Columns columns = new VectorColumns(2, 9, 11, 3, 3, 1, 1, 1, 1, 9, 11);
        private final float[] a = new float[40 * 40];
        private final float[] b = new float[40 * 40];
        private final float[] c = new float[40 * 40];
        private final float[] x = new float[2 * 9 * 11 + 64];
        private final float[] col = new float[2 * 9 * 9 * 11 + 64];
        private final float[] y = new float[512];
        private final int[] code = new int[512];
        private final double[] acc = new double[2];
        private long calls;

        Hot() {
            for (int i = 0; i < a.length; i++) {
                a[i] = (i % 7) - 3;
                b[i] = (i % 5) * 0.25f;
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (i % 9) - 4;
            }
        }

        /** One call of every kernel path (the GEMM's broadcast with 6-, 4-, 2- and 1-row tiles, dot and pack). */
        private void round() {
            gemm.gemm(false, false, 13, 40, 9, a, 0, b, 0, c, 0, false);
            gemm.gemm(true, false, 16, 37, 5, a, 0, b, 0, c, 0, true);
            gemm.gemm(false, true, 6, 33, 40, a, 0, b, 0, c, 0, false);
            gemm.gemm(false, true, 40, 37, 7, a, 0, b, 0, c, 0, true);
            relu.relu(x, y, 77);
            relu.reluBackward(x, x, y, 77);
            norm.sum(x, 1, 190);
            norm.sumSquaredDeviation(x, 0, 180, 0.5f);
            norm.gradientSums(x, x, 3, 170, 0.5f, acc, acc, 1);
            pool.maxPool2x2(x, 2, 9, 11, 4, 5, y, code);
            adam.adam(y, x, c, 67, 0.9f, 0.1f, 0.999f, 0.001f, 0.01f, 0.3f, 1e-8f);
            columns.im2col(x, 0, col, 0, 99);
            columns.im2colBatch(x, 0, 0, 1, col, 0, 99);
            columns.col2im(col, 0, y, 0, 99);
            org.sparktrain.engine.layer.RecurrentTwinCheck.hot(y, 0, 77);
            calls++;
        }

        long threadBytes() {
            return mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        }

        /** Bytes allocated by 50 rounds. */
        long allocated() {
            long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            long overhead = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 50; i++) {
                round();
            }
            return mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before - overhead;
        }

        /** {@code min} rounds, then rounds until 50 in a row allocate nothing; the rounds taken so far. */
        long untilAllocationFree(int min) {
            for (int i = 0; i < min; i++) {
                round();
            }
            while (allocated() != 0) {
                assertTrue(calls < 200_000, "the vector kernels still allocate after " + calls + " rounds");
            }
            return calls;
        }
    }
}
