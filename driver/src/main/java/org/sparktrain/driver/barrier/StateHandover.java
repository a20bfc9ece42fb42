package org.sparktrain.driver.barrier;

import java.io.Serializable;
import org.apache.spark.SparkConf;

/**
 * How often task 0 of a barrier stage hands the averaged state to the driver, so that a rerun after a failed task
 * starts from there instead of the epoch's start (docs/architecture.md, "Failing cleanly"): after every
 * {@code everyRounds} rounds or {@code everyMillis} of wall time since the last hand-over, whichever comes first,
 * and at the rounds a checkpoint is due ({@code --checkpoint-every}); never after the epoch's last round (the
 * stage's result carries that state).
 *
 * <table>
 * <caption>Spark configuration keys</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@value #EVERY_ROUNDS}</td><td>{@code 20}</td><td>rounds between hand-overs ({@code 0}: by time
 *     only)</td></tr>
 * <tr><td>{@value #EVERY_SECONDS}</td><td>{@code 30s}</td><td>longest time between hand-overs ({@code 0}: by
 *     rounds only); both 0 turn hand-overs off (a rerun starts from the epoch's start)</td></tr>
 * </table>
 * A hand-over is one copy of {@code [params | optimizer state | network state]} on task 0 and its send to the
 * driver over the rendezvous connection (needs {@code spark.sparktrain.allreduce.rendezvous=driver}, the default).
 *
 * @param checkpointEvery hand over at every round whose number in the run is a multiple of this (0: none)
 * @param roundsBefore rounds of the run before this epoch (the checkpoint rounds are counted over the run)
 */
public record StateHandover(int everyRounds, long everyMillis, int checkpointEvery, long roundsBefore)
        implements Serializable {
    public static final String EVERY_ROUNDS = "spark.sparktrain.barrier.stateEveryRounds";
    public static final String EVERY_SECONDS = "spark.sparktrain.barrier.stateEverySeconds";

    public StateHandover {
        if (everyRounds < 0 || everyMillis < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException(EVERY_ROUNDS + " and " + EVERY_SECONDS + " must be >= 0");
        }
    }

    /** None: a rerun starts from the epoch's start. */
    public static StateHandover off() {
        return new StateHandover(0, 0, 0, 0);
    }

    /** From the Spark configuration (the keys above). */
    public static StateHandover fromConf(SparkConf conf) {
        return new StateHandover(conf.getInt(EVERY_ROUNDS, 20), conf.getTimeAsMs(EVERY_SECONDS, "30s"), 0, 0);
    }

    /** These settings with checkpoints due every {@code n} rounds of the run, {@code before} of them done. */
    public StateHandover withCheckpoints(int n, long before) {
        return new StateHandover(everyRounds, everyMillis, n, before);
    }

    public boolean enabled() {
        return everyRounds > 0 || everyMillis > 0 || checkpointEvery > 0;
    }

    /** Whether a checkpoint is due after {@code roundsDone} rounds of the epoch. */
    public boolean checkpointDue(int roundsDone) {
        return checkpointEvery > 0 && (roundsBefore + roundsDone) % checkpointEvery == 0;
    }

    /**
     * Whether task 0 hands over after {@code roundsDone} rounds of an epoch of {@code rounds}, {@code sinceRounds}
     * rounds and {@code sinceMillis} ms after the last hand-over (or the stage's start).
     */
    boolean due(int roundsDone, int rounds, int sinceRounds, long sinceMillis) {
        if (roundsDone >= rounds) {
            return false;
        }
        return everyRounds > 0 && sinceRounds >= everyRounds || everyMillis > 0 && sinceMillis >= everyMillis
                || checkpointDue(roundsDone);
    }
}
