package io.distillguard.topology.intel;

import io.distillguard.avro.ThreatIndicator;
import io.distillguard.topology.DistillguardMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the global indicators store and the {@link ThreatIntelIndex} from the compacted threat-indicators topic:
 * key = the indicator's id, value = a {@link ThreatIndicator}, null = retracted. An indicator that cannot be used
 * (a value that does not parse, a confidence out of range, a kind this build does not know) is refused with the
 * {@code indicators-rejected} metric and a log line naming its key and the reason; the others keep matching.
 */
public final class ThreatIndicatorProcessor implements Processor<String, ThreatIndicator, Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ThreatIndicatorProcessor.class);
    /** What the indicators topic's deserializer gives for a record it cannot read (compared by identity). */
    public static final ThreatIndicator UNREADABLE = new ThreatIndicator();

    private final String storeName;
    private final ThreatIntelIndex index;
    private KeyValueStore<String, ThreatIndicator> store;
    private Sensor accepted;
    private Sensor rejected;
    private Sensor retracted;

    public ThreatIndicatorProcessor(String storeName, ThreatIntelIndex index) {
        this.storeName = storeName;
        this.index = index;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(storeName);
        this.accepted = DistillguardMetrics.intel(context.metrics(), "indicators-accepted");
        this.rejected = DistillguardMetrics.intel(context.metrics(), "indicators-rejected");
        this.retracted = DistillguardMetrics.intel(context.metrics(), "indicators-retracted");
        // Whatever the store already holds (a restore that bypassed this processor) goes into the index too.
        try (KeyValueIterator<String, ThreatIndicator> all = store.all()) {
            all.forEachRemaining(kv -> index.put(kv.key, kv.value));
        }
    }

    @Override
    public void process(Record<String, ThreatIndicator> record) {
        String key = record.key();
        if (key == null) {
            rejected.record();
            LOG.warn("Rejected a threat indicator without a key (the key is its id, needed to retract it)");
            return;
        }
        if (record.value() == UNREADABLE) {
            rejected.record();
            LOG.warn("Rejected threat indicator {}: the record cannot be read (not this contract's Avro)", key);
            return;
        }
        if (record.value() == null) {
            store.delete(key);
            index.remove(key);
            retracted.record();
            return;
        }
        try {
            index.put(key, record.value());
        } catch (IllegalArgumentException e) {
            rejected.record();
            LOG.warn("Rejected threat indicator {} ({} from {}): {}", key, record.value().getKind(),
                    record.value().getSource(), e.getMessage());
            return;
        }
        store.put(key, record.value());
        accepted.record();
    }
}
