package io.distillguard.topology.verdicts;

import io.distillguard.avro.CaseVerdict;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the global verdicts store and the {@link VerdictSuppressions} from the compacted verdicts topic: key = the
 * case, value = its latest {@link CaseVerdict}, null = withdrawn. A record without a key cannot be replaced or
 * withdrawn, and one that cannot be read leaves its case as it was: both are refused with a log line.
 */
public final class VerdictProcessor implements Processor<String, CaseVerdict, Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(VerdictProcessor.class);
    /** What the verdicts topic's deserializer gives for a record it cannot read (compared by identity). */
    public static final CaseVerdict UNREADABLE = new CaseVerdict();

    private final String storeName;
    private final VerdictSuppressions suppressions;
    private KeyValueStore<String, CaseVerdict> store;

    public VerdictProcessor(String storeName, VerdictSuppressions suppressions) {
        this.storeName = storeName;
        this.suppressions = suppressions;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(storeName);
        // A restore writes the topic into the store without this processor: index what it holds.
        try (KeyValueIterator<String, CaseVerdict> all = store.all()) {
            all.forEachRemaining(kv -> suppressions.put(kv.key, kv.value));
        }
    }

    @Override
    public void process(Record<String, CaseVerdict> record) {
        if (record.key() == null) {
            LOG.warn("Refused a verdict without a key (the key is its case, needed to replace or withdraw it)");
            return;
        }
        if (record.value() == UNREADABLE) {
            LOG.warn("Refused an unreadable verdict for case {}: the case keeps its previous verdict", record.key());
            return;
        }
        // The index before the store: whoever reads the verdict from the store (the console's case) can count on
        // it being in force for the next alert.
        suppressions.put(record.key(), record.value());
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }
}
