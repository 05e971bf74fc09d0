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
 * The whole detection topology on one thread through TopologyTestDriver: one op is one request event piped in as
 * the registry-framed Avro bytes a topic would hold (decode, triage, duplicate check, both re-keys, every window
 * update and signal, alerts encoded), so ops/s is events/s on one core. Encoding the input is the gateway's work, not
 * the detector's: it is done before each measured iteration (a tenth of the time when it was inside).
 *
 * <p>The traffic: 20,000 ordinary accounts (conversations, several capabilities, orgs and API keys) and one
 * harvesting account in ten requests, at 100 events per second of event time. Every event gets an id of its own:
 * with the ids of the 100,000 templates repeating, a third of the events came back within the duplicate filter's
 * window and were dropped before the detectors, which flattered the figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(2)
public class TopologyThroughputBenchmark {

    private static final int DISTINCT_EVENTS = 100_000;
    /** Encoded before each iteration: more than an iteration pipes at the target rate; past it, encoded inline. */
    private static final int ENCODED_PER_ITERATION = 600_000;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private org.apache.kafka.common.serialization.Serializer<RequestEvent> encoder;
    private byte[][] encoded;
    private long[] timestamps;
    private int encodedNext;
    private long piped;
    private String topic;
    private TestOutputTopic<byte[], byte[]> alerts;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private BenchTraffic.Replay traffic;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Properties settings = new Properties();
        settings.setProperty(DetectionConfig.RULES_TOPIC, System.getProperty("bench.rules-topic", "distillguard-rules"));
        // Any setting, for experiments: -jvmArgsAppend -Dbench.config.detector.subjects=ACCOUNT
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("bench.config."))
                .forEach(name -> settings.setProperty(name.substring("bench.config.".length()), System.getProperty(name)));
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
        input = driver.createInputTopic(config.requestsTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        encoder = requestSerde.serializer();
        topic = config.requestsTopic();
        // Alerts pile up in the driver's output topics; they are drained now and then so memory stays flat.
        alerts = driver.createOutputTopic(config.alertsTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        traffic = new BenchTraffic.Replay(DISTINCT_EVENTS, Instant.now().minus(Duration.ofDays(2)).toEpochMilli());
    }

    @Setup(Level.Iteration)
    public void encodeInput() {
        encoded = new byte[ENCODED_PER_ITERATION][];
        timestamps = new long[ENCODED_PER_ITERATION];
        for (int i = 0; i < ENCODED_PER_ITERATION; i++) {
            encoded[i] = encoder.serialize(topic, traffic.next());
            timestamps[i] = traffic.time();
        }
        encodedNext = 0;
    }

    @Benchmark
    public void pipeOneEvent() {
        if (encodedNext < ENCODED_PER_ITERATION) {
            input.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(null, encoded[encodedNext],
                    null, timestamps[encodedNext]));
            encoded[encodedNext++] = null;
        } else {
            byte[] bytes = encoder.serialize(topic, traffic.next());
            input.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(null, bytes, null, traffic.time()));
        }
        if ((++piped & 0xfff) == 0) {
            alerts.readRecordsToList();
            deadLetters.readRecordsToList();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        driver.close();
    }
}
