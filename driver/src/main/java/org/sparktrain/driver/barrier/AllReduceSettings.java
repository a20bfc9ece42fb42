package org.sparktrain.driver.barrier;

import java.io.Serializable;
import org.apache.spark.SparkConf;

/**
 * Settings of the direct all-reduce channel between the tasks of a barrier stage, read from the Spark
 * configuration on the driver and shipped in the task closure. docs/architecture.md, "The barrier transport on the
 * network", is the one description of its connections, ports, addresses, timeouts and encryption, for the people
 * who open firewalls and set timeouts; this table is the code's summary of it.
 *
 * <table>
 * <caption>Spark configuration keys</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@value #PORTS}</td><td>{@code 0}</td><td>ports a task's server socket may bind: {@code 0}
 *     for an ephemeral port, {@code P} or {@code LO-HI} for a range the firewall opens between executor
 *     hosts</td></tr>
 * <tr><td>{@value #HOST}</td><td>the executor's block manager host</td><td>the address a task
 *     advertises to its peers</td></tr>
 * <tr><td>{@value #BIND}</td><td>the advertised host</td><td>the address the server socket binds
 *     ({@code 0.0.0.0} for every interface)</td></tr>
 * <tr><td>{@value #CONNECT_TIMEOUT}</td><td>{@code 60s}</td><td>deadline for connecting the ring and
 *     authenticating both neighbours</td></tr>
 * <tr><td>{@value #IO_TIMEOUT}</td><td>{@code 300s}</td><td>longest wait without a single byte from a
 *     neighbour during a round; must exceed the compute time of one round (K minibatches) on the
 *     slowest worker, since a task waits for its peers' compute in every all-reduce</td></tr>
 * <tr><td>{@value #STALL_TIMEOUT}</td><td>{@code 20s}</td><td>after a stage's first round, a peer silent for
 *     longer than this, or {@value #STALL_FACTOR} times the stage's slowest round so far if that is longer (at most
 *     {@value #IO_TIMEOUT}), is stalled: the stage fails and the driver reruns it from the latest handed-over
 *     state</td></tr>
 * <tr><td>{@value #RENDEZVOUS}</td><td>{@code driver}</td><td>how the tasks swap addresses:
 *     {@code driver}, through a socket the driver opens per stage ({@link Rendezvous}, a few ms; the
 *     executors must reach {@code spark.driver.host}), or {@code allgather}, Spark's
 *     {@code BarrierTaskContext.allGather} (0 or ~1 s: it polls in whole seconds)</td></tr>
 * <tr><td>{@value #ALGORITHM}</td><td>{@code auto}</td><td>the all-reduce: {@code ring}, {@code rhd}
 *     (recursive halving/doubling) or {@code auto}, the cheaper for W tasks and the vector's size by the α-β
 *     model at a datacenter link ({@link AllReduceAlgorithm}: the ring for W = 2, halving/doubling for large
 *     powers of two and for many tasks)</td></tr>
 * <tr><td>{@value #ENCRYPT}</td><td>{@code auto}</td><td>AES-GCM on every connection of the stage
 *     (all-reduce partners, the rendezvous, the state hand-over; {@link LinkCipher}): {@code true}, {@code false},
 *     or {@code auto}: on when Spark encrypts its own RPC ({@code spark.network.crypto.enabled},
 *     {@code spark.ssl.enabled} or {@code spark.ssl.rpc.enabled} true)</td></tr>
 * <tr><td>{@value #RENDEZVOUS_PORTS}</td><td>{@code 0}</td><td>ports the driver's rendezvous server socket may
 *     bind, as {@value #PORTS} (read on the driver; one port per barrier stage running at once)</td></tr>
 * <tr><td>{@value #MAX_ATTEMPTS}</td><td>{@code 3}</td><td>how often the driver runs an epoch's stage
 *     before giving up (Spark does not retry a failed barrier result stage)</td></tr>
 * </table>
 *
 * @param pollMillis how often a waiting task wakes to check its kill flag
 * @param encrypt whether the stage's connections are encrypted ({@value #ENCRYPT} resolved on the driver)
 */
public record AllReduceSettings(String host, String bindAddress, int portLow, int portHigh, long connectTimeoutMillis,
                                long ioTimeoutMillis, int pollMillis, int maxAttempts, boolean driverRendezvous,
                                AllReduceAlgorithm algorithm, long stallTimeoutMillis, boolean encrypt)
        implements Serializable {
    public static final String PORTS = "spark.sparktrain.allreduce.ports";
    public static final String HOST = "spark.sparktrain.allreduce.host";
    public static final String BIND = "spark.sparktrain.allreduce.bindAddress";
    public static final String CONNECT_TIMEOUT = "spark.sparktrain.allreduce.connectTimeout";
    public static final String IO_TIMEOUT = "spark.sparktrain.allreduce.timeout";
    public static final String MAX_ATTEMPTS = "spark.sparktrain.barrier.maxAttempts";
    public static final String RENDEZVOUS = "spark.sparktrain.allreduce.rendezvous";
    public static final String ALGORITHM = "spark.sparktrain.allreduce.algorithm";
    public static final String STALL_TIMEOUT = "spark.sparktrain.allreduce.stallTimeout";
    public static final String ENCRYPT = "spark.sparktrain.allreduce.encrypt";
    /**
     * The ports the driver's rendezvous server may bind, one per barrier stage attempt running at once: {@code 0}
     * (default, ephemeral), {@code P} or {@code LO-HI} (the first free one, from LO); read on the driver only
     * ({@code BarrierEpoch.rendezvousPorts}).
     */
    public static final String RENDEZVOUS_PORTS = "spark.sparktrain.rendezvous.ports";
    /** The Spark settings {@code auto} follows: any of them true turns the encryption on. */
    static final String[] SPARK_ENCRYPTION = {"spark.network.crypto.enabled", "spark.ssl.enabled",
        "spark.ssl.rpc.enabled"};
    /** A round may take this many times the stage's slowest round so far before its peers call it stalled. */
    public static final int STALL_FACTOR = 10;

    public AllReduceSettings {
        new PortRange(PORTS, portLow, portHigh); // checks the range
        if (connectTimeoutMillis <= 0 || ioTimeoutMillis <= 0 || pollMillis <= 0) {
            throw new IllegalArgumentException(CONNECT_TIMEOUT + " and " + IO_TIMEOUT + " must be positive");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException(MAX_ATTEMPTS + " must be >= 1, got " + maxAttempts);
        }
        if (algorithm == null) {
            throw new IllegalArgumentException(ALGORITHM + " must be auto, ring or rhd");
        }
        if (stallTimeoutMillis <= 0) {
            throw new IllegalArgumentException(STALL_TIMEOUT + " must be positive, got " + stallTimeoutMillis + " ms");
        }
    }

    /** With the default stall timeout (20 s), not encrypted. */
    public AllReduceSettings(String host, String bindAddress, int portLow, int portHigh, long connectTimeoutMillis,
                             long ioTimeoutMillis, int pollMillis, int maxAttempts, boolean driverRendezvous,
                             AllReduceAlgorithm algorithm) {
        this(host, bindAddress, portLow, portHigh, connectTimeoutMillis, ioTimeoutMillis, pollMillis, maxAttempts,
                driverRendezvous, algorithm, 20_000, false);
    }

    /**
     * How long a task waits in round {@code round} of a stage (the stage's first round being {@code first}) for a
     * silent peer before calling it stalled: {@link #ioTimeoutMillis} in the first round (nothing is known yet, and
     * a cold JVM computes slowly), then {@code max(stallTimeout, }{@value #STALL_FACTOR}{@code  × the slowest round
     * so far)}, at most {@link #ioTimeoutMillis} (docs/architecture.md, "Failing cleanly": a stalled peer).
     */
    public long roundTimeoutMillis(int round, int first, double slowestRoundMillis) {
        if (round <= first) {
            return ioTimeoutMillis;
        }
        return Math.min(ioTimeoutMillis, Math.max(stallTimeoutMillis,
                (long) Math.ceil(STALL_FACTOR * slowestRoundMillis)));
    }

    /** With the algorithm chosen by the rule ({@code auto}). */
    public AllReduceSettings(String host, String bindAddress, int portLow, int portHigh, long connectTimeoutMillis,
                             long ioTimeoutMillis, int pollMillis, int maxAttempts, boolean driverRendezvous) {
        this(host, bindAddress, portLow, portHigh, connectTimeoutMillis, ioTimeoutMillis, pollMillis, maxAttempts,
                driverRendezvous, AllReduceAlgorithm.AUTO);
    }

    /** Ephemeral ports, default timeouts: for tests and single-machine runs. */
    public static AllReduceSettings defaults() {
        return new AllReduceSettings(null, null, 0, 0, 60_000, 300_000, 100, 3, true);
    }

    /** The settings from a Spark configuration (the keys above). */
    public static AllReduceSettings fromConf(SparkConf conf) {
        int[] ports = parsePorts(conf.get(PORTS, "0"));
        String host = conf.get(HOST, null);
        String rv = conf.get(RENDEZVOUS, "driver").trim();
        if (!rv.equals("driver") && !rv.equals("allgather")) {
            throw new IllegalArgumentException(RENDEZVOUS + " must be driver or allgather, got '" + rv + "'");
        }
        return new AllReduceSettings(host, conf.get(BIND, null), ports[0], ports[1],
                conf.getTimeAsMs(CONNECT_TIMEOUT, "60s"), conf.getTimeAsMs(IO_TIMEOUT, "300s"), 100,
                conf.getInt(MAX_ATTEMPTS, 3), rv.equals("driver"),
                AllReduceAlgorithm.parse(conf.get(ALGORITHM, "auto")), conf.getTimeAsMs(STALL_TIMEOUT, "20s"),
                encryptionReason(conf) != null);
    }

    /**
     * Why the stage's connections are encrypted under {@code conf} ({@value #ENCRYPT}: {@code true}, or {@code auto}
     * and one of Spark's encryption settings true), for the log; null when they are not.
     */
    public static String encryptionReason(SparkConf conf) {
        String v = conf.get(ENCRYPT, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (v) {
            case "true":
                return ENCRYPT + "=true";
            case "false":
                return null;
            case "auto":
                for (String k : SPARK_ENCRYPTION) {
                    String x = conf.get(k, "false").trim();
                    if (!x.equalsIgnoreCase("true") && !x.equalsIgnoreCase("false")) {
                        throw new IllegalArgumentException(k + " must be true or false, got '" + x + "' (" + ENCRYPT
                                + "=auto follows it)");
                    }
                    if (x.equalsIgnoreCase("true")) {
                        return k + "=true (" + ENCRYPT + "=auto follows Spark's encryption)";
                    }
                }
                return null;
            default:
                throw new IllegalArgumentException(ENCRYPT + " must be auto, true or false, got '"
                        + conf.get(ENCRYPT) + "'");
        }
    }

    /** {@code "0"}, {@code "40000"} or {@code "40000-40100"}: {@value #PORTS}'s {low, high}. */
    static int[] parsePorts(String s) {
        PortRange r = PortRange.parse(PORTS, s);
        return new int[] {r.low(), r.high()};
    }

    /** The ports a task's all-reduce server socket may bind ({@value #PORTS}). */
    PortRange ports() {
        return new PortRange(PORTS, portLow, portHigh);
    }

    /** These settings with other timeouts (tests). */
    public AllReduceSettings withTimeouts(long connectMillis, long ioMillis) {
        return new AllReduceSettings(host, bindAddress, portLow, portHigh, connectMillis, ioMillis, pollMillis,
                maxAttempts, driverRendezvous, algorithm, stallTimeoutMillis, encrypt);
    }

    /** These settings with another stall timeout (the driver doubles it after a stage failed for a stall). */
    public AllReduceSettings withStallTimeout(long ms) {
        return new AllReduceSettings(host, bindAddress, portLow, portHigh, connectTimeoutMillis, ioTimeoutMillis,
                pollMillis, maxAttempts, driverRendezvous, algorithm, ms, encrypt);
    }

    /** These settings with an explicit advertised host (tests, or no Spark environment). */
    public AllReduceSettings withHost(String h) {
        return new AllReduceSettings(h, bindAddress, portLow, portHigh, connectTimeoutMillis, ioTimeoutMillis,
                pollMillis, maxAttempts, driverRendezvous, algorithm, stallTimeoutMillis, encrypt);
    }

    /** These settings with another all-reduce algorithm. */
    public AllReduceSettings withAlgorithm(AllReduceAlgorithm a) {
        return new AllReduceSettings(host, bindAddress, portLow, portHigh, connectTimeoutMillis, ioTimeoutMillis,
                pollMillis, maxAttempts, driverRendezvous, a, stallTimeoutMillis, encrypt);
    }

    /** These settings with the stage's connections encrypted or not ({@value #ENCRYPT}). */
    public AllReduceSettings withEncryption(boolean on) {
        return new AllReduceSettings(host, bindAddress, portLow, portHigh, connectTimeoutMillis, ioTimeoutMillis,
                pollMillis, maxAttempts, driverRendezvous, algorithm, stallTimeoutMillis, on);
    }
}
