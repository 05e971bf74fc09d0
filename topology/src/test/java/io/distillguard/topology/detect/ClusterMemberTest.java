package io.distillguard.topology.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.Evidence;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.state.SubjectWindowStats;
import org.junit.jupiter.api.Test;

/** A cluster's or campaign's implication, against what the implicated account's own day shows. */
class ClusterMemberTest {

    private final DetectionRules rules = DetectionRules.defaults();

    /** A day implicated in a HIGH campaign, with {@code requests} requests of which these ask for reasoning. */
    private static SubjectWindowStats implicatedDay(long requests, long reasoning, long firstTurns) {
        SubjectWindowStats day = SubjectProfile.empty();
        day.setRequests(requests);
        day.setReasoning(reasoning);
        day.setFirstTurns(firstTurns);
        day.setCluster("CAMPAIGN:PROMPT_CLUSTER:0-a");
        day.setClusterRisk(3.0);
        return day;
    }

    private boolean member(SubjectWindowStats day) {
        return SubjectSignals.assess(rules, SubjectProfile.empty(), day, null).evidenceWithFired().stream()
                .map(Evidence::getSignal).anyMatch("fired:CLUSTER_MEMBER"::equals);
    }

    @Test
    void aLightAccountIsJudgedByItsCampaign() {
        // Three requests, none with reasoning: too few to say anything of its own.
        assertThat(member(implicatedDay(3, 0, 3))).isTrue();
        assertThat(member(implicatedDay(20, 4, 20))).isTrue();
    }

    @Test
    void aHeavyAccountThatHarvestsAsItsCampaignDoesIsAMember() {
        assertThat(member(implicatedDay(400, 320, 390))).isTrue();
        // Reasoning on half its requests: the campaign's threshold (0.48) is within its interval.
        assertThat(member(implicatedDay(200, 100, 200))).isTrue();
    }

    @Test
    void anEvalHarnessOrABatchJobCrossingTheCampaignsGroupsIsNotAMember() {
        // A benchmark run: thousands of first turns, reasoning on 40 %.
        SubjectWindowStats harness = implicatedDay(3_000, 1_200, 3_000);
        assertThat(member(harness)).isFalse();
        Assessment assessment = SubjectSignals.assess(rules, SubjectProfile.empty(), harness, null);
        assertThat(assessment.evidenceWithFired()).extracting(Evidence::getSignal)
                .contains("cluster_not_counted:CAMPAIGN:PROMPT_CLUSTER:0-a", "own_reasoning_share_upper_bound");
        // A company's batch job on a template the campaign uses: no reasoning at all.
        assertThat(member(implicatedDay(500, 0, 500))).isFalse();
        // An agent product: reasoning, but long conversations.
        assertThat(member(implicatedDay(500, 300, 40))).isFalse();
    }

    @Test
    void aHeavyAccountThatAsksLittleReasoningButGetsLongAnswersToFirstTurnsStaysAMember() {
        // A harvest of outputs rather than reasoning traces: its own day does not refute the campaign's word.
        SubjectWindowStats day = implicatedDay(300, 60, 300);
        day.setLongAnswers(270L);
        assertThat(member(day)).isTrue();
        // The same day with answers as long as its prompts is a batch job's: refuted, and the evidence says by what.
        day.setLongAnswers(15L);
        assertThat(member(day)).isFalse();
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), day, null).evidenceWithFired())
                .extracting(Evidence::getSignal).contains("own_long_answer_share_upper_bound");
    }

    @Test
    void aMemberFromFourNetworksIsCountedOnlyWhenItLeftAnotherBlockAtThreeRequestsInFour() {
        SubjectWindowStats day = implicatedDay(11, 9, 11);
        day.setClusterNeedsNetworks(true);
        day.setAsnsEstimate(4.0);
        // A proxy rotating per request: another block at nine of the ten requests that followed one of its own.
        day.setBlockRepeats(10L);
        day.setBlockChanges(9L);
        assertThat(member(day)).isTrue();
        // A student who spent an hour at a café and another at a relative's: four networks, a while on each.
        day.setBlockChanges(6L);
        assertThat(member(day)).isFalse();
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), day, null).evidenceWithFired())
                .filteredOn(e -> e.getSignal().equals("own_block_changed_share_24h"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getValue()).isEqualTo(0.6);
                    assertThat(e.getThreshold()).isEqualTo(0.75);
                });
        // Without the key, networks alone, as before it.
        DetectionRules networksAlone = io.distillguard.topology.TopologyHarness.rules(
                "  roaming-member-block-share: 0.75\n", "");
        assertThat(SubjectSignals.assess(networksAlone, SubjectProfile.empty(), day, null).evidenceWithFired())
                .extracting(Evidence::getSignal).contains("fired:CLUSTER_MEMBER")
                .doesNotContain("own_block_changed_share_24h");
    }

    @Test
    void aGroupHeldForItsMembersCountsAnAccountOnlyOnceItsOwnDayCameFromFourNetworks() {
        SubjectWindowStats day = implicatedDay(6, 5, 6);
        day.setClusterNeedsNetworks(true);
        day.setBlockRepeats(5L);
        day.setBlockChanges(5L);
        // Home, school and the phone: a student, not a pool's account.
        day.setAsnsEstimate(3.0);
        assertThat(member(day)).isFalse();
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), day, null).evidenceWithFired())
                .extracting(Evidence::getSignal)
                .contains("own_distinct_asns_24h", "cluster_awaiting_own_networks:CAMPAIGN:PROMPT_CLUSTER:0-a");
        day.setAsnsEstimate(4.0);
        assertThat(member(day)).isTrue();
        // A plain implication needs no networks of its own.
        day.setClusterNeedsNetworks(false);
        day.setAsnsEstimate(1.0);
        assertThat(member(day)).isTrue();
    }
    /**
     * A day held for its own networks, built from real requests: one every three hours, each asking for reasoning on a
     * first turn, from the given networks and blocks.
     */
    private static SubjectWindowStats heldDay(long start, int[] asns, String[] blocks) {
        SubjectWindowStats day = SubjectProfile.empty();
        for (int i = 0; i < asns.length; i++) {
            SubjectProfile.add(new io.distillguard.topology.state.SubjectRequest(start + i * 3 * 3_600_000L, "acct-1",
                    100, 2_000, true, 0, (long) i, "math", (long) i * 0x9E3779B97F4A7C15L,
                    Sketches.hash(blocks[i] + "-host"), Sketches.hash(blocks[i]), asns[i], "US", null, 0.0, null, null,
                    0, null, false, false, false), day, SubjectProfile.Span.DAY);
        }
        day.setCluster("CAMPAIGN:PROMPT_CLUSTER:0-a");
        day.setClusterRisk(3.0);
        day.setClusterNeedsNetworks(true);
        return day;
    }

    @Test
    void aMemberThatNeverCameBackToABlockIsCountedFromThreeNetworks() {
        long day = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, 86_400_000L);
        // A residential pool over a country's few large ISPs: four households' blocks, the fourth on an ISP it
        // already used, so three networks.
        SubjectWindowStats pool = heldDay(day, new int[] {7922, 701, 22773, 701},
                new String[] {"73.1.2.0/24", "67.3.4.0/24", "98.5.6.0/24", "67.9.9.0/24"});
        assertThat(member(pool)).isTrue();
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), pool, null).evidenceWithFired())
                .filteredOn(e -> e.getSignal().equals("own_new_block_requests_24h"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getValue()).isEqualTo(4.0);
                    assertThat(e.getThreshold()).isEqualTo(4.0);
                });
        // A person whose day runs home, school, the phone and home again: three networks, back to the home block.
        SubjectWindowStats person = heldDay(day, new int[] {7922, 701, 22773, 7922},
                new String[] {"73.1.2.0/24", "67.3.4.0/24", "98.5.6.0/24", "73.1.2.0/24"});
        assertThat(member(person)).isFalse();
        // Three requests from three places: any light user's day; too few to tell.
        SubjectWindowStats light = heldDay(day, new int[] {7922, 701, 22773},
                new String[] {"73.1.2.0/24", "67.3.4.0/24", "98.5.6.0/24"});
        assertThat(member(light)).isFalse();
        // Two networks only, each request from a new block: a phone's carrier and home.
        SubjectWindowStats twoNetworks = heldDay(day, new int[] {7922, 22773, 22773, 22773},
                new String[] {"73.1.2.0/24", "98.5.6.0/24", "98.5.7.0/24", "98.5.8.0/24"});
        assertThat(member(twoNetworks)).isFalse();
        // Without the key, four networks as before it.
        DetectionRules networksAlone = io.distillguard.topology.TopologyHarness.rules(
                "  roaming-member-new-block-asns: 3\n", "");
        assertThat(SubjectSignals.assess(networksAlone, SubjectProfile.empty(), pool, null).evidenceWithFired())
                .extracting(Evidence::getSignal).doesNotContain("fired:CLUSTER_MEMBER", "own_new_block_requests_24h");
    }

    @Test
    void aMembersNewBlocksAreCountedOverItsDayAndTheDayBefore() {
        long today = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, 86_400_000L);
        long yesterday = today - 86_400_000L;
        // Three requests a day, a pool's: three yesterday, one today, every one from a block of its own.
        SubjectWindowStats before = heldDay(yesterday, new int[] {20115, 7922, 701},
                new String[] {"76.104.144.0/24", "73.180.231.0/24", "67.27.80.0/24"});
        SubjectWindowStats day = heldDay(today, new int[] {701}, new String[] {"98.181.120.0/24"});
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), day, before).evidenceWithFired())
                .extracting(Evidence::getSignal).contains("fired:CLUSTER_MEMBER", "own_new_block_requests_2d");
        // The same, today's request from yesterday's first block: it came back.
        SubjectWindowStats back = heldDay(today, new int[] {701}, new String[] {"76.104.144.0/24"});
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), back, before).evidenceWithFired())
                .extracting(Evidence::getSignal).doesNotContain("fired:CLUSTER_MEMBER")
                .contains("cluster_awaiting_own_networks:CAMPAIGN:PROMPT_CLUSTER:0-a");
        // A student's day: the school, two of the phone carrier's blocks, home, each new that day; it went from the
        // same school and home the day before.
        SubjectWindowStats school = heldDay(yesterday, new int[] {3754, 7922},
                new String[] {"198.18.1.0/24", "99.19.194.0/24"});
        SubjectWindowStats student = heldDay(today, new int[] {3754, 21928, 21928, 7922},
                new String[] {"198.18.1.0/24", "172.58.10.0/24", "172.58.11.0/24", "99.19.194.0/24"});
        assertThat(member(student)).isTrue();
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), student, school).evidenceWithFired())
                .extracting(Evidence::getSignal).doesNotContain("fired:CLUSTER_MEMBER", "own_new_block_requests_24h")
                .contains("own_new_block_requests_2d");
    }

    /**
     * A hosted client's member's day held for its own shape: a request every three hours from one block, each a first
     * turn with a long answer, asking for reasoning where {@code reasoning} says; its blocks listed unless
     * {@code listsBlocks} is false, as a build before the lists wrote a day.
     */
    private static SubjectWindowStats shapeHeldDay(long start, boolean[] reasoning, boolean listsBlocks) {
        SubjectWindowStats day = SubjectProfile.empty();
        for (int i = 0; i < reasoning.length; i++) {
            SubjectProfile.add(new io.distillguard.topology.state.SubjectRequest(start + i * 3 * 3_600_000L, "acct-1",
                    100, 2_000, reasoning[i], 0, (long) i, "math", (long) i * 0x9E3779B97F4A7C15L,
                    Sketches.hash("100.64.1.9"), Sketches.hash("100.64.1.0/24"), 16509, "US", null, 0.0, null, null,
                    0, null, false, false, false), day, SubjectProfile.Span.DAY, Sketches.running(0, 1), listsBlocks);
        }
        day.setCluster("HOSTED_CLIENT:16509|python-httpx/0.27");
        day.setClusterRisk(3.0);
        return day;
    }

    @Test
    void aHeldMembersOutputsAreCountedOverTwoDaysOnlyWhenBothListTheirBlocks() {
        long today = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, 86_400_000L);
        long yesterday = today - 86_400_000L;
        // Four requests a day from one machine, reasoning on three of each four: six of eight is under the reasoning
        // threshold at its bound, its eight outputs over it; one day's four first turns are too few for their bound.
        boolean[] threeInFour = {true, false, true, true};
        SubjectWindowStats day = shapeHeldDay(today, threeInFour, true);
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), day, shapeHeldDay(yesterday, threeInFour, true))
                .evidenceWithFired()).extracting(Evidence::getSignal)
                .contains("fired:CLUSTER_MEMBER", "own_blocks_2d", "own_output_share_lower_bound_2d");
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), day, null).evidenceWithFired())
                .extracting(Evidence::getSignal).doesNotContain("fired:CLUSTER_MEMBER");
        // The day before written without its blocks: where its requests came from is unknown, and it is not counted.
        assertThat(SubjectSignals.assess(rules, SubjectProfile.empty(), day, shapeHeldDay(yesterday, threeInFour, false))
                .evidenceWithFired()).extracting(Evidence::getSignal)
                .doesNotContain("fired:CLUSTER_MEMBER", "own_output_share_lower_bound_2d");
    }
}
