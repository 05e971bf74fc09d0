package io.distillguard.topology.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules in force at a given event time: the rules the service started with, then every version published to
 * the rules topic from its effective-from onward. A processor asks for the rules of each record's event time, so a
 * replay of last week applies last week's rules, and a new version applies from its effective time, not from when a
 * thread happened to see it.
 *
 * <p>Versions come from a global store fed by the compacted rules topic. A lookup reads the store's revision only
 * after a rules processor in this JVM has written (a counter they bump after each write), and rebuilds the sorted
 * list only when the revision changed; otherwise it costs one volatile read. Reading the revision key on every
 * request (nine lookups a request) serialized a key and decoded a String each time, a few percent of the detector.
 */
public final class RulesBook {

    private static final Logger LOG = LoggerFactory.getLogger(RulesBook.class);

    private final DetectionRules base;
    private final ReadOnlyKeyValueStore<String, String> versions;
    /** Writes by any rules processor in the JVM: one counter for all applications is safe, a write only prompts a read. */
    private static final java.util.concurrent.atomic.AtomicLong STORE_WRITES = new java.util.concurrent.atomic.AtomicLong();

    private String revision;
    private long writesSeen = -1;
    private List<DetectionRules> published = List.of();

    /** @param versions the global rules store, or null when the topology runs without a rules topic */
    public RulesBook(DetectionRules base, ReadOnlyKeyValueStore<String, String> versions) {
        this.base = base;
        this.versions = versions;
    }

    /** The book of a processor: the configured rules, and the versions in the global store {@code rulesStore}. */
    public static RulesBook of(org.apache.kafka.streams.processor.api.ProcessingContext context, DetectionRules base,
                               String rulesStore) {
        return new RulesBook(base, rulesStore == null ? null : context.getStateStore(rulesStore));
    }

    public DetectionRules at(long eventTimeMs) {
        if (versions == null) {
            return base;
        }
        long writes = STORE_WRITES.get();
        if (writes != writesSeen) {
            // The first lookup reads too: the store may hold versions restored at start, not written since.
            writesSeen = writes;
            String current = versions.get(RulesTopicProcessor.REVISION_KEY);
            if (current != null && !current.equals(revision)) {
                published = load();
                revision = current;
            }
        }
        DetectionRules inForce = base;
        for (DetectionRules rules : published) {
            if (rules.effectiveFromMs() <= eventTimeMs) {
                inForce = rules;
            } else {
                break;
            }
        }
        return inForce;
    }

    /** Called by the rules processor after it wrote its store, so that every book reads the revision again. */
    static void storeWritten() {
        STORE_WRITES.incrementAndGet();
    }

    private List<DetectionRules> load() {
        List<DetectionRules> all = new ArrayList<>();
        try (KeyValueIterator<String, String> it = versions.all()) {
            while (it.hasNext()) {
                KeyValue<String, String> entry = it.next();
                if (entry.key.equals(RulesTopicProcessor.REVISION_KEY) || entry.value == null) {
                    continue;
                }
                try {
                    all.add(DetectionRules.parse(entry.value));
                } catch (DetectionRules.InvalidRulesException e) {
                    // The topic processor rejects invalid documents; this only guards state restored from older builds.
                    LOG.error("Ignoring stored rules version {}: {}", entry.key, e.getMessage());
                }
            }
        }
        all.sort(Comparator.comparingLong(DetectionRules::effectiveFromMs));
        return List.copyOf(all);
    }
}
