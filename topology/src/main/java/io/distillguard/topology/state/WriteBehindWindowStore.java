package io.distillguard.topology.state;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.OffsetCheckpoint;

/**
 * The live service's window stores: the detectors' window records kept as objects in front of a changelogged RocksDB
 * window store and written to it once per commit, instead of serialized and deserialized on every read and write.
 *
 * <p>Why not Kafka's record cache: it holds bytes, so each of a request's nine window reads and writes was an Avro
 * decode or encode plus an LRU update of the cache's byte entries; a JFR/async profile of the live detector's stream
 * threads put the state machinery (Avro state serde 16 %, RocksDB 15 %, the record cache 12 %) at over 40 % of their
 * time, against a few percent for the detectors themselves. Here a read of a cached window is a hash lookup and a
 * write marks it dirty; each dirty window is encoded once per commit.
 *
 * <p>Correctness rests on when dirty windows reach the inner store. Kafka Streams calls {@link #flushCache()} on every
 * registered store that is a {@link CachedStateStore} in a task's prepare-commit, before the task's records (here:
 * the changelog records the inner store writes) are flushed and its offsets committed, so under exactly-once a
 * window's update is in the same transaction as the input that caused it. That hook is an internal interface (Kafka
 * offers no public pre-commit hook to a store); it is the one Kafka's own record cache uses. A window evicted from
 * the object cache between commits is written then, as the record cache does. On a dirty close the cache is dropped
 * ({@link #clearCache()}) and the task restores from its changelog.
 *
 * <p>Contract with the processors, as with {@link OfflineWindowStore}: {@link #fetch(Object, long)} returns the cached
 * object itself, so a processor that changes it must write it back with {@link #put}, which marks it dirty; every
 * detector's read-modify-write does. Only the stream thread that writes the store uses the object cache: any other
 * thread (interactive queries) reads the inner store, which is at most one commit interval behind.
 */
public final class WriteBehindWindowStore<K, V> implements WindowStore<K, V>, CachedStateStore<K, V> {

    /** Kafka Streams' default {@code windowstore.changelog.additional.retention.ms}: one day. */
    static final long CHANGELOG_EXTRA_RETENTION_MS = 86_400_000L;

    private final WindowStore<K, V> inner;
    private final long retentionMs;
    private final int capacity;
    private final LinkedHashMap<Slot<K>, Cached<V>> cache;
    // The windows written since the last commit, so that a commit costs what changed, not what is cached: a scan of
    // the whole cache every commit interval (100 ms under exactly-once) took more time than the detectors at 1,000
    // events/s and put the event-to-alert latency at tens of seconds.
    private final ArrayList<Slot<K>> dirtySlots = new ArrayList<>();
    private final ArrayList<Cached<V>> dirtyWindows = new ArrayList<>();
    /** The processing thread: the one that writes. Queries from other threads go to the inner store. */
    private volatile Thread owner;
    private long observedStreamTime = Long.MIN_VALUE;
    /** The expiry bound at which the next commit sweeps expired windows out of the cache. */
    private long nextSweep = Long.MIN_VALUE;
    // Which keys each window later than anything the inner store could hold when this thread started on it has been
    // given: a key a window's filter has never seen is not in RocksDB, so its first read (every event id in the
    // duplicate filter, every new prompt band) needs no RocksDB lookup. A duplicate filter with the lookups ran at
    // 7,600 events/s live, without the filter at all at 10,300. Older windows have no filter and are read from RocksDB.
    private final Map<Long, KeyFilter> keysByWindow = new HashMap<>();
    private long latestAtStart = UNKNOWN;
    // The last key hashed for the filters, by identity: a detector reads a window and writes it back with the very
    // same String, and a read may ask more than one window.
    private Object lastHashedKey;
    private long lastKeyHash;
    private static final long UNKNOWN = Long.MIN_VALUE;
    private static final long NONE = Long.MIN_VALUE + 1;

    private record Slot<K>(K key, long windowStart) {
    }

    private static final class Cached<V> {
        V value;
        boolean dirty;

        Cached(V value, boolean dirty) {
            this.value = value;
            this.dirty = dirty;
        }
    }

    WriteBehindWindowStore(WindowStore<K, V> inner, long retentionMs, int capacity) {
        this.inner = inner;
        this.retentionMs = retentionMs;
        this.capacity = capacity;
        // Access order: the least recently used window is the one evicted (and written, if dirty) past capacity.
        this.cache = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Slot<K>, Cached<V>> eldest) {
                if (size() <= WriteBehindWindowStore.this.capacity) {
                    return false;
                }
                writeBack(eldest.getKey(), eldest.getValue());
                return true;
            }
        };
    }

    /**
     * Wraps {@code inner} (the persistent, logged store the service has always used, without Kafka's record cache):
     * at most {@code capacity} windows of this store and task are held as objects.
     */
    public static <K, V> StoreBuilder<WindowStore<K, V>> builder(StoreBuilder<WindowStore<K, V>> inner, long retentionMs,
                                                                 int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, not " + capacity);
        }
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<WindowStore<K, V>> withCachingEnabled() {
                // This store is the cache: Kafka's record cache under it would only encode every write twice.
                return this;
            }

            @Override
            public StoreBuilder<WindowStore<K, V>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<WindowStore<K, V>> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<WindowStore<K, V>> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public WindowStore<K, V> build() {
                return new WriteBehindWindowStore<>(inner.withCachingDisabled().build(), retentionMs, capacity);
            }

            @Override
            public Map<String, String> logConfig() {
                // Kafka Streams gives the changelog of a window store it built a time retention (compact,delete, the
                // store's retention plus a day), recognising the store by its builder's class; this builder is not
                // one of those, so its changelog would be compact-only and keep every window ever written (every
                // event id of the duplicate filter) for good. So it asks for what Kafka would have given; the day is
                // Kafka's default windowstore.changelog.additional.retention.ms. The time is when a record was
                // written, not its event time (ChangelogTopics). Settings given to the store win.
                Map<String, String> config = new HashMap<>(
                        ChangelogTopics.compactedAndKeptFor(retentionMs + CHANGELOG_EXTRA_RETENTION_MS));
                config.putAll(inner.logConfig());
                return config;
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    private boolean owned() {
        return owner == Thread.currentThread();
    }

    @Override
    public void put(K key, V value, long windowStart) {
        Thread current = Thread.currentThread();
        if (owner != current) {
            // Restoration writes the inner store directly, so the first writer is the task's processing thread. A
            // task reaches another thread only through a close (which empties the cache); should one not, what the
            // last thread left unwritten is written now rather than lost.
            flushCache();
            clearCache();
            owner = current;
        }
        observedStreamTime = Math.max(observedStreamTime, windowStart);
        if (windowStart <= observedStreamTime - retentionMs) {
            // Kafka's segmented stores drop a write to a window past retention; so does the cache.
            return;
        }
        Slot<K> slot = new Slot<>(key, windowStart);
        Cached<V> cached = cache.get(slot);
        if (cached == null) {
            // Only a key new to the cache can be new to its window's filter: a cached key of a filtered window got
            // there by an earlier put, or by a read the filter let through. Repeated updates skip the hashing.
            if (windowStart > latestAtStart()) {
                keysByWindow.computeIfAbsent(windowStart, start -> new KeyFilter()).add(hashOf(key));
            }
            cached = new Cached<>(value, false);
            cache.put(slot, cached);
        }
        cached.value = value;
        if (!cached.dirty) {
            cached.dirty = true;
            dirtySlots.add(slot);
            dirtyWindows.add(cached);
        }
    }

    @Override
    public V fetch(K key, long windowStart) {
        if (!owned()) {
            return inner.fetch(key, windowStart);
        }
        if (windowStart <= observedStreamTime - retentionMs) {
            return null;
        }
        Slot<K> slot = new Slot<>(key, windowStart);
        Cached<V> cached = cache.get(slot);
        if (cached != null) {
            return cached.value;
        }
        if (windowStart > latestAtStart()) {
            KeyFilter seen = keysByWindow.get(windowStart);
            if (seen == null || !seen.mightContain(hashOf(key))) {
                return null;
            }
        }
        V value = inner.fetch(key, windowStart);
        if (value != null) {
            cache.put(slot, new Cached<>(value, false));
        }
        return value;
    }

    private long hashOf(K key) {
        if (key != lastHashedKey) {
            lastKeyHash = KeyFilter.HASHER.hashCharsToLong(key.toString());
            lastHashedKey = key;
        }
        return lastKeyHash;
    }

    /**
     * A window start no window the inner store held when this thread first used it can be later than (NONE when it
     * was empty), found once: after it, every key reaches the inner store through {@link #put}, which the filters see.
     * A backward scan starts in the newest segment, but a segment is ordered by key, not time: its first window is
     * somewhere in that segment (taking it for the latest made restored windows look new, and their alerts went out
     * twice across a rebalance). The bound is that segment's end, by Kafka's segment interval for the store's
     * retention ({@code Stores.persistentWindowStore}: half the retention, at least a minute): a restarted task has
     * filters for windows starting after its newest segment, at most a retention later.
     */
    private long latestAtStart() {
        if (latestAtStart == UNKNOWN) {
            latestAtStart = NONE;
            try (KeyValueIterator<Windowed<K>, V> newestSegment = inner.backwardFetchAll(0, Long.MAX_VALUE)) {
                if (newestSegment.hasNext()) {
                    long someStart = newestSegment.next().key.window().start();
                    long segment = Math.max(retentionMs / 2, 60_000L);
                    latestAtStart = someStart - Math.floorMod(someStart, segment) + segment - 1;
                }
            }
        }
        return latestAtStart;
    }

    /**
     * The keys given to one window, as 64-bit hashes (one per key, shared by the windows it is asked about): Bloom
     * filters (0.1 % false positives each), a new one twice the size once the latest is full, so a busy window
     * costs a few bytes a key and a quiet one little. A false positive costs a RocksDB lookup (at 1 % a filter, a
     * window with five filters sent one new event id in twenty to RocksDB, a sixth of the duplicate filter's time);
     * there are no false negatives. Bounded: past about two million keys (some 4 MB of filters) the window gives
     * up filtering and every miss reads RocksDB again, so a day window of a busy service (hundreds of millions of
     * prompt bands) costs megabytes of heap, not gigabytes.
     */
    static final class KeyFilter {
        static final Hasher64 HASHER = Hashing.komihash5_0();
        private static final double FALSE_POSITIVES = 0.001;
        private static final long LARGEST = 1 << 20;
        private final List<HashedBloomFilter> filters = new ArrayList<>(4);
        private long capacity = 1 << 14;
        private long added;
        private boolean saturated;

        KeyFilter() {
            filters.add(new HashedBloomFilter(capacity, FALSE_POSITIVES));
        }

        void add(long keyHash) {
            if (saturated) {
                return;
            }
            if (added == capacity) {
                if (capacity == LARGEST) {
                    saturated = true;
                    filters.clear();
                    return;
                }
                capacity *= 2;
                added = 0;
                filters.add(new HashedBloomFilter(capacity, FALSE_POSITIVES));
            }
            if (filters.get(filters.size() - 1).put(keyHash)) {
                added++;
            }
        }

        boolean mightContain(long keyHash) {
            if (saturated) {
                return true;
            }
            for (int i = filters.size() - 1; i >= 0; i--) {
                if (filters.get(i).mightContain(keyHash)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Writes every dirty window to the inner store (and so to its changelog); called in each commit's prepare. */
    @Override
    public void flushCache() {
        // A window evicted since it was written went out then and is clean now; one past retention is dropped by the
        // inner store as Kafka's stores drop any write to an expired window.
        for (int i = 0; i < dirtySlots.size(); i++) {
            writeBack(dirtySlots.get(i), dirtyWindows.get(i));
        }
        dirtySlots.clear();
        dirtyWindows.clear();
        if (observedStreamTime == Long.MIN_VALUE) {
            return;
        }
        long expiredBefore = observedStreamTime - retentionMs;
        keysByWindow.keySet().removeIf(start -> start <= expiredBefore);
        if (expiredBefore >= nextSweep) {
            // A window past retention is never read or written again, but the LRU order only lets it go once the
            // cache is full: swept out, the heap holds the live windows, not a full cache of expired ones (a soak
            // at 1,000 events/s grew by 170,000 cached windows in five minutes, most of them expired). A scan of
            // the cache, so at most once per eighth of the retention of stream time.
            cache.keySet().removeIf(slot -> slot.windowStart() <= expiredBefore);
            nextSweep = expiredBefore + Math.max(1, retentionMs / 8);
        }
    }

    private void writeBack(Slot<K> slot, Cached<V> cached) {
        if (cached.dirty && slot.windowStart() > observedStreamTime - retentionMs) {
            inner.put(slot.key(), cached.value, slot.windowStart());
        }
        cached.dirty = false;
    }

    @Override
    public void clearCache() {
        // Also on a task's recycling between active and standby, while which the inner store is written from the
        // changelog directly: the filters start over from what the inner store holds then.
        cache.clear();
        dirtySlots.clear();
        dirtyWindows.clear();
        keysByWindow.clear();
        latestAtStart = UNKNOWN;
        nextSweep = Long.MIN_VALUE;
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
        return false;
    }

    /** Windows held as objects now. */
    public int cachedWindows() {
        return cache.size();
    }

    // ---- ranges and queries: the inner store, after this thread's dirty windows are written to it ------------------
    // (The Instant forms are WindowStore's defaults, which call the long forms here.)

    private WindowStore<K, V> forRange() {
        if (owned()) {
            flushCache();
        }
        return inner;
    }

    @Override
    public WindowStoreIterator<V> fetch(K key, long timeFrom, long timeTo) {
        return forRange().fetch(key, timeFrom, timeTo);
    }

    @Override
    public WindowStoreIterator<V> backwardFetch(K key, long timeFrom, long timeTo) {
        return forRange().backwardFetch(key, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetch(K keyFrom, K keyTo, long timeFrom, long timeTo) {
        return forRange().fetch(keyFrom, keyTo, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetch(K keyFrom, K keyTo, long timeFrom, long timeTo) {
        return forRange().backwardFetch(keyFrom, keyTo, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetchAll(long timeFrom, long timeTo) {
        return forRange().fetchAll(timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetchAll(long timeFrom, long timeTo) {
        return forRange().backwardFetchAll(timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> all() {
        return forRange().all();
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardAll() {
        return forRange().backwardAll();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    // ---- lifecycle: the inner store's, with this store registered as the root Kafka calls ---------------------------

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        clearCache();
        owner = null;
        observedStreamTime = Long.MIN_VALUE;
        inner.init(context, root);
    }

    // No write-back here: these run after the commit's offsets went out (its post-commit), too late for a changelog
    // record to join that commit's transaction. flushCache(), in the prepare, has written every dirty window already.
    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        inner.commit(changelogOffsets);
    }

    /**
     * The inner store's committed offset; for a store that holds nothing and has none, "offset unknown".
     *
     * <p>A RocksDB window store keeps its committed offsets in its segments, so one that was never written (the
     * alerts store of a partition that has raised no alert yet) has no segment and no offset. Under exactly-once
     * Kafka Streams takes a task with such a store and anything else on disk for corrupted: it wiped and restored
     * every link and subject task on each clean restart, and a rebalance that moved such a task within an instance
     * did it again, one rebalance setting off the next, without end. A store that holds nothing holds no uncommitted
     * write either; "offset unknown" (what Kafka itself commits for a store whose offset it does not know) has it
     * restored from the start of its changelog, which is all it can be missing. A store that holds windows and no
     * offset is still left to Kafka's judgement.
     */
    @Override
    public Long committedOffset(TopicPartition partition) {
        Long committed = inner.committedOffset(partition);
        if (committed != null || !inner.persistent()) {
            return committed;
        }
        try (KeyValueIterator<Windowed<K>, V> all = inner.all()) {
            return all.hasNext() ? null : OffsetCheckpoint.OFFSET_UNKNOWN;
        }
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public void close() {
        // A clean close is preceded by a commit, which wrote every dirty window; a dirty close must not write them.
        clearCache();
        owner = null;
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }
}
