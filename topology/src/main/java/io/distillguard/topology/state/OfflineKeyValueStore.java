package io.distillguard.topology.state;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
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
        return iterator(map.subMap(from, true, to, true).entrySet().iterator());
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return iterator(map.entrySet().iterator());
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    private KeyValueIterator<K, V> iterator(Iterator<Map.Entry<K, V>> entries) {
        // A copy: callers delete while they read.
        Iterator<Map.Entry<K, V>> it = toList(entries).iterator();
        return new KeyValueIterator<>() {
            @Override
            public void close() {
            }

            @Override
            public K peekNextKey() {
                throw new UnsupportedOperationException("peekNextKey");
            }

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<K, V> next() {
                Map.Entry<K, V> e = it.next();
                return KeyValue.pair(e.getKey(), e.getValue());
            }
        };
    }

    private static <K, V> List<Map.Entry<K, V>> toList(Iterator<Map.Entry<K, V>> entries) {
        List<Map.Entry<K, V>> list = new java.util.ArrayList<>();
        entries.forEachRemaining(e -> list.add(Map.entry(e.getKey(), e.getValue())));
        return list;
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
