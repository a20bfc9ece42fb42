package org.sparktrain.driver.train;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.optim.Optimizer;
import org.sparktrain.engine.train.Trainer;

/**
 * A training checkpoint: everything needed to continue a run exactly — parameters, BatchNorm state,
 * optimizer state and step count, SlowMo's outer momentum when the run has one, the epoch and round reached — in
 * the model-file container (docs/model-file.md), whose state section holds
 * {@code [network state | optimizer state | outer momentum]} (the last only with SlowMo) and whose provenance says
 * the lengths and counters. A checkpoint without an outer momentum (written before SlowMo existed, or by a run
 * without it) resumes a SlowMo run with u = 0. Written through Hadoop's FileSystem ({@code file:},
 * {@code hdfs:}, {@code s3a:}; docs/architecture.md, decision 7) to a temporary file that is then renamed into
 * place, so a crash mid-write leaves the previous checkpoint readable. The random streams derive from
 * (seed, epoch, worker, step), so a run resumed at an epoch boundary continues as if never stopped; so does one
 * resumed from a checkpoint written inside an epoch ({@code --checkpoint-every}: the {@link Partial} position
 * says which round and minibatch come next).
 */
public final class Checkpoint {
    public static final String FILE = "checkpoint.sptr";
    /** Where {@link AtomicWrite} keeps the old checkpoint while the new one is renamed into place. */
    private static final String PREVIOUS = "." + FILE + ".previous";

    /**
     * What a checkpoint holds besides the arrays written back into the network and optimizer: the last finished
     * epoch and the run's rounds at its end; for a checkpoint written inside an epoch ({@code --checkpoint-every}),
     * {@code partial} says how far into the next epoch it is (null at an epoch's end).
     */
    public record Position(int epoch, long rounds, Partial partial) {
        public Position(int epoch, long rounds) {
            this(epoch, rounds, null);
        }
    }

    /**
     * A checkpoint inside epoch {@code epoch}: after {@code roundsDone} of its rounds and {@code step} minibatches per
     * worker of {@code workers}, with those rounds' loss sums and example counts (docs/architecture.md, "Failing
     * cleanly"). The epoch's rounds depend on the workers: it continues only with as many.
     */
    public record Partial(int epoch, int roundsDone, int step, double[] lossSums, double[] examples, int workers) {
    }

    private Checkpoint() {
    }

    public static void write(Configuration hadoop, String dir, Network net, Optimizer opt, int epoch, long rounds)
            throws IOException {
        write(hadoop, dir, net, opt, epoch, rounds, null);
    }

    /**
     * Writes the state in {@code net} and {@code opt} as a checkpoint {@code partial}'s way into epoch
     * {@code epoch + 1} (or at the end of {@code epoch} when {@code partial} is null); {@code rounds} are the run's
     * rounds at the end of {@code epoch}.
     */
    public static void write(Configuration hadoop, String dir, Network net, Optimizer opt, int epoch, long rounds,
                             Partial partial) throws IOException {
        write(hadoop, dir, net, opt, null, epoch, rounds, partial);
    }

    /** As above, for {@code t}'s network and optimizer and its outer momentum (SlowMo), if it has one. */
    public static void write(Configuration hadoop, String dir, Trainer t, int epoch, long rounds, Partial partial)
            throws IOException {
        write(hadoop, dir, t.network(), t.optimizer(), t.outerMomentum(), epoch, rounds, partial);
    }

    private static void write(Configuration hadoop, String dir, Network net, Optimizer opt, float[] outer, int epoch,
                              long rounds, Partial partial) throws IOException {
        float[] ns = net.state();
        float[] os = opt.state();
        int us = outer == null ? 0 : outer.length;
        float[] state = Arrays.copyOf(ns, ns.length + os.length + us);
        System.arraycopy(os, 0, state, ns.length, os.length);
        if (outer != null) {
            System.arraycopy(outer, 0, state, ns.length + os.length, us);
        }
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("checkpoint.epoch", Integer.toString(epoch));
        prov.put("checkpoint.rounds", Long.toString(rounds));
        prov.put("checkpoint.optimizer.steps", Long.toString(opt.stepCount()));
        prov.put("checkpoint.network.state", Integer.toString(ns.length));
        prov.put("checkpoint.optimizer.state", Integer.toString(os.length));
        if (outer != null) {
            prov.put("checkpoint.outer.momentum", Integer.toString(us));
        }
        if (partial != null) {
            prov.put("checkpoint.partial.epoch", Integer.toString(partial.epoch()));
            prov.put("checkpoint.partial.rounds", Integer.toString(partial.roundsDone()));
            prov.put("checkpoint.partial.step", Integer.toString(partial.step()));
            prov.put("checkpoint.partial.workers", Integer.toString(partial.workers()));
            prov.put("checkpoint.partial.loss.sums", doubles(partial.lossSums()));
            prov.put("checkpoint.partial.examples", doubles(partial.examples()));
        }
        ModelContents c = new ModelContents(net.spec().text(), net.params(), state, Optional.empty(), prov);
        AtomicWrite.write(hadoop, new Path(dir, FILE).toString(), out -> ModelFile.write(out, c));
    }

    /** True when {@code dir} holds a checkpoint (or the previous one, after a crash mid-rename). */
    public static boolean exists(Configuration hadoop, String dir) throws IOException {
        Path target = new Path(dir, FILE);
        FileSystem fs = target.getFileSystem(hadoop);
        return fs.exists(target) || fs.exists(new Path(dir, PREVIOUS));
    }

    /**
     * Restores the checkpoint in {@code dir} into {@code net} and {@code opt}; refuses one written for
     * another spec.
     */
    public static Position restore(Configuration hadoop, String dir, Network net, Optimizer opt) throws IOException {
        return restore(hadoop, dir, net, opt, null);
    }

    /**
     * As above into {@code t}, and its outer momentum (SlowMo), when it has one: the checkpoint's, or zeros from a
     * checkpoint without one. A checkpoint's outer momentum is ignored by a trainer without one (a run resumed
     * without SlowMo).
     */
    public static Position restore(Configuration hadoop, String dir, Trainer t) throws IOException {
        return restore(hadoop, dir, t.network(), t.optimizer(), t.outerMomentum());
    }

    private static Position restore(Configuration hadoop, String dir, Network net, Optimizer opt, float[] outer)
            throws IOException {
        Path target = new Path(dir, FILE);
        FileSystem fs = target.getFileSystem(hadoop);
        if (!fs.exists(target)) {
            target = new Path(dir, PREVIOUS);
        }
        ModelContents c;
        try (InputStream in = fs.open(target)) {
            c = ModelFile.read(in, target.toString());
        }
        if (!c.spec().equals(net.spec().text())) {
            throw new IllegalArgumentException("--resume: " + target + " was written for another model spec;"
                    + " resume with the same --model file, or use another --out directory");
        }
        Map<String, String> p = c.provenance();
        int ns = Integer.parseInt(p.getOrDefault("checkpoint.network.state", "-1"));
        int os = Integer.parseInt(p.getOrDefault("checkpoint.optimizer.state", "-1"));
        int us = Integer.parseInt(p.getOrDefault("checkpoint.outer.momentum", "0"));
        if (ns != net.state().length || os != opt.state().length || c.paramCount() != net.params().length
                || us != 0 && us != net.params().length || c.stateCount() != ns + os + us) {
            throw new IllegalArgumentException("--resume: " + target + " is not a checkpoint of this network and"
                    + " optimizer (sizes differ); use another --out directory");
        }
        float[] state = c.state();
        System.arraycopy(c.params(), 0, net.params(), 0, net.params().length);
        System.arraycopy(state, 0, net.state(), 0, ns);
        System.arraycopy(state, ns, opt.state(), 0, os);
        if (outer != null) {
            if (us == 0) {
                Arrays.fill(outer, 0f); // written without an outer momentum: u = 0
            } else {
                System.arraycopy(state, ns + os, outer, 0, us);
            }
        }
        opt.setStepCount(Long.parseLong(p.get("checkpoint.optimizer.steps")));
        Partial partial = null;
        if (p.containsKey("checkpoint.partial.epoch")) {
            partial = new Partial(Integer.parseInt(p.get("checkpoint.partial.epoch")),
                    Integer.parseInt(p.get("checkpoint.partial.rounds")),
                    Integer.parseInt(p.get("checkpoint.partial.step")), doubles(p.get("checkpoint.partial.loss.sums")),
                    doubles(p.get("checkpoint.partial.examples")),
                    Integer.parseInt(p.getOrDefault("checkpoint.partial.workers", "0")));
        }
        return new Position(Integer.parseInt(p.get("checkpoint.epoch")), Long.parseLong(p.get("checkpoint.rounds")),
                partial);
    }

    /** Exact: every double as Java's hexadecimal form, comma-separated. */
    private static String doubles(double[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(Double.toHexString(v[i]));
        }
        return b.toString();
    }

    private static double[] doubles(String s) {
        if (s == null || s.isEmpty()) {
            return new double[0];
        }
        String[] parts = s.split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Double.parseDouble(parts[i]);
        }
        return v;
    }
}
