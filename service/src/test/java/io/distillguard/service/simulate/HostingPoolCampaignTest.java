package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.validation.IpAddresses;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostingPoolCampaignTest {

    @Test
    void aCampaignOnRentedBlocksKeepsEachAccountsBlockAndOneOnACloudPoolMovesAtEachRequest() {
        CampaignKnobs rented = CampaignKnobs.nominal().with("accounts", 50).with("templates", 0)
                .with("hosting_prefixes", 50);
        CampaignKnobs pool = rented.with("hosting_prefixes", 256).with("hosting_rotating", 1);
        assertThat(pool.describe()).contains("over 256 /24s rotating per request");

        assertThat(blocksPerAccount(rented)).as("a block of its own").isEqualTo(1.0);
        // Ten requests a day over 256 blocks for a day: nearly every request from another block.
        assertThat(blocksPerAccount(pool)).isGreaterThan(6.0);
    }

    /** The mean number of distinct /24s an account of the campaign sent from in a day. */
    private static double blocksPerAccount(CampaignKnobs knobs) {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(7, 100, 1,
                Instant.parse("2026-11-01T00:00:00Z"), 1.0), List.of(knobs));
        Map<String, Set<String>> blocks = new HashMap<>();
        while (simulator.hasNext()) {
            RequestEvent event = simulator.next();
            if (event.getAccountId().startsWith("acct-swept-")) {
                blocks.computeIfAbsent(event.getAccountId(), a -> new HashSet<>())
                        .add(IpAddresses.prefixOf(event.getIp()));
            }
        }
        assertThat(blocks).hasSizeGreaterThan(40);
        return blocks.values().stream().mapToInt(Set::size).average().orElse(0);
    }
}
