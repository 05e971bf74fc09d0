package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.rules.DetectionRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DatacenterVpnTest {

    @Test
    void peopleOnACommercialVpnShareItsFewExitServersOnListedHostingProviders() {
        CampaignSimulator simulator = new CampaignSimulator(settings(true));
        List<RequestEvent> users = new ArrayList<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (e.getAccountId().startsWith("acct-dcvpn-")) {
                users.add(e);
            }
        }
        assertThat(simulator.labels()).filteredOn(l -> l.scenario().equals("datacenter_vpn"))
                .hasSize(25).allSatisfy(l -> assertThat(l.attack()).isFalse());
        assertThat(users).hasSizeGreaterThan(200)
                .allSatisfy(e -> assertThat(DetectionRules.Group.HOSTING_ASNS).contains(e.getAsn()));
        Map<String, Long> accountsPerExit = users.stream().collect(Collectors.groupingBy(RequestEvent::getIp,
                Collectors.mapping(RequestEvent::getAccountId, Collectors.collectingAndThen(Collectors.toSet(),
                        s -> (long) s.size()))));
        assertThat(accountsPerExit.size()).isLessThanOrEqualTo(48);
        assertThat(accountsPerExit.values()).anySatisfy(accounts -> assertThat(accounts).isGreaterThan(1));
        // A session keeps its exit: every conversation comes from one address.
        assertThat(users.stream().collect(Collectors.groupingBy(RequestEvent::getConversationId,
                Collectors.mapping(RequestEvent::getIp, Collectors.toSet()))).values())
                .allSatisfy(exits -> assertThat(exits).hasSize(1));
        double reasoning = (double) users.stream().filter(RequestEvent::getReasoningRequested).count() / users.size();
        assertThat(reasoning).isBetween(0.3, 0.6);
    }

    @Test
    void theOptionAddsThemOnTopAndEveryOtherPopulationKeepsItsRequests() {
        assertThat(new CampaignSimulator(settings(false)).labels())
                .noneMatch(l -> l.scenario().equals("datacenter_vpn"));
        assertThat(OtherPopulations.firstHours(settings(true), "acct-dcvpn-"))
                .isEqualTo(OtherPopulations.firstHours(settings(false)));
    }

    private static CampaignSimulator.Settings settings(boolean datacenterVpns) {
        return new CampaignSimulator.Settings(11, 5_000, 2, Instant.parse("2026-11-01T00:00:00Z"), 0.0, false, false,
                false, false, false, false, CampaignSimulator.Settings.STUDENTS_PER_SCHOOL, false, false,
                datacenterVpns);
    }
}
