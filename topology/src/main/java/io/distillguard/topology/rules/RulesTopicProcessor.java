package io.distillguard.topology.rules;

import io.distillguard.topology.DistillguardMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the global rules store from the compacted rules topic: key = version, value = the YAML document (a null
 * value retracts the version). A document that does not parse or validate is rejected with an error log and the
 * {@code rules-rejected} metric, and the rules in force stay as they were: a bad rules record must not turn
 * detection off. {@code distillguard rules publish} validates before it sends, so this is the last line of defence.
 */
public final class RulesTopicProcessor implements Processor<String, String, Void, Void> {

    /** A key no version can have: bumped on every change so readers know to reload. */
    public static final String REVISION_KEY = "\u0000revision";

    private static final Logger LOG = LoggerFactory.getLogger(RulesTopicProcessor.class);

    private final String storeName;
    private KeyValueStore<String, String> store;
    private Sensor accepted;
    private Sensor rejected;

    public RulesTopicProcessor(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(storeName);
        this.accepted = DistillguardMetrics.rules(context.metrics(), "rules-accepted");
        this.rejected = DistillguardMetrics.rules(context.metrics(), "rules-rejected");
    }

    @Override
    public void process(Record<String, String> record) {
        String key = record.key();
        if (key == null || key.equals(REVISION_KEY)) {
            rejected.record();
            LOG.error("Rejected a rules record without a usable key (the key must be the rules version)");
            return;
        }
        if (record.value() == null) {
            store.delete(key);
            LOG.info("Rules version {} retracted", key);
        } else {
            DetectionRules rules;
            try {
                rules = DetectionRules.parse(record.value());
            } catch (DetectionRules.InvalidRulesException e) {
                rejected.record();
                LOG.error("Rejected rules version {}: {}. The rules in force are unchanged.", key, e.getMessage());
                return;
            }
            if (!rules.version().equals(key)) {
                rejected.record();
                LOG.error("Rejected rules record keyed {}: its document says version {}", key, rules.version());
                return;
            }
            store.put(key, record.value());
            accepted.record();
            LOG.info("Rules version {} accepted, effective from {}", key,
                    rules.effectiveFrom() == null ? "the start" : rules.effectiveFrom());
        }
        String previous = store.get(REVISION_KEY);
        store.put(REVISION_KEY, Long.toString(previous == null ? 1 : Long.parseLong(previous) + 1));
        RulesBook.storeWritten();
    }
}
