package io.distillguard.topology.offline;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a processor sees of its task when the offline runner drives it: its stores, the metrics, the stream time
 * and record position the runner sets before each record, and a downstream that receives what it forwards. Written
 * here because Kafka Streams has no public driver that runs processors without its per-record task machinery (the
 * test driver's commit after every record is most of its cost); only what the detectors use is supported.
 */
final class OfflineContext implements ProcessorContext<Object, Object>, FixedKeyProcessorContext<Object, Object> {

    private static final TaskId TASK = new TaskId(0, 0);

    private final String applicationId;
    private final Map<String, StateStore> stores;
    private final StreamsMetrics metrics;
    private final Consumer<Record<?, ?>> downstream;
    private final Position position = new Position();
    private long streamTime = -1;

    OfflineContext(String applicationId, Map<String, StateStore> stores, StreamsMetrics metrics,
                   Consumer<Record<?, ?>> downstream) {
        this.applicationId = applicationId;
        this.stores = stores;
        this.metrics = metrics;
        this.downstream = downstream;
    }

    /** This context as a processor's, whatever it forwards (the downstream takes any record). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    <K, V> ProcessorContext<K, V> forProcessor() {
        return (ProcessorContext) this;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    <K, V> FixedKeyProcessorContext<K, V> forFixedKeyProcessor() {
        return (FixedKeyProcessorContext) this;
    }

    /** Before each record: the task's stream time and where the record came from. */
    void at(long streamTimeMs, String topic, long offset) {
        this.streamTime = streamTimeMs;
        position.topic = topic;
        position.offset = offset;
    }

    @Override
    public <K, V> void forward(Record<K, V> record) {
        downstream.accept(record);
    }

    @Override
    public <K, V> void forward(Record<K, V> record, String childName) {
        throw new UnsupportedOperationException("The offline runner forwards to every child; no processor names one");
    }

    @Override
    public <K, V> void forward(FixedKeyRecord<K, V> record) {
        downstream.accept(new Record<>(record.key(), record.value(), record.timestamp(), record.headers()));
    }

    @Override
    public <K, V> void forward(FixedKeyRecord<K, V> record, String childName) {
        throw new UnsupportedOperationException("The offline runner forwards to every child; no processor names one");
    }

    @Override
    public String applicationId() {
        return applicationId;
    }

    @Override
    public TaskId taskId() {
        return TASK;
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
        return Optional.of(position);
    }

    @Override
    public Serde<?> keySerde() {
        return null;
    }

    @Override
    public Serde<?> valueSerde() {
        return null;
    }

    @Override
    public File stateDir() {
        throw new UnsupportedOperationException("Offline state lives in memory");
    }

    @Override
    public StreamsMetrics metrics() {
        return metrics;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <S extends StateStore> S getStateStore(String name) {
        StateStore store = stores.get(name);
        if (store == null) {
            throw new IllegalArgumentException("No offline store named " + name);
        }
        return (S) store;
    }

    @Override
    public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
        throw new UnsupportedOperationException("No detector punctuates; the offline runner has no clock to do it");
    }

    @Override
    public Cancellable schedule(Instant startTime, Duration interval, PunctuationType type, Punctuator callback) {
        throw new UnsupportedOperationException("No detector punctuates; the offline runner has no clock to do it");
    }

    @Override
    public void commit() {
    }

    @Override
    public Map<String, Object> appConfigs() {
        return Map.of();
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(String prefix) {
        return Map.of();
    }

    @Override
    public long currentSystemTimeMs() {
        return System.currentTimeMillis();
    }

    @Override
    public long currentStreamTimeMs() {
        return streamTime;
    }

    private static final class Position implements RecordMetadata {
        String topic;
        long offset;

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public int partition() {
            return 0;
        }

        @Override
        public long offset() {
            return offset;
        }
    }
}
