package org.sparktrain.driver.eval;

import org.sparktrain.engine.metrics.Metrics;

/** One fold's (or bootstrap round's) outcome: its validation metrics and how its training went. */
public record FoldResult(int fold, long trainRows, long validationRows, int epochs, double seconds,
                         Metrics metrics, long startNanos, long endNanos) {
}
