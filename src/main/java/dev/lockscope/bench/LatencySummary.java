package dev.lockscope.bench;

import java.util.Arrays;

/**
 * Percentiles of a set of durations (nearest rank). Immutable; any thread.
 *
 * @param count     how many samples
 * @param p50Nanos  median
 * @param p99Nanos  99th percentile
 * @param maxNanos  largest
 * @param meanNanos arithmetic mean
 */
public record LatencySummary(int count, long p50Nanos, long p99Nanos, long maxNanos, long meanNanos) {

    /** The summary of {@code nanos}; all zero when it is empty. */
    public static LatencySummary of(long[] nanos) {
        if (nanos.length == 0) {
            return new LatencySummary(0, 0, 0, 0, 0);
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        long sum = 0;
        for (long v : s) {
            sum += v;
        }
        return new LatencySummary(s.length, rank(s, 0.50), rank(s, 0.99), s[s.length - 1], sum / s.length);
    }

    /** Nearest-rank percentile of sorted samples. */
    static long rank(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** "p50 1.23 ms  p99 4.56 ms  max 7.89 ms". */
    public String describe() {
        return "p50 " + BenchResult.millis(p50Nanos) + "  p99 " + BenchResult.millis(p99Nanos) + "  max "
                + BenchResult.millis(maxNanos);
    }
}
