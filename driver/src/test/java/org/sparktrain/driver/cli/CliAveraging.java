package org.sparktrain.driver.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sparktrain.driver.round.Averaging;

/**
 * For tests of other packages: the averaging {@code sparktrain train} builds from its flags ({@link RunFlags} is
 * package-private), so that a front end can be checked to build the very same settings.
 */
public final class CliAveraging {
    private CliAveraging() {
    }

    /** The run's averaging of {@code sparktrain train --model <spec> --data unused <flags>}. */
    public static Averaging of(Path dir, String specText, String... flags) throws Exception {
        Path spec = Files.writeString(Files.createTempFile(dir, "spec", ".yaml"), specText);
        return SlowMoFlagsTest.flags(spec, flags).run().averaging();
    }

    /** The message {@code sparktrain train} refuses these flags with. */
    public static String refusal(Path dir, String specText, String... flags) throws Exception {
        Path spec = Files.writeString(Files.createTempFile(dir, "spec", ".yaml"), specText);
        return SlowMoFlagsTest.refused(spec, flags);
    }
}
