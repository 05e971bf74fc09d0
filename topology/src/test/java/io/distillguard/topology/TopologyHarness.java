package io.distillguard.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.ThreatIndicator;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.registry.InMemorySchemaRegistry;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.detect.CampaignProcessor;
import io.distillguard.topology.state.CampaignEdge;
import io.distillguard.topology.state.Watermark;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The topology on TopologyTestDriver with an in-memory registry, and helpers to build requests and read alerts. */
public final class TopologyHarness implements AutoCloseable {

    // Nine to sixteen days ago (inside the validator's accepted range, so that a test's days after it are in the past
    // too), at the start of the second UTC day of a seven-day window (the card windows are seven days, aligned to the
    // epoch as every window is): a test's hours before it and five days after it fall in one card window and at the
    // start of an hour's and a day's, whatever the date the tests run on.
    public static final long BASE = Math.floorDiv(Instant.now().minus(Duration.ofDays(10)).toEpochMilli(),
            7 * 86_400_000L) * 7 * 86_400_000L + 86_400_000L;

    public final DetectionConfig config;
    public final TopologyTestDriver driver;
    public final TestInputTopic<byte[], RequestEvent> requests;
    public final TestInputTopic<byte[], byte[]> rawRequests;
    public final TestInputTopic<String, String> rules;
    public final TestInputTopic<String, ThreatIndicator> indicators;
    public final TestOutputTopic<String, DistillationAlert> alerts;
    public final TestOutputTopic<byte[], RequestEvent> deadLetters;
    private final String scope = "topology-test-" + UUID.randomUUID();
    private final SpecificAvroSerde<RequestEvent> requestSerde;

    /** The partner group's HMAC key every harness is configured with. */
    private static final String CAMPAIGN_EDGES = "topology-test-" + DistillguardTopology.CAMPAIGN_REPARTITION + "-repartition";
    public static final String HMAC_KEY = "partner-group-shared-key-2026";

    public TopologyHarness(Path stateDir, DetectionRules detectionRules) {
        this(stateDir, detectionRules, new Properties());
    }

    /** @param settings service settings over the defaults (detector.word-bands, ...) */
    public TopologyHarness(Path stateDir, DetectionRules detectionRules, Properties settings) {
        Properties configProps = new Properties();
        configProps.putAll(settings);
        configProps.put(DetectionConfig.INTEL_HMAC_KEY, HMAC_KEY);
        config = DetectionConfig.fromProperties(configProps).withRules(detectionRules);
        Map<String, String> serdeConfig = Map.of(SchemaRegistryClients.URL, "mock://" + scope);
        requestSerde = SpecificAvroSerde.forValues(RequestEvent.class, serdeConfig);
        SpecificAvroSerde<DistillationAlert> alertSerde = SpecificAvroSerde.forValues(DistillationAlert.class, serdeConfig);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.putAll(DistillguardTopology.requiredStreamsConfig(config));
        driver = new TopologyTestDriver(DistillguardTopology.build(config, requestSerde, alertSerde), props);
        requests = driver.createInputTopic(config.requestsTopic(), new ByteArraySerializer(), requestSerde.serializer());
        rawRequests = driver.createInputTopic(config.requestsTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        rules = driver.createInputTopic(config.rulesTopic(), new StringSerializer(), new StringSerializer());
        indicators = driver.createInputTopic(config.intel().indicatorsTopic(), new StringSerializer(),
                requestSerde.sibling(ThreatIndicator.class).serializer());
        alerts = driver.createOutputTopic(config.alertsTopic(), Serdes.String().deserializer(), alertSerde.deserializer());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic(), Serdes.ByteArray().deserializer(),
                requestSerde.deserializer());
    }

    /** The bundled rules with some lines replaced, e.g. {@code "requests-1h: 1000", "requests-1h: 10"}. */
    public static DetectionRules rules(String... replacements) {
        return DetectionRules.parse(rulesYaml(replacements));
    }

    public static String rulesYaml(String... replacements) {
        String yaml;
        try (var in = DetectionRules.class.getResourceAsStream("default-rules.yaml")) {
            yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int i = 0; i < replacements.length; i += 2) {
            assertThat(yaml).as("rules to replace").contains(replacements[i]);
            yaml = yaml.replace(replacements[i], replacements[i + 1]);
        }
        return yaml;
    }

    public static RequestEvent.Builder request(String account, String ip, long eventTime) {
        return RequestEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setAccountId(account)
                .setIp(ip)
                .setModel("frontier-1")
                .setEndpoint("/v1/messages")
                .setPromptTokens(100)
                .setCompletionTokens(400)
                .setStatus(200);
    }

    /** A harvesting request: chain of thought asked for, first turn, a fresh prompt, a narrow capability. */
    public static RequestEvent.Builder harvest(String account, String ip, long eventTime, long promptSimhash) {
        return request(account, ip, eventTime)
                .setReasoningRequested(true)
                .setTurnIndex(0)
                .setCapability("coding")
                .setPromptSimhash(promptSimhash)
                .setPromptTokens(200)
                .setCompletionTokens(2000);
    }

    public void send(RequestEvent event) {
        requests.pipeInput(null, event, event.getEventTime());
    }

    public List<DistillationAlert> alerts() {
        return alerts.readValuesToList();
    }

    public static List<DistillationAlert> byDetector(List<DistillationAlert> alerts, String detector) {
        return alerts.stream().filter(a -> a.getDetector().equals(detector)).toList();
    }

    public static Optional<Evidence> evidence(DistillationAlert alert, String signal) {
        return alert.getEvidence().stream().filter(e -> e.getSignal().equals(signal)).findFirst();
    }

    public double metric(String name) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("stream-distillguard-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    /** What the link path sent the account graph's single partition, in the order it was sent. */
    /** The edges the link path sent the account graph (its progress marks left out). */
    public List<TestRecord<String, CampaignEdge>> campaignEdges() {
        return driver.createOutputTopic(CAMPAIGN_EDGES, Serdes.String().deserializer(),
                requestSerde.sibling(CampaignEdge.class).deserializer()).readRecordsToList().stream()
                .filter(edge -> edge.getValue().getWatermark() == null).toList();
    }

    /**
     * Hands the account graph edges directly, as its partition would receive them from one link partition: each
     * followed by that partition's progress mark at the latest edge time so far (its inputs have got that far).
     */
    public void sendCampaignEdges(List<TestRecord<String, CampaignEdge>> edges) {
        List<TestRecord<String, CampaignEdge>> records = new ArrayList<>();
        long latest = Long.MIN_VALUE;
        for (TestRecord<String, CampaignEdge> edge : edges) {
            records.add(edge);
            latest = Math.max(latest, edge.getValue().getEventTime());
            records.add(progressMark(0, latest));
        }
        sendCampaignRecords(records);
    }

    /** Hands the account graph edges and progress marks as they are, in this order. */
    public void sendCampaignRecords(List<TestRecord<String, CampaignEdge>> records) {
        driver.createInputTopic(CAMPAIGN_EDGES, new StringSerializer(),
                requestSerde.sibling(CampaignEdge.class).serializer()).pipeRecordList(records);
    }

    /** Link partition {@code partition}'s progress mark: its input partitions are all past {@code time}. */
    public static TestRecord<String, CampaignEdge> progressMark(int partition, long time) {
        CampaignEdge mark = CampaignEdge.newBuilder().setLinkKey(CampaignProcessor.PROGRESS_KEY).setEventTime(time)
                .setWindowStart(0L).setShapedAccounts(List.of()).setWatermark(new Watermark(partition, time, false))
                .build();
        return new TestRecord<>(CampaignProcessor.KEY, mark, Instant.ofEpochMilli(Math.max(0, time)));
    }

    @Override
    public void close() {
        driver.close();
        InMemorySchemaRegistry.dropScope(scope);
    }
}
