package io.distillguard.topology.repartition;

import io.distillguard.topology.state.Watermark;
import java.util.Arrays;

/**
 * How far in event time every upstream partition of a repartition hop has got, from the progress marks they send
 * behind their records ({@link Watermark}), and the watermark over all of them: a time before which nothing more is
 * coming (but what is later than the grace period, as within one partition).
 *
 * <p>Why: a task that takes records from every upstream partition (the link groups, the single account-graph
 * partition) sees them interleaved in whatever order the upstream tasks ran. Its own stream time is the fastest
 * partition's; after an outage one partition can be an hour ahead of another. A judgment that must not depend on that
 * order (the account graph's epochs) waits for the slowest partition instead.
 *
 * <p>The rules: a partition never heard from holds everyone back; an idle one (nothing to process for a while) holds no
 * one back; when every partition is idle, all are done and the watermark is the furthest one's time. A partition
 * more than {@code boundMs} behind the furthest holds back no further than that: its requests are already older than
 * the hour windows keep (the lateness is bounded by retention, not by how long a partition has been away).
 *
 * <p>Kept in a store through {@link Store}, so a restarted or moved task judges with what its predecessor had heard.
 */
public final class PartitionWatermarks {

    /** A key-value view of the task's store: {@link Long#MIN_VALUE} for a key never put. */
    public interface Store {
        long get(String key);

        void put(String key, long value);
    }

    private final String prefix;
    private final long boundMs;
    private final Store store;
    private long[] times;
    /** Each partition's last word: {@link #UNHEARD}, {@link #ACTIVE} or {@link #IDLE}. */
    private long[] states;
    private static final long UNHEARD = Long.MIN_VALUE;
    private static final long ACTIVE = 0;
    private static final long IDLE = 1;

    /**
     * @param partitions how many upstream partitions there are (more are taken as they are heard from)
     * @param boundMs    how far behind the furthest partition another may hold the watermark back
     */
    public PartitionWatermarks(String prefix, int partitions, long boundMs, Store store) {
        this.prefix = prefix;
        this.boundMs = boundMs;
        this.store = store;
        this.times = new long[Math.max(1, partitions)];
        this.states = new long[times.length];
        for (int p = 0; p < times.length; p++) {
            times[p] = store.get(timeKey(p));
            states[p] = store.get(stateKey(p));
        }
    }

    /**
     * Takes a partition's progress mark. Its time never goes back (a task moved to another instance starts its stream
     * time again from its first record); its idleness is what it says now.
     */
    public void update(Watermark mark) {
        int p = mark.getPartition();
        if (p < 0) {
            return;
        }
        if (p >= times.length) {
            int from = times.length;
            times = Arrays.copyOf(times, p + 1);
            states = Arrays.copyOf(states, p + 1);
            Arrays.fill(times, from, times.length, Long.MIN_VALUE);
            Arrays.fill(states, from, states.length, UNHEARD);
        }
        long time = Math.max(times[p], mark.getTime());
        if (time != times[p]) {
            times[p] = time;
            store.put(timeKey(p), time);
        }
        long state = mark.getIdle() ? IDLE : ACTIVE;
        if (state != states[p]) {
            states[p] = state;
            store.put(stateKey(p), state);
        }
    }

    /** The time every partition has got past, by the rules above; {@link Long#MIN_VALUE} until all are heard from. */
    public long watermark() {
        long furthest = Long.MIN_VALUE;
        long slowest = Long.MAX_VALUE;
        boolean allIdle = true;
        for (int p = 0; p < times.length; p++) {
            furthest = Math.max(furthest, times[p]);
            if (states[p] != IDLE) {
                allIdle = false;
                slowest = Math.min(slowest, times[p]);
            }
        }
        if (allIdle) {
            return furthest;
        }
        long floor = furthest == Long.MIN_VALUE ? Long.MIN_VALUE : furthest - boundMs;
        return Math.max(slowest, floor);
    }

    /** Whether every partition has said it is idle. */
    public boolean allIdle() {
        for (long state : states) {
            if (state != IDLE) {
                return false;
            }
        }
        return true;
    }

    private String timeKey(int partition) {
        return prefix + partition;
    }

    private String stateKey(int partition) {
        return prefix + "state|" + partition;
    }
}
