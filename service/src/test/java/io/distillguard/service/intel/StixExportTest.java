package io.distillguard.service.intel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.IndicatorKind;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.avro.ThreatIndicator;
import io.distillguard.topology.intel.IntelHmac;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StixExportTest {

    private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");
    private static final IntelHmac HMAC = new IntelHmac("partner-group-shared-key-2026");
    private static final Pattern STIX_ID = Pattern.compile("(indicator|identity|bundle)--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern STIX_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

    private static DistillationAlert alert(String detector, SubjectType type, String subject, Severity severity,
                                           List<String> accounts, Evidence... evidence) {
        return DistillationAlert.newBuilder().setAlertId(UUID.randomUUID().toString()).setDetector(detector)
                .setSubjectType(type).setSubjectId(subject).setSeverity(severity).setScore(0.86)
                .setWindowStart(T).setWindowEnd(T.plus(Duration.ofDays(1))).setTriggerEventTime(T)
                .setEmittedAt(T).setAccounts(accounts).setAccountsTotal(accounts.size())
                .setEvidence(List.of(evidence)).setRuleVersion("v1").build();
    }

    /** A hydra: members flagged by their own ACCOUNT_RISK and by the cluster alerts on prefix, card and template. */
    private static List<DistillationAlert> hydra(int members) {
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            accounts.add("acct-hydra-" + i);
        }
        List<DistillationAlert> alerts = new ArrayList<>();
        alerts.add(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "IP_PREFIX:198.51.100.0/24", Severity.HIGH, accounts));
        alerts.add(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "PAYMENT_FINGERPRINT:card-4242", Severity.HIGH, accounts));
        alerts.add(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "PROMPT_CLUSTER:1-5a5a1234", Severity.HIGH, accounts,
                new Evidence("prompt_simhash:5a5a12349876f00d", 0.0, 0.0)));
        accounts.forEach(a -> alerts.add(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, a, Severity.HIGH, List.of(a))));
        return alerts;
    }

    private static StixExport.Result export(List<DistillationAlert> alerts, int k) {
        return StixExport.export(alerts, new StixExport.Options("lab-a", HMAC, k, Duration.ofDays(30), T.plusSeconds(3600)));
    }

    private static List<JsonNode> indicators(StixExport.Result result) {
        List<JsonNode> out = new ArrayList<>();
        result.bundle().path("objects").forEach(o -> {
            if (o.path("type").asText().equals("indicator")) {
                out.add(o);
            }
        });
        return out;
    }

    @Test
    void shouldWriteIndicatorsWithEveryRequiredStixPropertyThatImportReadsBack() {
        StixExport.Result result = export(hydra(5), 3);
        JsonNode bundle = result.bundle();
        assertThat(bundle.path("type").asText()).isEqualTo("bundle");
        assertThat(bundle.path("id").asText()).matches(STIX_ID);
        List<JsonNode> indicators = indicators(result);
        assertThat(indicators).hasSize(3);
        for (JsonNode indicator : indicators) {
            // STIX 2.1 indicator: required common and specific properties, with their formats.
            for (String required : List.of("type", "spec_version", "id", "created", "modified", "pattern", "pattern_type", "valid_from")) {
                assertThat(indicator.hasNonNull(required)).as(required).isTrue();
            }
            assertThat(indicator.path("spec_version").asText()).isEqualTo("2.1");
            assertThat(indicator.path("id").asText()).matches(STIX_ID).startsWith("indicator--");
            for (String time : List.of("created", "modified", "valid_from", "valid_until")) {
                assertThat(indicator.path(time).asText()).as(time).matches(STIX_TIME);
            }
            assertThat(Instant.parse(indicator.path("valid_until").asText()))
                    .isAfter(Instant.parse(indicator.path("valid_from").asText()));
            assertThat(indicator.path("pattern_type").asText()).isEqualTo("stix");
            assertThat(indicator.path("confidence").asInt()).isBetween(0, 100);
            assertThat(indicator.path("created_by_ref").asText()).startsWith("identity--");
            indicator.fieldNames().forEachRemaining(name -> assertThat(name)
                    .as("custom properties are x_-prefixed").matches("[a-z_]+").satisfiesAnyOf(
                            n -> assertThat(n).doesNotStartWith("x"), n -> assertThat(n).startsWith("x_")));
        }
        JsonNode identity = bundle.path("objects").get(0);
        assertThat(identity.path("type").asText()).isEqualTo("identity");
        assertThat(identity.path("identity_class").asText()).isEqualTo("organization");

        StixImport.Result back = StixImport.read(bundle, null);
        assertThat(back.skipped()).isEmpty();
        Map<IndicatorKind, ThreatIndicator> byKind = back.entries().stream().map(StixImport.Entry::indicator)
                .collect(Collectors.toMap(ThreatIndicator::getKind, Function.identity()));
        assertThat(byKind.get(IndicatorKind.IP_PREFIX).getValue()).isEqualTo("198.51.100.0/24");
        assertThat(byKind.get(IndicatorKind.PAYMENT_FINGERPRINT_HASH).getValue()).isEqualTo(HMAC.hex("card-4242"));
        assertThat(byKind.get(IndicatorKind.PROMPT_SIMHASH).getValue()).isEqualTo("5a5a12349876f00d");
        assertThat(byKind.get(IndicatorKind.IP_PREFIX).getConfidence()).isEqualTo(86);
        assertThat(byKind.get(IndicatorKind.IP_PREFIX).getSource()).isEqualTo("lab-a");
        assertThat(byKind.get(IndicatorKind.IP_PREFIX).getValidFrom()).isEqualTo(T);
    }

    @Test
    void shouldNeverExportAccountIdsOrPaymentFingerprintsInClear() {
        String json = export(hydra(5), 3).bundle().toString();
        assertThat(json).doesNotContain("acct-hydra", "card-4242").contains(HMAC.hex("card-4242"));
        String otherKey = new IntelHmac("another-group-key-0000").hex("card-4242");
        assertThat(json).doesNotContain(otherKey);
    }

    @Test
    void shouldShareAnAddressOnlyWhenItServedKAccountsEachFlaggedInTwoAlerts() {
        assertThat(indicators(export(hydra(3), 3))).extracting(i -> i.path("pattern").asText())
                .contains("[ipv4-addr:value ISSUBSET '198.51.100.0/24']");
        StixExport.Result tooFew = export(hydra(2), 3);
        assertThat(indicators(tooFew)).extracting(i -> i.path("pattern").asText())
                .noneMatch(p -> p.contains("ipv4-addr"));
        assertThat(tooFew.heldBackBelowK()).isEqualTo(1);

        // Accounts in the prefix's own alert only (flagged once) do not count towards k.
        List<String> once = List.of("acct-1", "acct-2", "acct-3", "acct-4");
        List<DistillationAlert> single = List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "IP:203.0.113.5", Severity.HIGH, once));
        assertThat(indicators(export(single, 3))).isEmpty();

        // LOW and MEDIUM alerts never lead to an export.
        List<DistillationAlert> medium = new ArrayList<>(hydra(5));
        medium.replaceAll(a -> DistillationAlert.newBuilder(a).setSeverity(Severity.MEDIUM).build());
        assertThat(indicators(export(medium, 1))).isEmpty();
    }

    @Test
    void shouldLeavePaymentsOutWithoutAKeyAndGiveTheSameIdOnEveryExport() {
        StixExport.Result noKey = StixExport.export(hydra(5), new StixExport.Options("lab-a", null, 3, Duration.ofDays(30), T));
        assertThat(noKey.paymentsWithoutKey()).isEqualTo(1);
        assertThat(indicators(noKey)).extracting(i -> i.path("pattern").asText()).noneMatch(p -> p.contains("payment"));
        assertThat(indicators(export(hydra(5), 3))).extracting(i -> i.path("id").asText())
                .containsExactlyElementsOf(indicators(export(hydra(6), 3)).stream().map(i -> i.path("id").asText()).toList());
    }

    @Test
    void shouldImportCommonPatternsTurnRevokedIntoTombstonesAndSkipWhatItCannotMatch() throws Exception {
        JsonNode bundle = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"type":"bundle","id":"bundle--0b6a2c4e-7f52-4d1e-9b8e-2f4f2b7c1a10","objects":[
                 {"type":"indicator","spec_version":"2.1","id":"indicator--1","created":"2026-11-01T00:00:00.000Z",
                  "modified":"2026-11-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '203.0.113.9']","pattern_type":"stix",
                  "valid_from":"2026-11-01T00:00:00Z","confidence":75},
                 {"type":"indicator","spec_version":"2.1","id":"indicator--2","created":"2026-11-01T00:00:00.000Z",
                  "modified":"2026-11-01T00:00:00.000Z","pattern":"[autonomous-system:number = 64666]","pattern_type":"stix",
                  "valid_from":"2026-11-01T00:00:00Z"},
                 {"type":"indicator","spec_version":"2.1","id":"indicator--3","created":"2026-11-01T00:00:00.000Z",
                  "modified":"2026-11-01T00:00:00.000Z","pattern":"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'bot \\\\'x\\\\'']","pattern_type":"stix",
                  "valid_from":"2026-11-01T00:00:00Z"},
                 {"type":"indicator","spec_version":"2.1","id":"indicator--4","revoked":true,"created":"2026-11-01T00:00:00.000Z",
                  "modified":"2026-11-02T00:00:00.000Z","pattern":"[ipv4-addr:value = '203.0.113.10']","pattern_type":"stix",
                  "valid_from":"2026-11-01T00:00:00Z"},
                 {"type":"indicator","spec_version":"2.1","id":"indicator--5","created":"2026-11-01T00:00:00.000Z",
                  "modified":"2026-11-01T00:00:00.000Z","pattern":"[file:hashes.MD5 = 'abc'] OR [ipv4-addr:value = '1.2.3.4']",
                  "pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z"}]}""");
        StixImport.Result result = StixImport.read(bundle, "lab-c");
        assertThat(result.entries()).extracting(StixImport.Entry::id).containsExactly("indicator--1", "indicator--2", "indicator--3", "indicator--4");
        assertThat(result.entries().get(0).indicator().getConfidence()).isEqualTo(75);
        assertThat(result.entries().get(1).indicator().getConfidence()).isEqualTo(StixImport.DEFAULT_CONFIDENCE);
        assertThat(result.entries().get(2).indicator().getKind()).isEqualTo(IndicatorKind.USER_AGENT);
        assertThat(result.entries().get(2).indicator().getValue()).isEqualTo("bot 'x'");
        assertThat(result.entries().get(3).indicator()).as("revoked: retracted").isNull();
        assertThat(result.skipped()).singleElement().asString().startsWith("indicator--5: pattern not supported");
    }
}
