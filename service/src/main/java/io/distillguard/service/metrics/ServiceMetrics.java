package io.distillguard.service.metrics;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.service.state.BoundedMemoryRocksDBConfig;
import io.distillguard.topology.errors.DeadLetterDeserializationHandler;
import io.distillguard.topology.rules.DetectionRules;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Everything {@code /metrics} shows: Kafka Streams' own metrics (Micrometer's binder), Distillguard's sensors (which
 * are Kafka Streams sensors, so they come with the binder), and what only the service can see: the event-to-alert
 * latency histogram, the shared RocksDB cache against its cap, the JVM's memory, and undecodable records.
 *
 * <p>The latency is measured where the alert leaves the topology, by the alert serializer: the topology stays a pure
 * function with no metrics library in it, and the serializer runs once per alert written, on the stream thread, just
 * before the producer sends it. Kafka sensors give only avg and max; a Prometheus histogram lets an operator ask for
 * p99 over any range and aggregate instances.
 */
public final class ServiceMetrics implements AutoCloseable {

    /** Bucket boundaries of the latency histogram: what an operator sets alarms on, from 50 ms to 10 min. */
    private static final Duration[] LATENCY_SLOS = {
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(10)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Timer> latencyByDetector = new ConcurrentHashMap<>();
    private KafkaStreamsMetrics streamsMetrics;
    private final io.micrometer.core.instrument.Counter threadsReplaced;

    /** Counts a stream thread replaced after it died: operators alert on it (deploy/prometheus/alerts.yml). */
    public void threadReplaced() {
        threadsReplaced.increment();
    }

    public ServiceMetrics() {
        threadsReplaced = io.micrometer.core.instrument.Counter.builder("distillguard.stream.threads.replaced")
                .description("Stream threads that died on an exception and were replaced (each resumes from its last "
                        + "commit)")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        // Undecodable records never reach a processor, so their count comes from the deserialization handler.
        FunctionCounter.builder("distillguard.undecodable.dead.lettered", this,
                        m -> DeadLetterDeserializationHandler.deadLettered())
                .description("Records that could not be decoded and went to the dead-letter topic")
                .register(registry);
        Gauge.builder("distillguard.rocksdb.memory.usage", BoundedMemoryRocksDBConfig::usageBytes)
                .description("Off-heap memory of all RocksDB stores charged to the shared cache (blocks and memtables)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("distillguard.rocksdb.memory.cap", BoundedMemoryRocksDBConfig::capBytes)
                .description("The configured cap of the shared RocksDB cache (rocksdb.memory-bytes)")
                .baseUnit("bytes").register(registry);
    }

    /**
     * The population shares the rules in force assume ({@code group.population-*-share}), one gauge per share, beside
     * the live population's counts (PopulationCounter): the group thresholds are set relative to these, so an operator
     * is told when the traffic has moved away from them (deploy/prometheus/alerts.yml, DistillguardPopulationDrift).
     */
    public void bindRules(Supplier<DetectionRules> inForce) {
        Map<String, ToDoubleFunction<DetectionRules.Group>> shares = Map.of(
                "reasoning", DetectionRules.Group::populationReasoningShare,
                "first_turn", DetectionRules.Group::populationFirstTurnShare,
                "long_answer", g -> g.populationLongAnswerShare() == null
                        ? DetectionRules.Group.POPULATION_LONG_ANSWER_SHARE : g.populationLongAnswerShare());
        shares.forEach((share, read) -> Gauge.builder("distillguard.rules.population.share",
                        () -> read.applyAsDouble(inForce.get().groupOrDefault()))
                .description("The population share the rules in force assume (group.population-*-share)")
                .tag("share", share).register(registry));
    }

    /** The alert serde whose serializer records each alert's event-to-alert latency, by detector. */
    public Serde<DistillationAlert> measuringLatency(Serde<DistillationAlert> alerts) {
        Serializer<DistillationAlert> inner = alerts.serializer();
        Serializer<DistillationAlert> measuring = new Serializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                inner.configure(configs, isKey);
            }

            @Override
            public byte[] serialize(String topic, DistillationAlert alert) {
                if (alert != null && alert.getTriggerEventTime() != null) {
                    long latency = System.currentTimeMillis() - alert.getTriggerEventTime().toEpochMilli();
                    latencyTimer(alert.getDetector()).record(Math.max(0, latency), TimeUnit.MILLISECONDS);
                }
                return inner.serialize(topic, alert);
            }

            @Override
            public void close() {
                inner.close();
            }
        };
        return Serdes.serdeFrom(measuring, alerts.deserializer());
    }

    private Timer latencyTimer(String detector) {
        return latencyByDetector.computeIfAbsent(detector == null ? "UNKNOWN" : detector,
                d -> Timer.builder("distillguard.event.to.alert.latency")
                        .description("Wall clock when an alert is written minus the event time of the request that raised it")
                        .tag("detector", d)
                        .serviceLevelObjectives(LATENCY_SLOS)
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofHours(1))
                        .register(registry));
    }

    /**
     * Binds Kafka Streams' metrics. Micrometer's binder looks for new metrics only once a minute; Distillguard's own
     * sensors appear when the tasks start, just before RUNNING, so binding at the first scrape after that shows them
     * at once.
     */
    public synchronized void bindOnceRunning(KafkaStreams streams) {
        if (streamsMetrics == null && streams.state() == KafkaStreams.State.RUNNING) {
            streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
        }
    }

    /** Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public synchronized void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        registry.close();
    }
}
