package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HouseholdCardTest {

    @Test
    void aboutOnePersonInSixSharesACardWithOneOrTwoOthersOfTheSamePopulationAndNoAttackAccountDoes() {
        Map<String, Set<String>> accountsByCard = new HashMap<>();
        Set<String> attackAccounts = new HashSet<>();
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(11, 6_000, 1,
                Instant.parse("2026-11-01T00:00:00Z"), 0.2, false, false, false, false, false));
        simulator.labels().stream().filter(CampaignSimulator.Label::attack)
                .forEach(l -> attackAccounts.add(l.accountId()));
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            accountsByCard.computeIfAbsent(e.getPaymentFingerprint(), k -> new HashSet<>()).add(e.getAccountId());
        }
        Map<String, Set<String>> households = new HashMap<>();
        accountsByCard.forEach((card, accounts) -> {
            if (card.startsWith("card-household-")) {
                households.put(card, accounts);
            }
        });
        long inHouseholds = households.values().stream().mapToLong(Set::size).sum();
        long people = accountsByCard.entrySet().stream()
                .filter(c -> c.getKey().startsWith("card-household-") || c.getKey().startsWith("card-acct-"))
                .mapToLong(c -> c.getValue().size()).sum();
        assertThat((double) inHouseholds / people).isBetween(0.10, 0.22);
        assertThat(households.values()).allSatisfy(accounts -> {
            assertThat(accounts).hasSizeBetween(1, 3);
            // One population's accounts: the part of the name before the number.
            assertThat(accounts.stream().map(a -> a.replaceAll("\\d+$", "")).distinct()).hasSize(1);
        });
        assertThat(households.values()).anySatisfy(accounts -> assertThat(accounts).hasSize(3));
        // Siblings on one homework app: the look-alike a card shared by two or three of a campaign's accounts has.
        assertThat(households.values()).anySatisfy(accounts -> assertThat(accounts)
                .allMatch(a -> a.startsWith("acct-homework-") || a.startsWith("acct-study-")).hasSizeGreaterThan(1));
        assertThat(households.values()).allSatisfy(accounts -> assertThat(accounts).doesNotContainAnyElementsOf(
                attackAccounts));
    }

    @Test
    void theCardOfAnAccountIsItsNumbersAlone() {
        assertThat(Traffic.personalCard("acct-user-", 12)).isEqualTo(Traffic.personalCard("acct-user-", 12));
        long shared = 0;
        for (int i = 0; i < 30_000; i++) {
            shared += Traffic.personalCard("acct-user-", i).startsWith("card-household-") ? 1 : 0;
        }
        // Three blocks in thirty share among three, two more between two of three: 13/90 of the people.
        assertThat(shared / 30_000.0).isBetween(0.12, 0.17);
    }
}
