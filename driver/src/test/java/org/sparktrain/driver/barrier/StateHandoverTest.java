package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When task 0 hands its state over, and that the rendezvous connection carries it intact (no Spark). */
class StateHandoverTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void everyNRoundsOrTSecondsOrACheckpointButNeverAfterTheLastRound() {
        StateHandover h = new StateHandover(4, 30_000, 0, 0);
        assertFalse(h.due(3, 15, 3, 100));
        assertTrue(h.due(4, 15, 4, 100));
        assertTrue(h.due(2, 15, 2, 30_000), "time first");
        assertFalse(h.due(15, 15, 4, 100_000), "the stage's result carries the last round's state");
        StateHandover byTime = new StateHandover(0, 1_000, 0, 0);
        assertFalse(byTime.due(10, 15, 10, 999));
        assertTrue(byTime.due(10, 15, 10, 1_000));
        // checkpoints every 3 rounds of the run, 7 rounds before this epoch: due after its rounds 2, 5, 8, ...
        StateHandover cp = StateHandover.off().withCheckpoints(3, 7);
        assertTrue(cp.enabled());
        assertTrue(cp.due(2, 15, 2, 0) && cp.due(5, 15, 3, 0) && !cp.due(4, 15, 2, 0));
        assertFalse(StateHandover.off().enabled());
    }

    @Test
    void theStatesTaskZeroSendsReachTheDriverIntact() throws Exception {
        AllReduceSettings local = AllReduceSettings.defaults().withHost("127.0.0.1");
        byte[] secret = Handshake.newSecret();
        List<RoundState> got = new CopyOnWriteArrayList<>();
        Rendezvous.StateSink sink = new Rendezvous.StateSink() {
            @Override
            public int stateLength() {
                return 5;
            }

            @Override
            public int rounds() {
                return 10;
            }

            @Override
            public void accept(RoundState s) {
                got.add(s);
            }
        };
        float[] a = {1f, -0f, Float.MIN_VALUE, 3.25f, Float.NaN};
        float[] b = {2f, 2f, 2f, 2f, 2f};
        try (Rendezvous rv = new Rendezvous("127.0.0.1", "127.0.0.1", local, 2, secret, "test stage", sink)) {
            Future<String[]> other = pool.submit(() -> Rendezvous.exchange(rv.address(), secret, 1, 2, "h1:11", local,
                    () -> false, "test stage"));
            Future<Void> zero = pool.submit(() -> {
                Rendezvous.Registration reg = Rendezvous.register(rv.address(), secret, 0, 2, "h0:10", local,
                        () -> false, "test stage", true);
                try (Conn ch = reg.states()) {
                    assertArrayEquals(new String[] {"h0:10", "h1:11"}, reg.addresses());
                    Rendezvous.send(ch, new RoundState(4, 8, 40, a, new double[] {1, 2, 3, 4},
                            new double[] {8, 8, 8, 8}), local, () -> false, "test stage");
                    Rendezvous.send(ch, new RoundState(8, 16, 80, b, new double[8], new double[8]), local,
                            () -> false, "test stage");
                }
                return null;
            });
            assertArrayEquals(new String[] {"h0:10", "h1:11"}, other.get(10, TimeUnit.SECONDS));
            zero.get(10, TimeUnit.SECONDS);
            rv.awaitEnd(10_000); // task 0 closed its connection: the driver has read everything
            assertEquals(2, got.size());
            RoundState first = got.get(0);
            assertEquals(4, first.roundsDone());
            assertEquals(8, first.step());
            assertEquals(40, first.stepCount());
            assertArrayEquals(a, first.state()); // bit for bit, -0 and NaN included
            assertArrayEquals(new double[] {1, 2, 3, 4}, first.lossSums());
            assertEquals(8, rv.latest().roundsDone());
            assertArrayEquals(b, rv.latest().state());
            assertNull(rv.failure());
        }
    }
}
