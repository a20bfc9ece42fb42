package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;
import org.w3c.dom.NodeList;

/** Quiet by default: fold pools Spark knows, local-master noise off, -v/--verbose for everything. */
class QuietTest {
    @Test
    void everyFoldHasAConfiguredFairPool() throws Exception {
        String xml = EvaluateCommand.pools(3);
        NodeList pools = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getElementsByTagName("pool");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < pools.getLength(); i++) {
            names.add(pools.item(i).getAttributes().getNamedItem("name").getNodeValue());
        }
        // ParallelFolds puts fold f (from 0) in pool "fold-" + (f + 1)
        assertEquals(List.of("fold-1", "fold-2", "fold-3"), names);
        assertTrue(xml.contains("<schedulingMode>FIFO</schedulingMode>"), xml);
        assertTrue(EvaluateCommand.poolFile(2).startsWith("file:"));
    }

    @Test
    void messagesSayTheDefaultsAndNameTheFlag() {
        MainTest.Result r = MainTest.run("evaluate", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("Default: stratified k-fold with 10 folds, so a bare 'evaluate' trains 10 models"),
                r.out());
    }

    @Test
    void verboseIsTakenAnywhereAndShowsInfo() {
        String[] rest = Logs.takeVerbose(new String[] {"train", "-v", "--model", "m", "--verbose"});
        assertArrayEquals(new String[] {"train", "--model", "m"}, rest);
        assertTrue(Logs.verbose());
        Level before = LogManager.getRootLogger().getLevel();
        Level utils = LogManager.getLogger("org.apache.spark.util.Utils").getLevel();
        try {
            Logs.atStart();
            assertEquals(Level.INFO, LogManager.getLogger("org.apache.spark.scheduler.DAGScheduler").getLevel());
            Logs.takeVerbose(new String[] {"train"});
            assertFalse(Logs.verbose());
            if (System.getenv("SPARK_LOCAL_IP") == null) {
                Logs.beforeSpark("local[2]");
                assertEquals(Level.ERROR, LogManager.getLogger("org.apache.spark.util.Utils").getLevel());
            }
        } finally {
            Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, before);
            Configurator.setLevel("org.apache.spark.util.Utils", utils);
        }
        MainTest.Result r = MainTest.run("-v", "--help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("-v/--verbose"), r.out());
    }
}
