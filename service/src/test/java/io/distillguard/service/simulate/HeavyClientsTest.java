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

class HeavyClientsTest {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void routersCarryTheirCustomersMixThroughAPoolOfAccountsOnOneInvoice() {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(3, 40_000, 1, START, 0.05,
                false, false, true));
        Set<String> routerAccounts = new HashSet<>();
        simulator.labels().stream().filter(l -> l.scenario().equals("api_router")).forEach(l -> {
            assertThat(l.attack()).isFalse();
            routerAccounts.add(l.accountId());
        });
        Map<String, Set<String>> accountsByInvoice = new HashMap<>();
        Map<String, Long> requestsByAccount = new HashMap<>();
        long requests = 0;
        long firstTurns = 0;
        long followUps = 0;
        Set<Integer> hours = new HashSet<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (!routerAccounts.contains(e.getAccountId())) {
                continue;
            }
            requests++;
            accountsByInvoice.computeIfAbsent(e.getPaymentFingerprint(), c -> new HashSet<>()).add(e.getAccountId());
            requestsByAccount.merge(e.getAccountId(), 1L, Long::sum);
            hours.add(e.getEventTime().atZone(java.time.ZoneOffset.UTC).getHour());
            if (e.getTurnIndex() == 0) {
                firstTurns++;
            } else {
                followUps++;
            }
        }
        // Two routers at 40,000 benign accounts, each a pool of four to twelve accounts on its invoice.
        assertThat(accountsByInvoice).hasSize(2);
        assertThat(accountsByInvoice.values()).allSatisfy(pool -> assertThat(pool).hasSizeBetween(4, 12));
        // Hundreds of requests an account a day, in every hour, conversations beside single requests.
        assertThat(requestsByAccount.values()).allSatisfy(n -> assertThat(n).isGreaterThan(300));
        assertThat(hours).hasSize(24);
        assertThat(firstTurns).isGreaterThan(requests / 5);
        assertThat(followUps).isGreaterThan(requests / 5);
    }

    @Test
    void powerDevelopersRunAgentsAndScriptsOfSingleRequestsOnTheirOwnAccount() {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(3, 10_000, 2, START, 0.05,
                false, false, true));
        Set<String> developers = new HashSet<>();
        simulator.labels().stream().filter(l -> l.scenario().equals("power_developer")).forEach(l -> {
            assertThat(l.attack()).isFalse();
            developers.add(l.accountId());
        });
        assertThat(developers).hasSize(10);
        Map<String, Long> scriptRequests = new HashMap<>();
        long agentTurns = 0;
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (!developers.contains(e.getAccountId())) {
                continue;
            }
            // Their own card, or one a colleague or two pay with too (Traffic.personalCard).
            assertThat(e.getPaymentFingerprint()).isIn("card-" + e.getAccountId(),
                    Traffic.personalCard("acct-powerdev-", Integer.parseInt(e.getAccountId().substring(14))));
            if ("python-sdk/1.40".equals(e.getUserAgent())) {
                assertThat(e.getTurnIndex()).isZero();
                scriptRequests.merge(e.getAccountId(), 1L, Long::sum);
            } else if ("ide-agent/1.12".equals(e.getUserAgent()) && e.getTurnIndex() > 0) {
                agentTurns++;
            }
        }
        // About one developer in four runs a script on a given day, of a hundred requests an hour or more.
        assertThat(scriptRequests).isNotEmpty();
        assertThat(scriptRequests.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(100));
        assertThat(agentTurns).isGreaterThan(1_000);
    }

    @Test
    void withoutTheOptionNeitherIsSimulatedAndTheOtherPopulationsKeepTheirDraws() {
        List<CampaignSimulator.Label> without = new CampaignSimulator(new CampaignSimulator.Settings(3, 1_000, 1, START,
                0.05)).labels();
        List<CampaignSimulator.Label> with = new CampaignSimulator(new CampaignSimulator.Settings(3, 1_000, 1, START,
                0.05, false, false, true)).labels();
        assertThat(without).noneMatch(l -> l.scenario().equals("api_router") || l.scenario().equals("power_developer"));
        assertThat(with).anyMatch(l -> l.scenario().equals("api_router"));
        assertThat(with.stream().filter(l -> !l.scenario().equals("api_router")
                && !l.scenario().equals("power_developer")).toList()).isEqualTo(without);
        Set<String> others = OtherPopulations.firstHours(new CampaignSimulator.Settings(3, 1_000, 1, START, 0.05),
                "acct-router-", "acct-powerdev-");
        assertThat(others).hasSizeGreaterThan(1_000).isEqualTo(OtherPopulations.firstHours(
                new CampaignSimulator.Settings(3, 1_000, 1, START, 0.05, false, false, true), "acct-router-",
                "acct-powerdev-"));
    }
}
