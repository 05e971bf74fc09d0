package io.distillguard.topology.state;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The offline runs' key-value store: the objects themselves in a sorted map, with no serde, no changelog and no
 * metrics layer, like {@link OfflineWindowStore}. Kafka's in-memory store needs a task to be initialised by, which
 * the offline runner does not have, and serialises every value.
 */
public final class OfflineKeyValueStore<K extends Comparable<K>, V> implements KeyValueStore<K, V> {

    private final String name;
    private final NavigableMap<K, V> map = new TreeMap<>();
    private boolean open;

    private OfflineKeyValueStore(String name) {
        this.name = name;
    }

    /** A builder for {@code StreamsBuilder.addStateStore}: never cached, never logged, whatever is asked. */
    public static <K extends Comparable<K>, V> StoreBuilder<KeyValueStore<K, V>> builder(String name) {
        return FixedStoreBuilder.unlogged(name, "an offline run restores nothing", () -> new OfflineKeyValueStore<>(name));
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V previous = map.get(key);
        if (previous == null) {
            put(key, value);
        }
        return previous;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public V delete(K key) {
        return map.remove(key);
    }

    @Override
    public V get(K key) {
        return map.get(key);
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        return cursor(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return cursor(null, null);
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    /**
     * Walks the map key by key instead of over a view of it: callers delete while they read, which a view's iterator
     * refuses; and a copy of the range, which allowed it, cost the whole range on every read (the campaign path reads
     * the first of its held edges each time an edge arrives, with thousands held). The next entry is looked up when
     * asked for, after the caller's changes.
     */
    private KeyValueIterator<K, V> cursor(K from, K to) {
        return new KeyValueIterator<>() {
            private K last;
            private Map.Entry<K, V> peeked;

            private Map.Entry<K, V> peek() {
                if (peeked == null) {
                    Map.Entry<K, V> entry = last != null ? map.higherEntry(last)
                            : from != null ? map.ceilingEntry(from) : map.firstEntry();
                    peeked = entry == null || (to != null && entry.getKey().compareTo(to) > 0) ? null : entry;
                }
                return peeked;
            }

            @Override
            public void close() {
            }

            @Override
            public K peekNextKey() {
                if (peek() == null) {
                    throw new NoSuchElementException();
                }
                return peeked.getKey();
            }

            @Override
            public boolean hasNext() {
                return peek() != null;
            }

            @Override
            public KeyValue<K, V> next() {
                Map.Entry<K, V> current = peek();
                if (current == null) {
                    throw new NoSuchElementException();
                }
                last = current.getKey();
                peeked = null;
                return KeyValue.pair(current.getKey(), current.getValue());
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    /** Opens the store for a runner that drives processors itself, with no task to register it with. */
    public void openDetached() {
        open = true;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        map.clear();
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
