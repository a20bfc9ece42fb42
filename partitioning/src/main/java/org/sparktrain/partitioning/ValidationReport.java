package org.sparktrain.partitioning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What reading found: rows kept, rows per class, and the rows dropped (only with
 * {@code dropBadRows}), counted per {@link Problem} with the first few located messages. Never silent:
 * {@link #toString()} is the line to log.
 */
public final class ValidationReport {
    private final String source;
    private final long rowsKept;
    private final long[] classCounts;
    private final Map<Problem, Long> dropped;
    private final List<String> firstDropped;

    ValidationReport(String source, long rowsKept, long[] classCounts, Map<Problem, Long> dropped,
            List<String> firstDropped) {
        this.source = source;
        this.rowsKept = rowsKept;
        this.classCounts = classCounts.clone();
        this.dropped = Collections.unmodifiableMap(new EnumMap<>(dropped));
        this.firstDropped = List.copyOf(firstDropped);
    }

    static ValidationReport of(RowSource source, ReadStats stats) {
        Map<Problem, Long> dropped = new EnumMap<>(Problem.class);
        for (Problem p : Problem.values()) {
            if (stats.problemCounts[p.ordinal()] > 0) {
                dropped.put(p, stats.problemCounts[p.ordinal()]);
            }
        }
        List<String> first = new ArrayList<>();
        for (int i = 0; i < stats.samples; i++) {
            first.add(source.locate(stats.sampleIds[i]) + ": " + stats.sampleDetails[i]);
        }
        return new ValidationReport(source.name(), stats.valid(), stats.classCounts, dropped, first);
    }

    public String source() {
        return source;
    }

    public long rowsKept() {
        return rowsKept;
    }

    /** Rows kept per class; a copy. */
    public long[] classCounts() {
        return classCounts.clone();
    }

    public long rowsDropped() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Dropped rows per problem (only problems that occurred). */
    public Map<Problem, Long> dropped() {
        return dropped;
    }

    /** Located messages of the first dropped rows (at most 5, in input order). */
    public List<String> firstDropped() {
        return firstDropped;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(source).append(": kept ").append(rowsKept).append(" rows");
        if (!dropped.isEmpty()) {
            sb.append(", dropped ").append(rowsDropped()).append(" (");
            String sep = "";
            for (Map.Entry<Problem, Long> e : dropped.entrySet()) {
                sb.append(sep).append(e.getValue()).append(' ').append(e.getKey().description());
                sep = ", ";
            }
            sb.append("); first: ").append(String.join(" | ", firstDropped));
        }
        return sb.toString();
    }
}
