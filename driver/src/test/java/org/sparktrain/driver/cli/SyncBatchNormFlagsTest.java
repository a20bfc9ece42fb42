package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.GradientRounds;
import org.sparktrain.driver.train.MasterConfig;

/** {@code --sync-batchnorm}: reaches the run's averaging in gradient mode; refused where it cannot act, saying why. */
class SyncBatchNormFlagsTest {

    @Test
    void theSwitchReachesTheGradientRoundsAndIsRefusedWhereItCannotAct(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        assertFalse(SlowMoFlagsTest.flags(spec, "--mode", "gradient").run().averaging().syncBatchNorm());
        Averaging on = SlowMoFlagsTest.flags(spec, "--mode", "gradient", "--sync-batchnorm").run().averaging();
        assertTrue(on.syncBatchNorm());
        assertEquals(new GradientRounds(true), on.rule(1));
        assertTrue(SlowMoFlagsTest.flags(spec, "--mode", "gradient", "--sync-batchnorm", "--transport", "job",
                "--workers", "1").run().averaging().syncBatchNorm());
        assertEquals(Averaging.SYNC_BATCHNORM_NEEDS_GRADIENT, SlowMoFlagsTest.refused(spec, "--sync-batchnorm"));
        assertEquals(MasterConfig.SYNC_BATCHNORM_NEEDS_BARRIER, SlowMoFlagsTest.refused(spec, "--mode", "gradient",
                "--sync-batchnorm", "--transport", "job"));
    }
}
