package io.distillguard.serdes.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractJsonTest {

    private static final String MINIMAL = """
            {"event_id":"e1","event_time":1764300000000,"account_id":"a1","ip":"203.0.113.5","model":"m",
             "endpoint":"/v1/messages","prompt_tokens":10,"completion_tokens":20,"status":200}""";

    @Test
    void shouldReadAMinimalEventFillingDefaultsForAbsentOptionalFields() {
        RequestEvent event = ContractJson.read(MINIMAL, RequestEvent.class);

        assertThat(event.getEventTime()).isEqualTo(Instant.ofEpochMilli(1764300000000L));
        assertThat(event.getOrgId()).isNull();
        assertThat(event.getTurnIndex()).isZero();
        assertThat(event.getReasoningRequested()).isFalse();
    }

    @Test
    void shouldReadExplicitNullsAndOptionalValues() {
        RequestEvent event = ContractJson.read(MINIMAL.replace("\"status\":200",
                "\"status\":200,\"org_id\":null,\"asn\":64500,\"account_created_at\":1700000000000,"
                        + "\"prompt_simhash\":-5,\"reasoning_requested\":true"), RequestEvent.class);

        assertThat(event.getOrgId()).isNull();
        assertThat(event.getAsn()).isEqualTo(64500);
        assertThat(event.getAccountCreatedAt()).isEqualTo(Instant.ofEpochMilli(1700000000000L));
        assertThat(event.getPromptSimhash()).isEqualTo(-5L);
        assertThat(event.getReasoningRequested()).isTrue();
    }

    @Test
    void shouldNameTheProblemOfABadLine() {
        assertThatThrownBy(() -> ContractJson.read("{not json", RequestEvent.class))
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> ContractJson.read(MINIMAL.replace("\"account_id\":\"a1\",", ""), RequestEvent.class))
                .hasMessage("missing required field \"account_id\"");
        assertThatThrownBy(() -> ContractJson.read(MINIMAL.replace("\"prompt_tokens\":10", "\"prompt_tokens\":\"ten\""),
                RequestEvent.class)).hasMessage("field \"prompt_tokens\": expected a 32-bit integer, got \"ten\"");
        assertThatThrownBy(() -> ContractJson.read(MINIMAL.replace("\"status\":200", "\"status\":null"),
                RequestEvent.class)).hasMessage("missing required field \"status\"");
        assertThatThrownBy(() -> ContractJson.read("[1,2]", RequestEvent.class)).hasMessage("not a JSON object");
    }

    @Test
    void shouldWriteAlertsWithContractNamesAndRoundTrip() {
        DistillationAlert alert = DistillationAlert.newBuilder()
                .setAlertId("id").setDetector("IP_FAN_IN").setSeverity(Severity.HIGH).setScore(0.8)
                .setSubjectType(SubjectType.IP).setSubjectId("198.51.100.1")
                .setWindowStart(Instant.ofEpochMilli(1000)).setWindowEnd(Instant.ofEpochMilli(2000))
                .setTriggerEventTime(Instant.ofEpochMilli(1500)).setAccounts(List.of("a", "b")).setAccountsTotal(2)
                .setEvidence(List.of(new Evidence("distinct_accounts", 50.0, 25.0))).setRuleVersion("r1")
                .setEmittedAt(Instant.ofEpochMilli(3000)).build();

        String line = ContractJson.line(alert);

        assertThat(line).contains("\"severity\":\"HIGH\"", "\"window_start\":1000", "\"subject_type\":\"IP\"",
                "\"evidence\":[{\"signal\":\"distinct_accounts\",\"value\":50.0,\"threshold\":25.0}]");
        assertThat(ContractJson.read(line, DistillationAlert.class)).isEqualTo(alert);
    }
}
