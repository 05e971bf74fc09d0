package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledReportTest {

    @TempDir
    Path dir;

    private static RequestEvent event(String account, long time) {
        return RequestEvent.newBuilder().setEventId("e").setEventTime(Instant.ofEpochMilli(time)).setAccountId(account)
                .setIp("203.0.113.1").setModel("m").setEndpoint("/").setPromptTokens(1).setCompletionTokens(1)
                .setStatus(200).build();
    }

    private static DistillationAlert alert(Severity severity, double score, long trigger, String... accounts) {
        return DistillationAlert.newBuilder().setAlertId("a").setDetector("IP_FAN_IN").setSeverity(severity)
                .setScore(score).setSubjectType(SubjectType.IP).setSubjectId("203.0.113.1")
                .setWindowStart(Instant.EPOCH).setWindowEnd(Instant.EPOCH).setTriggerEventTime(Instant.ofEpochMilli(trigger))
                .setAccounts(List.of(accounts)).setAccountsTotal(accounts.length)
                .setEvidence(List.of(new Evidence("x", 1.0, 1.0))).setRuleVersion("r").setEmittedAt(Instant.EPOCH).build();
    }

    @Test
    void shouldMeasureRecallTimeToDetectBenignFlagsAndPrecisionRecall() throws Exception {
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "account_id,label,scenario\nbad-1,attack,hydra\nbad-2,attack,hydra\n"
                + "good-1,benign,nat\ngood-2,benign,nat\n");
        LabelledReport report = new LabelledReport(LabelledReport.readLabels(labels));
        report.onEvent(event("bad-1", 0));
        report.onEvent(event("bad-2", 60_000));
        report.onEvent(event("good-1", 0));
        report.onAlert(alert(Severity.MEDIUM, 0.7, 120_000, "bad-1", "good-1"));
        report.onAlert(alert(Severity.HIGH, 0.85, 600_000, "bad-1"));

        Map<String, LabelledReport.ScenarioFigures> byScenario = new java.util.HashMap<>();
        report.scenarios().forEach(f -> byScenario.put(f.scenario(), f));

        assertThat(byScenario.get("hydra").implicated()).isEqualTo(1);
        assertThat(byScenario.get("hydra").share()).isEqualTo(0.5);
        assertThat(byScenario.get("hydra").medianTimeToDetect()).isEqualTo(Duration.ofMinutes(10));
        assertThat(byScenario.get("nat").implicated()).as("MEDIUM does not implicate").isZero();
        double[] atHalf = report.precisionRecall().get(0);
        assertThat(atHalf[1]).as("precision at 0.5, counted as the table: the MEDIUM alert naming good-1 names no one")
                .isEqualTo(1.0);
        assertThat(atHalf[2]).as("recall at 0.5").isEqualTo(0.5);
        double[] atPoint8 = report.precisionRecall().get(30);
        assertThat(atPoint8[0]).isEqualTo(0.8);
        assertThat(atPoint8[1]).isEqualTo(1.0);

        Path html = dir.resolve("report.html");
        report.writeHtml(html, "events.jsonl with labels labels.csv", "default-2026-12-02.2", "target table");
        String page = Files.readString(html);
        assertThat(page).contains("<td>hydra</td>", "data:image/png;base64,").doesNotContain("http://", "https://");
        assertThat(page).as("the run's context").contains("events.jsonl with labels labels.csv", "default-2026-12-02.2",
                "<th>events</th><td>3</td>", "target table");
        assertThat(page).as("the benign total: good-2 sent nothing, so it is neither caught nor cleared")
                .contains("<th>benign</th><th>all</th><th>1</th><th>0</th>");
        assertThat(report.table()).contains("4 accounts labelled, 1 with no event");
    }

    @Test
    void shouldRankAccountsByTheirHighestScoreAndReadRecallAtAFixedBenignRate() {
        Map<String, LabelledReport.Label> labels = new java.util.HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            labels.put("good-" + i, new LabelledReport.Label(false, "ordinary"));
        }
        for (int i = 0; i < 10; i++) {
            labels.put("bad-" + i, new LabelledReport.Label(true, "farm"));
        }
        LabelledReport report = new LabelledReport(labels);
        labels.keySet().forEach(account -> report.onEvent(event(account, 0)));
        // Ten benign accounts at 0.7 (1 % of them), one at 0.75; the campaign at 0.72 (six) and 0.6 (four), never HIGH.
        for (int i = 0; i < 10; i++) {
            report.onAlert(alert(Severity.MEDIUM, 0.7, 0, "good-" + i));
        }
        report.onAlert(alert(Severity.MEDIUM, 0.75, 0, "good-10"));
        for (int i = 0; i < 10; i++) {
            report.onAlert(alert(Severity.LOW, 0.6, 0, "bad-" + i));
            if (i < 6) {
                report.onAlert(alert(Severity.MEDIUM, 0.72, 0, "bad-" + i));
            }
        }
        double[] recall = report.recallAtBenignRates().get("farm");
        // 0.05 %: no benign account may pass, so the cut is the top benign score, 0.75: none of the campaign.
        assertThat(recall[0]).isZero();
        // 0.1 %: one benign account may pass (good-10); the cut is 0.7, the six at 0.72 are above it.
        assertThat(recall[1]).isEqualTo(0.6);
        // 1 %: ten may pass; the eleventh highest benign score is 0.7 again, ties stay below the cut.
        assertThat(recall[2]).isEqualTo(0.6);
        assertThat(report.rankingTable()).contains("| farm | 0.0 % | 60.0 % | 60.0 % |");
        assertThat(report.scenarios()).filteredOn(f -> f.scenario().equals("farm"))
                .allSatisfy(f -> assertThat(f.implicated()).isZero());
    }

    @Test
    void shouldLeaveSilentAccountsOutOfEveryRateAndCountMissedAccountsThatSentAlmostNothing() {
        Map<String, LabelledReport.Label> labels = new java.util.HashMap<>();
        for (String account : List.of("bad-busy", "bad-once", "bad-twice", "bad-silent", "bad-caught")) {
            labels.put(account, new LabelledReport.Label(true, "farm"));
        }
        labels.put("good-silent", new LabelledReport.Label(false, "ordinary"));
        labels.put("good", new LabelledReport.Label(false, "ordinary"));
        LabelledReport report = new LabelledReport(labels);
        for (int i = 0; i < 5; i++) {
            report.onEvent(event("bad-busy", i));
            report.onEvent(event("bad-caught", i));
        }
        report.onEvent(event("bad-once", 0));
        report.onEvent(event("bad-twice", 0));
        report.onEvent(event("bad-twice", 1));
        report.onEvent(event("good", 0));
        report.onAlert(alert(Severity.HIGH, 0.9, 10, "bad-caught", "bad-silent"));

        LabelledReport.ScenarioFigures farm = report.scenarios().stream().filter(f -> f.scenario().equals("farm"))
                .findFirst().orElseThrow();
        assertThat(farm.accounts()).as("bad-silent sent nothing in the range").isEqualTo(4);
        assertThat(farm.implicated()).isEqualTo(1);
        assertThat(farm.missedFew()).as("bad-once and bad-twice; bad-busy was missed with five").isEqualTo(2);
        assertThat(report.scenarios()).filteredOn(f -> f.scenario().equals("ordinary"))
                .singleElement().extracting(LabelledReport.ScenarioFigures::accounts).isEqualTo(1);
        assertThat(report.precisionRecall().get(0)[2]).as("recall over the four that sent something").isEqualTo(0.25);
    }

    @Test
    void shouldTakeAnalystsVerdictsAsLabelsTheLatestDecisionOfAnAccountWinning() throws Exception {
        java.time.Instant t = java.time.Instant.parse("2026-12-01T10:00:00Z");
        java.util.function.BiFunction<String, java.util.List<String>, io.distillguard.avro.CaseVerdict.Builder> verdict =
                (id, accounts) -> io.distillguard.avro.CaseVerdict.newBuilder().setCaseId(id).setAnalyst("alice")
                        .setRuleVersion("r").setAccounts(accounts).setSubjects(java.util.List.of());
        java.nio.file.Path file = dir.resolve("verdicts.jsonl");
        java.nio.file.Files.write(file, java.util.List.of(
                io.distillguard.serdes.json.ContractJson.line(verdict.apply("CAMPAIGN:x", java.util.List.of("a1", "a2"))
                        .setVerdict(io.distillguard.avro.VerdictKind.CONFIRMED).setDecidedAt(t).build()),
                io.distillguard.serdes.json.ContractJson.line(verdict.apply("IP:192.0.2.1", java.util.List.of("b1", "a2"))
                        .setVerdict(io.distillguard.avro.VerdictKind.DISMISSED)
                        .setReason(io.distillguard.avro.DismissReason.NAT).setDecidedAt(t.plusSeconds(60))
                        .setSuppressUntil(t.plusSeconds(3600)).build()),
                io.distillguard.serdes.json.ContractJson.line(verdict.apply("ACCOUNT:c1", java.util.List.of("c1"))
                        .setVerdict(io.distillguard.avro.VerdictKind.WATCHING).setDecidedAt(t).build())));

        assertThat(LabelledReport.readVerdicts(file))
                .containsEntry("a1", new LabelledReport.Label(true, "confirmed"))
                .containsEntry("a2", new LabelledReport.Label(false, "dismissed_nat"))
                .containsEntry("b1", new LabelledReport.Label(false, "dismissed_nat"))
                .doesNotContainKey("c1");
    }
}
