/**
 * The barrier transport: ONE Spark barrier stage per epoch whose W tasks average among themselves every round,
 * with no job and no driver between rounds. {@link org.sparktrain.driver.barrier.BarrierEpoch} is the driver side
 * (it runs the stage and, since Spark does not retry a failed barrier stage, reruns it from the latest
 * {@link org.sparktrain.driver.barrier.RoundState} task 0 handed over on its rendezvous connection, as
 * {@link org.sparktrain.driver.barrier.StateHandover} says how often, or the epoch's start; after the last attempt
 * it says, in its {@code StageFailedException}, whether the ring could not connect, for the job-transport fallback); {@code BarrierTask} is one task, carrying the averaging mode's {@code RoundRule} (what a round computes, the
 * same object the job-per-round master calls);
 * an {@link org.sparktrain.driver.barrier.AllReduce} sums a float vector over direct TCP connections
 * ({@code PeerLinks}): the {@link org.sparktrain.driver.barrier.RingAllReduce} or recursive halving/doubling
 * ({@link org.sparktrain.driver.barrier.HalvingDoublingAllReduce}), as
 * {@link org.sparktrain.driver.barrier.AllReduceAlgorithm} chooses from W and the vector's size; {@link org.sparktrain.driver.barrier.MessageDelay} lets the bench simulate
 * a network's latency;
 * {@code Rendezvous} swaps the tasks' addresses through the driver instead of {@code allGather};
 * {@code Handshake} authenticates each connection (HMAC-SHA256 with a per-attempt secret); {@code LinkCipher}
 * encrypts it (AES-GCM, keys per connection and direction) when Spark encrypts its own traffic or
 * {@link org.sparktrain.driver.barrier.AllReduceSettings#ENCRYPT} says so, and {@code Conn} carries the rendezvous's
 * messages plain or in its frames; {@code PortRange} binds a server socket within a port setting (the tasks' and
 * the rendezvous's); {@code Wire} bounds every wait; {@link org.sparktrain.driver.barrier.AllReduceSettings} reads the Spark configuration keys;
 * {@link org.sparktrain.driver.barrier.TaskReport} is a task's result; {@link org.sparktrain.driver.barrier.TaskHook}
 * is called at every round's start (tests inject faults through it).
 *
 * <p>Imports: the JDK (sockets, {@code javax.crypto}), Spark, Scala interop, SLF4J, the engine ({@code Network},
 * {@code MiniBatch}, {@code Optimizer}, {@code ModelSpec}, {@code TrainingConfig}, {@code Trainer},
 * {@code RoundVector}, {@code DivergenceGuard}) and, from the rest of the driver, only {@link org.sparktrain.driver.round.AveragingMode}.
 * As {@code driver.train} imports this package ({@code ParameterAveragingMaster} runs {@code BarrierEpoch}), the
 * two packages depend on each other today. Does not import {@code org.sparktrain.partitioning} or the other driver
 * packages; must not hold engine maths (what a round computes comes from {@code Trainer} and {@code RoundVector}).
 *
 * <p>Design: docs/architecture.md, decision 4 (two averaging modes, two transports), decision 5 (determinism) and
 * Measured facts (a barrier {@code allGather} costs ~1 s; ring all-reduce ~0.4 ms a round; the ring against
 * halving/doubling from W = 2 to 256); Failing cleanly (recovery in rounds); The barrier transport on the network
 * (connections, ports, addresses, timeouts, authentication, encryption).
 */
package org.sparktrain.driver.barrier;
