package io.distillguard.topology.validation;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.DistillguardMetrics;
import io.distillguard.topology.state.SeenIdsStore;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Lets each event_id through once: a gateway that retries a publish (or a producer without idempotence) must not
 * make one request count twice in every window. Seen ids are kept by event time, in tumbling windows of the dedup
 * window's length; an id is a duplicate if it is in its own window or either neighbour, so copies up to one window
 * apart in event time are always caught and copies further apart never wrongly.
 *
 * <p>Live the ids are a {@link SeenIdsStore} (hashes in memory, logged a commit at a time); offline, where one task
 * runs a whole file and nothing is logged, a window store of the ids themselves.
 *
 * <p>The store belongs to the input partition's task: copies of one request must arrive on one partition, which
 * holds for gateways that key by account (or by event_id). Copies on different partitions are not recognised; the
 * documentation (docs/reliability.md) says so. A duplicate is counted in {@code duplicates-total} and goes no further.
 */
public final class DuplicateFilter<K> implements FixedKeyProcessor<K, RequestEvent, RequestEvent> {

    public static final String STORE = "seen-event-ids";
    /** The live store's name: its changelog holds hashes, not the window records of {@link #STORE}'s. */
    public static final String HASHED_STORE = "seen-event-id-hashes";

    private final long windowMs;
    private final String storeName;
    private FixedKeyProcessorContext<K, RequestEvent> context;
    private WindowStore<String, Integer> seen;
    private SeenIdsStore hashes;
    private Sensor duplicates;
    private Sensor unchecked;

    /** @param storeName {@link #HASHED_STORE} (a {@link SeenIdsStore}) or {@link #STORE} (a window store of ids) */
    public DuplicateFilter(long windowMs, String storeName) {
        this.windowMs = windowMs;
        this.storeName = storeName;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(FixedKeyProcessorContext<K, RequestEvent> context) {
        this.context = context;
        StateStore store = context.getStateStore(storeName);
        if (store instanceof SeenIdsStore seenIds) {
            this.hashes = seenIds;
        } else {
            this.seen = (WindowStore<String, Integer>) store;
        }
        this.duplicates = DistillguardMetrics.duplicates(context.metrics());
        this.unchecked = DistillguardMetrics.duplicatesUnchecked(context.metrics());
    }

    @Override
    public void process(FixedKeyRecord<K, RequestEvent> record) {
        RequestEvent event = record.value();
        String id = event.getEventId();
        long time = event.getEventTime().toEpochMilli();
        long start = time - Math.floorMod(time, windowMs);
        if (hashes != null ? isCopyOfHashed(id, start) : isCopy(id, start)) {
            duplicates.record();
            return;
        }
        context.forward(record);
    }

    private boolean isCopy(String id, long start) {
        if (seen.fetch(id, start) != null || seen.fetch(id, start - windowMs) != null
                || seen.fetch(id, start + windowMs) != null) {
            return true;
        }
        seen.put(id, 1, start);
        return false;
    }

    private boolean isCopyOfHashed(String id, long start) {
        long hash = SeenIdsStore.hash(id);
        if (hashes.contains(hash, start) || hashes.contains(hash, start - windowMs)
                || hashes.contains(hash, start + windowMs)) {
            return true;
        }
        if (hashes.add(hash, start) == SeenIdsStore.Added.FULL) {
            unchecked.record();
        }
        return false;
    }
}
