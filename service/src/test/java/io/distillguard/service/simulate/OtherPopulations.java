package io.distillguard.service.simulate;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * What the populations an option does not add send in the first three hours: an option's populations draw from
 * random sources of their own, so every other population's requests must be the same with and without it.
 */
final class OtherPopulations {

    private OtherPopulations() {
    }

    /** Every request of the first three hours but those of accounts named with one of {@code prefixes}. */
    static Set<String> firstHours(CampaignSimulator.Settings settings, String... prefixes) {
        CampaignSimulator simulator = new CampaignSimulator(settings);
        Set<String> out = new HashSet<>();
        Instant end = settings.start().plusSeconds(3 * 3_600);
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            if (!e.getEventTime().isBefore(end)) {
                break;
            }
            boolean theOptions = false;
            for (String prefix : prefixes) {
                theOptions |= e.getAccountId().startsWith(prefix);
            }
            if (!theOptions) {
                out.add(e.getAccountId() + '@' + e.getEventTime() + '/' + e.getPromptSimhash());
            }
        }
        return out;
    }
}
