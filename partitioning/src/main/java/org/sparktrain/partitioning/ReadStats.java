package org.sparktrain.partitioning;

import java.util.List;

import java.util.Arrays;

/**
 * What one validation pass found, merged over partitions: valid rows per class, bad rows per
 * {@link Problem}, and the first few bad rows (smallest ids, i.e. earliest in file order), so the
 * message that fails a run always names the same row whatever the partitioning. A task result, so
 * Kryo-registered.
 */
public final class ReadStats implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    static final int SAMPLES = 5;

    public long[] classCounts;
    /** Valid rows per input partition. */
    public long[] partitionRows;
    /** Valid rows per (input partition, class), flattened: {@code [partition * classes + class]}. */
    public long[] partitionClassRows;
    public long[] problemCounts;
    public long[] sampleIds;
    public int[] sampleProblems;
    public String[] sampleDetails;
    public int samples;
    /** The earliest row with a {@link Problem#FILE} problem, or -1. */
    public long fatalId = -1;
    public String fatalDetail;
    /**
     * The valid rows' per-feature moments, z-score and min-max kinds, when the reader cached the rows in
     * chunks (computed while filling the cache); else null.
     */
    public Moments zscore;
    public Moments range;
    /** Which summaries {@link #summarize} adds to (set by {@link #startSummary}; a task's own, not merged). */
    boolean summarizeZ;
    boolean summarizeRange;

    /**
     * Whether every run of {@link #MIX_RUN} rows of every partition holds the classes in about its
     * partition's proportions ({@link #finishChunks()}), i.e. whether a bounded per-epoch shuffle
     * window over the stored order would still see every class. False for input sorted or grouped by class
     * inside a partition (docs/data-preparation.md, "Bounded memory").
     */
    public boolean chunksMixed = true;
    /** This task's per-run class counts, until {@link #finishChunks()} (not shipped). */
    private transient List<long[]> chunkClasses;

    public ReadStats() {
    }

    /** Rows per run whose class mix is compared with its partition's ({@link #chunksMixed}). */
    static final int MIX_RUN = 4096;
    /**
     * Runs kept per partition at most: beyond, neighbouring runs are merged and runs get twice as long, so a
     * task's memory for the check stays O(classes) whatever the partition's size (a partition of 16.8M rows
     * or more is checked in runs of 8,192 rows or more).
     */
    static final int MAX_RUNS = 4096;
    /** The class counts of the run being filled (this task's; not shipped). */
    private transient long[] run;
    private transient int runRows;
    private transient int runLength = MIX_RUN;

    /** Records the class mix of a chunk's rows (labels[0..size)), in runs of {@link #MIX_RUN} rows. */
    void noteChunk(int[] labels, int size) {
        if (runLength == 0) { // made by a serializer: transient state starts empty
            runLength = MIX_RUN;
        }
        for (int i = 0; i < size; i++) {
            if (run == null) {
                run = new long[classCounts.length];
            }
            run[labels[i]]++;
            if (++runRows == runLength) {
                endRun();
            }
        }
    }

    private void endRun() {
        if (chunkClasses == null) {
            chunkClasses = new java.util.ArrayList<>();
        }
        chunkClasses.add(run);
        run = null;
        runRows = 0;
        if (chunkClasses.size() == MAX_RUNS) { // merge neighbours: half as many runs, twice as long
            List<long[]> merged = new java.util.ArrayList<>(MAX_RUNS / 2);
            for (int i = 0; i < MAX_RUNS; i += 2) {
                long[] a = chunkClasses.get(i);
                long[] b = chunkClasses.get(i + 1);
                for (int c = 0; c < a.length; c++) {
                    a[c] += b[c];
                }
                merged.add(a);
            }
            chunkClasses = merged;
            runLength *= 2;
        }
    }

    /**
     * Compares every recorded run (a last one of at least a sixteenth of a run too) with the mix of the
     * whole partition: each class count within 6 standard deviations + 2 of what an even mix gives (loose
     * enough that well-mixed data is not flagged over thousands of runs; input sorted or grouped by class is
     * off by far more). Sets {@link #chunksMixed}.
     */
    void finishChunks() {
        if (runRows >= runLength / 16) {
            endRun();
        }
        List<long[]> runs = chunkClasses;
        chunkClasses = null;
        run = null;
        runRows = 0;
        runLength = MIX_RUN;
        if (runs == null || runs.size() < 2) {
            return;
        }
        int classes = classCounts.length;
        long[] total = new long[classes];
        long n = 0;
        for (long[] r : runs) {
            for (int c = 0; c < classes; c++) {
                total[c] += r[c];
                n += r[c];
            }
        }
        for (long[] r : runs) {
            long rows = java.util.Arrays.stream(r).sum();
            for (int c = 0; c < classes; c++) {
                double share = (double) total[c] / n;
                double expect = rows * share;
                double sd = Math.sqrt(expect * (1 - share));
                if (Math.abs(r[c] - expect) > 6 * sd + 2) {
                    chunksMixed = false;
                    return;
                }
            }
        }
    }

    static ReadStats empty(int classes, int partitions) {
        ReadStats s = new ReadStats();
        s.partitionRows = new long[partitions];
        s.partitionClassRows = new long[partitions * classes];
        s.classCounts = new long[classes];
        s.problemCounts = new long[Problem.values().length];
        s.sampleIds = new long[SAMPLES];
        s.sampleProblems = new int[SAMPLES];
        s.sampleDetails = new String[SAMPLES];
        return s;
    }

    /** Counts a valid row of class {@code label} (what {@link #add} does for a valid Example). */
    void addValid(int partition, int label) {
        classCounts[label]++;
        partitionRows[partition]++;
        partitionClassRows[partition * classCounts.length + label]++;
    }

    void add(int partition, Example e) {
        if (e.problem == null) {
            classCounts[e.label]++;
            partitionRows[partition]++;
            partitionClassRows[partition * classCounts.length + e.label]++;
            return;
        }
        problemCounts[e.problem.ordinal()]++;
        if (e.problem == Problem.FILE && (fatalId < 0 || e.id < fatalId)) {
            fatalId = e.id;
            fatalDetail = e.detail;
        }
        addSample(e.id, e.problem.ordinal(), e.detail);
    }

    /** Adds a chunk of valid rows (already counted with {@link #add}) to the feature summaries asked for. */
    void summarize(RowChunk c) {
        if (!summarizeZ && !summarizeRange) {
            return;
        }
        Moments[] m = Moments.summarize(c, ChunkPasses.Keep.ALL, null, summarizeZ, summarizeRange);
        if (summarizeZ) {
            zscore = zscore == null ? m[0] : Moments.merge(zscore, m[0]);
        }
        if (summarizeRange) {
            range = range == null ? m[1] : Moments.merge(range, m[1]);
        }
    }

    /**
     * Starts the (empty) feature summaries {@code which} asks for, so a partition without valid rows still reports
     * them; the others stay null (no summary: a pipeline that needs one fits it by a pass of its own).
     */
    void startSummary(int features, ReadOptions.Summaries which) {
        summarizeZ = which.zscore();
        summarizeRange = which.range();
        zscore = summarizeZ ? Moments.empty(true, features) : null;
        range = summarizeRange ? Moments.empty(false, features) : null;
    }

    private void addSample(long id, int problem, String detail) {
        int pos = samples;
        while (pos > 0 && sampleIds[pos - 1] > id) {
            pos--;
        }
        if (pos >= SAMPLES) {
            return;
        }
        int last = Math.min(samples, SAMPLES - 1);
        for (int i = last; i > pos; i--) {
            sampleIds[i] = sampleIds[i - 1];
            sampleProblems[i] = sampleProblems[i - 1];
            sampleDetails[i] = sampleDetails[i - 1];
        }
        sampleIds[pos] = id;
        sampleProblems[pos] = problem;
        sampleDetails[pos] = detail;
        samples = Math.min(samples + 1, SAMPLES);
    }

    static ReadStats merge(ReadStats a, ReadStats b) {
        ReadStats m = empty(a.classCounts.length, a.partitionRows.length);
        for (int q = 0; q < m.partitionRows.length; q++) {
            m.partitionRows[q] = a.partitionRows[q] + b.partitionRows[q];
        }
        for (int q = 0; q < m.partitionClassRows.length; q++) {
            m.partitionClassRows[q] = a.partitionClassRows[q] + b.partitionClassRows[q];
        }
        for (int c = 0; c < m.classCounts.length; c++) {
            m.classCounts[c] = a.classCounts[c] + b.classCounts[c];
        }
        for (int p = 0; p < m.problemCounts.length; p++) {
            m.problemCounts[p] = a.problemCounts[p] + b.problemCounts[p];
        }
        for (ReadStats s : new ReadStats[] {a, b}) {
            for (int i = 0; i < s.samples; i++) {
                m.addSample(s.sampleIds[i], s.sampleProblems[i], s.sampleDetails[i]);
            }
            if (s.fatalId >= 0 && (m.fatalId < 0 || s.fatalId < m.fatalId)) {
                m.fatalId = s.fatalId;
                m.fatalDetail = s.fatalDetail;
            }
        }
        m.chunksMixed = a.chunksMixed && b.chunksMixed;
        m.zscore = mergeSummary(a.zscore, b.zscore);
        m.range = mergeSummary(a.range, b.range);
        return m;
    }

    /** Null means "no summary from this side" (e.g. the identity of a reduction). */
    private static Moments mergeSummary(Moments a, Moments b) {
        if (a == null) {
            return b == null ? null : b.copy();
        }
        if (b == null) {
            return a.copy();
        }
        return Moments.merge(a.copy(), b.copy());
    }

    long valid() {
        return Arrays.stream(classCounts).sum();
    }

    long bad() {
        return Arrays.stream(problemCounts).sum();
    }
}
