package org.sparktrain.driver.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sparktrain.engine.io.ModelFile;

/**
 * What fault injection on {@code scripts/cluster}'s standalone cluster needs to find, shared by
 * {@code scripts/bench --fault} ({@link FaultBench}) and the end-to-end cluster tests: the executor JVMs of a
 * checkout's cluster, and whether a run's checkpoint was written inside an epoch.
 */
public final class ClusterProcesses {
    private static final Pattern APP_ID = Pattern.compile("--app-id\u0000(app-[0-9-]+)");

    private ClusterProcesses() {
    }

    /**
     * PIDs, ascending, of the executor JVMs of the cluster under {@code root} (their class path is its
     * runs/cluster/spark-home) that belong to its newest application (app ids are app-yyyyMMddHHmmss-NNNN: an
     * executor of an earlier run still exiting is not counted).
     */
    public static List<Long> executorPids(Path root) {
        String home = root.toAbsolutePath().resolve("runs/cluster/spark-home").toString();
        TreeMap<String, List<Long>> byApp = new TreeMap<>();
        ProcessHandle.allProcesses().forEach(h -> {
            try {
                String cmd = new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
                        StandardCharsets.UTF_8);
                Matcher m = APP_ID.matcher(cmd);
                if (cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains(home) && m.find()) {
                    byApp.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(h.pid());
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not ours to read
            }
        });
        List<Long> pids = byApp.isEmpty() ? new ArrayList<>() : byApp.lastEntry().getValue();
        pids.sort(null);
        return pids;
    }

    /** The epoch a mid-epoch checkpoint was written in, or null (none yet, an epoch's end, or being replaced). */
    public static String partialEpoch(Path checkpoint) {
        try {
            return Files.exists(checkpoint) ? ModelFile.load(checkpoint).provenance().get("checkpoint.partial.epoch")
                    : null;
        } catch (IOException | RuntimeException e) { // being replaced: the next poll reads the new one
            return null;
        }
    }
}
