package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.SlowMo;

/** {@code --outer-momentum} and {@code --outer-lr} (SlowMo): parsed into the run's averaging, bad values named. */
class SlowMoFlagsTest {

    static RunFlags flags(Path spec, String... more) throws Exception {
        String[] argv = new String[4 + more.length];
        argv[0] = "--model";
        argv[1] = spec.toString();
        argv[2] = "--data";
        argv[3] = "unused";
        System.arraycopy(more, 0, argv, 4, more.length);
        return new RunFlags(new Args("sparktrain train", argv, 0, RunFlags.valued(), RunFlags.switches()));
    }

    static String refused(Path spec, String... more) {
        return assertThrows(Args.UsageException.class, () -> flags(spec, more)).getMessage();
    }

    @Test
    void theFlagsReachTheRunsAveragingAndTheirDefaultsAreTheRunWithoutThem(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        Averaging none = flags(spec).run().averaging();
        assertEquals(SlowMo.OFF, none.slowMo());
        assertEquals(new SlowMo(0.9f, 1.5f), flags(spec, "--outer-momentum", "0.9", "--outer-lr", "1.5").run()
                .averaging().slowMo());
        assertEquals(new SlowMo(0.5f, 1f), flags(spec, "--outer-momentum", "0.5").run().averaging().slowMo());
        // β = 0, α = 1 given explicitly: the very settings (and so the rule and the bits) of a run without the flags
        Averaging explicit = flags(spec, "--outer-momentum", "0", "--outer-lr", "1").run().averaging();
        assertEquals(none, explicit);
        assertEquals(none.rule(1), explicit.rule(1));
        assertFalse(explicit.slowMo().enabled());
        // gradient mode with the defaults is fine
        assertEquals(SlowMo.OFF, flags(spec, "--mode", "gradient", "--outer-momentum", "0").run().averaging().slowMo());
    }

    @Test
    void badValuesAreRefusedNamingTheFlag(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        assertEquals("--outer-momentum must be in [0, 1), got 1.0", refused(spec, "--outer-momentum", "1"));
        assertEquals("--outer-momentum must be in [0, 1), got -0.5", refused(spec, "--outer-momentum", "-0.5"));
        assertEquals("--outer-momentum must be a number in [0, 1), got 'fast'", refused(spec, "--outer-momentum",
                "fast"));
        assertEquals("--outer-momentum must be a number in [0, 1), got 'NaN'", refused(spec, "--outer-momentum",
                "NaN"));
        assertEquals("--outer-lr must be a number above 0, got 0.0", refused(spec, "--outer-lr", "0"));
        assertEquals("--outer-lr must be a number above 0, got -1.0", refused(spec, "--outer-lr", "-1"));
        assertEquals("--outer-lr must be a number above 0, got 'x'", refused(spec, "--outer-lr", "x"));
        String g = refused(spec, "--mode", "gradient", "--outer-momentum", "0.9");
        assertTrue(g.startsWith("--outer-momentum and --outer-lr (SlowMo)") && g.contains("need --mode parameter"), g);
        assertTrue(refused(spec, "--mode", "gradient", "--outer-lr", "2").contains("need --mode parameter"));
    }

    @Test
    void aTrainRunWithSlowMoSaysSoAndRecordsItInTheModelsProvenance(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 200, 4, 3, 1);
        TinyIdx.write(data, "t10k", 60, 4, 3, 2);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(), "--out",
                out.toString(), "--workers", "2", "--epochs", "2", "--averaging-frequency", "3", "--outer-momentum",
                "0.5", "--outer-lr", "1.5");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("outer momentum 0.5, outer lr 1.5 (SlowMo)"), r.out());
        var model = org.sparktrain.engine.io.ModelFile.load(out.resolve("model.sptr"));
        assertTrue(model.provenance().getOrDefault("averaging", "").contains("(SlowMo)"),
                model.provenance().toString());
    }

    @Test
    void trainAndEvaluateBothTakeTheFlagsAndSayWhatIsWrong(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        for (String command : new String[] {"train", "evaluate"}) {
            MainTest.Result r = MainTest.run(command, "--model", spec.toString(), "--data", dir.resolve("none")
                    .toString(), "--out", dir.resolve("o").toString(), "--outer-momentum", "1.2");
            assertEquals(2, r.status(), command + ": " + r.out() + r.err());
            assertTrue(r.err().contains("--outer-momentum must be in [0, 1), got 1.2"), command + ": " + r.err());
            assertFalse(r.err().contains("unknown flag"), r.err());
        }
    }
}
