package org.sparktrain.driver.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.data.Range;
import org.junit.jupiter.api.Test;

/** The report's charts (docs/architecture.md, "The report"). */
class RunReportChartTest {

    @Test
    void aFlatCurveGetsAReadableAxisAndAMovingOneItsOwnRange() throws Exception {
        System.setProperty("java.awt.headless", "true");
        ObjectMapper json = new ObjectMapper();
        // a tiny run whose validation accuracy did not move: the axis used to span 1e-8 with ticks 5.416667E-1
        List<JsonNode> flat = List.of(json.readTree("{\"run\":\"a\",\"epoch\":1,\"val_acc\":0.5416667}"),
                json.readTree("{\"run\":\"a\",\"epoch\":2,\"val_acc\":0.5416667}"));
        JFreeChart chart = RunReport.runsChart("Accuracy", "accuracy", flat, "run", "", "val_acc");
        Range r = chart.getXYPlot().getRangeAxis().getRange();
        assertTrue(r.getLength() >= RunReport.MIN_VALUE_SPAN - 1e-12 && r.contains(0.5416667), r.toString());
        chart.createBufferedImage(640, 360); // draws

        List<JsonNode> moving = List.of(json.readTree("{\"run\":\"a\",\"epoch\":1,\"val_acc\":0.80}"),
                json.readTree("{\"run\":\"a\",\"epoch\":2,\"val_acc\":0.86}"));
        r = RunReport.runsChart("Accuracy", "accuracy", moving, "run", "", "val_acc").getXYPlot().getRangeAxis()
                .getRange();
        assertTrue(r.contains(0.80) && r.contains(0.86) && r.getLowerBound() > 0.5, "fitted, not from zero: " + r);
    }
}
