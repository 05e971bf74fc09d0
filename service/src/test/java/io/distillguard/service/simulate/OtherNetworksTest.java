package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OtherNetworksTest {

    private static final String STUDENTS = "acct-study-";

    @Test
    void studentsSpendSomeHoursAtOtherPlacesOnOtherNetworksAndEveryRequestStaysWhereItWas() {
        Map<String, String> without = addresses(false);
        Map<String, String> with = addresses(true);
        assertThat(with.keySet()).as("the same requests, only some students' addresses change")
                .isEqualTo(without.keySet());

        int moved = 0;
        int students = 0;
        for (Map.Entry<String, String> request : without.entrySet()) {
            boolean changed = !with.get(request.getKey()).equals(request.getValue());
            if (request.getKey().startsWith(STUDENTS)) {
                students++;
                moved += changed ? 1 : 0;
            } else {
                assertThat(changed).as(request.getKey()).isFalse();
            }
        }
        // One hour in ten away from school, and most hours are: several percent of the students' requests.
        assertThat(students).isGreaterThan(1_000);
        assertThat((double) moved / students).isBetween(0.03, 0.10);

        Map<String, Set<String>> networksWithout = networksPerStudent(without);
        Map<String, Set<String>> networksWith = networksPerStudent(with);
        long overThreeWithout = networksWithout.values().stream().filter(n -> n.size() > 3).count();
        long overThreeWith = networksWith.values().stream().filter(n -> n.size() > 3).count();
        // Without the option only the students on a consumer VPN (one in a hundred) show a fourth network.
        assertThat(networksWithout).hasSizeGreaterThan(150);
        assertThat(overThreeWithout).isLessThan(networksWithout.size() / 20);
        assertThat(overThreeWith).isGreaterThan(networksWith.size() / 5);
    }

    /** Each request's address and network, by account, time, prompt and turn. */
    private static Map<String, String> addresses(boolean otherNetworks) {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(11, 20_000, 2,
                Instant.parse("2026-11-01T00:00:00Z"), 0.0, false, false, false, false, false, false,
                CampaignSimulator.Settings.STUDENTS_PER_SCHOOL, false, false, false, otherNetworks));
        Map<String, String> out = new HashMap<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            out.put(e.getAccountId() + '@' + e.getEventTime().toEpochMilli() + '/' + e.getPromptSimhash() + '/'
                    + e.getTurnIndex(), e.getIp() + '|' + e.getAsn());
        }
        return out;
    }

    private static Map<String, Set<String>> networksPerStudent(Map<String, String> addresses) {
        Map<String, Set<String>> out = new HashMap<>();
        addresses.forEach((request, address) -> {
            if (request.startsWith(STUDENTS)) {
                out.computeIfAbsent(request.substring(0, request.indexOf('@')), k -> new HashSet<>())
                        .add(address.substring(address.indexOf('|') + 1));
            }
        });
        return out;
    }
}
