package io.distillguard.topology.repartition;

import java.util.HashMap;
import java.util.Map;

/**
 * How far every input partition has got in event time, as seen from one task on the far side of a repartition topic.
 *
 * <p>Why: Kafka Streams runs each input partition's task at its own pace. After an outage, a partition with less
 * backlog reaches the present while another is hours behind; the far side's stream time follows the fastest, and the
 * slow partition's requests arrive after their windows closed (and, past a store's retention, after their windows
 * and the record of alerts already written were gone). Every batch names the partition that sent it and that task's
 * stream time; the far side takes the minimum over all partitions as its time, judges lateness by it, and holds back
 * what is ahead of it, so that an outage's catch-up is judged as the uninterrupted stream would have been.
 *
 * <p>Until every partition has reported the minimum is unknown. A partition that has sent nothing for {@code idleMs}
 * of wall-clock time (an input partition with no traffic, whose task does not commit; or one that has not reported
 * since this task started) is left out of the minimum, so that one quiet partition does not hold back the others.
 */
public final class EventTimeAlignment {

    /** No alignment: the batches name no sources (an older sender). */
    public static final long OFF = Long.MAX_VALUE;
    /** Not every source has reported yet. */
    public static final long UNKNOWN = Long.MIN_VALUE;

    private final long idleMs;
    private final long startedMs;
    private final Map<Integer, long[]> bySource = new HashMap<>();
    private int sources;

    /**
     * @param startedMs wall-clock time this task started: a partition that has not reported {@code idleMs} after it
     *                  is taken as idle (a partition that never receives anything must not hold back the others)
     */
    public EventTimeAlignment(long idleMs, long startedMs) {
        this.idleMs = idleMs;
        this.startedMs = startedMs;
    }

    /** A batch from {@code source} whose sender had reached {@code time}, received at wall-clock {@code wallMs}. */
    public void observe(BatchCodec.Source source, long wallMs) {
        if (source.partitions() <= 0 || source.partition() < 0) {
            return;
        }
        sources = source.partitions();
        long[] seen = bySource.computeIfAbsent(source.partition(), p -> new long[] {Long.MIN_VALUE, wallMs});
        seen[0] = Math.max(seen[0], source.time());
        seen[1] = wallMs;
    }

    /** The event time every active source has reached; {@link #UNKNOWN} until each has reported, {@link #OFF} without sources. */
    public long aligned(long wallMs) {
        if (sources == 0) {
            return OFF;
        }
        if (bySource.size() < sources && wallMs - startedMs <= idleMs) {
            return UNKNOWN;
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long[] seen : bySource.values()) {
            max = Math.max(max, seen[0]);
            if (wallMs - seen[1] <= idleMs) {
                min = Math.min(min, seen[0]);
            }
        }
        // Every source idle: nothing is arriving, so nothing ahead needs holding back.
        return min == Long.MAX_VALUE ? max : min;
    }
}
