package io.distillguard.topology.state;

import com.dynatrace.hash4j.hashing.HashValue128;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The offline backtest's window store: the records themselves (not their bytes) in one {@link HashedKeyMap} per
 * window start, dropped whole when the window passes retention. Keys are read as text ({@code toString}): every
 * store of the topology is keyed by String. Written here because Kafka Streams has no store for this: its
 * in-memory window store keeps each window's keys in a skip list ordered by their bytes, which its range queries
 * need, and serializes every record on every write. Offline nothing asks for a range of keys, nothing is
 * changelogged and nothing leaves the JVM; the ordered lookups were half of the backtest's time on 100,000 simulated
 * accounts (jstack sampling) and the Avro round trips a third of what was left (JFR).
 *
 * <p>Single-key lookups and single-key time ranges, which is all the detectors do, behave as in Kafka's stores,
 * retention included; multi-key ranges are refused. One difference a processor must respect: {@link #fetch} returns
 * the stored object, not a copy, so a change to it is a change to the store. The detectors always write back what
 * they change, and {@code OfflineBacktestTest} checks that offline and RocksDB state give the same alerts.
 */
public final class OfflineWindowStore<K, V> implements WindowStore<K, V> {

    private final String name;
    private final long retentionMs;
    // The windows in ascending order of start: a handful at most (retention over window size, plus one), so a scan
    // of a long array finds one faster than a tree does, and without boxing its key. The duplicate filter alone looks
    // up three windows per request, which thrashed the two-entry cache the tree needed.
    private long[] starts = new long[8];
    private HashedKeyMap<V>[] maps = newMaps(8);
    private int count;
    private long observedStreamTime = Long.MIN_VALUE;
    private boolean open;
    // The last single-window fetch: a put of that very object back to that window has nothing to change.
    private K lastKey;
    private long lastWindowStart;
    private V lastValue;
    // The last key hashed and its hash: the detectors ask for one key several times in a row (the duplicate filter
    // three windows and a put, each detector a fetch and a put), and hashing it each time was a twentieth of the
    // test driver's time. By identity: a String cannot change, and a new String is hashed anew.
    private Object hashedKey;
    private long keyLow;
    private long keyHigh;

    private OfflineWindowStore(String name, long retentionMs) {
        this.name = name;
        this.retentionMs = retentionMs;
    }

    /** A builder for {@code StreamsBuilder.addStateStore}: never cached, never logged, whatever is asked. */
    public static <K, V> StoreBuilder<WindowStore<K, V>> builder(String name, long retentionMs) {
        return FixedStoreBuilder.unlogged(name, "an offline run restores nothing",
                () -> new OfflineWindowStore<>(name, retentionMs));
    }

    @Override
    public void put(K key, V value, long windowStart) {
        observedStreamTime = Math.max(observedStreamTime, windowStart);
        long expiredBefore = observedStreamTime - retentionMs;
        // Same rule as Kafka's stores: a window already past retention is not written.
        if (windowStart <= expiredBefore) {
            return;
        }
        if (count > 0 && starts[0] <= expiredBefore) {
            expire(expiredBefore);
        }
        if (value == lastValue && value != null && windowStart == lastWindowStart && key.equals(lastKey)) {
            // The object just fetched, changed in place and written back (every detector's read-modify-write):
            // it is already the stored value.
            return;
        }
        lastValue = null;
        if (value == null) {
            HashedKeyMap<V> window = window(windowStart);
            if (window != null) {
                hash(key);
                window.remove(keyLow, keyHigh);
            }
        } else {
            HashedKeyMap<V> window = window(windowStart);
            if (window == null) {
                // Sized for as many keys as the latest window held: a window of a few hundred thousand keys grown
                // from sixteen rehashes itself fifteen times.
                int expected = count == 0 ? 16 : maps[count - 1].size();
                window = new HashedKeyMap<>(expected);
                insert(windowStart, window);
            }
            hash(key);
            window.put(keyLow, keyHigh, value);
        }
    }

    private void hash(K key) {
        if (key != hashedKey || !(key instanceof String)) {
            HashValue128 hash = HashedKeyMap.hash(key);
            keyLow = hash.getLeastSignificantBits();
            keyHigh = hash.getMostSignificantBits();
            hashedKey = key;
        }
    }

    /** The window starting at {@code start}, or null. Scanned from the latest: nearly every access is to it. */
    private HashedKeyMap<V> window(long start) {
        for (int i = count - 1; i >= 0; i--) {
            if (starts[i] == start) {
                return maps[i];
            }
            if (starts[i] < start) {
                return null;
            }
        }
        return null;
    }

    private void insert(long start, HashedKeyMap<V> window) {
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            maps = Arrays.copyOf(maps, count * 2);
        }
        int at = count;
        while (at > 0 && starts[at - 1] > start) {
            starts[at] = starts[at - 1];
            maps[at] = maps[at - 1];
            at--;
        }
        starts[at] = start;
        maps[at] = window;
        count++;
    }

    /** Drops every window starting at or before {@code expiredBefore}. */
    private void expire(long expiredBefore) {
        int gone = 0;
        while (gone < count && starts[gone] <= expiredBefore) {
            gone++;
        }
        System.arraycopy(starts, gone, starts, 0, count - gone);
        System.arraycopy(maps, gone, maps, 0, count - gone);
        Arrays.fill(maps, count - gone, count, null);
        count -= gone;
    }

    @SuppressWarnings("unchecked")
    private static <V> HashedKeyMap<V>[] newMaps(int size) {
        return (HashedKeyMap<V>[]) new HashedKeyMap[size];
    }

    @Override
    public V fetch(K key, long windowStart) {
        if (windowStart <= observedStreamTime - retentionMs) {
            return null;
        }
        HashedKeyMap<V> window = window(windowStart);
        V value = null;
        if (window != null) {
            hash(key);
            value = window.get(keyLow, keyHigh);
        }
        lastKey = key;
        lastWindowStart = windowStart;
        lastValue = value;
        return value;
    }

    @Override
    public WindowStoreIterator<V> fetch(K key, long timeFrom, long timeTo) {
        List<KeyValue<Long, V>> found = new ArrayList<>();
        long from = Math.max(timeFrom, observedStreamTime - retentionMs + 1);
        if (from <= timeTo) {
            for (int i = 0; i < count; i++) {
                if (starts[i] >= from && starts[i] <= timeTo) {
                    hash(key);
                    V value = maps[i].get(keyLow, keyHigh);
                    if (value != null) {
                        found.add(KeyValue.pair(starts[i], value));
                    }
                }
            }
        }
        Iterator<KeyValue<Long, V>> it = found.iterator();
        return new WindowStoreIterator<>() {
            private int position;

            @Override
            public void close() {
            }

            @Override
            public Long peekNextKey() {
                return found.get(position).key;
            }

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<Long, V> next() {
                position++;
                return it.next();
            }
        };
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetch(K keyFrom, K keyTo, long timeFrom, long timeTo) {
        throw unsupported();
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetchAll(long timeFrom, long timeTo) {
        throw unsupported();
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetch(K keyFrom, K keyTo, java.time.Instant timeFrom,
                                                           java.time.Instant timeTo) {
        throw unsupported();
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> all() {
        throw unsupported();
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetchAll(java.time.Instant timeFrom, java.time.Instant timeTo) {
        throw unsupported();
    }

    private UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("The offline window store " + name
                + " answers single-key lookups only; multi-key ranges need a live service's store");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        // No changelog offline: nothing to restore.
        context.register(root, (key, value) -> { });
        open = true;
    }

    /**
     * Opens a store built for a runner that drives processors itself (the offline runner), with no Kafka Streams
     * task to register it with: there is nothing to restore and nothing to flush.
     */
    public void openDetached() {
        open = true;
    }

    @Override
    public void close() {
        hashedKey = null;
        Arrays.fill(maps, null);
        count = 0;
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

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return QueryResult.forUnknownQueryType(query, this);
    }
}
