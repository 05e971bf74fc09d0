package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NewSignupsTest {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void accountsOpenWhileTheTrafficRunsAndAreUsedWithinMinutes() {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(3, 10_000, 2, START, 0.05,
                false, false, false, true));
        Set<String> signups = simulator.labels().stream().filter(l -> l.scenario().equals("new_signup"))
                .map(CampaignSimulator.Label::accountId).collect(Collectors.toSet());
        // One in a hundred of 10,000 benign accounts a day, over two days.
        assertThat(signups).hasSize(200);
        Map<String, Long> firstRequestAfterSignup = new HashMap<>();
        Map<String, Integer> cohorts = new HashMap<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (!signups.contains(e.getAccountId())) {
                continue;
            }
            long created = e.getAccountCreatedAt().toEpochMilli();
            assertThat(created).isBetween(START.toEpochMilli(), START.plusSeconds(2 * 86_400).toEpochMilli());
            assertThat(e.getEventTime().toEpochMilli()).isGreaterThan(created);
            if (firstRequestAfterSignup.putIfAbsent(e.getAccountId(), e.getEventTime().toEpochMilli() - created) == null) {
                cohorts.merge(created / 3_600_000L + "|" + e.getUserAgent(), 1, Integer::sum);
            }
        }
        assertThat(firstRequestAfterSignup).hasSizeGreaterThan(190);
        assertThat(firstRequestAfterSignup.values()).allSatisfy(ms -> assertThat(ms).isLessThan(25 * 60_000L));
        // Several signups an hour share a client: a signup cohort's key, below its threshold at this scale.
        assertThat(cohorts.values().stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(1);
    }

    @Test
    void withoutTheOptionNoneIsSimulatedAndTheOtherPopulationsKeepTheirDraws() {
        List<CampaignSimulator.Label> without = new CampaignSimulator(new CampaignSimulator.Settings(3, 1_000, 1, START,
                0.05)).labels();
        CampaignSimulator.Settings withSignups = new CampaignSimulator.Settings(3, 1_000, 1, START, 0.05, false, false,
                false, true);
        List<CampaignSimulator.Label> with = new CampaignSimulator(withSignups).labels();
        assertThat(without).noneMatch(l -> l.scenario().equals("new_signup"));
        assertThat(with.stream().filter(l -> !l.scenario().equals("new_signup")).toList()).isEqualTo(without);
        Set<String> others = OtherPopulations.firstHours(new CampaignSimulator.Settings(3, 1_000, 1, START, 0.05),
                "acct-new-");
        assertThat(others).hasSizeGreaterThan(1_000).isEqualTo(OtherPopulations.firstHours(withSignups, "acct-new-"));
    }
}
