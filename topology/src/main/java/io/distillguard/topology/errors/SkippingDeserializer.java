package io.distillguard.topology.errors;

import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deserializer for the global topics (threat indicators, verdicts) that turns a record it cannot read into a
 * marker value instead of an exception. The global thread's handling of a deserialization failure sends dead letters
 * through a cast that only a stream task's context survives (a Kafka Streams defect, KAFKA-19939's discussion), and
 * the thread then dies and takes the whole application with it: one bad record on a compacted topic that every
 * instance reads on every start would stop them all. The marker reaches the global processor, which refuses it with
 * a metric and a log line and keeps the store as it was.
 */
public final class SkippingDeserializer<T> implements Deserializer<T> {

    private static final Logger LOG = LoggerFactory.getLogger(SkippingDeserializer.class);

    private final Deserializer<T> inner;
    private final T unreadable;

    /** @param unreadable the marker returned for a record that cannot be read, compared by identity */
    public SkippingDeserializer(Deserializer<T> inner, T unreadable) {
        this.inner = inner;
        this.unreadable = unreadable;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        inner.configure(configs, isKey);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        try {
            return headers == null ? inner.deserialize(topic, data) : inner.deserialize(topic, headers, data);
        } catch (RuntimeException e) {
            LOG.warn("A record on {} could not be read and is skipped: {}", topic, e.getMessage());
            return unreadable;
        }
    }

    @Override
    public void close() {
        inner.close();
    }
}
