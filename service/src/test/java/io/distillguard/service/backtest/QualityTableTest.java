package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quality table: each campaign's recall, median and p90 time to detect, against its target. */
class QualityTableTest {

    @Test
    void aCampaignsRowGivesItsMedianAndP90AgainstTheTimeTargetsOfItsSize() {
        Map<String, LabelledReport.Label> labels = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            labels.put("farm-" + i, new LabelledReport.Label(true, "template_farm"));
        }
        labels.put("user-0", new LabelledReport.Label(false, "ordinary"));
        LabelledReport report = new LabelledReport(labels);
        RateLimitBaseline baseline = new RateLimitBaseline();
        for (int i = 0; i < 100; i++) {
            RequestEvent event = event("farm-" + i);
            report.onEvent(event);
            baseline.onEvent(event);
            // Account i named i minutes after its first request: median 50 min, p90 90 min.
            report.onAlert(alert("farm-" + i, i * 60_000L));
        }
        report.onEvent(event("user-0"));
        baseline.onEvent(event("user-0"));
        String table = QualityCommand.table(report, baseline,
                new OfflineBacktest.Result(101, 0, 0, 0, 100, Map.of(), Map.of(), 1_000_000L));
        assertThat(table).contains("| median time to detect | p90 | target |");
        String row = table.lines().filter(l -> l.contains("| template_farm |")).findFirst().orElseThrow();
        assertThat(row).contains("| 100 (100.00 %) |", "| recall >= 95 %, median <= 60 min, p90 <= 6 h |");
        assertThat(row.split("\\|")[5].trim()).isEqualTo(LabelledReport.format(report.scenarios().stream()
                .filter(f -> f.scenario().equals("template_farm")).findFirst().orElseThrow().medianTimeToDetect()));
        assertThat(row.split("\\|")[6].trim()).isEqualTo("1h30m");
        assertThat(QualityCommand.target("template_farm", 20)).isEqualTo("recall >= 95 %");
        assertThat(QualityCommand.target("evasive_hydra", 500)).startsWith("recall >= 80 %, median <= 60 min");
    }

    private static RequestEvent event(String account) {
        return RequestEvent.newBuilder().setEventId("e-" + account).setEventTime(Instant.ofEpochMilli(0))
                .setAccountId(account).setIp("203.0.113.1").setModel("m").setEndpoint("/").setPromptTokens(1)
                .setCompletionTokens(1).setStatus(200).build();
    }

    private static DistillationAlert alert(String account, long trigger) {
        return DistillationAlert.newBuilder().setAlertId("a-" + account).setDetector("CAMPAIGN")
                .setSeverity(Severity.HIGH).setScore(0.85).setSubjectType(SubjectType.ACCOUNT_CLUSTER)
                .setSubjectId("CAMPAIGN:x").setWindowStart(Instant.EPOCH).setWindowEnd(Instant.EPOCH)
                .setTriggerEventTime(Instant.ofEpochMilli(trigger)).setAccounts(List.of(account)).setAccountsTotal(1)
                .setEvidence(List.of(new Evidence("x", 1.0, 1.0))).setRuleVersion("r").setEmittedAt(Instant.EPOCH)
                .build();
    }
}
