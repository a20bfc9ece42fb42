/**
 * The command line, {@code sparktrain COMMAND [flags]}: {@link org.sparktrain.driver.cli.Main} dispatches to
 * {@code TrainCommand} ({@code train}: data-parallel training on Spark, then the test metrics),
 * {@code EvaluateCommand} ({@code evaluate}: holdout, k-fold with the folds as concurrent jobs, or bootstrap) and
 * {@code ScoreCommand} ({@code score}: batch scoring with a saved model), and sets the exit status (0 success, 1 the
 * run failed, 2 a wrong command line). {@link org.sparktrain.driver.cli.Args} and {@code RunFlags} parse and check
 * the flags before anything is read; {@code DataSources} turns {@code --data}/{@code --test} into validated rows
 * through the partitioning readers; {@link org.sparktrain.driver.cli.LocalData} loads an IDX directory on one
 * machine; {@code OutOfMemory} recognises a run that ran out of memory and says what to raise.
 * {@code LearningCurveRun} is {@code evaluate --learning-curve}; {@code FoldEpochLog} writes {@code evaluate}'s
 * {@code metrics.jsonl}; {@code Progress}, {@code ReadProgress} and {@code EpochProgress} are the progress lines
 * (redrawn on a console, plain and rare elsewhere).
 *
 * <p>Imports: the JDK, Spark, Hadoop (model and output paths), the engine, {@code org.sparktrain.partitioning},
 * and the driver packages {@code eval}, {@code spark} and {@code train}. Only {@code driver.bench} imports this
 * package. Must not hold engine maths or data preparation: commands wire the other packages together.
 *
 * <p>Design: docs/architecture.md, The data flow, Failing cleanly (one message, non-zero exit) and decision 7
 * (storage through Hadoop FileSystem), The report, Learning curves, Progress.
 */
package org.sparktrain.driver.cli;
