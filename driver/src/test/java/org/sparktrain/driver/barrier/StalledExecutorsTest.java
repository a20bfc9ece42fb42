package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.TestSpark;

/** Which task a stall failure names, where it ran, and that a local master has nothing to replace. */
class StalledExecutorsTest {

    @Test
    void theSilentPeerIsTheOneAStallFailureNames() {
        // the two forms PeerLinks writes (a peer that sends nothing, a peer that reads nothing)
        assertEquals(1, StalledExecutors.stalledTask("run: epoch 2, barrier stage attempt 1, task 0: no data from task 1"
                + " (10.0.0.7:41234) for 20000 ms: the peer is dead, stalled or slower than ..."));
        assertEquals(3, StalledExecutors.stalledTask("run: epoch 2, barrier stage attempt 1, task 2: task 3"
                + " (10.0.0.8:41000) accepted no data for 20000 ms: the peer is dead, stalled or slower than ..."));
        assertEquals(-1, StalledExecutors.stalledTask("Connection refused"));
    }

    @Test
    void aStageThatLostItsShuffleOutputWithAnExecutorIsNotCountedAsAFailedAttempt() {
        assertEquals(true, BarrierEpoch.lostShuffleOutput("SparkException: Job aborted due to stage failure: Could not"
                + " recover from a failed barrier ResultStage. Most recent failure reason:"
                + " org.apache.spark.shuffle.MetadataFetchFailedException: Missing an output location for shuffle 0"));
        assertEquals(false, BarrierEpoch.lostShuffleOutput("task 1: no data from task 0 (x:1) for 20000 ms"));
    }

    @Test
    void tasksOfATaggedStageAreTrackedAndALocalMasterReplacesNothing() throws Exception {
        JavaSparkContext sc = TestSpark.jsc();
        StalledExecutors s = StalledExecutors.of(sc.sc());
        sc.setLocalProperty(StalledExecutors.STAGE_PROPERTY, "test stage");
        try {
            scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Integer>> same =
                    (scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Integer>>
                            & java.io.Serializable) it -> it;
            sc.parallelize(List.of(1, 2, 3, 4), 2).rdd().barrier()
                    .mapPartitions(same, false, scala.reflect.ClassTag$.MODULE$.apply(Integer.class)).count();
        } finally {
            sc.setLocalProperty(StalledExecutors.STAGE_PROPERTY, null);
        }
        // listener events arrive asynchronously
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (s.executorOf("test stage", 1) == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("driver", s.executorOf("test stage", 0));
        assertEquals("driver", s.executorOf("test stage", 1));
        assertNull(s.replaceStalled(sc.sc(), "test stage", "task 0: no data from task 1 (x:1) for 5 ms"),
                "a local master has no executor to replace");
        s.forget("test stage");
        assertNull(s.executorOf("test stage", 1));
    }
}
