package io.distillguard.topology;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.topology.detect.AccountVolumeDetector;
import io.distillguard.topology.detect.AlertGate;
import io.distillguard.topology.detect.Alerts;
import io.distillguard.topology.detect.IpFanInDetector;
import io.distillguard.topology.errors.DeadLetterDeserializationHandler;
import io.distillguard.topology.state.AccountRequest;
import io.distillguard.topology.state.AccountWindowStats;
import io.distillguard.topology.state.IpRequest;
import io.distillguard.topology.state.IpWindowStats;
import io.distillguard.topology.validation.EventTimeExtractor;
import io.distillguard.topology.validation.RequestTriage;
import io.distillguard.topology.validation.RequestTriage.Triaged;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The detection topology, a pure function of its configuration and serdes: it reads no files, opens no
 * connections and starts nothing, so the service, the backtest and the tests all run the very same graph.
 *
 * <pre>
 * requests ─ decode (undecodable → dead letter, by Kafka Streams' handler) ─ triage (contract broken → dead letter)
 *    ├─ re-key by account (tokens, time) ─ 1 h window aggregate (RocksDB) ─ ACCOUNT_VOLUME + gate ─┐
 *    └─ re-key by ip (account, time) ──── 1 h window aggregate + HLL (RocksDB) ─ IP_FAN_IN + gate ──┴─ alerts
 * </pre>
 * Only the fields a path needs cross its repartition topic: a re-key is a produce and a consume of every event, and
 * a few dozen bytes cost far less than the whole request.
 */
public final class DistillguardTopology {

    public static final String ACCOUNT_VOLUME_STORE = "account-volume-windows";
    public static final String IP_FAN_IN_STORE = "ip-fan-in-windows";
    public static final String ACCOUNT_ALERTS_EMITTED_STORE = "account-volume-alerts-emitted";
    public static final String IP_ALERTS_EMITTED_STORE = "ip-fan-in-alerts-emitted";
    public static final String BY_ACCOUNT_REPARTITION = "requests-by-account";
    public static final String BY_IP_REPARTITION = "requests-by-ip";

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
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class,
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

    /** Event times a replay is limited to: from inclusive, to exclusive, epoch milliseconds. */
    public record EventTimeRange(long fromMs, long toMs) {
        public boolean contains(long eventTimeMs) {
            return eventTimeMs >= fromMs && eventTimeMs < toMs;
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
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "distillguard-topology");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, storage.inMemory()
                ? BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class
                : BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers.class);
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        addTo(builder, config, requestSerde, alertSerde, storage, range);
        return builder.build();
    }

    private static void addTo(StreamsBuilder builder, DetectionConfig config, Serde<RequestEvent> requestSerde,
                              Serde<DistillationAlert> alertSerde, StateStorage storage, EventTimeRange range) {
        // Keys are read as raw bytes: gateways may key by account, by anything, or not at all, and the topology
        // re-keys where it needs to, so no key can fail to decode.
        KStream<byte[], Triaged> triaged = builder
                .stream(config.requestsTopic(), Consumed.with(Serdes.ByteArray(), requestSerde)
                        .withTimestampExtractor(new EventTimeExtractor())
                        .withName("requests-source"))
                .processValues(() -> new RequestTriage<>(config), Named.as("triage"));

        triaged.split(Named.as("triage-"))
                .branch((key, t) -> !t.valid(), Branched.withConsumer(invalid -> invalid
                        .mapValues(Triaged::event, Named.as("dead-letter-unwrap"))
                        .to(config.deadLetterTopic(), Produced.with(Serdes.ByteArray(), requestSerde)
                                .withName("dead-letter-sink")), "dead-letter"))
                .defaultBranch(Branched.withConsumer(valid -> {
                    KStream<byte[], RequestEvent> requests = valid.mapValues(Triaged::event, Named.as("valid-unwrap"));
                    if (range != null) {
                        requests = requests.filter((key, event) -> range.contains(event.getEventTime().toEpochMilli()),
                                Named.as("replay-range"));
                    }
                    accountVolume(builder, requests, config, requestSerde, alertSerde, storage);
                    ipFanIn(builder, requests, config, requestSerde, alertSerde, storage);
                }, "valid"));
    }

    private static void accountVolume(StreamsBuilder builder, KStream<byte[], RequestEvent> requests, DetectionConfig config,
                                      Serde<RequestEvent> requestSerde, Serde<DistillationAlert> alertSerde,
                                      StateStorage storage) {
        AccountVolumeDetector detector = new AccountVolumeDetector(config);
        builder.addStateStore(alertsEmittedStore(ACCOUNT_ALERTS_EMITTED_STORE, config.accountWindow(), config.grace(),
                storage));
        requests.map((key, event) -> KeyValue.pair(event.getAccountId(), AccountVolumeDetector.project(event)),
                        Named.as("key-by-account"))
                .repartition(Repartitioned.with(Serdes.String(), projectionSerde(AccountRequest.class, requestSerde))
                        .withName(BY_ACCOUNT_REPARTITION))
                .groupByKey(Grouped.with(Serdes.String(), projectionSerde(AccountRequest.class, requestSerde)))
                .windowedBy(TimeWindows.ofSizeAndGrace(config.accountWindow(), config.grace()))
                .aggregate(AccountVolumeDetector::empty, (account, event, stats) -> AccountVolumeDetector.add(event, stats),
                        Named.as("account-volume-aggregate"),
                        windowed(ACCOUNT_VOLUME_STORE, new AvroBinarySerde<>(AccountWindowStats.class), storage))
                .toStream(Named.as("account-volume-updates"))
                .processValues(() -> new AlertGate<>(detector, ACCOUNT_ALERTS_EMITTED_STORE),
                        Named.as(AccountVolumeDetector.NAME), ACCOUNT_ALERTS_EMITTED_STORE)
                .selectKey((key, alert) -> Alerts.key(alert), Named.as("account-volume-alert-key"))
                .to(config.alertsTopic(), Produced.with(Serdes.String(), alertSerde).withName("account-volume-alerts"));
    }

    private static void ipFanIn(StreamsBuilder builder, KStream<byte[], RequestEvent> requests, DetectionConfig config,
                                Serde<RequestEvent> requestSerde, Serde<DistillationAlert> alertSerde,
                                StateStorage storage) {
        IpFanInDetector detector = new IpFanInDetector(config);
        builder.addStateStore(alertsEmittedStore(IP_ALERTS_EMITTED_STORE, config.ipWindow(), config.grace(), storage));
        requests.map((key, event) -> KeyValue.pair(event.getIp(), IpFanInDetector.project(event)),
                        Named.as("key-by-ip"))
                .repartition(Repartitioned.with(Serdes.String(), projectionSerde(IpRequest.class, requestSerde))
                        .withName(BY_IP_REPARTITION))
                .groupByKey(Grouped.with(Serdes.String(), projectionSerde(IpRequest.class, requestSerde)))
                .windowedBy(TimeWindows.ofSizeAndGrace(config.ipWindow(), config.grace()))
                .aggregate(IpFanInDetector::empty, (ip, event, stats) -> detector.add(event, stats),
                        Named.as("ip-fan-in-aggregate"),
                        windowed(IP_FAN_IN_STORE, new AvroBinarySerde<>(IpWindowStats.class), storage))
                .toStream(Named.as("ip-fan-in-updates"))
                .processValues(() -> new AlertGate<>(detector, IP_ALERTS_EMITTED_STORE),
                        Named.as(IpFanInDetector.NAME), IP_ALERTS_EMITTED_STORE)
                .selectKey((key, alert) -> Alerts.key(alert), Named.as("ip-fan-in-alert-key"))
                .to(config.alertsTopic(), Produced.with(Serdes.String(), alertSerde).withName("ip-fan-in-alerts"));
    }

    /**
     * The serde of a repartitioned projection: registry-framed Avro like the request serde it is configured alike
     * with, so that a projection that gains a field in a rolling upgrade still decodes on instances of either version.
     */
    private static <T extends org.apache.avro.specific.SpecificRecord> Serde<T> projectionSerde(
            Class<T> type, Serde<RequestEvent> requestSerde) {
        if (requestSerde instanceof io.distillguard.serdes.avro.SpecificAvroSerde<RequestEvent> registered) {
            return registered.sibling(type);
        }
        throw new IllegalArgumentException("The request serde must be a SpecificAvroSerde, not " + requestSerde.getClass());
    }

    /** A named window store of a DSL aggregate, changelogged unless the storage says otherwise. */
    private static <V> Materialized<String, V, WindowStore<Bytes, byte[]>> windowed(String name, Serde<V> valueSerde,
                                                                                    StateStorage storage) {
        Materialized<String, V, WindowStore<Bytes, byte[]>> materialized =
                Materialized.<String, V, WindowStore<Bytes, byte[]>>as(name)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(valueSerde);
        return storage.changelogged() ? materialized : materialized.withLoggingDisabled();
    }

    /**
     * The gate's memory of emitted severities, at each alert's window start. It is kept one window longer than the
     * aggregate it guards, so a window's record is still there for the last update that window can receive.
     */
    static StoreBuilder<WindowStore<String, Integer>> alertsEmittedStore(String name, Duration window, Duration grace,
                                                                         StateStorage storage) {
        Duration retention = window.multipliedBy(2).plus(grace);
        StoreBuilder<WindowStore<String, Integer>> builder = Stores.windowStoreBuilder(storage.inMemory()
                                ? Stores.inMemoryWindowStore(name, retention, window, false)
                                : Stores.persistentWindowStore(name, retention, window, false),
                        Serdes.String(), Serdes.Integer())
                .withCachingEnabled();
        return storage.changelogged() ? builder : builder.withLoggingDisabled();
    }
}
