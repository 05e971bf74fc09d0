package io.distillguard.topology.detect;

import static io.distillguard.topology.TopologyHarness.BASE;
import static io.distillguard.topology.TopologyHarness.byDetector;
import static io.distillguard.topology.TopologyHarness.evidence;
import static io.distillguard.topology.TopologyHarness.harvest;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.HarnessTest;
import io.distillguard.topology.TopologyHarness;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.state.CampaignEdge;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The account graph: link groups too small to be clusters, judged together as the campaign they are. */
class CampaignTest extends HarnessTest {

    private static final long HOUR = 3_600_000L;
    private static final java.nio.ByteBuffer NO_TALLIES = java.nio.ByteBuffer.allocate(0);

    /**
     * 30 aged accounts, each harvesting through two of ten templates (account i: templates i and i + 1), so every
     * template group has six accounts, far under the prompt cluster's 20, and each account a /24 and a client of its
     * own: nothing but the templates ties them (one client on one cloud is a hosted client's group, HostedClientTest).
     */
    private static long[] farm(TopologyHarness h, int asn) {
        Random random = new Random(3);
        long[] templates = new long[10];
        for (int t = 0; t < templates.length; t++) {
            templates[t] = random.nextLong();
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 30; i++) {
                long template = templates[(i + round % 2) % templates.length];
                h.send(harvest("farm-" + i, "52.14." + i + ".7", BASE + round * HOUR / 2 + i * 30_000L, template)
                        .setAsn(asn).setUserAgent(client(i)).setAccountCreatedAt(created(i)).build());
            }
        }
        // A request after the next 15-minute boundary: the graph judges at boundaries of its edges' event time.
        h.send(harvest("farm-0", "52.14.0.7", BASE + 3 * HOUR, templates[0]).setAsn(asn).setUserAgent(client(0))
                .setAccountCreatedAt(created(0)).build());
        return templates;
    }

    private static String client(int account) {
        return "farm-client/" + account;
    }

    /** Opened over months, a few hours apart: no signup burst ties them. */
    private static Instant created(int account) {
        return Instant.ofEpochMilli(BASE - 200 * 86_400_000L + account * 5 * HOUR);
    }

    @Test
    void smallTemplateGroupsTiedByTheirMembersAreOneCampaignAndEveryMemberIsNamed() {
        TopologyHarness h = start();
        farm(h, 16509);
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).as("no template group is a cluster on its own").isEmpty();
        List<DistillationAlert> campaigns = byDetector(alerts, CampaignProcessor.DETECTOR);
        assertThat(campaigns).isNotEmpty();
        DistillationAlert campaign = campaigns.get(campaigns.size() - 1);
        assertThat(campaign.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(campaign.getSubjectId()).startsWith("CAMPAIGN:PROMPT_CLUSTER:");
        assertThat(campaign.getAccountsTotal()).isEqualTo(30);
        // Ten templates in each of their four bands (the default detector.template-tables).
        assertThat(evidence(campaign, "links:PROMPT_CLUSTER")).hasValueSatisfying(e -> assertThat(e.getValue()).isEqualTo(40));
        assertThat(evidence(campaign, "fired:HOSTING_ADDRESSES")).isPresent();
        assertThat(evidence(campaigns.get(0), "group_requests")).hasValueSatisfying(e ->
                assertThat(e.getThreshold()).isEqualTo(20.0));
        assertThat(campaign.getEvidence()).anySatisfy(e -> assertThat(e.getSignal()).startsWith("path:farm-0 via PROMPT_CLUSTER:"));
        List<DistillationAlert> members = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> evidence(a, "fired:CLUSTER_MEMBER").isPresent()
                        && evidence(a, "cluster:" + campaign.getSubjectId()).isPresent()).toList();
        assertThat(members).extracting(DistillationAlert::getSubjectId).contains("farm-0", "farm-17", "farm-29");
    }

    /**
     * A campaign's union is judged from group.campaign-min-requests on (20 in the bundled rules, under a cluster's 30:
     * a campaign already has at least 20 accounts and two groups, and must be corroborated), not from the link
     * clusters' minimum.
     */
    @Test
    void aCampaignIsJudgedOnceItsUnionHoldsTheCampaignsOwnMinimumOfRequests() {
        TopologyHarness h = start("campaign-min-requests: 20", "campaign-min-requests: 60");
        farm(h, 16509);
        DistillationAlert first = byDetector(h.alerts(), CampaignProcessor.DETECTOR).get(0);
        assertThat(evidence(first, "group_requests")).hasValueSatisfying(e -> {
            assertThat(e.getThreshold()).isEqualTo(60.0);
            assertThat(e.getValue()).isGreaterThanOrEqualTo(60.0);
        });
        // The farm's first half hour holds 30 of its requests, its first hour 60: judged at the end of the second
        // round's epoch, not the first's.
        assertThat(first.getTriggerEventTime()).isAfter(Instant.ofEpochMilli(BASE + HOUR / 2));
    }

    /**
     * A light account whose request on one of the campaign's templates asked for no reasoning (or was a follow-up) is
     * the campaign's as much as one that harvested: named once the campaign is HIGH, without waiting for a harvest.
     */
    @Test
    void anAccountWhoseOnlyRequestOnACampaignsTemplateAskedNoReasoningIsNamedAsAMember() {
        TopologyHarness h = start();
        long[] templates = farm(h, 16509);
        h.send(harvest("quiet-1", "52.14.99.7", BASE + 3 * HOUR + 60_000L, templates[3]).setAsn(16509)
                .setAccountCreatedAt(created(40)).setReasoningRequested(false).build());
        // A new member's harvest past the next epoch's end and the grace period: the graph's time moves with its edges,
        // and it judges the epoch that holds the quiet request.
        h.send(harvest("farm-30", "52.14.30.7", BASE + 4 * HOUR, templates[5]).setAsn(16509)
                .setAccountCreatedAt(created(30)).build());
        List<DistillationAlert> alerts = h.alerts();
        String campaign = byDetector(alerts, CampaignProcessor.DETECTOR).get(0).getSubjectId();
        assertNamedAsMember(alerts, "quiet-1", campaign);
    }

    /**
     * A stranger whose prompt matches 32 bits of a campaign's template by chance (the other half a coin toss) is not
     * the campaign's, harvest or not; a variant of the template a few bits off is.
     */
    @Test
    void aPromptSharingOneBandOfACampaignsTemplateByChanceIsNotAMemberButAVariantIs() {
        TopologyHarness h = start();
        long[] templates = farm(h, 16509);
        long chance = templates[3] & 0xffffffffL | (new Random(9).nextLong() & 0xffffffff00000000L);
        assertThat(Long.bitCount((chance ^ templates[3]) >>> 32)).as("a stranger's other half").isGreaterThan(12);
        h.send(harvest("stranger-1", "52.14.98.7", BASE + 3 * HOUR + 60_000L, chance).setAsn(16509)
                .setAccountCreatedAt(created(41)).build());
        // Eleven bits off in the other half: closer than most strangers, farther than two variants of a template
        // that changes up to four bits a request can be (one chance match in nine comes this close).
        long near = templates[3] ^ 0x7ff0_0000_0000_0000L;
        h.send(harvest("stranger-2", "52.14.96.7", BASE + 3 * HOUR + 75_000L, near).setAsn(16509)
                .setAccountCreatedAt(created(43)).build());
        long variant = templates[3] ^ 0x0000_0700_0000_0000L;
        h.send(harvest("variant-1", "52.14.97.7", BASE + 3 * HOUR + 90_000L, variant).setAsn(16509)
                .setAccountCreatedAt(created(42)).build());
        h.send(harvest("farm-30", "52.14.30.7", BASE + 4 * HOUR, templates[5]).setAsn(16509)
                .setAccountCreatedAt(created(30)).build());
        List<DistillationAlert> alerts = h.alerts();
        String campaign = byDetector(alerts, CampaignProcessor.DETECTOR).get(0).getSubjectId();
        assertNamedAsMember(alerts, "variant-1", campaign);
        assertThat(alerts)
                .filteredOn(a -> a.getAccounts().contains("stranger-1") || a.getAccounts().contains("stranger-2"))
                .allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    /**
     * A company's batch job on a template the campaign uses too (first turns, no reasoning, short answers to long
     * prompts, hundreds an hour: extraction or classification) joins the template's group, and its own day, heavy
     * enough to judge, rules out a harvest: it is not named through it.
     */
    @Test
    void aBatchJobOnACampaignsTemplateIsNotNamedThroughIt() {
        TopologyHarness h = start();
        long[] templates = farm(h, 16509);
        for (int k = 0; k < 200; k++) {
            h.send(harvest("batch-1", "203.0.113.10", BASE + 3 * HOUR + 60_000L + k * 1_000L, templates[3])
                    .setAsn(3356).setAccountCreatedAt(created(-2000)).setReasoningRequested(false)
                    .setPromptTokens(800).setCompletionTokens(150).build());
        }
        h.send(harvest("farm-30", "52.14.30.7", BASE + 4 * HOUR, templates[5]).setAsn(16509)
                .setAccountCreatedAt(created(30)).build());
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, CampaignProcessor.DETECTOR)).isNotEmpty();
        assertThat(alerts).filteredOn(a -> a.getAccounts().contains("batch-1"))
                .allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    @Test
    void aProductsUsersOnHomeNetworksAreNotACampaignOnTheirTemplatesAlone() {
        TopologyHarness h = start();
        farm(h, 7922);
        assertThat(h.alerts()).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    /**
     * Live, the graph's partition receives the edges of several link partitions interleaved differently in every run;
     * reordered within the grace period they must raise the same campaign alerts, tier for tier.
     */
    @Test
    void edgesReorderedWithinTheGracePeriodRaiseTheSameCampaigns() {
        TopologyHarness h = start();
        farm(h, 16509);
        List<TestRecord<String, CampaignEdge>> edges = h.campaignEdges();
        Set<String> inOrder = campaignPairs(h.alerts());
        assertThat(inOrder).isNotEmpty();
        // Reverse each run of edges that spans less than the 5-minute grace period.
        List<TestRecord<String, CampaignEdge>> reordered = new ArrayList<>();
        List<TestRecord<String, CampaignEdge>> run = new ArrayList<>();
        for (TestRecord<String, CampaignEdge> edge : edges) {
            if (!run.isEmpty() && edge.getValue().getEventTime() - run.get(0).getValue().getEventTime() >= 4 * 60_000L) {
                Collections.reverse(run);
                reordered.addAll(run);
                run.clear();
            }
            run.add(edge);
        }
        Collections.reverse(run);
        reordered.addAll(run);
        assertThat(reordered).as("the reordering changes the order").isNotEqualTo(edges);
        try (TopologyHarness other = new TopologyHarness(stateDir.resolve("reordered"), TopologyHarness.rules())) {
            other.sendCampaignEdges(reordered);
            assertThat(campaignPairs(other.alerts())).isEqualTo(inOrder);
        }
    }

    /**
     * An edge just past an epoch's end that arrives before or after the edge that closes the epoch: the epoch is
     * judged on the edges before its end either way, so the campaign keeps one id (here its first two links) and does
     * not take the later link's smaller key in one run and not the other.
     */
    @Test
    void anEpochIsJudgedOnTheEdgesBeforeItsEndWhateverTheirArrival() {
        long end = BASE + 10 * HOUR;
        String[] members = accounts("m", 20);
        TestRecord<String, CampaignEdge> first = edgeAt("PROMPT_CLUSTER:5-a", end - 10 * 60_000L, members);
        TestRecord<String, CampaignEdge> second = edgeAt("PROMPT_CLUSTER:6-a", end - 9 * 60_000L, members);
        TestRecord<String, CampaignEdge> justAfter = edgeAt("PROMPT_CLUSTER:0-a", end + 2 * 60_000L, members);
        TestRecord<String, CampaignEdge> closing = edgeAt("IP_PREFIX:10.9.9.0/24", end + 6 * 60_000L, "x1", "x2", "x3");
        TopologyHarness h = start();
        h.sendCampaignEdges(List.of(first, second, justAfter, closing));
        Set<String> inOrder = campaignPairs(h.alerts());
        String id = Alerts.alertId(CampaignProcessor.DETECTOR, SubjectType.ACCOUNT_CLUSTER,
                CampaignProcessor.SUBJECT_PREFIX + "PROMPT_CLUSTER:5-a", BASE);
        assertThat(inOrder).isNotEmpty().allSatisfy(pair -> assertThat(pair).startsWith(id));
        try (TopologyHarness other = new TopologyHarness(stateDir.resolve("late"), TopologyHarness.rules())) {
            other.sendCampaignEdges(List.of(first, second, closing, justAfter));
            assertThat(campaignPairs(other.alerts())).isEqualTo(inOrder);
        }
    }

    /**
     * After an outage the link partitions catch up at their own pace: one is an hour on while another still holds the
     * campaign's link with the smallest key, of the campaign's first epoch. The epoch waits for the slower partition,
     * so the campaign is first alerted under the id an uninterrupted run gives it, which had that link from the start.
     */
    @Test
    void anEpochWaitsForTheSlowestLinkPartitionSoACampaignTakesOneIdHoweverThePartitionsCaughtUp() {
        long end = BASE + 10 * HOUR;
        String[] members = accounts("m", 20);
        TestRecord<String, CampaignEdge> five = edgeAt("PROMPT_CLUSTER:5-a", end - 10 * 60_000L, members);
        TestRecord<String, CampaignEdge> six = edgeAt("PROMPT_CLUSTER:6-a", end - 9 * 60_000L, members);
        TestRecord<String, CampaignEdge> zero = edgeAt("PROMPT_CLUSTER:0-a", end - 8 * 60_000L, members);
        TestRecord<String, CampaignEdge> anHourOn = edgeAt("IP_PREFIX:10.9.9.0/24", end + 60 * 60_000L, "x1", "x2", "x3");
        long start = end - 60 * 60_000L;
        TopologyHarness h = start();
        h.sendCampaignRecords(List.of(TopologyHarness.progressMark(0, start), TopologyHarness.progressMark(1, start),
                five, six, zero, TopologyHarness.progressMark(1, end + 60 * 60_000L), anHourOn,
                TopologyHarness.progressMark(0, end + 60 * 60_000L)));
        Set<String> uninterrupted = campaignPairs(h.alerts());
        String id = Alerts.alertId(CampaignProcessor.DETECTOR, SubjectType.ACCOUNT_CLUSTER,
                CampaignProcessor.SUBJECT_PREFIX + "PROMPT_CLUSTER:0-a", BASE);
        assertThat(uninterrupted).isNotEmpty().allSatisfy(pair -> assertThat(pair).startsWith(id));
        try (TopologyHarness other = new TopologyHarness(stateDir.resolve("caught-up"), TopologyHarness.rules())) {
            // Partition 0 catches up first, an hour past the epoch; partition 1 is still before it.
            other.sendCampaignRecords(List.of(TopologyHarness.progressMark(1, start),
                    TopologyHarness.progressMark(0, start), five, six, anHourOn,
                    TopologyHarness.progressMark(0, end + 60 * 60_000L)));
            assertThat(campaignPairs(other.alerts())).as("the epoch waits for partition 1").isEmpty();
            other.sendCampaignRecords(List.of(zero, TopologyHarness.progressMark(1, end + 60 * 60_000L)));
            assertThat(campaignPairs(other.alerts())).isEqualTo(uninterrupted);
        }
    }

    /**
     * A campaign keeps the id it was first alerted under for the rest of its day: a link with a smaller key joining it
     * later does not start a second series of alerts for the same accounts.
     */
    @Test
    void aCampaignKeepsItsIdWhenALinkWithASmallerKeyJoinsLaterInTheDay() {
        long end = BASE + 10 * HOUR;
        String[] members = accounts("m", 20);
        String[] more = accounts("m", 30);
        TopologyHarness h = start();
        h.sendCampaignEdges(List.of(edgeAt("PROMPT_CLUSTER:5-a", end - 10 * 60_000L, members),
                edgeAt("PROMPT_CLUSTER:6-a", end - 9 * 60_000L, members),
                edgeAt("IP_PREFIX:10.9.9.0/24", end + 6 * 60_000L, "x1", "x2", "x3"),
                // An hour later the campaign has grown through a template band whose key sorts first.
                edgeAt("PROMPT_CLUSTER:0-a", end + 60 * 60_000L, more),
                edgeAt("IP_PREFIX:10.9.8.0/24", end + 90 * 60_000L, "y1", "y2", "y3")));
        List<DistillationAlert> alerts = h.alerts();
        List<DistillationAlert> campaigns = byDetector(alerts, CampaignProcessor.DETECTOR);
        assertThat(campaigns).isNotEmpty()
                .allSatisfy(a -> assertThat(a.getSubjectId()).isEqualTo("CAMPAIGN:PROMPT_CLUSTER:5-a"));
        // The members it gained are named under the id it already had.
        assertNamedAsMember(alerts, "m25", "CAMPAIGN:PROMPT_CLUSTER:5-a");
    }

    /**
     * After an outage the link partitions catch up at their own pace: an edge of the day before, arriving once the
     * graph's stream time is past midnight and the grace period, still joins that day's campaign (its day's graph is
     * kept two days), and the members it brings are named.
     */
    @Test
    void anEdgeOfTheDayBeforeArrivingAfterMidnightStillJoinsItsCampaign() {
        long midnight = BASE + 24 * HOUR;
        String[] members = accounts("m", 20);
        String[] more = accounts("m", 25);
        TopologyHarness h = start();
        h.sendCampaignEdges(List.of(edgeAt("PROMPT_CLUSTER:5-a", midnight - 20 * 60_000L, members),
                edgeAt("PROMPT_CLUSTER:6-a", midnight - 19 * 60_000L, members),
                edgeAt("IP_PREFIX:10.9.9.0/24", midnight + 30 * 60_000L, "x1", "x2", "x3"),
                edgeAt("PROMPT_CLUSTER:7-a", midnight - 10 * 60_000L, more)));
        assertThat(h.metric("late-dropped-total")).isZero();
        assertNamedAsMember(h.alerts(), "m22", "CAMPAIGN:PROMPT_CLUSTER:5-a");
    }

    /** A card's group counts over a week: its edges join the graph of the day they happen on, any day of it. */
    @Test
    void aCardGroupInTheMiddleOfItsWeekTiesIntoTheDaysGraph() {
        long end = BASE + 10 * HOUR;
        String[] members = accounts("c", 20);
        CampaignEdge card = new CampaignEdge("PAYMENT_FINGERPRINT:card-1", end - 10 * 60_000L, BASE - 3 * 86_400_000L,
                20L, List.of(members), 60L, 60L, 60L, 0L, 60L, 0L, List.of(), null, 0L, 0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 0L, 0L, 0L, 0L, 0L, 0L, NO_TALLIES, 0L, null);
        TopologyHarness h = start();
        h.sendCampaignEdges(List.of(new TestRecord<>(CampaignProcessor.KEY, card, Instant.ofEpochMilli(card.getEventTime())),
                edgeAt("PROMPT_CLUSTER:5-a", end - 9 * 60_000L, members),
                edgeAt("IP_PREFIX:10.9.9.0/24", end + 6 * 60_000L, "x1", "x2", "x3")));
        assertThat(h.metric("late-dropped-total")).as("the week's group is not late on its fourth day").isZero();
        assertThat(byDetector(h.alerts(), CampaignProcessor.DETECTOR)).isNotEmpty()
                .allSatisfy(a -> assertThat(a.getSubjectId()).isEqualTo("CAMPAIGN:PAYMENT_FINGERPRINT:card-1"));
    }

    /** An ACCOUNT_RISK alert of {@code account} names {@code campaign} as the cluster it is a member of. */
    private static void assertNamedAsMember(List<DistillationAlert> alerts, String account, String campaign) {
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo(account);
            assertThat(evidence(a, "cluster:" + campaign)).isPresent();
        });
    }

    /** {@code prefix0 .. prefix(n-1)}. */
    private static String[] accounts(String prefix, int n) {
        String[] accounts = new String[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = prefix + i;
        }
        return accounts;
    }

    private static TestRecord<String, CampaignEdge> edgeAt(String link, long time, String... accounts) {
        CampaignEdge edge = new CampaignEdge(link, time, BASE, (long) accounts.length, List.of(accounts), 60L, 60L,
                60L, 0L, 60L, 0L, List.of(), null, 0L, 0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 0L, 0L, 0L, 0L, 0L, 0L, NO_TALLIES, 0L, null);
        return new TestRecord<>(CampaignProcessor.KEY, edge, Instant.ofEpochMilli(time));
    }

    private static Set<String> campaignPairs(List<DistillationAlert> alerts) {
        return byDetector(alerts, CampaignProcessor.DETECTOR).stream()
                .map(a -> a.getAlertId() + " " + a.getSeverity()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static CampaignEdge edge(String link, List<String> others, String... accounts) {
        CampaignEdge edge = edge(link, accounts);
        edge.setOtherAccounts(others);
        return edge;
    }

    private static CampaignEdge edge(String link, String... accounts) {
        return new CampaignEdge(link, 0L, 0L, (long) accounts.length, List.of(accounts), 40L, 40L, 40L, 0L, 40L, 0L, List.of(), null, 0L, 0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 0L, 0L, 0L, 0L, 0L, 0L, NO_TALLIES, 0L, null);
    }

    @Test
    void aCampaignShapedByLongAnswersAloneIsJudgedOnlyBesideATraitAHostedProductsUsersDoNotShare() {
        DetectionRules rules = DetectionRules.defaults();
        // Two template bands from hosting addresses, 80 requests each: all first turns, reasoning on one in ten,
        // long answers on nine in ten.
        java.util.function.Function<Long, List<CampaignEdge>> templates = newAccountRequests ->
                twoTemplateBands((link, accounts) -> lightEdge(link, newAccountRequests, accounts));

        List<CampaignProcessor.Campaign> aged = CampaignProcessor.components(templates.apply(0L));
        assertThat(aged).hasSize(1);
        assertThat(CampaignProcessor.assess(rules, aged.get(0), 4, 4)).as("a hosted product's users").isNull();

        CampaignProcessor.Campaign young = CampaignProcessor.components(templates.apply(80L)).get(0);
        Assessment judged = CampaignProcessor.assess(rules, young, 4, 4);
        assertThat(judged).isNotNull();
        assertThat(judged.evidence()).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_long_answer_share_lower_bound");
            assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold());
        }).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_reasoning_share_lower_bound");
            assertThat(e.getValue()).isLessThan(e.getThreshold());
        });

        List<CampaignEdge> withCard = new ArrayList<>(templates.apply(0L));
        withCard.add(lightEdge("PAYMENT_FINGERPRINT:card-9", 0L, "a1", "a2", "a5", "a6", "a7"));
        // A card at its fan-in threshold is a trait of its own only where the rules do not ask it for a second one:
        // a school pays for its students' accounts on one product.
        assertThat(CampaignProcessor.assess(rules, CampaignProcessor.components(withCard).get(0), 4, 4))
                .as("a card shared at its fan-in threshold, needing a second trait").isNull();
        assertThat(CampaignProcessor.assess(cardsAlone(), CampaignProcessor.components(withCard).get(0), 4, 4))
                .as("a card shared at its fan-in threshold, a trait of its own").isNotNull();
    }

    /** The bundled rules as they were before a card at its fan-in threshold needed a second trait. */
    private static DetectionRules cardsAlone() {
        return DetectionRules.parse(TopologyHarness.rulesYaml("shared-card-second-trait: true",
                "shared-card-second-trait: false"));
    }

    @Test
    void aSchoolsCardDoesNotCorroborateItsStudentsTemplatesButNewAccountsOnItDo() {
        DetectionRules rules = DetectionRules.defaults();
        // A homework product's students on two template bands at home (reasoning-shaped, aged), five of them on the
        // card their school pays with, which is as shaped as its students are.
        List<CampaignEdge> edges = new ArrayList<>(twoTemplateBands((link, accounts) -> residentialEdge(link, 0L,
                accounts)));
        edges.add(residentialEdge("PAYMENT_FINGERPRINT:card-school", 0L, "a1", "a2", "a5", "a6", "a7"));
        assertThat(CampaignProcessor.assess(rules, CampaignProcessor.components(edges).get(0), 4, 4))
                .as("a school's card").isNull();
        assertThat(CampaignProcessor.assess(cardsAlone(), CampaignProcessor.components(edges).get(0), 4, 4))
                .as("the card a trait of its own").isNotNull();
        edges.set(2, newAccountsCardEdge("PAYMENT_FINGERPRINT:card-school", "a1", "a2", "a5", "a6", "a7"));
        assertThat(CampaignProcessor.assess(rules, CampaignProcessor.components(edges).get(0), 4, 4))
                .as("new accounts on the card").isNotNull();
    }

    @Test
    void aProductsUsersMovedToANewModelOnItsReleaseDayAreNotACampaignByThePivotAlone() {
        // A homework product's users on two template bands at home (reasoning-shaped, aged), every request to the
        // model released that day: the product changed its default.
        List<CampaignEdge> edges = twoTemplateBands((link, accounts) -> {
            CampaignEdge edge = residentialEdge(link, 0L, accounts);
            edge.setNewModelRequests(edge.getRequests());
            return edge;
        });
        CampaignProcessor.Campaign campaign = CampaignProcessor.components(edges).get(0);
        assertThat(CampaignProcessor.assess(DetectionRules.defaults(), campaign, 4, 4)).as("a product's upgrade")
                .isNull();
        DetectionRules pivotCorroborates = DetectionRules.parse(TopologyHarness.rulesYaml("pivot-corroborates: false",
                "pivot-corroborates: true"));
        Assessment asBefore = CampaignProcessor.assess(pivotCorroborates, campaign, 4, 4);
        assertThat(asBefore).as("the pivot a trait of its own").isNotNull();
        assertThat(asBefore.evidenceWithFired()).extracting(e -> e.getSignal()).contains("fired:MODEL_PIVOT");
    }

    @Test
    void oneSchoolsAddressDoesNotSpeakForTheSameAppsStudentsAtEveryOtherSchool() {
        DetectionRules rules = DetectionRules.defaults();
        // A homework app's students on two template bands at home, sixty of them; twenty are at one school whose
        // address is a group at the prefix link's fan-in threshold, as shaped as they are.
        String[] all = accounts("s", 60);
        List<CampaignEdge> edges = new ArrayList<>(List.of(
                residentialEdge("PROMPT_CLUSTER:0-aa", 0L, java.util.Arrays.copyOfRange(all, 0, 40)),
                residentialEdge("PROMPT_CLUSTER:1-bb", 0L, java.util.Arrays.copyOfRange(all, 20, 60)),
                residentialEdge("IP_PREFIX:198.19.7.0/24", 0L, java.util.Arrays.copyOfRange(all, 0, 20))));
        CampaignProcessor.Campaign oneSchool = CampaignProcessor.components(edges).get(0);
        assertThat(oneSchool.members).hasSize(60);
        assertThat(CampaignProcessor.assess(rules, oneSchool, 4, 4)).as("a third of its members at the address")
                .isNull();
        DetectionRules anyGroup = DetectionRules.parse(TopologyHarness.rulesYaml("  campaign-trait-coverage: 0.5\n",
                ""));
        assertThat(CampaignProcessor.assess(anyGroup, oneSchool, 4, 4)).as("any one group, as before").isNotNull();

        // The same sixty behind three addresses of their own, twenty at each: the groups hold every member.
        edges.add(residentialEdge("IP_PREFIX:198.19.8.0/24", 0L, java.util.Arrays.copyOfRange(all, 20, 40)));
        edges.add(residentialEdge("IP_PREFIX:198.19.9.0/24", 0L, java.util.Arrays.copyOfRange(all, 40, 60)));
        Assessment everyMember = CampaignProcessor.assess(rules, CampaignProcessor.components(edges).get(0), 4, 4);
        assertThat(everyMember).isNotNull();
        assertThat(everyMember.evidence()).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("campaign_trait_coverage");
            assertThat(e.getValue()).isEqualTo(1.0);
        });
    }

    @Test
    void oneNewStudentSendingMostOfASchoolsCardDoesNotMakeTheCampaignNewAccounts() {
        DetectionRules rules = DetectionRules.defaults();
        // The students' templates and their school's card as above, the card's requests nearly all from new accounts,
        // but one member of its five is new: the heaviest student, not a campaign of fresh accounts.
        List<CampaignEdge> edges = new ArrayList<>(twoTemplateBands((link, accounts) -> residentialEdge(link, 0L,
                accounts)));
        edges.add(newAccountsCardEdge("PAYMENT_FINGERPRINT:card-school", 1, "a1", "a2", "a5", "a6", "a7"));
        CampaignProcessor.Campaign campaign = CampaignProcessor.components(edges).get(0);
        assertThat(CampaignProcessor.assess(rules, campaign, 4, 4)).as("one new member of five").isNull();

        DetectionRules byRequests = DetectionRules.parse(TopologyHarness.rulesYaml("new-accounts-by-members: true",
                "new-accounts-by-members: false"));
        Assessment judged = CampaignProcessor.assess(byRequests, campaign, 4, 4);
        assertThat(judged).as("new accounts counted by requests alone").isNotNull();
        assertThat(judged.evidenceWithFired()).extracting(e -> e.getSignal()).contains("fired:NEW_ACCOUNTS");

        // A window written before members were counted: the card's requests speak alone, as before.
        edges.set(2, newAccountsCardEdge("PAYMENT_FINGERPRINT:card-school", 1, "a1", "a2", "a5", "a6", "a7"));
        edges.get(2).setNewMembers(null);
        assertThat(CampaignProcessor.assess(rules, CampaignProcessor.components(edges).get(0), 4, 4))
                .as("new members not known").isNotNull();
    }

    @Test
    void aHouseholdsCardTiesAProductsUsersButItsOneNewHeavyMemberDoesNotMakeTheirCampaignYoung() {
        DetectionRules rules = DetectionRules.defaults();
        // A product's users on two template bands at home (reasoning-shaped, aged, nothing corroborates them), and a
        // card three of them share whose requests are nearly all one new member's, more than the bands hold.
        List<CampaignEdge> edges = new ArrayList<>(twoTemplateBands((link, accounts) -> residentialEdge(link, 0L,
                accounts)));
        edges.add(newAccountsCardEdge("PAYMENT_FINGERPRINT:card-household", 1, "a1", "a2", "a5"));
        List<CampaignProcessor.Campaign> campaigns = CampaignProcessor.components(edges);
        assertThat(campaigns).hasSize(1);
        assertThat(campaigns.get(0).members).contains("a1", "a5", "a6");
        assertThat(CampaignProcessor.assess(rules, campaigns.get(0), 4, 4)).as("judged on its templates").isNull();

        // The same card at its fan-in threshold speaks for the campaign: judged on it, its new accounts corroborate.
        edges.set(2, newAccountsCardEdge("PAYMENT_FINGERPRINT:card-shared", "a1", "a2", "a5", "a7", "a8"));
        Assessment judged = CampaignProcessor.assess(rules, CampaignProcessor.components(edges).get(0), 4, 4);
        assertThat(judged).isNotNull();
        assertThat(judged.evidence()).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_requests");
            assertThat(e.getValue()).isEqualTo(150.0);
        }).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_new_account_share");
            assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold());
        });
    }

    @Test
    void aCampaignShapedByLongAnswersOnRentedMachinesIsJudgedWhenItsMembersRunOneConfigurationEachFromItsOwnAddress() {
        DetectionRules rules = DetectionRules.defaults();
        DetectionRules.Group g = rules.groupOrDefault();
        // Two template bands from hosting addresses on aged accounts, reasoning on one in ten, long answers on nine in
        // ten; each band's edge has six members judged, none without reasoning, so the union has twelve.
        java.util.function.BiFunction<Double, Long, Assessment> judged = (dispersion, distinct) ->
                CampaignProcessor.assess(rules, CampaignProcessor.components(twoTemplateBands((link, accounts) ->
                        rentedEdge(link, dispersion, distinct, 0L, accounts))).get(0), 4, 4);

        Assessment oneConfiguration = judged.apply(4.0, 6L);
        assertThat(oneConfiguration).isNotNull();
        assertThat(oneConfiguration.evidence()).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_member_addresses_distinct_share");
            assertThat(e.getValue()).isEqualTo(1.0);
        }).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_members_reasoning_dispersion");
            assertThat(e.getValue()).isLessThanOrEqualTo(e.getThreshold());
        });
        assertThat(judged.apply(4.0, 1L)).as("a product's users behind its gateway").isNull();
        assertThat(judged.apply(g.dispersionThreshold(11) / 2 + 1, 6L)).as("members each at their own setting")
                .isNull();
        // Each member from another address at each call, and from another /24 nine times in ten: a product's
        // serverless functions leaving from the cloud's pool, not machines of the members' own.
        Assessment serverless = CampaignProcessor.assess(rules, CampaignProcessor.components(twoTemplateBands(
                (link, accounts) -> rentedEdge(link, 4.0, 6L, 11L, accounts))).get(0), 4, 4);
        assertThat(serverless).as("members leaving from another block at each call").isNull();
        assertThat(oneConfiguration.evidence()).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_member_block_kept_share");
            assertThat(e.getValue()).isEqualTo(1.0);
        });
    }

    @Test
    void aCampaignOfSeveralTemplatesJudgesEachMemberOnItsRequestsThroughAllOfThem() {
        DetectionRules rules = DetectionRules.defaults();
        DetectionRules.Group g = rules.groupOrDefault();
        // Five templates from hosting addresses on aged accounts, long answers to the requests without reasoning: 40
        // accounts send each template two requests, each from its own /24. Two is under split-member-requests, so no
        // template alone judges a member; over the five each member has sent ten.
        List<CampaignEdge> oneOperator = fiveTemplates(rules, (member, request) -> request % 10 == member % 10);
        Assessment judged = CampaignProcessor.assess(rules, CampaignProcessor.components(oneOperator).get(0), 4, 4);
        assertThat(judged).as("one operator's script, one request in ten asking for reasoning").isNotNull();
        assertThat(judged.evidence()).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_members_judged");
            assertThat(e.getValue()).isEqualTo(40.0);
        }).anySatisfy(e -> {
            assertThat(e.getSignal()).isEqualTo("group_member_block_kept_share");
            assertThat(e.getValue()).isEqualTo(1.0);
        });

        List<CampaignEdge> untallied = oneOperator.stream().map(edge -> CampaignEdge.newBuilder(edge)
                .setMemberTallies(NO_TALLIES).build()).toList();
        assertThat(CampaignProcessor.assess(rules, CampaignProcessor.components(untallied).get(0), 4, 4))
                .as("each template's members alone, none of them judged").isNull();

        // A tool that half its users run with reasoning on and half with it off: the same templates, addresses and
        // long answers, its members configured apart over the five templates.
        List<CampaignEdge> tool = fiveTemplates(rules, (member, request) -> member < 20);
        CampaignProcessor.Campaign users = CampaignProcessor.components(tool).get(0);
        assertThat(CampaignProcessor.overTemplates(g, new ArrayList<>(users.links.values())).apart(g)).isTrue();
        assertThat(CampaignProcessor.assess(rules, users, 4, 4)).as("a tool its users configure").isNull();
    }

    /**
     * Five template bands of one SimHash table, each sent two requests by each of 40 aged accounts from a /24 of
     * their own on a cloud; {@code asks} tells whether member m's request r (0-9 over the five) asked for reasoning,
     * and the requests that did not got long answers.
     */
    private static List<CampaignEdge> fiveTemplates(DetectionRules rules,
                                                    java.util.function.BiPredicate<Integer, Integer> asks) {
        List<CampaignEdge> edges = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            io.distillguard.topology.state.LinkWindowStats stats = LinkRiskProcessor.empty();
            for (int r = 0; r < 2; r++) {
                for (int m = 0; m < 40; m++) {
                    boolean reasoning = asks.test(m, 2 * t + r);
                    stats = LinkRiskProcessor.add(rules, 50, new io.distillguard.topology.state.LinkRequest(
                            BASE + ((t * 2L + r) * 40 + m) * 60_000L, "m" + m, reasoning, true,
                            BASE - 400 * 86_400_000L, "frontier-2", 0x0123_4567_89ab_cdefL, 16509, null,
                            !reasoning, 1000 + m, m + 1), stats, null, true, true, true, false, false, false);
                }
            }
            edges.add(CampaignProcessor.edge("PROMPT_CLUSTER:0-t" + t, BASE, BASE, stats, 40L, List.of(),
                    LinkRiskProcessor.memberSplit(rules.groupOrDefault(), stats.getSampleReasoning(),
                            stats.getReasoning(), stats.getRequests())).value);
        }
        return edges;
    }

    @Test
    void hostingBlocksThatAccountsOnlyPassThroughTieThemButCountNothingUnlessTheyComeBack() {
        DetectionRules rules = DetectionRules.defaults();
        // 30 blocks of a cloud's address space, three accounts each, chained: four first turns a block, three asking
        // for reasoning, the fourth with a long answer. Each block is shaped on its point shares by four requests, which a
        // product's users passing through a shared egress pool give by chance; none at its lower bounds.
        java.util.function.LongFunction<List<CampaignEdge>> blocks = returns -> {
            List<CampaignEdge> edges = new ArrayList<>();
            for (int b = 0; b < 30; b++) {
                edges.add(new CampaignEdge("IP_PREFIX:52.80." + b + ".0/24", 0L, 0L, 3L,
                        List.of("p" + b, "p" + (b + 1), "p" + (b + 2)), 4L, 3L, 4L, 0L, 4L, 0L, List.of(), null, 1L,
                        0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 3L, 3L, returns, 0L, 0L, 0L, NO_TALLIES, 0L, null));
            }
            return edges;
        };
        List<CampaignProcessor.Campaign> passing = CampaignProcessor.components(blocks.apply(0L));
        assertThat(passing).hasSize(1);
        assertThat(passing.get(0).links).hasSize(30);
        assertThat(CampaignProcessor.assess(rules, passing.get(0), 4, 4)).as("accounts passing through").isNull();

        assertThat(CampaignProcessor.assess(rules, CampaignProcessor.components(blocks.apply(3L)).get(0), 4, 4))
                .as("accounts that came back to their blocks").isNotNull();
        DetectionRules everyBlock = DetectionRules.parse(TopologyHarness.rulesYaml("block-min-returns: 3",
                "block-min-returns: 0"));
        assertThat(CampaignProcessor.assess(everyBlock, passing.get(0), 4, 4)).as("every shaped block counted")
                .isNotNull();
    }

    /** Six members judged a band (weighted a quarter), twelve of their requests after one of theirs, changes of them. */
    private static CampaignEdge rentedEdge(String link, double dispersion, long distinct, long blockChanges,
                                           String... accounts) {
        return new CampaignEdge(link, 0L, 0L, (long) accounts.length, List.of(accounts), 80L, 8L, 80L, 0L, 80L, 0L,
                List.of(), null, 72L, 0L, 0L, 24L, 0L, 0.5, 0.45, 4 * dispersion, 24L, 4 * distinct, 48L,
                4 * blockChanges, 0L, 0L, NO_TALLIES, 0L, null);
    }

    @Test
    void aCampaignOfTemplatesOnHomeNetworksIsJudgedWhenItsMembersRoamAndThenHeldForEachMember() {
        DetectionRules rules = DetectionRules.defaults();
        // Two template bands from residential addresses on aged accounts, reasoning on every first turn: a
        // product's users, unless its members arrive from a third network at nearly every request.
        java.util.function.Function<Long, List<CampaignEdge>> templates = roams ->
                twoTemplateBands((link, accounts) -> residentialEdge(link, roams, accounts));
        assertThat(CampaignProcessor.assess(rules, CampaignProcessor.components(templates.apply(2L)).get(0), 4, 4))
                .as("members going back and forth between home and phone").isNull();

        Assessment roaming = CampaignProcessor.assess(rules, CampaignProcessor.components(templates.apply(36L)).get(0),
                4, 4);
        assertThat(roaming).isNotNull();
        assertThat(roaming.heldForMembers()).isTrue();
        assertThat(roaming.risk()).as("its own alert under HIGH").isLessThan(2.5);
        assertThat(roaming.memberRisk()).isGreaterThan(roaming.risk());
        assertThat(roaming.evidenceWithFired()).extracting(e -> e.getSignal())
                .contains("fired:ROAMING_MEMBERS", "group_roaming_share_lower_bound");
    }

    /** Two template bands' edges sharing two of their four accounts. */
    private static List<CampaignEdge> twoTemplateBands(
            java.util.function.BiFunction<String, String[], CampaignEdge> edgeOf) {
        return List.of(edgeOf.apply("PROMPT_CLUSTER:0-aa", new String[] {"a1", "a2", "a3", "a4"}),
                edgeOf.apply("PROMPT_CLUSTER:1-bb", new String[] {"a3", "a4", "a5", "a6"}));
    }

    /** A template band's edge from residential addresses, 60 first turns with reasoning, 40 counted repeats. */
    private static CampaignEdge residentialEdge(String link, long roams, String... accounts) {
        return new CampaignEdge(link, 0L, 0L, (long) accounts.length, List.of(accounts), 60L, 60L, 60L, 0L, 0L, 0L,
                List.of(), null, 0L, 40L, roams, 0L, 0L, 0.0, 0.0, 0.0, 0L, 0L, 0L, 0L, 0L, 0L, NO_TALLIES, 0L, null);
    }

    /** A card's edge of 150 first turns with reasoning, 140 of them from new accounts, every member new. */
    private static CampaignEdge newAccountsCardEdge(String link, String... accounts) {
        return newAccountsCardEdge(link, accounts.length, accounts);
    }

    /** A card's edge of 150 first turns with reasoning, 140 of them from new accounts, {@code newMembers} new. */
    private static CampaignEdge newAccountsCardEdge(String link, long newMembers, String... accounts) {
        return new CampaignEdge(link, 0L, 0L, (long) accounts.length, List.of(accounts), 150L, 150L, 150L, 140L, 0L,
                0L, List.of(), null, 0L, 0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 0L, 0L, 0L, 0L, 0L, 0L, NO_TALLIES,
                (long) accounts.length, newMembers);
    }

    private static CampaignEdge lightEdge(String link, long newAccountRequests, String... accounts) {
        return new CampaignEdge(link, 0L, 0L, (long) accounts.length, List.of(accounts), 80L, 8L, 80L,
                newAccountRequests, 80L, 0L, List.of(), null, 72L, 0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 0L, 0L, 0L, 0L, 0L, 0L, NO_TALLIES, 0L, null);
    }

    @Test
    void oneAccountNeverTiesTwoGroupsAndTheOrderOfEdgesChangesNothing() {
        List<CampaignEdge> edges = new ArrayList<>(List.of(
                edge("PROMPT_CLUSTER:0-a", "a1", "a2", "a3", "shared"),
                edge("PROMPT_CLUSTER:1-a", "a1", "a2", "a3", "shared"),
                edge("IP_PREFIX:10.0.0.0/24", "b1", "b2", "b3", "shared"),
                edge("PAYMENT_FINGERPRINT:card", "b1", "b2", "b3")));
        List<CampaignProcessor.Campaign> once = CampaignProcessor.components(edges);
        assertThat(once).hasSize(2);
        assertThat(once).anySatisfy(c -> assertThat(c.members).containsExactly("a1", "a2", "a3", "shared"));
        // "shared" is in one link of the second group only: not one of its members.
        assertThat(once).anySatisfy(c -> assertThat(c.members).containsExactly("b1", "b2", "b3"));
        Collections.shuffle(edges, new Random(1));
        List<CampaignProcessor.Campaign> again = CampaignProcessor.components(edges);
        assertThat(again).extracting(c -> c.id() + c.members).containsExactlyElementsOf(
                once.stream().map(c -> c.id() + c.members).toList());
    }

    @Test
    void anAccountInMoreGroupsThanTheBoundTiesTheSameGroupsWhateverOrderItsEdgesArriveIn() {
        // Two heavy accounts in 70 address blocks each (an eval harness on a campaign's proxies, say) and a light
        // pair in the two largest: live, edges are applied in event-time order; after a restart or a task's move the
        // graph is rebuilt from the store in key order. Both must give the same campaigns.
        List<CampaignEdge> edges = new ArrayList<>();
        int groups = AccountGraph.MAX_LINKS_PER_ACCOUNT + 6;
        for (int i = 0; i < groups; i++) {
            String key = String.format("IP_PREFIX:10.0.%03d.0/24", i);
            edges.add(i >= groups - 2 ? edge(key, "heavy-1", "heavy-2", "light-1", "light-2")
                    : edge(key, "heavy-1", "heavy-2"));
        }
        List<String> byKey = shapes(CampaignProcessor.components(edges));
        assertThat(byKey).as("campaigns from edges in key order").isNotEmpty();
        Collections.reverse(edges);
        assertThat(shapes(CampaignProcessor.components(edges))).as("in reverse order").isEqualTo(byKey);
        for (int seed = 1; seed <= 5; seed++) {
            Collections.shuffle(edges, new Random(seed));
            assertThat(shapes(CampaignProcessor.components(edges))).as("shuffled, seed %d", seed).isEqualTo(byKey);
        }
    }

    /** A campaign as the alerts would show it: its id, its links, its members and the tie of each. */
    private static List<String> shapes(List<CampaignProcessor.Campaign> campaigns) {
        return campaigns.stream().map(c -> c.id() + " " + c.links.keySet() + " " + c.members + " "
                + new java.util.TreeMap<>(c.paths)).toList();
    }

    @Test
    void twoAccountsInBothGroupsTieThemAndOneHarvestOnTheCampaignsTemplateJoinsButAnAddressBlockAloneDoesNot() {
        List<CampaignProcessor.Campaign> campaigns = CampaignProcessor.components(List.of(
                edge("PROMPT_CLUSTER:0-a", "a1", "a2", "x", "y"),
                edge("IP_PREFIX:10.0.0.0/24", "b1", "b2", "x", "y")));
        assertThat(campaigns).hasSize(1);
        // a1 and a2 harvested once on one of the campaign's templates: theirs; b1 and b2 only share the /24 (neighbours
        // behind one ISP's block) and need a second group of the campaign.
        assertThat(campaigns.get(0).members).containsExactly("a1", "a2", "x", "y");
        assertThat(campaigns.get(0).paths).containsEntry("a1", "PROMPT_CLUSTER:0-a");
        assertThat(campaigns.get(0).links).hasSize(2);
    }

    @Test
    void aSharedCardTiesItsHoldersAloneButASignupHourDoesNot() {
        List<CampaignProcessor.Campaign> campaigns = CampaignProcessor.components(List.of(
                edge("PAYMENT_FINGERPRINT:card-1", "c1", "x", "y"),
                edge("SIGNUP_COHORT:1700000000000|python-httpx", "s1", "s2", "x", "y")));
        assertThat(campaigns).hasSize(1);
        assertThat(campaigns.get(0).members).containsExactly("c1", "x", "y");
    }

    @Test
    void aTemplatesAccountsThatHarvestedNothingAreMembersButNeverTieTwoGroups() {
        List<CampaignProcessor.Campaign> campaigns = CampaignProcessor.components(List.of(
                edge("PROMPT_CLUSTER:0-a", List.of("f1", "both"), "a1", "a2", "x", "y"),
                edge("IP_PREFIX:10.0.0.0/24", List.of("n1"), "b1", "b2", "x", "y"),
                // Shares "both" and "f1" with the first group, but only as accounts that harvested nothing there.
                edge("PROMPT_CLUSTER:1-b", List.of("f1"), "c1", "c2", "both"),
                edge("PROMPT_CLUSTER:0-b", List.of(), "c1", "c2", "c3")));
        assertThat(campaigns).hasSize(2);
        CampaignProcessor.Campaign first = campaigns.get(0);
        assertThat(first.id()).isEqualTo("IP_PREFIX:10.0.0.0/24");
        // f1 and both followed up on the campaign's template: theirs; n1 is only in the /24 (an address block's
        // bystanders are not named on it, harvest or not).
        assertThat(first.members).containsExactly("a1", "a2", "both", "f1", "x", "y");
        assertThat(first.paths).containsEntry("f1", "PROMPT_CLUSTER:0-a");
        assertThat(campaigns.get(1).members).containsExactly("both", "c1", "c2", "c3", "f1");
    }
}
