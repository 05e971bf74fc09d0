package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.rules.DetectionRules;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CloudDeveloperTest {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void developersEachCallFromAMachineOfTheirOwnOnAListedCloudWithACommonClientAndHabitsOfTheirOwn() {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(5, 20_000, 1, START, 0.05,
                true, false, false, false, false, false, 10, false));
        Set<String> developers = new HashSet<>();
        simulator.labels().stream().filter(l -> l.scenario().equals("cloud_developer")).forEach(l -> {
            assertThat(l.attack()).isFalse();
            developers.add(l.accountId());
        });
        assertThat(developers).hasSize(200);
        DetectionRules.Group g = DetectionRules.defaults().groupOrDefault();
        Map<String, Set<String>> addresses = new HashMap<>();
        Map<String, Set<String>> clients = new HashMap<>();
        Map<String, long[]> counts = new HashMap<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (!developers.contains(e.getAccountId())) {
                continue;
            }
            assertThat(g.hosting(e.getAsn())).as("a listed cloud").isTrue();
            assertThat(e.getPaymentFingerprint()).isEqualTo("card-" + e.getAccountId());
            addresses.computeIfAbsent(e.getAccountId(), a -> new HashSet<>()).add(e.getIp());
            clients.computeIfAbsent(e.getAccountId(), a -> new HashSet<>()).add(e.getUserAgent());
            long[] c = counts.computeIfAbsent(e.getAccountId(), a -> new long[2]);
            c[0]++;
            c[1] += e.getReasoningRequested() ? 1 : 0;
        }
        assertThat(addresses.values()).allSatisfy(a -> assertThat(a).hasSize(1));
        assertThat(clients.values()).allSatisfy(c -> assertThat(c).hasSize(1));
        // The simulated campaigns' client among them.
        assertThat(clients.values()).anySatisfy(c -> assertThat(c).containsExactly("python-httpx/0.27"));
        // Some never ask for reasoning, some on nearly every request: configured each their own way.
        long never = counts.values().stream().filter(c -> c[0] >= 10 && c[1] == 0).count();
        long nearlyAlways = counts.values().stream().filter(c -> c[0] >= 10 && c[1] >= 0.75 * c[0]).count();
        assertThat(never).isGreaterThan(20);
        assertThat(nearlyAlways).isGreaterThan(20);
    }
}
