package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResearchLabTest {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void labsShareACardAcrossTheirStudentsAndRunBenchmarksThatReadAsHarvests() {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(3, 10_000, 2, START, 0.05,
                false, true));
        Set<String> students = new HashSet<>();
        simulator.labels().stream().filter(l -> l.scenario().equals("research_lab")).forEach(l -> {
            assertThat(l.attack()).isFalse();
            students.add(l.accountId());
        });
        // Five labs at 10,000 benign accounts, six to twenty students each.
        assertThat(students).hasSizeBetween(30, 100);
        Map<String, Set<String>> accountsByCard = new HashMap<>();
        long evaluation = 0;
        long evaluationReasoning = 0;
        long conversations = 0;
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (!students.contains(e.getAccountId())) {
                continue;
            }
            accountsByCard.computeIfAbsent(e.getPaymentFingerprint(), c -> new HashSet<>()).add(e.getAccountId());
            if ("lm-eval/0.4".equals(e.getUserAgent())) {
                evaluation++;
                evaluationReasoning += e.getReasoningRequested() ? 1 : 0;
                assertThat(e.getTurnIndex()).isZero();
            } else if (e.getTurnIndex() > 0) {
                conversations++;
            }
        }
        assertThat(accountsByCard).hasSize(5);
        assertThat(accountsByCard.values()).allSatisfy(accounts -> assertThat(accounts).hasSizeGreaterThanOrEqualTo(6));
        // The runs are most of the labs' requests, and ask for reasoning on about half of theirs; the rest of the
        // students hold conversations as anyone does.
        assertThat(evaluation).isGreaterThan(1_000);
        assertThat((double) evaluationReasoning / evaluation).isBetween(0.2, 0.9);
        assertThat(conversations).isGreaterThan(100);
    }

    @Test
    void withoutTheOptionNoLabIsSimulatedAndTheOtherPopulationsKeepTheirDraws() {
        List<CampaignSimulator.Label> without = new CampaignSimulator(new CampaignSimulator.Settings(3, 1_000, 1, START,
                0.05)).labels();
        List<CampaignSimulator.Label> with = new CampaignSimulator(new CampaignSimulator.Settings(3, 1_000, 1, START,
                0.05, false, true)).labels();
        assertThat(without).noneMatch(l -> l.scenario().equals("research_lab"));
        assertThat(with.stream().filter(l -> !l.scenario().equals("research_lab")).toList()).isEqualTo(without);
        Set<String> others = OtherPopulations.firstHours(new CampaignSimulator.Settings(3, 1_000, 1, START, 0.05),
                "acct-lab-");
        assertThat(others).hasSizeGreaterThan(1_000).isEqualTo(OtherPopulations.firstHours(
                new CampaignSimulator.Settings(3, 1_000, 1, START, 0.05, false, true), "acct-lab-"));
    }
}
