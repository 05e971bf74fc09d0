package io.distillguard.service.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AlertPairsTest {

    private static final Instant DAY = Instant.parse("2026-12-03T00:00:00Z");

    private static DistillationAlert campaign(String link, Severity severity, Instant day, int from, int to) {
        List<String> accounts = IntStream.range(from, to).mapToObj(i -> "acct-" + i).toList();
        return DistillationAlert.newBuilder().setAlertId(link + severity).setDetector("CAMPAIGN")
                .setSubjectType(SubjectType.ACCOUNT_CLUSTER).setSubjectId("CAMPAIGN:" + link).setSeverity(severity)
                .setScore(0.8).setWindowStart(day).setWindowEnd(day.plusSeconds(86_400)).setTriggerEventTime(day)
                .setEmittedAt(day).setAccounts(accounts).setAccountsTotal(accounts.size()).setEvidence(List.of())
                .setRuleVersion("test").build();
    }

    @Test
    void aCampaignMetEarlierOnFewerMembersUnderAnotherIdIsTheSameCampaign() {
        DistillationAlert expected = campaign("PROMPT_CLUSTER:0-a", Severity.HIGH, DAY, 0, 50);
        assertThat(AlertPairs.sameCampaign(expected, campaign("PAYMENT_FINGERPRINT:card", Severity.HIGH, DAY, 0, 20)))
                .isTrue();
    }

    @Test
    void anotherCampaignAnotherTierOrAnotherDayIsNot() {
        DistillationAlert expected = campaign("PROMPT_CLUSTER:0-a", Severity.HIGH, DAY, 0, 50);
        assertThat(AlertPairs.sameCampaign(expected, campaign("PROMPT_CLUSTER:1-b", Severity.HIGH, DAY, 100, 140)))
                .as("no account in common").isFalse();
        assertThat(AlertPairs.sameCampaign(expected, campaign("PROMPT_CLUSTER:1-b", Severity.CRITICAL, DAY, 0, 50)))
                .as("another tier").isFalse();
        assertThat(AlertPairs.sameCampaign(expected, campaign("PROMPT_CLUSTER:1-b", Severity.HIGH,
                DAY.plusSeconds(86_400), 0, 50))).as("another day").isFalse();
    }
}
