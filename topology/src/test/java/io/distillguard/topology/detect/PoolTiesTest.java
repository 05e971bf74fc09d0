package io.distillguard.topology.detect;

import static io.distillguard.topology.TopologyHarness.BASE;
import static io.distillguard.topology.TopologyHarness.byDetector;
import static io.distillguard.topology.TopologyHarness.evidence;
import static io.distillguard.topology.TopologyHarness.harvest;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Severity;
import io.distillguard.topology.HarnessTest;
import io.distillguard.topology.TopologyHarness;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.state.CampaignEdge;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A campaign's members tied to it only through a cloud's shared pool (group.campaign-pool-ties-held): every client of
 * the pool passes through its blocks, so such a member is named only once its own day is a harvest.
 */
class PoolTiesTest extends HarnessTest {

    private static final long HOUR = 3_600_000L;
    private static final int ACCOUNTS = 30;
    private static final ByteBuffer NO_TALLIES = ByteBuffer.allocate(0);

    private final Random random = new Random(41);

    @Test
    void aProductsUsersPassingThroughTheSamePoolBlocksAsATemplateCampaignAreNotNamedWithIt() {
        List<DistillationAlert> alerts = campaignBesideProduct(user -> false);

        List<DistillationAlert> campaigns = byDetector(alerts, CampaignProcessor.DETECTOR);
        assertThat(campaigns).isNotEmpty();
        DistillationAlert last = campaigns.get(campaigns.size() - 1);
        assertThat(last.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(last.getAccounts()).allMatch(id -> id.startsWith("farm-")).hasSize(ACCOUNTS);
        assertThat(evidence(last, "campaign_accounts_held_for_own_day")).hasValueSatisfying(e ->
                assertThat(e.getValue()).isEqualTo(ACCOUNTS));
        assertThat(named(alerts, "farm-")).hasSize(ACCOUNTS);
        assertThat(named(alerts, "writer-")).as("the report writer's users").isEmpty();
    }

    @Test
    void withThePoolTiesNotHeldTheProductsUsersAreNamedAsTheCampaignsMembers() {
        List<DistillationAlert> alerts = campaignBesideProduct(user -> false,
                "campaign-pool-ties-held: true", "campaign-pool-ties-held: false");

        assertThat(named(alerts, "farm-")).hasSize(ACCOUNTS);
        assertThat(named(alerts, "writer-")).hasSizeGreaterThanOrEqualTo(ACCOUNTS / 2);
    }

    @Test
    void anAccountTiedOnlyThroughThePoolIsNamedOnceItsOwnDayIsAHarvest() {
        // The same, but the accounts beside the campaign harvest with reasoning too, and go on through the pool.
        List<DistillationAlert> alerts = campaignBesideProduct(user -> true);

        List<DistillationAlert> rotating = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSubjectId().startsWith("writer-") && a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .toList();
        assertThat(rotating.stream().map(DistillationAlert::getSubjectId).distinct().count())
                .isGreaterThanOrEqualTo(ACCOUNTS / 2);
        assertThat(rotating).allSatisfy(a -> {
            assertThat(a.getEvidence()).anySatisfy(e -> assertThat(e.getSignal()).startsWith("cluster:CAMPAIGN:"));
            assertThat(evidence(a, "own_reasoning_share_lower_bound_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
    }

    @Test
    void anAccountHeldForThePoolIsNamedWithTheCampaignOnceItSharesTheCampaignsOwnTies() {
        // Five of the users, held as the pool's, then send the farm's templates without reasoning: their ties to the
        // campaign are its own now, not the pool's, and they are named with it, their own day no harvest.
        Set<String> joined = Set.of("writer-0", "writer-1", "writer-2", "writer-3", "writer-4");
        List<DistillationAlert> alerts = campaignBesideProduct(user -> false, (h, templates) -> {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < joined.size(); i++) {
                    h.send(harvest("writer-" + i, "52.80." + (60 + round * 5 + i) + ".30",
                            BASE + 4 * HOUR + round * 600_000L + i * 30_000L, templates[(i + round) % templates.length])
                            .setAsn(16509).setUserAgent("writer-client/" + i).setReasoningRequested(false)
                            .setAccountCreatedAt(created(100 + i)).build());
                }
            }
        });

        assertThat(named(alerts, "writer-")).isEqualTo(new java.util.TreeSet<>(joined));
        List<DistillationAlert> members = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> joined.contains(a.getSubjectId()) && a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .toList();
        assertThat(members).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getEvidence()).anySatisfy(e -> assertThat(e.getSignal()).startsWith("cluster:CAMPAIGN:"));
            assertThat(a.getEvidence()).noneSatisfy(e -> assertThat(e.getSignal()).startsWith("own_reasoning_share"));
        });
    }

    @Test
    void aCampaignTiedByNothingButThePoolHasEveryMemberHeldAndOneWithOtherTiesNone() {
        DetectionRules rules = DetectionRules.defaults();
        // 30 blocks of a cloud's space, three accounts each, chained, none of them back in a block: a pool's.
        List<CampaignEdge> pool = new ArrayList<>();
        for (int b = 0; b < 30; b++) {
            pool.add(blockEdge("IP_PREFIX:52.80." + b + ".0/24", 0L, "p" + b, "p" + (b + 1), "p" + (b + 2)));
        }
        CampaignProcessor.Campaign alone = CampaignProcessor.components(pool).get(0);
        assertThat(CampaignProcessor.poolTied(rules, alone, 4, 4)).isEqualTo(alone.members);

        List<CampaignEdge> returned = new ArrayList<>();
        for (int b = 0; b < 30; b++) {
            returned.add(blockEdge("IP_PREFIX:52.80." + b + ".0/24", 3L, "p" + b, "p" + (b + 1), "p" + (b + 2)));
        }
        assertThat(CampaignProcessor.poolTied(rules, CampaignProcessor.components(returned).get(0), 4, 4))
                .as("blocks their accounts come back to: rented, not a pool").isEmpty();

        // A product's heavy user comes back to a few of a thousand blocks by chance: three returns in 24 requests.
        CampaignEdge chance = new CampaignEdge("IP_PREFIX:52.82.124.0/24", 0L, 0L, 16L, List.of("p0", "p1"), 24L, 9L,
                21L, 0L, 24L, 0L, List.of(), null, 1L, 0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 3L, 3L, 3L, 0L, 0L, 0L, NO_TALLIES,
                0L, null);
        assertThat(CampaignProcessor.poolBlock(rules, chance)).isTrue();
        assertThat(CampaignProcessor.poolBlock(rules, returned.get(0))).isFalse();

        DetectionRules off = DetectionRules.parse(TopologyHarness.rulesYaml("campaign-pool-ties-held: true",
                "campaign-pool-ties-held: false"));
        assertThat(CampaignProcessor.poolTied(off, alone, 4, 4)).isEmpty();
    }

    @Test
    void theRulesHoldPoolTiesByDefaultAndNotInADocumentWrittenBeforeTheKey() {
        assertThat(DetectionRules.defaults().groupOrDefault().campaignPoolTiesHeldOrDefault()).isTrue();
        DetectionRules before = DetectionRules.parse(TopologyHarness.rulesYaml(
                "  campaign-pool-ties-held: true\n", ""));
        assertThat(before.groupOrDefault().campaignPoolTiesHeldOrDefault()).isFalse();
    }

    /** Accounts named HIGH or above whose ids start with {@code prefix}. */
    private static Set<String> named(List<DistillationAlert> alerts, String prefix) {
        Set<String> named = new java.util.TreeSet<>();
        alerts.stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .forEach(a -> a.getAccounts().stream().filter(id -> id.startsWith(prefix)).forEach(named::add));
        return named;
    }

    /**
     * A template farm (30 aged accounts, each through two of ten templates, reasoning on every first turn) that leaves
     * from a cloud's shared pool, beside a product's 30 users leaving from the same pool: each block of it carries two
     * of the farm's requests and two of the users', and no account comes back to a block. The users send fresh first
     * turns with long answers and ask for reasoning where {@code reasons} says; after the three rounds they send ten
     * more requests each, each from a block of its own. Each account calls with a client of its own (no hosted
     * client's group) and pays with its own card.
     */
    private List<DistillationAlert> campaignBesideProduct(Predicate<Integer> reasons, String... ruleReplacements) {
        return campaignBesideProduct(reasons, (h, templates) -> { }, ruleReplacements);
    }

    /** The same, with {@code more} sent after the users' ten requests, before the graph's next judgement. */
    private List<DistillationAlert> campaignBesideProduct(Predicate<Integer> reasons,
                                                          java.util.function.BiConsumer<TopologyHarness, long[]> more,
                                                          String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        Random templatesRandom = new Random(3);
        long[] templates = new long[10];
        for (int t = 0; t < templates.length; t++) {
            templates[t] = templatesRandom.nextLong();
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < ACCOUNTS; i++) {
                String block = "52.80." + (round * ACCOUNTS / 2 + i / 2) + ".";
                long t = BASE + round * HOUR / 2 + i * 30_000L;
                h.send(harvest("farm-" + i, block + (10 + i % 2), t, templates[(i + round % 2) % templates.length])
                        .setAsn(16509).setUserAgent("farm-client/" + i).setAccountCreatedAt(created(i)).build());
                h.send(user(i, block + (20 + i % 2), t + 10_000L, reasons.test(i)));
            }
        }
        for (int r = 0; r < 10; r++) {
            for (int i = 0; i < ACCOUNTS; i++) {
                h.send(user(i, "52.81." + (r * ACCOUNTS + i) % 256 + "." + (1 + r), BASE + 2 * HOUR + (r * ACCOUNTS + i)
                        * 20_000L, reasons.test(i)));
            }
        }
        more.accept(h, templates);
        // A request after the next 15-minute boundary: the graph judges at boundaries of its edges' event time.
        h.send(harvest("farm-0", "52.80.99.10", BASE + 5 * HOUR, templates[0]).setAsn(16509)
                .setUserAgent("farm-client/0").setAccountCreatedAt(created(0)).build());
        return h.alerts();
    }

    private io.distillguard.avro.RequestEvent user(int i, String ip, long t, boolean reasoning) {
        return harvest("writer-" + i, ip, t, random.nextLong()).setAsn(16509).setUserAgent("writer-client/" + i)
                .setReasoningRequested(reasoning).setAccountCreatedAt(created(100 + i)).build();
    }

    /** Opened over months, a few hours apart: no signup burst ties them. */
    private static Instant created(int account) {
        return Instant.ofEpochMilli(BASE - 200 * 86_400_000L + account * 5 * HOUR);
    }

    /** A hosting block's edge: four first turns, three with reasoning, {@code returns} of its members' back in it. */
    private static CampaignEdge blockEdge(String link, long returns, String... accounts) {
        return new CampaignEdge(link, 0L, 0L, (long) accounts.length, List.of(accounts), 4L, 3L, 4L, 0L, 4L, 0L,
                List.of(), null, 1L, 0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 3L, 3L, returns, 0L, 0L, 0L, NO_TALLIES, 0L, null);
    }
}
