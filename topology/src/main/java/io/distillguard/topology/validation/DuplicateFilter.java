package io.distillguard.topology.validation;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.DistillguardMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Lets each event_id through once: a gateway that retries a publish (or a producer without idempotence) must not
 * make one request count twice in every window. Seen ids are kept in a window store by event time, in tumbling
 * windows of the dedup window's length; an id is a duplicate if it is in its own window or either neighbour, so
 * copies up to one window apart in event time are always caught and copies further apart never wrongly.
 *
 * <p>The store belongs to the input partition's task: copies of one request must arrive on one partition, which
 * holds for gateways that key by account (or by event_id). Copies on different partitions are not recognised; the
 * README says so. A duplicate is counted in {@code duplicates-total} and goes no further.
 */
public final class DuplicateFilter<K> implements FixedKeyProcessor<K, RequestEvent, RequestEvent> {

    public static final String STORE = "seen-event-ids";

    private final long windowMs;
    private FixedKeyProcessorContext<K, RequestEvent> context;
    private WindowStore<String, Integer> seen;
    private Sensor duplicates;

    public DuplicateFilter(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public void init(FixedKeyProcessorContext<K, RequestEvent> context) {
        this.context = context;
        this.seen = context.getStateStore(STORE);
        this.duplicates = DistillguardMetrics.duplicates(context.metrics());
    }

    @Override
    public void process(FixedKeyRecord<K, RequestEvent> record) {
        RequestEvent event = record.value();
        String id = event.getEventId();
        long time = event.getEventTime().toEpochMilli();
        long start = time - Math.floorMod(time, windowMs);
        if (seen.fetch(id, start) != null || seen.fetch(id, start - windowMs) != null
                || seen.fetch(id, start + windowMs) != null) {
            duplicates.record();
            return;
        }
        seen.put(id, 1, start);
        context.forward(record);
    }
}
