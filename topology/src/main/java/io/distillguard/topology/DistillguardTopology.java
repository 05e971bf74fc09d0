package io.distillguard.topology;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.SubjectType;
import io.distillguard.avro.ThreatIndicator;
import io.distillguard.topology.intel.ThreatIndicatorProcessor;
import io.distillguard.topology.intel.ThreatIntelIndex;
import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.topology.detect.CampaignProcessor;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.detect.PopulationCounter;
import io.distillguard.topology.detect.RequestRouting;
import io.distillguard.topology.detect.SubjectRiskProcessor;
import io.distillguard.topology.offline.SingleTaskDetection;
import io.distillguard.topology.errors.DeadLetterDeserializationHandler;
import io.distillguard.topology.errors.DeadLetterProcessingHandler;
import io.distillguard.topology.rules.RulesTopicProcessor;
import io.distillguard.topology.repartition.BatchCodec;
import io.distillguard.topology.repartition.BatchUnpacker;
import io.distillguard.topology.repartition.CommitHookStore;
import io.distillguard.topology.repartition.KeyPartitioner;
import io.distillguard.topology.repartition.RequestBatcher;
import io.distillguard.topology.state.CampaignEdge;
import io.distillguard.topology.state.ChangelogTopics;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkRequestBatch;
import io.distillguard.topology.state.OfflineWindowStore;
import io.distillguard.topology.state.SeenIdsStore;
import io.distillguard.topology.state.LinkWindowStats;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectRequestBatch;
import io.distillguard.topology.state.SubjectWindowStats;
import io.distillguard.topology.state.WriteBehindWindowStore;
import io.distillguard.topology.validation.DuplicateFilter;
import io.distillguard.topology.validation.EventTimeExtractor;
import io.distillguard.topology.validation.RequestTriage;
import io.distillguard.topology.validation.RequestTriage.Triaged;
import io.distillguard.topology.verdicts.VerdictProcessor;
import io.distillguard.topology.verdicts.VerdictSuppressions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The detection topology, a pure function of its configuration and serdes: it reads no files, opens no
 * connections and starts nothing, so the service, the backtest and the tests all run the very same graph.
 *
 * <pre>
 * requests ─ decode (undecodable → dead letter, by Kafka Streams' handler) ─ triage (contract broken → dead letter)
 *    ├─ one record per subject (account, org, API key) ──┬─ by-subject ─ hour + day windows ─ <TYPE>_RISK ──┐
 *    │                                                   └── cluster implications (members of HIGH clusters)  │
 *    └─ one record per link (IP, /24-/48, ASN, hosted client, card, cohort, bands) ─ by-link ─ 1 h/24 h/7 d ──┴─ alerts
 *         fan-in, MODEL_PIVOT, ACCOUNT_CLUSTER ──────────────────────────────────────────────┘ (implications)
 * rules topic (compacted) ─ global store ─ read by both processors, by event time
 * threat-indicators (compacted) ─ global store + index ─ matched per request on the subject path (THREAT_INTEL)
 * </pre>
 * Only the fields a path needs cross its repartition topic, and live they cross in batches: one record per target
 * partition and commit holds every request and key bound there ({@link RequestBatcher}), where a request used to make
 * about eight records, each a produce, a broker write and a consume. Offline (the backtest's single task on one thread)
 * one task owns every key, so there is no repartition topic and no re-keyed record at all: one node
 * ({@link SingleTaskDetection}) runs both processors for each request in the order the live graph's nodes would.
 * Processors work on their window stores directly (one
 * read and one write per window) rather than through DSL aggregates, whose result streams would add a cache flush
 * and a downstream hop per update.
 */
public final class DistillguardTopology {

    // Named apart from the one-record-per-key topics of earlier builds, so that no record of one is read as the other.
    public static final String BY_SUBJECT_REPARTITION = "requests-by-subject-batched";
    public static final String BY_LINK_REPARTITION = "requests-by-link-batched";
    static final String SUBJECT_BATCHES_HOOK = "subject-batches-commit-hook";
    static final String LINK_BATCHES_HOOK = "link-batches-commit-hook";
    /** Keys in one batch record before it is sent without waiting for the commit (its bytes are bounded too). */
    static final int BATCH_MAX_KEYS = 2_000;
    public static final String IMPLICATIONS_REPARTITION = "cluster-implications";
    /** The account graph's edges, all on one partition: a campaign can span any link keys. */
    public static final String CAMPAIGN_REPARTITION = "campaign-edges";
    /**
     * How long an input partition has nothing to process before it says it is idle and holds the account graph back
     * no more: long enough that a partition still catching up a backlog is never taken for idle (its task always has
     * records buffered), short enough that an empty partition delays campaign alerts by seconds.
     */
    static final Duration IDLE_AFTER = Duration.ofSeconds(10);
    public static final String RULES_STORE = "rules-versions";
    public static final String INDICATORS_STORE = "threat-indicators";
    public static final String VERDICTS_STORE = "case-verdicts";
    /**
     * Windows a window store keeps behind stream time, besides the grace period (link groups' hours: configured). The
     * processors count a late request in its window for as long as this keeps it.
     */
    public static final int RETAINED_WINDOWS = 2;

    private DistillguardTopology() {
    }

    /**
     * Streams settings the topology depends on: records that cannot be decoded, and records that make a processor
     * throw, go to the dead-letter topic (with their original bytes and the exception in headers) instead of
     * stopping the stream thread; one bad record must never halt detection or loop a thread on replacement.
     * The service adds these to its own configuration; tests do the same.
     */
    public static Map<String, Object> requiredStreamsConfig(DetectionConfig config) {
        return Map.of(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class,
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class,
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true,
                StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, config.deadLetterTopic());
    }

    /** Where window state lives, and whether it is backed by changelog topics. */
    public enum StateStorage {
        /** The service: persistent RocksDB stores with changelogs, restored after a crash or a move. */
        ROCKSDB(false, true),
        /**
         * The offline backtest's default: in-memory stores, no changelogs. Its driver commits after every record,
         * and a RocksDB commit writes each segment's position and a checkpoint file, a disk write per event; and
         * the driver keeps every changelog record it is handed in memory, so offline runs log nothing. Memory stays
         * bounded by window retention times active subjects, not by input size.
         */
        OFFLINE_IN_MEMORY(true, false),
        /** Offline, on RocksDB without changelogs: for active state larger than memory. */
        OFFLINE_ROCKSDB(false, false);

        private final boolean inMemory;
        private final boolean changelogged;

        StateStorage(boolean inMemory, boolean changelogged) {
            this.inMemory = inMemory;
            this.changelogged = changelogged;
        }

        public boolean inMemory() {
            return inMemory;
        }

        public boolean changelogged() {
            return changelogged;
        }
    }

    /**
     * Event times a replay is limited to: from inclusive, to exclusive, epoch milliseconds; {@code progress}, when not
     * null, is told the offset of every record each source partition's task has taken in (see
     * {@link SourceProgress}).
     */
    public record EventTimeRange(long fromMs, long toMs, SourceProgress progress) {
        public EventTimeRange(long fromMs, long toMs) {
            this(fromMs, toMs, null);
        }

        public boolean contains(long eventTimeMs) {
            return eventTimeMs >= fromMs && eventTimeMs < toMs;
        }
    }

    /**
     * Which records of each input partition its task has taken in. A replay reads every partition of a history topic
     * at once, and Kafka Streams runs each partition's task at its own pace: this is what lets it hold a partition
     * back until the slowest has caught up (records a task took in, not records fetched for it, which may wait in its
     * buffer for a long time).
     */
    @FunctionalInterface
    public interface SourceProgress {
        void tookIn(int partition, long offset);

        /**
         * Whether the partition's task has taken in every record it will get (a replay's partition at its stop
         * offset): it says so at once in its progress marks, instead of after a while without records.
         */
        default boolean exhausted(int partition) {
            return false;
        }
    }

    /** Tells {@link SourceProgress} each record's partition and offset, and passes the record on unchanged. */
    private static final class ProgressTap<K, V> implements FixedKeyProcessor<K, V, V> {
        private final SourceProgress progress;
        private FixedKeyProcessorContext<K, V> context;

        ProgressTap(SourceProgress progress) {
            this.progress = progress;
        }

        @Override
        public void init(FixedKeyProcessorContext<K, V> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<K, V> record) {
            context.recordMetadata().ifPresent(m -> progress.tookIn(m.partition(), m.offset()));
            context.forward(record);
        }
    }

    /** The topology on RocksDB stores, as the service runs it. */
    public static Topology build(DetectionConfig config, Serde<RequestEvent> requestSerde,
                                 Serde<DistillationAlert> alertSerde) {
        return build(config, requestSerde, alertSerde, StateStorage.ROCKSDB, null);
    }

    public static Topology build(DetectionConfig config, Serde<RequestEvent> requestSerde,
                                 Serde<DistillationAlert> alertSerde, StateStorage storage) {
        return build(config, requestSerde, alertSerde, storage, null);
    }

    /**
     * @param range when not null, valid requests with an event time outside it are left out before any state is
     *              touched (a replay of part of a topic); null for the live service
     */
    public static Topology build(DetectionConfig config, Serde<RequestEvent> requestSerde,
                                 Serde<DistillationAlert> alertSerde, StateStorage storage, EventTimeRange range) {
        return build(config, requestSerde, alertSerde, storage, range, 0);
    }

    /**
     * @param subjectPartitions the requests topic's partition count, which the subject path's two repartition topics
     *                          (re-keyed requests, cluster implications) are given so that an account's implication
     *                          reaches the task that holds its windows; 0 leaves the count to Kafka Streams, right
     *                          only where every topic has one partition (the campaign graph's single-partition stage
     *                          feeds the implications, and Kafka Streams sizes them by it)
     */
    public static Topology build(DetectionConfig config, Serde<RequestEvent> requestSerde,
                                 Serde<DistillationAlert> alertSerde, StateStorage storage, EventTimeRange range,
                                 int subjectPartitions) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "distillguard-topology");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, storage.inMemory()
                ? BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class
                : BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers.class);
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        addTo(builder, config, requestSerde, alertSerde, storage, range, subjectPartitions);
        return builder.build();
    }

    private static void addTo(StreamsBuilder builder, DetectionConfig config, Serde<RequestEvent> requestSerde,
                              Serde<DistillationAlert> alertSerde, StateStorage storage, EventTimeRange range,
                              int subjectPartitions) {
        String rulesStore = null;
        if (config.rulesTopic() != null && !config.rulesTopic().isBlank()) {
            rulesStore = RULES_STORE;
            // In memory: a global store is rebuilt from its (compacted, small) source topic on every start anyway.
            builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RULES_STORE),
                                    Serdes.String(), Serdes.String()).withLoggingDisabled(),
                    config.rulesTopic(), Consumed.with(Serdes.String(), Serdes.String()).withName("rules-source"),
                    () -> new RulesTopicProcessor(RULES_STORE));
        }
        ThreatIntelIndex intel = null;
        String indicatorsTopic = config.intel().indicatorsTopic();
        if (indicatorsTopic != null && !indicatorsTopic.isBlank()) {
            // The global store holds the topic's indicators; the index beside it (fed by the same processor) is
            // what requests are matched against, since one request is looked up by IP, prefixes, ASN, card, user
            // agent and prompt at once, which no single key lookup of a GlobalKTable join can do.
            ThreatIntelIndex index = new ThreatIntelIndex(config.intel());
            Serde<ThreatIndicator> registered = projectionSerde(ThreatIndicator.class, requestSerde);
            Serde<ThreatIndicator> indicatorSerde = Serdes.serdeFrom(registered.serializer(),
                    new io.distillguard.topology.errors.SkippingDeserializer<>(registered.deserializer(),
                            ThreatIndicatorProcessor.UNREADABLE));
            builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(INDICATORS_STORE),
                                    Serdes.String(), indicatorSerde).withLoggingDisabled(),
                    indicatorsTopic, Consumed.with(Serdes.String(), indicatorSerde).withName("threat-indicators-source"),
                    () -> new ThreatIndicatorProcessor(INDICATORS_STORE, index));
            intel = index;
        }
        ThreatIntelIndex indicators = intel;
        VerdictSuppressions verdicts = null;
        String verdictsTopic = config.verdictsTopic();
        if (verdictsTopic != null && !verdictsTopic.isBlank() && storage.changelogged()) {
            // Analysts' dismissals: every alert is checked against them before it is written (AlertEmitter).
            VerdictSuppressions index = new VerdictSuppressions();
            Serde<io.distillguard.avro.CaseVerdict> registered =
                    projectionSerde(io.distillguard.avro.CaseVerdict.class, requestSerde);
            Serde<io.distillguard.avro.CaseVerdict> verdictSerde = Serdes.serdeFrom(registered.serializer(),
                    new io.distillguard.topology.errors.SkippingDeserializer<>(registered.deserializer(),
                            VerdictProcessor.UNREADABLE));
            builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(VERDICTS_STORE),
                                    Serdes.String(), verdictSerde).withLoggingDisabled(),
                    verdictsTopic, Consumed.with(Serdes.String(), verdictSerde).withName("verdicts-source"),
                    () -> new VerdictProcessor(VERDICTS_STORE, index));
            verdicts = index;
        }
        VerdictSuppressions suppressions = verdicts;
        // Keys are read as raw bytes: gateways may key by account, by anything, or not at all, and the topology
        // re-keys where it needs to, so no key can fail to decode.
        KStream<byte[], RequestEvent> source = builder
                .stream(config.requestsTopic(), Consumed.with(Serdes.ByteArray(), requestSerde)
                        .withTimestampExtractor(new EventTimeExtractor(config.maxFutureSkew()))
                        .withName("requests-source"));
        if (range != null && range.progress() != null) {
            source = source.processValues(() -> new ProgressTap<>(range.progress()), Named.as("replay-progress"));
        }
        KStream<byte[], Triaged> triaged = source.processValues(() -> new RequestTriage<>(config), Named.as("triage"));

        String rules = rulesStore;
        triaged.split(Named.as("triage-"))
                .branch((key, t) -> !t.valid(), Branched.withConsumer(invalid -> invalid
                        .mapValues(Triaged::event, Named.as("dead-letter-unwrap"))
                        .to(config.deadLetterTopic(), Produced.with(Serdes.ByteArray(), requestSerde)
                                .withName("dead-letter-sink")), "dead-letter"))
                .defaultBranch(Branched.withConsumer(valid -> {
                    KStream<byte[], RequestEvent> requests = valid.mapValues(Triaged::event, Named.as("valid-unwrap"));
                    long dedupMs = config.dedupWindow().toMillis();
                    if (dedupMs > 0) {
                        StoreBuilder<?> seen = dedupStore(config, storage);
                        builder.addStateStore(seen);
                        requests = requests.processValues(() -> new DuplicateFilter<>(dedupMs, seen.name()),
                                Named.as("dedup"), seen.name());
                    }
                    if (range != null) {
                        requests = requests.filter((key, event) -> range.contains(event.getEventTime().toEpochMilli()),
                                Named.as("replay-range"));
                    }
                    if (storage.changelogged()) {
                        // For the service's operators (a metric, no verdict); backtests print the same shares.
                        requests = requests.processValues(PopulationCounter::new, Named.as("population"));
                        KStream<String, SubjectRequest> implications =
                                links(builder, requests, config, requestSerde, alertSerde, storage, rules, suppressions,
                                        subjectPartitions, range == null ? null : range.progress());
                        subjects(builder, requests, implications, config, requestSerde, alertSerde, storage, rules,
                                indicators, suppressions, subjectPartitions);
                    } else {
                        singleTask(builder, requests, config, alertSerde, storage, rules, indicators);
                    }
                }, "valid"));
    }

    /** Offline, one task owns every key: both paths in one node, in the order the two-node graph would run them. */
    private static void singleTask(StreamsBuilder builder, KStream<byte[], RequestEvent> requests,
                                   DetectionConfig config, Serde<DistillationAlert> alertSerde, StateStorage storage,
                                   String rulesStore, ThreatIntelIndex intel) {
        linkStores(config, storage).forEach(builder::addStateStore);
        campaignStores(config, storage).forEach(builder::addStateStore);
        subjectStores(config, storage).forEach(builder::addStateStore);
        boolean orgs = config.subjects().contains(SubjectType.ORG);
        requests.process(() -> new SingleTaskDetection(new LinkRiskProcessor(config, rulesStore),
                                new CampaignProcessor(config, rulesStore), new SubjectRiskProcessor(config, rulesStore),
                                orgs, intel, config.promptBands(), config.listedProducts()), Named.as("detection"),
                        LinkRiskProcessor.HOUR_STORE, LinkRiskProcessor.DAY_STORE, LinkRiskProcessor.WEEK_STORE,
                        LinkRiskProcessor.EMITTED_STORE, CampaignProcessor.STORE, CampaignProcessor.EMITTED_STORE,
                        SubjectRiskProcessor.DAY_STORE, SubjectRiskProcessor.EMITTED_STORE)
                .to(config.alertsTopic(), Produced.with(Serdes.String(), alertSerde).withName("alerts-sink"));
    }

    private static void subjects(StreamsBuilder builder, KStream<byte[], RequestEvent> requests,
                                 KStream<String, SubjectRequest> implications, DetectionConfig config,
                                 Serde<RequestEvent> requestSerde, Serde<DistillationAlert> alertSerde,
                                 StateStorage storage, String rulesStore, ThreatIntelIndex intel,
                                 VerdictSuppressions suppressions,
                                 int subjectPartitions) {
        subjectStores(config, storage).forEach(builder::addStateStore);
        boolean orgs = config.subjects().contains(SubjectType.ORG);
        // Requests and implications each cross a repartition topic of their own before they meet: merged any
        // earlier, the link path's output would join the source's sub-topology, whose stream time runs ahead of the
        // link path over a backlog and would close windows on it. Requests cross in batches; implications, a few
        // per HIGH cluster, one by one, partitioned by Kafka's default as each batch's keys are.
        builder.addStateStore(CommitHookStore.builder(SUBJECT_BATCHES_HOOK));
        KeyPartitioner<SubjectRequestBatch> partitioner = new KeyPartitioner<>();
        long span = batchSpanMs(config);
        KStream<String, SubjectRequest> bySubject = requests
                .process(() -> new RequestBatcher<>(event -> RequestRouting.bySubject(event, orgs, intel),
                        BatchCodec.SUBJECTS, partitioner, SUBJECT_BATCHES_HOOK, span, BATCH_MAX_KEYS),
                        Named.as("batch-by-subject"), SUBJECT_BATCHES_HOOK)
                .repartition(sized(Repartitioned.with(Serdes.String(),
                                projectionSerde(SubjectRequestBatch.class, requestSerde))
                        .withStreamPartitioner(partitioner)
                        .withName(BY_SUBJECT_REPARTITION), subjectPartitions))
                .process(() -> new BatchUnpacker<>(BatchCodec.SUBJECTS), Named.as("unbatch-by-subject"));
        // Co-partitioned with the re-keyed requests, by the same hash: an implication must reach the task holding
        // its account's windows (merged with the campaign graph's single-partition output, Kafka Streams would
        // otherwise give this topic one partition, and every implication would land in task 0's store).
        implications = implications.repartition(sized(Repartitioned.with(Serdes.String(),
                        projectionSerde(SubjectRequest.class, requestSerde))
                .withStreamPartitioner(new KeyPartitioner<>())
                .withName(IMPLICATIONS_REPARTITION), subjectPartitions));
        bySubject.merge(implications, Named.as("with-cluster-implications"))
                .process(() -> new SubjectRiskProcessor(config, rulesStore).suppressedBy(suppressions),
                        Named.as("subject-risk"),
                        SubjectRiskProcessor.DAY_STORE,
                        SubjectRiskProcessor.EMITTED_STORE)
                .to(config.alertsTopic(), Produced.with(Serdes.String(), alertSerde).withName("subject-alerts"));
    }

    /** The link path; returns the accounts it implicates in clusters, keyed for the subject path. */
    private static KStream<String, SubjectRequest> links(StreamsBuilder builder, KStream<byte[], RequestEvent> requests,
                                                         DetectionConfig config, Serde<RequestEvent> requestSerde,
                                                         Serde<DistillationAlert> alertSerde, StateStorage storage,
                                                         String rulesStore,
                                                         VerdictSuppressions suppressions, int subjectPartitions,
                                                         SourceProgress progress) {
        linkStores(config, storage).forEach(builder::addStateStore);
        builder.addStateStore(inputProgressStore(config, storage));
        builder.addStateStore(CommitHookStore.builder(LINK_BATCHES_HOOK));
        KeyPartitioner<LinkRequestBatch> partitioner = new KeyPartitioner<>();
        long span = batchSpanMs(config);
        // The by-link topic has as many partitions as the requests topic (Kafka Streams sizes it so): each link task
        // hears a progress mark from every input partition, and the account graph one from every link task.
        int inputPartitions = Math.max(1, subjectPartitions);
        KStream<String, LinkRequest> byLink = requests
                .process(() -> new RequestBatcher<>(event -> RequestRouting.byLink(event, config.promptBands(),
                                config.listedProducts()),
                        BatchCodec.LINKS, partitioner, LINK_BATCHES_HOOK, span, BATCH_MAX_KEYS)
                                .withProgressMarks(CampaignProcessor.EPOCH_MS, IDLE_AFTER,
                                        progress == null ? partition -> false : progress::exhausted),
                        Named.as("batch-by-link"), LINK_BATCHES_HOOK)
                .repartition(Repartitioned.with(Serdes.String(), projectionSerde(LinkRequestBatch.class, requestSerde))
                        .withStreamPartitioner(partitioner)
                        .withName(BY_LINK_REPARTITION))
                .process(() -> new BatchUnpacker<>(BatchCodec.LINKS), Named.as("unbatch-by-link"));
        KStream<String, Object> out = byLink.process(() -> new LinkRiskProcessor(config, rulesStore)
                        .suppressedBy(suppressions).withInputPartitions(inputPartitions),
                Named.as("link-risk"), LinkRiskProcessor.HOUR_STORE, LinkRiskProcessor.DAY_STORE,
                LinkRiskProcessor.WEEK_STORE, LinkRiskProcessor.EMITTED_STORE, LinkRiskProcessor.PROGRESS_STORE);
        out.filter((key, value) -> value instanceof DistillationAlert, Named.as("link-alerts-only"))
                .mapValues(value -> (DistillationAlert) value, Named.as("link-alerts-typed"))
                .to(config.alertsTopic(), Produced.with(Serdes.String(), alertSerde).withName("link-alerts"));
        campaignStores(config, storage).forEach(builder::addStateStore);
        KStream<String, Object> campaigns = out
                .filter((key, value) -> value instanceof CampaignEdge, Named.as("campaign-edges-only"))
                .mapValues(value -> (CampaignEdge) value, Named.as("campaign-edges-typed"))
                .repartition(Repartitioned.with(Serdes.String(), projectionSerde(CampaignEdge.class, requestSerde))
                        .withNumberOfPartitions(1)
                        .withName(CAMPAIGN_REPARTITION))
                .process(() -> new CampaignProcessor(config, rulesStore).suppressedBy(suppressions)
                                .withLinkPartitions(inputPartitions),
                        Named.as("campaigns"),
                        CampaignProcessor.STORE, CampaignProcessor.EMITTED_STORE);
        campaigns.filter((key, value) -> value instanceof DistillationAlert, Named.as("campaign-alerts-only"))
                .mapValues(value -> (DistillationAlert) value, Named.as("campaign-alerts-typed"))
                .to(config.alertsTopic(), Produced.with(Serdes.String(), alertSerde).withName("campaign-alerts"));
        return out.filter((key, value) -> value instanceof SubjectRequest, Named.as("implications-only"))
                .mapValues(value -> (SubjectRequest) value, Named.as("implications-typed"))
                .merge(campaigns.filter((key, value) -> value instanceof SubjectRequest,
                                Named.as("campaign-implications-only"))
                        .mapValues(value -> (SubjectRequest) value, Named.as("campaign-implications-typed")),
                        Named.as("with-campaign-implications"));
    }

    /**
     * How much event time one batch of re-keyed requests may span: a quarter of the grace period (at least a second),
     * so that records of different upstream partitions, which now interleave batch by batch, are never reordered by
     * more than a fraction of what the windows wait for late records.
     */
    static long batchSpanMs(DetectionConfig config) {
        return Math.max(1_000, config.grace().toMillis() / 4);
    }

    /**
     * The duplicate filter's store: event ids seen, kept three windows so a copy one window apart is caught; live a
     * {@link SeenIdsStore}, offline a window store of the ids themselves.
     */
    public static StoreBuilder<?> dedupStore(DetectionConfig config, StateStorage storage) {
        Duration kept = config.dedupWindow().multipliedBy(3);
        if (storage.changelogged()) {
            return SeenIdsStore.builder(DuplicateFilter.HASHED_STORE, kept.plus(config.grace()).toMillis(),
                    config.dedupMaxIdsPerWindow());
        }
        return windowStore(DuplicateFilter.STORE, config.dedupWindow(), Serdes.Integer(), config, storage, kept);
    }

    /** The subject path's stores: day windows per subject (each with its latest hours), and the alerts emitted. */
    public static List<StoreBuilder<?>> subjectStores(DetectionConfig config, StateStorage storage) {
        AvroBinarySerde<SubjectWindowStats> stats = new AvroBinarySerde<>(SubjectWindowStats.class);
        return List.of(windowStore(SubjectRiskProcessor.DAY_STORE, Duration.ofDays(1), stats, config, storage),
                windowStore(SubjectRiskProcessor.EMITTED_STORE, Duration.ofDays(1), Serdes.Integer(), config, storage));
    }

    /**
     * The account graph's stores: its links per day (a key-value store, since a component is read a day at a time
     * and old days are dropped by the processor), and the alerts emitted.
     */
    /**
     * A link task's record of how far each input partition has got: a key per partition. Its changelog is bounded by
     * time as the others are; a partition silent longer than that is heard again within seconds of a restart (its
     * task's next mark, or its idle mark).
     */
    static StoreBuilder<org.apache.kafka.streams.state.KeyValueStore<String, Long>> inputProgressStore(
            DetectionConfig config, StateStorage storage) {
        StoreBuilder<org.apache.kafka.streams.state.KeyValueStore<String, Long>> progress =
                Stores.keyValueStoreBuilder(storage.inMemory()
                        ? Stores.inMemoryKeyValueStore(LinkRiskProcessor.PROGRESS_STORE)
                        : Stores.persistentKeyValueStore(LinkRiskProcessor.PROGRESS_STORE), Serdes.String(), Serdes.Long());
        return progress.withLoggingEnabled(ChangelogTopics.compactedAndKeptFor(
                Duration.ofDays(3).plus(config.grace()).toMillis()));
    }

    public static List<StoreBuilder<?>> campaignStores(DetectionConfig config, StateStorage storage) {
        AvroBinarySerde<CampaignEdge> edges = new AvroBinarySerde<>(CampaignEdge.class);
        StoreBuilder<org.apache.kafka.streams.state.KeyValueStore<String, CampaignEdge>> links;
        if (storage.inMemory()) {
            links = io.distillguard.topology.state.OfflineKeyValueStore.builder(CampaignProcessor.STORE);
        } else {
            links = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CampaignProcessor.STORE), Serdes.String(),
                    edges);
            if (!storage.changelogged()) {
                links.withLoggingDisabled();
            } else {
                // The processor deletes days it no longer needs, and compaction drops them; time retention (three
                // days, the two kept and a day's margin) bounds the changelog even if a delete were ever missed.
                links.withLoggingEnabled(ChangelogTopics.compactedAndKeptFor(
                        Duration.ofDays(3).plus(config.grace()).toMillis()));
            }
        }
        return List.of(links, windowStore(CampaignProcessor.EMITTED_STORE, Duration.ofDays(1), Serdes.Integer(), config,
                storage));
    }

    /** The link path's stores: one window size per kind of link (hour, day, week), and the alerts already emitted. */
    public static List<StoreBuilder<?>> linkStores(DetectionConfig config, StateStorage storage) {
        AvroBinarySerde<LinkWindowStats> stats = new AvroBinarySerde<>(LinkWindowStats.class);
        return List.of(windowStore(LinkRiskProcessor.HOUR_STORE, Duration.ofHours(1), stats, config, storage,
                        config.hourRetention()),
                windowStore(LinkRiskProcessor.DAY_STORE, Duration.ofDays(1), stats, config, storage),
                windowStore(LinkRiskProcessor.WEEK_STORE, Duration.ofDays(7), stats, config, storage),
                windowStore(LinkRiskProcessor.EMITTED_STORE, Duration.ofDays(7), Serdes.Integer(), config, storage));
    }

    /**
     * The serde of a repartitioned projection: registry-framed Avro like the request serde it is configured alike
     * with, so that a projection that gains a field in a rolling upgrade still decodes on instances of either version.
     */
    private static <V> Repartitioned<String, V> sized(Repartitioned<String, V> repartitioned, int partitions) {
        return partitions > 0 ? repartitioned.withNumberOfPartitions(partitions) : repartitioned;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> Serde<T> projectionSerde(
            Class<T> type, Serde<RequestEvent> requestSerde) {
        if (requestSerde instanceof io.distillguard.serdes.avro.SpecificAvroSerde<RequestEvent> registered) {
            return registered.sibling(type);
        }
        throw new IllegalArgumentException("The request serde must be a SpecificAvroSerde, not " + requestSerde.getClass());
    }

    /**
     * A named window store, persistent (RocksDB, changelogged, its windows cached as objects by
     * {@link WriteBehindWindowStore}) for the service, and offline an
     * {@link OfflineWindowStore} of the records themselves. It keeps two windows plus grace: the longest look-back a
     * processor makes is the window before the current one (yesterday's day for a subject's baseline).
     */
    static <V> StoreBuilder<WindowStore<String, V>> windowStore(String name, Duration window, Serde<V> valueSerde,
                                                                DetectionConfig config, StateStorage storage) {
        return windowStore(name, window, valueSerde, config, storage, window.multipliedBy(RETAINED_WINDOWS));
    }

    static <V> StoreBuilder<WindowStore<String, V>> windowStore(String name, Duration window, Serde<V> valueSerde,
                                                                DetectionConfig config, StateStorage storage,
                                                                Duration kept) {
        Duration retention = kept.plus(config.grace());
        if (storage.inMemory()) {
            return OfflineWindowStore.builder(name, retention.toMillis());
        }
        StoreBuilder<WindowStore<String, V>> persistent = Stores.windowStoreBuilder(
                Stores.persistentWindowStore(name, retention, window, false), Serdes.String(), valueSerde);
        if (!storage.changelogged()) {
            persistent.withLoggingDisabled();
        }
        // Objects in front of RocksDB, written once per commit: Kafka's record cache holds bytes, which cost an Avro
        // round trip on every read and write of a window.
        return WriteBehindWindowStore.builder(persistent, retention.toMillis(), config.cachedWindows());
    }
}
