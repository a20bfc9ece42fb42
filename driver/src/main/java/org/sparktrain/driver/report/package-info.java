/**
 * A run's report: {@link org.sparktrain.driver.report.RunReport} turns a run directory's {@code metrics.jsonl},
 * {@code metrics.json} and {@code model.sptr} into one self-contained {@code report.html} (JFreeChart charts
 * inlined as PNG). Written by {@code train} and {@code evaluate} at the end of a run and by {@code sparktrain report
 * DIR}; {@link org.sparktrain.driver.report.RunComparison} puts several run directories on one page
 * ({@code sparktrain report DIR DIR...}).
 *
 * <p>Imports: the JDK, Hadoop's FileSystem (run directories are Hadoop paths), Jackson, JFreeChart and the
 * engine's model file reader. Must not import Spark's scheduling or the training packages: it reads files only.
 *
 * <p>Design: docs/architecture.md, "The report".
 */
package org.sparktrain.driver.report;
