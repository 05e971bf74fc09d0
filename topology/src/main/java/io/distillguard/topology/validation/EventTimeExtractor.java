package io.distillguard.topology.validation;

import io.distillguard.avro.RequestEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Windows run on the time the API received the request (event_time), never on broker time.
 *
 * <p>A record with no usable event_time (a tombstone, or a time at or before the epoch) gets the partition's
 * stream time instead of being dropped: Kafka Streams silently skips records with a negative timestamp, and
 * such a record must reach the validator and the dead-letter topic rather than vanish. A time further in the future
 * than the validator accepts gets the stream time too: the record is dead-lettered anyway, and letting it advance
 * stream time would close every open window and make all on-time traffic after it "late".
 */
public final class EventTimeExtractor implements TimestampExtractor {

    private final long maxFutureSkewMs;

    public EventTimeExtractor(java.time.Duration maxFutureSkew) {
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        return extract(record.value(), record.timestamp(), partitionTime);
    }

    /** The same rule for a value read without a consumer record (the offline runner's input). */
    public long extract(Object value, long recordTimestamp, long partitionTime) {
        if (value instanceof RequestEvent event && event.getEventTime() != null) {
            long eventTime = event.getEventTime().toEpochMilli();
            if (eventTime > 0 && eventTime <= System.currentTimeMillis() + maxFutureSkewMs) {
                return eventTime;
            }
        }
        return partitionTime >= 0 ? partitionTime : Math.max(0, recordTimestamp);
    }
}
