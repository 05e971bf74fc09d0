package io.distillguard.topology.repartition;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * The requests {@link RequestBatcher} holds between commits, one batch per target partition, and when a batch must go
 * before the commit: at {@code maxKeys} keys, at {@code maxBytes} by the size bound of its keys and requests (a record
 * the producer would refuse as too large would stop the task), or when a request would stretch it over more than
 * {@code maxSpanMs} of event time.
 */
final class PartitionedBatches<V> {

    /** A batch ready to send: keyed by its first key (which belongs to its partition), timestamped by its oldest item. */
    record Batch<V>(String key, long timestamp, List<BatchCodec.Item<V>> items) {
    }

    private final List<Pending<V>> pending;
    private final long maxSpanMs;
    private final int maxKeys;
    private final int maxBytes;
    private final ToIntFunction<V> sizeBound;
    private final Consumer<Batch<V>> send;

    PartitionedBatches(int partitions, long maxSpanMs, int maxKeys, int maxBytes, ToIntFunction<V> sizeBound,
                       Consumer<Batch<V>> send) {
        this.pending = new ArrayList<>(partitions);
        for (int i = 0; i < partitions; i++) {
            pending.add(new Pending<>());
        }
        this.maxSpanMs = maxSpanMs;
        this.maxKeys = maxKeys;
        this.maxBytes = maxBytes;
        this.sizeBound = sizeBound;
        this.send = send;
    }

    int partitions() {
        return pending.size();
    }

    void add(int partition, long timestamp, String key, V request) {
        Pending<V> batch = pending.get(partition);
        if (batch.keys > 0 && Math.max(batch.newest, timestamp) - Math.min(batch.oldest, timestamp) > maxSpanMs) {
            send(batch);
        }
        batch.add(timestamp, key, request, sizeBound);
        if (batch.keys >= maxKeys || batch.bytes >= maxBytes) {
            send(batch);
        }
    }

    /** Batches holding anything. */
    int held() {
        int held = 0;
        for (Pending<V> batch : pending) {
            if (batch.keys > 0) {
                held++;
            }
        }
        return held;
    }

    void sendAll() {
        for (Pending<V> batch : pending) {
            if (batch.keys > 0) {
                send(batch);
            }
        }
    }

    void clear() {
        for (Pending<V> batch : pending) {
            batch.clear();
        }
    }

    private void send(Pending<V> batch) {
        Batch<V> out = new Batch<>(batch.firstKey, batch.oldest, batch.items);
        batch.clear();
        send.accept(out);
    }

    // A timestamp and an array block's count; a key's length prefix (see RecordSizeBound for the 3 bytes a char).
    private static final int ITEM_OVERHEAD = 24;
    private static final int KEY_OVERHEAD = 5;

    private static final class Pending<V> {
        List<BatchCodec.Item<V>> items = new ArrayList<>();
        int keys;
        /** An upper bound of the batch's encoded size. */
        int bytes;
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        String firstKey;
        private V lastRequest;
        private long lastTimestamp;
        private List<String> lastKeys;

        void add(long timestamp, String key, V request, ToIntFunction<V> sizeBound) {
            if (keys == 0) {
                firstKey = key;
            }
            // A request's keys for one partition share its item, as they share its projection.
            if (request == lastRequest && timestamp == lastTimestamp && lastKeys != null) {
                lastKeys.add(key);
            } else {
                lastKeys = new ArrayList<>(2);
                lastKeys.add(key);
                items.add(new BatchCodec.Item<>(timestamp, lastKeys, request));
                bytes += ITEM_OVERHEAD + sizeBound.applyAsInt(request);
                lastRequest = request;
                lastTimestamp = timestamp;
            }
            keys++;
            bytes += KEY_OVERHEAD + 3 * key.length();
            oldest = Math.min(oldest, timestamp);
            newest = Math.max(newest, timestamp);
        }

        void clear() {
            // A new list, not cleared: the batch just handed out owns the old one.
            items = new ArrayList<>();
            keys = 0;
            bytes = 0;
            oldest = Long.MAX_VALUE;
            newest = Long.MIN_VALUE;
            firstKey = null;
            lastRequest = null;
            lastKeys = null;
        }
    }
}
