package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VpnOpenerTest {

    @Test
    void peopleWhoOpenTheirConversationsWithReasoningAskForItRarelyAfterAndRotateAsTheVpnDoes() {
        CampaignSimulator simulator = new CampaignSimulator(settings(true));
        List<RequestEvent> openers = new ArrayList<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (e.getAccountId().startsWith("acct-opener-")) {
                openers.add(e);
            }
        }
        assertThat(simulator.labels()).filteredOn(l -> l.scenario().equals("vpn_opener"))
                .hasSize(25).allSatisfy(l -> assertThat(l.attack()).isFalse());
        List<RequestEvent> first = openers.stream().filter(e -> e.getTurnIndex() == 0).toList();
        List<RequestEvent> after = openers.stream().filter(e -> e.getTurnIndex() > 0).toList();
        assertThat(first).hasSizeGreaterThan(100);
        assertThat(after).hasSizeGreaterThan(100);
        assertThat(share(first)).isBetween(0.5, 0.7);
        assertThat(share(after)).isLessThan(0.15);
        assertThat(openers.stream().map(RequestEvent::getAsn).distinct().count()).isGreaterThan(5);
    }

    @Test
    void aTeamOfSuchPeoplePaysWithOneCardBetweenFive() {
        CampaignSimulator simulator = new CampaignSimulator(settings(true));
        java.util.Map<String, java.util.Set<String>> cards = new java.util.TreeMap<>();
        List<RequestEvent> team = new ArrayList<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (e.getAccountId().startsWith("acct-opener-team-")) {
                team.add(e);
                cards.computeIfAbsent(e.getPaymentFingerprint(), c -> new java.util.TreeSet<>()).add(e.getAccountId());
            }
        }
        assertThat(simulator.labels()).filteredOn(l -> l.scenario().equals("vpn_opener_team"))
                .hasSize(5).allSatisfy(l -> assertThat(l.attack()).isFalse());
        // One card for the five (those of them that sent a request in the two days).
        assertThat(cards).hasSize(1);
        assertThat(cards.values().iterator().next()).hasSizeBetween(2, 5);
        assertThat(share(team.stream().filter(e -> e.getTurnIndex() == 0).toList())).isBetween(0.45, 0.75);
    }

    @Test
    void theOptionAddsThemOnTopAndEveryOtherPopulationKeepsItsRequests() {
        assertThat(new CampaignSimulator(settings(false)).labels())
                .noneMatch(l -> l.scenario().equals("vpn_opener"));
        assertThat(OtherPopulations.firstHours(settings(true), "acct-opener-"))
                .isEqualTo(OtherPopulations.firstHours(settings(false)));
    }

    private static CampaignSimulator.Settings settings(boolean vpnOpeners) {
        return new CampaignSimulator.Settings(11, 5_000, 2, Instant.parse("2026-11-01T00:00:00Z"), 0.0, false, false,
                false, false, vpnOpeners);
    }

    private static double share(List<RequestEvent> events) {
        return (double) events.stream().filter(RequestEvent::getReasoningRequested).count() / events.size();
    }
}
