package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchoolCardTest {

    @Test
    void eachSchoolPaysForItsStudentsWithOneCardAndTheyAskAsTheHomeworkAppsStudentsDo() {
        CampaignSimulator simulator = new CampaignSimulator(settings(true));
        Map<String, Set<String>> accountsByCard = new HashMap<>();
        long requests = 0;
        long reasoning = 0;
        long firstTurns = 0;
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (e.getAccountId().startsWith("acct-school-")) {
                accountsByCard.computeIfAbsent(e.getPaymentFingerprint(), k -> new HashSet<>()).add(e.getAccountId());
                requests++;
                reasoning += e.getReasoningRequested() ? 1 : 0;
                firstTurns += e.getTurnIndex() == 0 ? 1 : 0;
            }
        }
        assertThat(simulator.labels()).filteredOn(l -> l.scenario().equals("school_card"))
                .hasSize(50).allSatisfy(l -> assertThat(l.attack()).isFalse());
        assertThat(accountsByCard.keySet()).allMatch(card -> card.startsWith("card-school-"));
        // About ten students a school: most cards are over the payment link's fan-in threshold of five.
        assertThat(accountsByCard.values().stream().filter(accounts -> accounts.size() >= 5).count())
                .isGreaterThanOrEqualTo(3);
        assertThat((double) reasoning / requests).isBetween(0.6, 0.8);
        assertThat((double) firstTurns / requests).isGreaterThan(0.9);
    }

    @Test
    void theOptionAddsThemOnTopAndEveryOtherPopulationKeepsItsRequests() {
        assertThat(new CampaignSimulator(settings(false)).labels())
                .noneMatch(l -> l.scenario().equals("school_card"));
        assertThat(OtherPopulations.firstHours(settings(true), "acct-school-"))
                .isEqualTo(OtherPopulations.firstHours(settings(false)));
    }

    @Test
    void studentsPerSchoolSetsHowManyShareTheSchoolsCardAndItsOneAddress() {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(11, 10_000, 2,
                Instant.parse("2026-11-02T00:00:00Z"), 0.0, false, false, false, false, false, true, 30));
        Map<String, Set<String>> accountsByCard = new HashMap<>();
        Map<String, Set<String>> accountsBySchoolAddress = new HashMap<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (e.getAccountId().startsWith("acct-school-")) {
                accountsByCard.computeIfAbsent(e.getPaymentFingerprint(), k -> new HashSet<>()).add(e.getAccountId());
                if (e.getIp().startsWith("198.19.")) {
                    accountsBySchoolAddress.computeIfAbsent(e.getIp(), k -> new HashSet<>()).add(e.getAccountId());
                }
            }
        }
        // A hundred students in about three schools, each school's from one address: over the prefix link's twenty.
        assertThat(accountsByCard).hasSizeBetween(2, 4);
        assertThat(accountsBySchoolAddress).hasSameSizeAs(accountsByCard);
        assertThat(accountsBySchoolAddress.values()).allSatisfy(students -> assertThat(students).hasSizeGreaterThan(20));
        assertThatThrownBy(() -> new CampaignSimulator.Settings(11, 10_000, 2, Instant.parse("2026-11-02T00:00:00Z"),
                0.0, false, false, false, false, false, true, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static CampaignSimulator.Settings settings(boolean schoolCards) {
        return new CampaignSimulator.Settings(11, 5_000, 2, Instant.parse("2026-11-01T00:00:00Z"), 0.0, false, false,
                false, false, false, schoolCards);
    }
}
