package io.distillguard.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.topology.validation.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillguardTopologyTest {

    private static final long BASE = TopologyHarness.BASE;

    @TempDir
    Path stateDir;

    private TopologyHarness harness;
    private TestInputTopic<byte[], RequestEvent> requests;
    private TestInputTopic<byte[], byte[]> rawRequests;
    private TestOutputTopic<String, DistillationAlert> alerts;
    private TestOutputTopic<byte[], RequestEvent> deadLetters;
    private DetectionConfig config;
    private TopologyTestDriver driver;

    @BeforeEach
    void start() {
        harness = new TopologyHarness(stateDir, TopologyHarness.rules("requests-1h: 1000", "requests-1h: 10"));
        config = harness.config;
        driver = harness.driver;
        requests = harness.requests;
        rawRequests = harness.rawRequests;
        alerts = harness.alerts;
        deadLetters = harness.deadLetters;
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static RequestEvent.Builder request(String account, String ip, long eventTime) {
        return TopologyHarness.request(account, ip, eventTime);
    }

    private void send(RequestEvent event) {
        harness.send(event);
    }

    @Test
    void shouldEmitOneAlertPerTierCrossedKeepingTheIdAndNeverRepeatingASeverity() {
        // Volume alone: LOW at the threshold, MEDIUM past 1.4x, and never HIGH without a distillation signal.
        for (int i = 0; i < 60; i++) {
            send(request("acct-heavy", "198.51.100.1", BASE + i * 1000L).build());
        }

        List<TestRecord<String, DistillationAlert>> out = alerts.readRecordsToList();

        assertThat(out).extracting(r -> r.getValue().getSeverity()).containsExactly(Severity.LOW, Severity.MEDIUM);
        assertThat(out).allSatisfy(r -> {
            assertThat(r.getKey()).isEqualTo("ACCOUNT:acct-heavy");
            assertThat(r.getValue().getDetector()).isEqualTo("ACCOUNT_RISK");
            assertThat(r.getValue().getWindowStart().toEpochMilli()).isEqualTo(BASE);
            assertThat(r.getValue().getWindowEnd().toEpochMilli()).isEqualTo(BASE + 86_400_000L);
            assertThat(r.getValue().getAccounts()).containsExactly("acct-heavy");
            assertThat(r.getValue().getRuleVersion()).isEqualTo(config.ruleVersion());
        });
        assertThat(out).extracting(r -> r.getValue().getAlertId()).containsOnly(out.get(0).getValue().getAlertId());
        DistillationAlert first = out.get(0).getValue();
        assertThat(TopologyHarness.evidence(first, "requests_1h")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(10.0);
            assertThat(e.getThreshold()).isEqualTo(10.0);
        });
        assertThat(first.getTriggerEventTime().toEpochMilli()).isEqualTo(BASE + 9_000L);
        assertThat(first.getScore()).isEqualTo(0.5);
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
    void shouldCountIpv4MappedIpv6AsTheSameClientAddress() {
        for (int i = 0; i < 25; i++) {
            send(request("acct-" + i, i % 2 == 0 ? "203.0.113.9" : "::ffff:203.0.113.9", BASE + i).build());
        }
        assertThat(TopologyHarness.byDetector(alerts.readValuesToList(), "IP_FAN_IN")).singleElement()
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
        assertThat(metric("late-dropped-total")).as("a future-dated record must not make on-time traffic late").isZero();
        assertThat(alerts.readValuesToList()).singleElement()
                .satisfies(a -> assertThat(a.getSubjectId()).isEqualTo("acct-good"));
    }

    @Test
    void shouldCountTheLivePopulationsSharesOverTheRequestsItJudgesOnly() {
        // The harness's requests answer 400 tokens to a 100-token prompt: a reply, not a long answer (1,000 tokens and
        // three times the prompt), unless set longer and it asked for no reasoning (a trace is what makes it long).
        send(request("acct-a", "198.51.100.3", BASE).setReasoningRequested(true).build());
        send(request("acct-a", "198.51.100.3", BASE + 1_000).setTurnIndex(1).setCompletionTokens(120).build());
        RequestEvent firstWithReasoning = request("acct-b", "198.51.100.4", BASE + 2_000).setReasoningRequested(true)
                .setCompletionTokens(150).build();
        send(firstWithReasoning);
        send(firstWithReasoning);
        send(request("acct-c", "198.51.100.5", BASE + 3_000).setTurnIndex(2).setCompletionTokens(1_200).build());
        send(request("", "198.51.100.5", BASE + 4_000).setReasoningRequested(true).build());

        // The copy and the request that broke the contract were never judged, so they are not the population either.
        assertThat(metric("population-requests-total")).isEqualTo(4.0);
        assertThat(metric("population-reasoning-total")).isEqualTo(2.0);
        assertThat(metric("population-first-turn-total")).isEqualTo(2.0);
        assertThat(metric("population-long-answer-total")).isEqualTo(1.0);
        assertThat(metric("duplicates-total")).isEqualTo(1.0);
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
        return harness.metric(name);
    }

    private static String header(TestRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
