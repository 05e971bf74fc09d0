package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProductLaunchTest {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void theLaunchedProductsUsersOpenedTheirAccountsInTheThreeWeeksBeforeAndAskAsTheHomeworkAppsDo() {
        CampaignSimulator simulator = new CampaignSimulator(settings(true));
        Set<String> users = new HashSet<>();
        long requests = 0;
        long reasoning = 0;
        long firstTurns = 0;
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (e.getAccountId().startsWith("acct-launched-")) {
                users.add(e.getAccountId());
                requests++;
                reasoning += e.getReasoningRequested() ? 1 : 0;
                firstTurns += e.getTurnIndex() == 0 ? 1 : 0;
                assertThat(e.getAccountCreatedAt())
                        .isBetween(START.minus(Duration.ofDays(21)).minus(Duration.ofHours(1)), START);
            }
        }
        assertThat(simulator.labels()).filteredOn(l -> l.scenario().equals("launched_app"))
                .hasSize(50).allSatisfy(l -> assertThat(l.attack()).isFalse());
        assertThat(users).hasSizeGreaterThan(40);
        assertThat((double) reasoning / requests).isBetween(0.6, 0.8);
        assertThat((double) firstTurns / requests).isGreaterThan(0.9);
    }

    @Test
    void theOptionAddsThemOnTopAndEveryOtherPopulationKeepsItsRequests() {
        assertThat(new CampaignSimulator(settings(false)).labels())
                .noneMatch(l -> l.scenario().equals("launched_app"));
        assertThat(OtherPopulations.firstHours(settings(true), "acct-launched-"))
                .isEqualTo(OtherPopulations.firstHours(settings(false)));
    }

    private static CampaignSimulator.Settings settings(boolean productLaunch) {
        return new CampaignSimulator.Settings(11, 5_000, 2, START, 0.0, false, false, false, false, false, false,
                CampaignSimulator.Settings.STUDENTS_PER_SCHOOL, false, productLaunch);
    }
}
