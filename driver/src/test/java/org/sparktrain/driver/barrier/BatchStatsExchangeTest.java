package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.layer.BatchStatsSync;

/**
 * {@link BatchStatsExchange}, the threads of one task (no ring): every thread gets the sum in thread order, and a
 * thread that fails, before or while the others wait, or a killed task, ends every wait instead of leaving a thread
 * waiting for one that will not come.
 */
class BatchStatsExchangeTest {

    @Test
    void everyThreadGetsTheSumOfAllThreadsCallAfterCall() throws Exception {
        BatchStatsExchange x = new BatchStatsExchange(3, null, 4, () -> false);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?>[] f = new Future<?>[3];
            double[][] got = new double[3][];
            for (int j = 0; j < 3; j++) {
                int jj = j;
                BatchStatsSync s = x.forThread(j);
                f[j] = pool.submit(() -> {
                    double[] last = null;
                    for (int call = 0; call < 200; call++) { // many calls: a fast thread must not overtake the sum
                        double[] v = {jj + call, 10 * jj, 1, call};
                        s.allReduce(v, 3 + call % 2);
                        last = v;
                        double want0 = 3 + 3.0 * call;
                        if (v[0] != want0 || v[1] != 30 || v[2] != 3) {
                            throw new AssertionError("call " + call + " of thread " + jj + ": " + v[0] + ", " + v[1]);
                        }
                    }
                    got[jj] = last;
                });
            }
            for (Future<?> ff : f) {
                ff.get(60, TimeUnit.SECONDS);
            }
            assertArrayEquals(got[0], got[1]);
            assertArrayEquals(got[0], got[2]);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThreadThatFailedBeforeTheOthersArriveEndsTheirCalls() {
        BatchStatsExchange x = new BatchStatsExchange(2, null, 3, () -> false);
        x.fail(new IllegalArgumentException("thread 1's loss failed"));
        // thread 0 reaches its next BatchNorm sum after thread 1 failed: it must not wait for thread 1
        IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThrows(IllegalStateException.class, () -> x.forThread(0).allReduce(new double[3], 3)));
        assertTrue(e.getMessage().contains("thread 1's loss failed"), e.getMessage());
    }

    @Test
    void aThreadThatFailsWhileTheOthersWaitReleasesThem() throws Exception {
        BatchStatsExchange x = new BatchStatsExchange(2, null, 3, () -> false);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> waiting = pool.submit(() -> x.forThread(0).allReduce(new double[3], 3));
            Thread.sleep(300);
            x.fail(new IllegalStateException("thread 1 ran out of memory"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("thread 1 ran out of memory"), e.getCause().getMessage());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aKilledTaskEndsAWait() throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        BatchStatsExchange x = new BatchStatsExchange(2, null, 3, killed::get);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> waiting = pool.submit(() -> x.forThread(1).allReduce(new double[3], 3));
            Thread.sleep(300);
            killed.set(true);
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("killed"), e.getCause().getMessage());
        } finally {
            pool.shutdownNow();
        }
    }
}
