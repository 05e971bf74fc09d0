package io.distillguard.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.registry.InMemorySchemaRegistry;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.topology.validation.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillguardTopologyTest {

    // Three hours ago, on an hour boundary: inside the validator's accepted range and at a window start.
    private static final long BASE = Instant.now().minus(Duration.ofHours(3)).toEpochMilli() / 3_600_000L * 3_600_000L;

    @TempDir
    Path stateDir;

    private final String scope = "topology-test-" + UUID.randomUUID();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], RequestEvent> requests;
    private TestInputTopic<byte[], byte[]> rawRequests;
    private TestOutputTopic<String, DistillationAlert> alerts;
    private TestOutputTopic<byte[], RequestEvent> deadLetters;
    private DetectionConfig config;

    @BeforeEach
    void start() {
        Properties rules = new Properties();
        rules.setProperty(DetectionConfig.ACCOUNT_REQUESTS_THRESHOLD, "10");
        rules.setProperty(DetectionConfig.ACCOUNT_TOKENS_THRESHOLD, "1000000");
        rules.setProperty(DetectionConfig.IP_DISTINCT_ACCOUNTS_THRESHOLD, "5");
        config = DetectionConfig.fromProperties(rules);
        Map<String, String> serdeConfig = Map.of(SchemaRegistryClients.URL, "mock://" + scope);
        SpecificAvroSerde<RequestEvent> requestSerde = SpecificAvroSerde.forValues(RequestEvent.class, serdeConfig);
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
        alerts = driver.createOutputTopic(config.alertsTopic(), Serdes.String().deserializer(), alertSerde.deserializer());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic(), Serdes.ByteArray().deserializer(),
                requestSerde.deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        InMemorySchemaRegistry.dropScope(scope);
    }

    static RequestEvent.Builder request(String account, String ip, long eventTime) {
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

    private void send(RequestEvent event) {
        requests.pipeInput(null, event, event.getEventTime());
    }

    @Test
    void shouldRaiseOneAccountVolumeAlertWhenRequestsCrossThresholdAndEscalateOnlyWhenSeverityRises() {
        for (int i = 0; i < 60; i++) {
            send(request("acct-heavy", "198.51.100.1", BASE + i * 1000L).build());
        }

        List<TestRecord<String, DistillationAlert>> out = alerts.readRecordsToList();

        assertThat(out).extracting(r -> r.getValue().getSeverity())
                .containsExactly(Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL);
        assertThat(out).allSatisfy(r -> {
            assertThat(r.getKey()).isEqualTo("ACCOUNT:acct-heavy");
            assertThat(r.getValue().getDetector()).isEqualTo("ACCOUNT_VOLUME");
            assertThat(r.getValue().getWindowStart().toEpochMilli()).isEqualTo(BASE);
            assertThat(r.getValue().getWindowEnd().toEpochMilli()).isEqualTo(BASE + 3_600_000L);
            assertThat(r.getValue().getAccounts()).containsExactly("acct-heavy");
        });
        assertThat(out).extracting(r -> r.getValue().getAlertId()).containsOnly(out.get(0).getValue().getAlertId());
        DistillationAlert first = out.get(0).getValue();
        assertThat(first.getEvidence()).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("requests");
            assertThat(e.getValue()).isEqualTo(10.0);
            assertThat(e.getThreshold()).isEqualTo(10.0);
        });
        assertThat(first.getTriggerEventTime().toEpochMilli()).isEqualTo(BASE + 9_000L);
        assertThat(first.getScore()).isEqualTo(0.5);
    }

    @Test
    void shouldEmitEveryTierCrossedWhenOneUpdateJumpsSeveralTiers() {
        // One event at six times the token threshold takes the account from nothing to CRITICAL in one update.
        send(request("acct-jump", "198.51.100.1", BASE).setCompletionTokens(6_000_000).build());

        List<DistillationAlert> out = alerts.readValuesToList();

        assertThat(out).extracting(DistillationAlert::getSeverity)
                .containsExactly(Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL);
        assertThat(out).extracting(DistillationAlert::getAlertId).containsOnly(out.get(0).getAlertId());
        assertThat(out).extracting(DistillationAlert::getScore).containsOnly(out.get(3).getScore());
    }

    @Test
    void shouldRaiseANewAlertForTheNextWindow() {
        for (int i = 0; i < 10; i++) {
            send(request("acct-a", "198.51.100.1", BASE + i).build());
        }
        for (int i = 0; i < 10; i++) {
            send(request("acct-a", "198.51.100.1", BASE + 3_600_000L + i).build());
        }

        List<DistillationAlert> out = alerts.readValuesToList();

        assertThat(out).hasSize(2);
        assertThat(out.get(0).getAlertId()).isNotEqualTo(out.get(1).getAlertId());
        assertThat(out.get(1).getWindowStart().toEpochMilli()).isEqualTo(BASE + 3_600_000L);
    }

    @Test
    void shouldNotAlertBelowThresholds() {
        for (int i = 0; i < 9; i++) {
            send(request("acct-" + i % 4, "198.51.100.1", BASE + i).build());
        }
        assertThat(alerts.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldRaiseIpFanInAlertWithImplicatedAccountsWhenManyAccountsShareOneAddress() {
        for (int i = 0; i < 5; i++) {
            send(request("acct-" + i, "203.0.113.9", BASE + i).build());
        }

        List<TestRecord<String, DistillationAlert>> out = alerts.readRecordsToList();

        assertThat(out).hasSize(1);
        DistillationAlert alert = out.get(0).getValue();
        assertThat(out.get(0).getKey()).isEqualTo("IP:203.0.113.9");
        assertThat(alert.getDetector()).isEqualTo("IP_FAN_IN");
        assertThat(alert.getSubjectType()).isEqualTo(SubjectType.IP);
        assertThat(alert.getAccounts()).containsExactly("acct-0", "acct-1", "acct-2", "acct-3", "acct-4");
        assertThat(alert.getAccountsTotal()).isEqualTo(5);
        assertThat(alert.getEvidence()).singleElement().satisfies(e -> {
            assertThat(e.getSignal()).isEqualTo("distinct_accounts");
            assertThat(e.getValue()).isEqualTo(5.0);
        });
    }

    @Test
    void shouldCountIpv4MappedIpv6AsTheSameClientAddress() {
        for (int i = 0; i < 5; i++) {
            send(request("acct-" + i, i % 2 == 0 ? "203.0.113.9" : "::ffff:203.0.113.9", BASE + i).build());
        }
        assertThat(alerts.readValuesToList()).singleElement()
                .satisfies(a -> assertThat(a.getSubjectId()).isEqualTo("203.0.113.9"));
    }

    @Test
    void shouldDeadLetterContractViolationsWithReasonAndSourceAndKeepProcessing() {
        send(request("acct-1", "not-an-ip", BASE).build());
        send(request("acct-1", "198.51.100.1", BASE).setPromptTokens(-5).build());
        send(request("acct-1", "198.51.100.1", 0L).build());
        send(request("acct-1", "198.51.100.1", System.currentTimeMillis() + Duration.ofDays(30).toMillis()).build());
        send(request("x".repeat(10_000), "198.51.100.1", BASE).build());
        send(request("", "198.51.100.1", BASE).setPromptText("secret prompt").build());
        requests.pipeInput(new TestRecord<>(null, null, Instant.ofEpochMilli(BASE)));
        for (int i = 0; i < 10; i++) {
            send(request("acct-good", "198.51.100.2", BASE + i).build());
        }

        List<TestRecord<byte[], RequestEvent>> dead = deadLetters.readRecordsToList();

        assertThat(dead).extracting(r -> header(r, DeadLetterHeaders.REASON)).containsExactly(
                "ip \"not-an-ip\" is not a single IPv4 or IPv6 address",
                "prompt_tokens -5 is outside 0..10000000",
                "event_time 0 is before the earliest accepted 1577836800000",
                dead.get(3).getValue() == null ? null : header(dead.get(3), DeadLetterHeaders.REASON),
                "account_id is 10000 characters long, over the limit of 256",
                "account_id is missing or blank",
                "null value (tombstone): a request event is required");
        assertThat(header(dead.get(3), DeadLetterHeaders.REASON)).contains("in the future");
        assertThat(dead).allSatisfy(r -> {
            assertThat(header(r, DeadLetterHeaders.TOPIC)).isEqualTo(config.requestsTopic());
            assertThat(header(r, DeadLetterHeaders.STAGE)).isEqualTo("CONTRACT");
            assertThat(header(r, DeadLetterHeaders.OFFSET)).isNotNull();
        });
        assertThat(dead.get(5).getValue().getPromptText()).as("prompt text is never forwarded").isNull();
        assertThat(metric("events-in-total")).isEqualTo(17.0);
        assertThat(metric("dead-lettered-total")).isEqualTo(7.0);
        assertThat(metric("alerts-low-total")).isEqualTo(1.0);
        assertThat(alerts.readValuesToList()).singleElement()
                .satisfies(a -> assertThat(a.getSubjectId()).isEqualTo("acct-good"));
    }

    @Test
    void shouldDeadLetterUndecodableBytesAndKeepProcessing() {
        rawRequests.pipeInput(null, "not avro at all".getBytes(StandardCharsets.UTF_8), BASE);
        rawRequests.pipeInput(null, new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 4}, BASE);
        for (int i = 0; i < 10; i++) {
            send(request("acct-good", "198.51.100.2", BASE + i).build());
        }

        assertThat(alerts.readValuesToList()).hasSize(1);
        List<TestRecord<byte[], byte[]>> dead = driver.createOutputTopic(config.deadLetterTopic(),
                Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer()).readRecordsToList();
        assertThat(dead).hasSize(2);
        assertThat(new String(dead.get(0).getValue(), StandardCharsets.UTF_8)).isEqualTo("not avro at all");
        assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).contains("magic byte");
        assertThat(header(dead.get(1), DeadLetterHeaders.REASON)).contains("32639");
        assertThat(header(dead.get(1), DeadLetterHeaders.STAGE)).isEqualTo("DESERIALIZATION");
    }

    private double metric(String name) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("stream-distillguard-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static String header(TestRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
