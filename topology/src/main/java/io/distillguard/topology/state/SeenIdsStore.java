package io.distillguard.topology.state;

import com.carrotsearch.hppc.LongHashSet;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The duplicate filter's memory: the 64-bit hashes of the event ids seen, per window of event time, in memory, and
 * logged as one changelog record per window and commit holding the hashes added since the last commit.
 *
 * <p>Why not a RocksDB window store, as the service used before: there, every request cost a RocksDB write and a
 * changelog record of its own at the commit, and up to three lookups through Bloom filters, about a sixth of the live
 * stream threads' time for state that is only ever asked "seen before?". Here a request costs a hash and two or
 * three lookups in primitive hash sets, and a commit one record per window.
 *
 * <p>Durable as Kafka's in-memory stores are: the changelog is the state. A task that starts (or restarts after a
 * crash, which under exactly-once closes the store and opens it again) reads the changelog from its start. The
 * topic deletes by time ({@code cleanup.policy=delete}), and its records carry the wall-clock time they were written,
 * so it holds at least the store's retention plus an hour of what was written; a restore reads that and keeps the
 * windows within the retention of the newest one. The hashes of the current commit are logged from the task's
 * prepare-commit (the {@link CachedStateStore#flushCache()} hook Kafka's caching stores use), so they are in the same
 * transaction as the input that added them.
 *
 * <p>Two rules, documented in docs/reliability.md: two different ids with the same 64-bit hash count as one (with ten million
 * ids in a window, a new id is taken for a copy about once in two trillion); and a window holds at most
 * {@code maxIdsPerWindow} ids per task, past which new ids are let through unrecorded (counted by the caller), so a
 * flood of event time cannot exhaust the heap. A set costs about 11 bytes an id (21 while it doubles).
 */
public final class SeenIdsStore implements StateStore, CachedStateStore<Object, Object> {

    private static final Hasher64 HASHER = Hashing.komihash5_0();
    /** How much longer than the retention the changelog keeps records (by their wall-clock timestamps). */
    private static final long EXTRA_RETENTION_MS = 3_600_000L;
    /**
     * Ids in one changelog record, 256 KiB: a commit interval can hold any number (at-least-once commits every 30 s by
     * default, a replay runs through hours of event time in that), and the producer refuses a record over 1 MiB.
     */
    static final int MAX_IDS_PER_RECORD = 32_768;
    /** A record's key: the window's start and a sequence number, so that no record replaces another. */
    private static final int KEY_BYTES = 16;

    private final String name;
    private final long retentionMs;
    private final int maxIdsPerWindow;
    private final Map<Long, Window> windows = new HashMap<>();
    private ChangeLog changeLog;
    private long newestStart = Long.MIN_VALUE;
    private long sequence;
    private volatile boolean open;

    /** Where logged records go: the task's changelog partition, through Kafka's record collector. */
    interface ChangeLog {
        void append(byte[] key, byte[] value, long timestamp);
    }

    private static final class Window {
        final LongHashSet ids = new LongHashSet();
        long[] unlogged = new long[64];
        int unloggedCount;

        void logLater(long hash) {
            if (unloggedCount == unlogged.length) {
                unlogged = java.util.Arrays.copyOf(unlogged, unlogged.length * 2);
            }
            unlogged[unloggedCount++] = hash;
        }
    }

    SeenIdsStore(String name, long retentionMs, int maxIdsPerWindow) {
        this.name = name;
        this.retentionMs = retentionMs;
        this.maxIdsPerWindow = maxIdsPerWindow;
    }

    /**
     * A logged, in-memory store of event ids kept {@code retentionMs} past the newest window, at most
     * {@code maxIdsPerWindow} ids a window.
     */
    public static StoreBuilder<SeenIdsStore> builder(String name, long retentionMs, int maxIdsPerWindow) {
        // Deleted by time, not compacted: every record is a new key, and what a restore needs is the last retention's
        // worth. Segments roll at least every half hour, so that old ones can be deleted at all.
        long kept = retentionMs + EXTRA_RETENTION_MS;
        return FixedStoreBuilder.logged(name, "the changelog is its only durable copy",
                () -> new SeenIdsStore(name, retentionMs, maxIdsPerWindow), Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(kept),
                        TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Math.min(1_800_000L, kept))));
    }

    /** The hash an id is remembered by. */
    public static long hash(String eventId) {
        return HASHER.hashCharsToLong(eventId);
    }

    /** What {@link #add} did. */
    public enum Added { NEW, FULL, EXPIRED }

    public boolean contains(long idHash, long windowStart) {
        Window window = windows.get(windowStart);
        return window != null && window.ids.contains(idHash);
    }

    /** Remembers an id in its window; windows that fell out of retention behind it are forgotten. */
    public Added add(long idHash, long windowStart) {
        if (windowStart > newestStart) {
            newestStart = windowStart;
            expire();
        }
        if (windowStart <= newestStart - retentionMs) {
            return Added.EXPIRED;
        }
        Window window = windows.computeIfAbsent(windowStart, start -> new Window());
        if (window.ids.size() >= maxIdsPerWindow) {
            return Added.FULL;
        }
        if (window.ids.add(idHash)) {
            window.logLater(idHash);
        }
        return Added.NEW;
    }

    private void expire() {
        Iterator<Map.Entry<Long, Window>> each = windows.entrySet().iterator();
        while (each.hasNext()) {
            if (each.next().getKey() <= newestStart - retentionMs) {
                each.remove();
            }
        }
    }

    /** Ids remembered now, over every window. */
    public long size() {
        long size = 0;
        for (Window window : windows.values()) {
            size += window.ids.size();
        }
        return size;
    }

    /** Logs what was added since the last commit; Kafka calls it in each prepare-commit of an active task. */
    @Override
    public void flushCache() {
        if (changeLog == null) {
            return;
        }
        for (Map.Entry<Long, Window> entry : windows.entrySet()) {
            Window window = entry.getValue();
            if (window.unloggedCount == 0) {
                continue;
            }
            for (int from = 0; from < window.unloggedCount; from += MAX_IDS_PER_RECORD) {
                int count = Math.min(MAX_IDS_PER_RECORD, window.unloggedCount - from);
                ByteBuffer key = ByteBuffer.allocate(KEY_BYTES).putLong(entry.getKey()).putLong(sequence++);
                ByteBuffer value = ByteBuffer.allocate(Long.BYTES * count);
                for (int i = from; i < from + count; i++) {
                    value.putLong(window.unlogged[i]);
                }
                changeLog.append(key.array(), value.array(), System.currentTimeMillis());
            }
            window.unloggedCount = 0;
        }
    }

    void restore(byte[] key, byte[] value) {
        if (key == null || key.length != KEY_BYTES || value == null) {
            return;
        }
        ByteBuffer ids = ByteBuffer.wrap(value);
        long windowStart = ByteBuffer.wrap(key).getLong();
        // The sequence goes on from the largest restored, so keys stay unique across restarts of this task.
        sequence = Math.max(sequence, ByteBuffer.wrap(key).getLong(Long.BYTES) + 1);
        if (windowStart > newestStart) {
            newestStart = windowStart;
            expire();
        }
        if (windowStart <= newestStart - retentionMs) {
            return;
        }
        Window window = windows.computeIfAbsent(windowStart, start -> new Window());
        while (ids.remaining() >= Long.BYTES && window.ids.size() < maxIdsPerWindow) {
            window.ids.add(ids.getLong());
        }
    }

    // A recycled task (active to standby and back) keeps what it holds: it committed before, so nothing is unlogged,
    // and a standby goes on restoring into the same sets.
    @Override
    public void clearCache() {
        for (Window window : windows.values()) {
            window.unloggedCount = 0;
        }
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        // Kafka's internal context: a custom store's changelog records go through it, as Kafka's own logging stores'
        // do. The record time is the wall clock, which the topic's time retention is measured against.
        InternalProcessorContext<?, ?> internal = (InternalProcessorContext<?, ?>) context;
        open((key, value, timestamp) -> internal.logChange(name, Bytes.wrap(key), value, timestamp, new RecordHeaders(),
                Position.emptyPosition()));
        context.register(root, this::restore);
    }

    /**
     * Starts empty, to be filled by {@link #restore} from the changelog: opened again after a dirty close, what it held
     * may include ids of uncommitted input, and the changelog holds committed records only.
     */
    void open(ChangeLog log) {
        windows.clear();
        newestStart = Long.MIN_VALUE;
        sequence = 0;
        changeLog = log;
        open = true;
    }

    @Override
    public void close() {
        windows.clear();
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
