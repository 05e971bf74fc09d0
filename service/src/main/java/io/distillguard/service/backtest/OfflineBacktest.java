package io.distillguard.service.backtest;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.service.TempDirectories;
import io.distillguard.serdes.registry.InMemorySchemaRegistry;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import io.distillguard.topology.offline.OfflineTopologyRunner;
import io.distillguard.topology.validation.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs the live topology over events from files, without a broker, on Kafka Streams' own TopologyTestDriver: the
 * same graph, the same windows, the same dead-letter rules as the service, with state in memory by default (see
 * {@link DistillguardTopology.StateStorage#OFFLINE_IN_MEMORY} for why) or in RocksDB in a temporary directory. Records are processed one at a time in file order, on one partition, with caching off, so two runs over
 * the same input give the same alerts.
 */
public final class OfflineBacktest {

    /** Figures of one run. */
    public record Result(long read, long rejected, long deadLettered, long lateDropped, long alerts,
                         Map<String, Long> alertsByDetectorAndSeverity, Map<String, Long> deadLetterReasons,
                         long elapsedNanos) {
        public double eventsPerSecond() {
            return elapsedNanos == 0 ? 0 : read * 1e9 / elapsedNanos;
        }
    }

    /** What the run hands out as it goes. */
    public interface Listener {
        default void onEvent(RequestEvent event) {
        }

        default void onAlert(DistillationAlert alert) {
        }

        default void onRejected(EventFiles.Entry entry) {
        }

        default void onProgress(long eventsRead, long bytesRead) {
        }
    }

    /** What runs the topology's processors offline. */
    public enum Driver {
        /** {@link OfflineTopologyRunner}: three stages on their own threads, in-memory state. The default. */
        PIPELINED,
        /** Kafka Streams' TopologyTestDriver: the topology object itself, one record at a time, on one thread. */
        TOPOLOGY_TEST_DRIVER
    }

    private static final int DRAIN_EVERY = 5_000;

    private final DetectionConfig config;
    private final DistillguardTopology.StateStorage storage;
    private final Map<String, Object> streamsOverrides;
    private final Driver driver;

    public OfflineBacktest(DetectionConfig config, DistillguardTopology.StateStorage storage) {
        this(config, storage, Map.of());
    }

    /** @param streamsOverrides Kafka Streams settings on top of the backtest's own (a RocksDB config setter, say) */
    public OfflineBacktest(DetectionConfig config, DistillguardTopology.StateStorage storage,
                           Map<String, Object> streamsOverrides) {
        this(config, storage, streamsOverrides, Driver.PIPELINED);
    }

    /** @param driver which engine runs the topology; in-memory state only on the pipelined one, else the test driver */
    public OfflineBacktest(DetectionConfig config, DistillguardTopology.StateStorage storage,
                           Map<String, Object> streamsOverrides, Driver driver) {
        this.config = config;
        this.storage = storage;
        this.streamsOverrides = streamsOverrides;
        this.driver = driver;
    }

    public Result run(EventFiles events, Listener listener) {
        return run(events, events::bytesRead, listener);
    }

    /** Runs over events generated in process (the simulator), in the order given. */
    public Result run(java.util.Iterator<RequestEvent> events, Listener listener) {
        return run(new java.util.Iterator<EventFiles.Entry>() {
            @Override
            public boolean hasNext() {
                return events.hasNext();
            }

            @Override
            public EventFiles.Entry next() {
                return new EventFiles.Entry(null, 0, events.next(), null, null);
            }
        }, () -> 0L, listener);
    }

    private Result run(java.util.Iterator<EventFiles.Entry> events, java.util.function.LongSupplier bytesRead,
                       Listener listener) {
        return driver == Driver.PIPELINED && storage == DistillguardTopology.StateStorage.OFFLINE_IN_MEMORY
                ? runPipelined(events, bytesRead, listener)
                : runOnTestDriver(events, bytesRead, listener);
    }

    private Result runPipelined(java.util.Iterator<EventFiles.Entry> events, java.util.function.LongSupplier bytesRead,
                                Listener listener) {
        Counts counts = new Counts();
        // Results come from the runner's last stage; the listener hears them on this thread, as with the test driver.
        ConcurrentLinkedQueue<DistillationAlert> alerts = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Header> deadLetters = new ConcurrentLinkedQueue<>();
        Header noReason = new RecordHeader(DeadLetterHeaders.REASON, "(no reason)".getBytes(StandardCharsets.UTF_8));
        long start = System.nanoTime();
        try (OfflineTopologyRunner runner = new OfflineTopologyRunner(config, null, new OfflineTopologyRunner.Output() {
            @Override
            public void alert(DistillationAlert alert) {
                alerts.add(alert);
            }

            @Override
            public void deadLetter(RequestEvent event, Headers headers) {
                Header reason = headers.lastHeader(DeadLetterHeaders.REASON);
                deadLetters.add(reason == null ? noReason : reason);
            }
        })) {
            Fed fed = feed(events, bytesRead, listener, runner::process, () -> counts.drain(alerts, deadLetters, listener));
            runner.finish();
            counts.drain(alerts, deadLetters, listener);
            listener.onProgress(fed.read(), bytesRead.getAsLong());
            return new Result(fed.read(), fed.rejected(), counts.deadLettered, lateDropped(runner.metrics()),
                    counts.alerts, counts.byDetector, counts.reasons.shown(), System.nanoTime() - start);
        }
    }

    private Result runOnTestDriver(java.util.Iterator<EventFiles.Entry> events,
                                   java.util.function.LongSupplier bytesRead, Listener listener) {
        String scope = "backtest-" + UUID.randomUUID();
        Map<String, String> serdeConfig = Map.of(SchemaRegistryClients.URL, SchemaRegistryClients.MOCK_PREFIX + scope);
        SpecificAvroSerde<RequestEvent> requestSerde = SpecificAvroSerde.forValues(RequestEvent.class, serdeConfig);
        SpecificAvroSerde<DistillationAlert> alertSerde = SpecificAvroSerde.forValues(DistillationAlert.class, serdeConfig);
        Path stateDir = TempDirectories.create("distillguard-backtest-");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "distillguard-backtest");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "offline:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Determinism: each record's updates reach the detectors at once, never held back by a cache flush.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.putAll(DistillguardTopology.requiredStreamsConfig(config));
        props.putAll(streamsOverrides);

        Counts counts = new Counts();
        long start = System.nanoTime();
        try (TopologyTestDriver driver = new TopologyTestDriver(
                DistillguardTopology.build(config, requestSerde, alertSerde, storage), props)) {
            TestInputTopic<byte[], RequestEvent> input = driver.createInputTopic(config.requestsTopic(),
                    new ByteArraySerializer(), requestSerde.serializer());
            TestOutputTopic<String, DistillationAlert> alerts = driver.createOutputTopic(config.alertsTopic(),
                    new StringDeserializer(), alertSerde.deserializer());
            TestOutputTopic<byte[], byte[]> deadLetters = driver.createOutputTopic(config.deadLetterTopic(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Fed fed = feed(events, bytesRead, listener, event -> input.pipeInput(null, event,
                            event.getEventTime() == null ? 0 : Math.max(0, event.getEventTime().toEpochMilli())),
                    () -> counts.drain(alerts, deadLetters, listener));
            counts.drain(alerts, deadLetters, listener);
            listener.onProgress(fed.read(), bytesRead.getAsLong());
            return new Result(fed.read(), fed.rejected(), counts.deadLettered, lateDropped(driver.metrics()),
                    counts.alerts, counts.byDetector, counts.reasons.shown(), System.nanoTime() - start);
        } finally {
            InMemorySchemaRegistry.dropScope(scope);
            TempDirectories.delete(stateDir);
        }
    }

    private record Fed(long read, long rejected) {
    }

    /**
     * Hands every entry to the listener and every good event to {@code process}, in input order, draining results
     * and reporting progress every {@link #DRAIN_EVERY} entries; the same loop whichever driver runs the topology.
     */
    private static Fed feed(java.util.Iterator<EventFiles.Entry> events, java.util.function.LongSupplier bytesRead,
                            Listener listener, java.util.function.Consumer<RequestEvent> process, Runnable drain) {
        long read = 0;
        long rejected = 0;
        while (events.hasNext()) {
            EventFiles.Entry entry = events.next();
            read++;
            if (entry.rejected()) {
                rejected++;
                listener.onRejected(entry);
            } else {
                listener.onEvent(entry.event());
                process.accept(entry.event());
            }
            if (read % DRAIN_EVERY == 0) {
                drain.run();
                listener.onProgress(read, bytesRead.getAsLong());
            }
        }
        return new Fed(read, rejected);
    }

    private static long lateDropped(Map<MetricName, ? extends Metric> metrics) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
            // Kafka Streams' own drops (DSL windows) and the detectors' late-dropped counters.
            if (metric.getKey().name().equals("dropped-records-total")
                    || metric.getKey().name().equals("late-dropped-total")) {
                total += ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        return (long) total;
    }

    private static final class Counts {
        long alerts;
        long deadLettered;
        final Map<String, Long> byDetector = new TreeMap<>();
        final io.distillguard.service.DeadLetterReasons reasons = new io.distillguard.service.DeadLetterReasons();

        void drain(Queue<DistillationAlert> alertQueue, Queue<Header> reasonQueue, Listener listener) {
            for (DistillationAlert alert = alertQueue.poll(); alert != null; alert = alertQueue.poll()) {
                alert(alert, listener);
            }
            for (Header reason = reasonQueue.poll(); reason != null; reason = reasonQueue.poll()) {
                deadLetter(reason);
            }
        }

        private void alert(DistillationAlert alert, Listener listener) {
            alerts++;
            byDetector.merge(alert.getDetector() + " " + alert.getSeverity(), 1L, Long::sum);
            listener.onAlert(alert);
        }

        private void deadLetter(Header reason) {
            deadLettered++;
            reasons.add(reason == null ? null : new String(reason.value(), StandardCharsets.UTF_8));
        }

        void drain(TestOutputTopic<String, DistillationAlert> alertTopic, TestOutputTopic<byte[], byte[]> deadLetterTopic,
                   Listener listener) {
            while (!alertTopic.isEmpty()) {
                alert(alertTopic.readValue(), listener);
            }
            while (!deadLetterTopic.isEmpty()) {
                TestRecord<byte[], byte[]> record = deadLetterTopic.readRecord();
                deadLetter(record.headers().lastHeader(DeadLetterHeaders.REASON));
            }
        }
    }
}
