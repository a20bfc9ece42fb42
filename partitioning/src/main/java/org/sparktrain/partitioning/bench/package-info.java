/**
 * The pipeline benchmark ({@code scripts/bench --pipeline}): times read → validate → fit scaler → pack on
 * local Spark, for synthetic rows or Fashion-MNIST, and for Fashion-MNIST one single-threaded engine epoch
 * of a model in the same run, for comparison.
 */
package org.sparktrain.partitioning.bench;
