package io.distillguard.benchmarks;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import io.distillguard.topology.DistillguardTopology.StateStorage;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole detection topology on one thread through TopologyTestDriver, as the offline backtest runs it: one op is
 * one request event piped in (encode, decode, triage, both re-keys and their repartition round trips, every window
 * update and signal), so ops/s is events/s on one core.
 *
 * <p>The traffic: 20,000 ordinary accounts (conversations, several capabilities, orgs and API keys) and one
 * harvesting account in ten requests, at 100 events per second of event time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TopologyThroughputBenchmark {

    private static final int DISTINCT_EVENTS = 100_000;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], RequestEvent> input;
    private TestOutputTopic<byte[], byte[]> alerts;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private RequestEvent[] events;
    private long eventTime;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Properties settings = new Properties();
        settings.setProperty(DetectionConfig.RULES_TOPIC, System.getProperty("bench.rules-topic", "distillguard-rules"));
        DetectionConfig config = DetectionConfig.fromProperties(settings);
        Map<String, String> serdeConfig = Map.of(SchemaRegistryClients.URL, "mock://topology-bench");
        SpecificAvroSerde<RequestEvent> requestSerde = SpecificAvroSerde.forValues(RequestEvent.class, serdeConfig);
        SpecificAvroSerde<DistillationAlert> alertSerde = SpecificAvroSerde.forValues(DistillationAlert.class, serdeConfig);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("topology-bench").toString());
        props.putAll(DistillguardTopology.requiredStreamsConfig(config));
        driver = new TopologyTestDriver(DistillguardTopology.build(config, requestSerde, alertSerde,
                StateStorage.OFFLINE_IN_MEMORY), props);
        input = driver.createInputTopic(config.requestsTopic(), new ByteArraySerializer(), requestSerde.serializer());
        // Alerts pile up in the driver's output topics; they are drained now and then so memory stays flat.
        alerts = driver.createOutputTopic(config.alertsTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        eventTime = Instant.now().minus(Duration.ofDays(2)).toEpochMilli();
        events = BenchTraffic.events(DISTINCT_EVENTS, eventTime);
    }

    @Benchmark
    public void pipeOneEvent() {
        RequestEvent event = events[next];
        next = (next + 1) % DISTINCT_EVENTS;
        eventTime += 10;
        event.setEventTime(Instant.ofEpochMilli(eventTime));
        input.pipeInput(null, event, eventTime);
        if ((next & 0xfff) == 0) {
            alerts.readRecordsToList();
            deadLetters.readRecordsToList();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        driver.close();
    }
}
