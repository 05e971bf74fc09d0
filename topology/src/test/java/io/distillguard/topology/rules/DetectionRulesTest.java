package io.distillguard.topology.rules;

import static io.distillguard.topology.TopologyHarness.BASE;
import static io.distillguard.topology.TopologyHarness.byDetector;
import static io.distillguard.topology.TopologyHarness.request;
import static io.distillguard.topology.TopologyHarness.rulesYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.topology.TopologyHarness;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionRulesTest {

    @TempDir
    Path stateDir;

    @Test
    void bundledRulesParseAndNameTheirVersion() {
        DetectionRules rules = DetectionRules.defaults();
        assertThat(rules.version()).isNotBlank();
        assertThat(rules.subject().volume().requests1h()).isEqualTo(1000);
        assertThat(rules.effectiveFromMs()).isEqualTo(Long.MIN_VALUE);
        assertThat(DetectionRules.parse(rules.toYaml())).isEqualTo(rules);
        // A document without a group or rotation section is judged on the bundled values of those sections.
        assertThat(rules.group()).isEqualTo(DetectionRules.Group.DEFAULT);
        assertThat(rules.subject().rotation()).isEqualTo(DetectionRules.Rotation.DEFAULT);
    }

    @Test
    void oneNetworkNeedsItsShareOfEnoughMembersAndZeroTurnsItOff() {
        DetectionRules.Group g = DetectionRules.Group.DEFAULT;
        // Judged beyond chance: ten members all on one network could be a product's users on a dominant provider.
        assertThat(g.oneNetwork(10, 10)).isFalse();
        assertThat(g.oneNetwork(22, 22)).isTrue();
        assertThat(g.oneNetwork(50, 48)).isTrue();
        assertThat(g.oneNetwork(50, 40)).isFalse();
        DetectionRules.Group off = DetectionRules.parse(rulesYaml("one-network-share: 0.8", "one-network-share: 0"))
                .groupOrDefault();
        assertThat(off.oneNetwork(50, 50)).isFalse();
    }

    @Test
    void membersFirstStepsCountTowardsRoamingUnlessTurnedOffAndADocumentWithoutTheKeyCountsThem() {
        DetectionRules.Group g = DetectionRules.Group.DEFAULT;
        assertThat(g.roamingTrials(3, 20)).isEqualTo(23);
        assertThat(g.roamingHits(2, 18)).isEqualTo(20);
        assertThat(g.roaming(g.roamingHits(0, 18), g.roamingTrials(0, 20))).isTrue();
        DetectionRules.Group off = DetectionRules.parse(rulesYaml("roaming-first-steps: true", "roaming-first-steps: false"))
                .groupOrDefault();
        assertThat(off.roamingTrials(3, 20)).isEqualTo(3);
        assertThat(off.roaming(off.roamingHits(0, 18), off.roamingTrials(0, 20))).isFalse();
        DetectionRules.Group absent = DetectionRules.parse(rulesYaml("  roaming-first-steps: true\n", ""))
                .groupOrDefault();
        assertThat(absent.roamingFirstStepsOrDefault()).isTrue();
    }

    @Test
    void aCardIsJudgedFromTwoAccountsAndADocumentWithoutTheKeyJudgesItFromTheFanInThreshold() {
        DetectionRules rules = DetectionRules.defaults();
        long fanIn = rules.link().paymentAccounts7d();
        assertThat(rules.groupOrDefault().cardMinAccounts(fanIn)).isEqualTo(2);
        assertThat(rules.groupOrDefault().cardMinAccounts(1)).isEqualTo(1);
        DetectionRules.Group absent = DetectionRules.parse(rulesYaml("  card-min-accounts: 2\n", "")).groupOrDefault();
        assertThat(absent.cardMinAccounts(fanIn)).isEqualTo(fanIn);
    }

    @Test
    void aHeldGroupIsJudgedFromTwelveRequestsAndADocumentWithoutTheKeyFromTheClusterFloor() {
        DetectionRules rules = DetectionRules.defaults();
        long floor = rules.link().clusterMinRequests();
        assertThat(rules.groupOrDefault().heldMinRequests(floor)).isEqualTo(12);
        assertThat(rules.groupOrDefault().heldMinRequests(8)).isEqualTo(8);
        DetectionRules.Group absent = DetectionRules.parse(rulesYaml("  held-min-requests: 12\n", "")).groupOrDefault();
        assertThat(absent.heldMinRequests(floor)).isEqualTo(floor);
    }

    @Test
    void aCardOfAFewIsHeldForItsMembersAndADocumentWithoutTheKeyWaitsForItsRoaming() {
        assertThat(DetectionRules.defaults().groupOrDefault().cardHeldForMembersOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("  card-held-for-members: true\n", "")).groupOrDefault()
                .cardHeldForMembersOrDefault()).isFalse();
        assertThat(DetectionRules.parse(rulesYaml("card-held-for-members: true", "card-held-for-members: false"))
                .groupOrDefault().cardHeldForMembersOrDefault()).isFalse();
    }

    @Test
    void aSharedCardIsHeldOnItsPointSharesAndADocumentWithoutTheKeyJudgesItOnItsBounds() {
        assertThat(DetectionRules.defaults().groupOrDefault().sharedCardHeldAtPointOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("  shared-card-held-at-point: true\n", "")).groupOrDefault()
                .sharedCardHeldAtPointOrDefault()).isFalse();
        assertThat(DetectionRules.parse(rulesYaml("shared-card-held-at-point: true", "shared-card-held-at-point: false"))
                .groupOrDefault().sharedCardHeldAtPointOrDefault()).isFalse();
    }

    @Test
    void aSharedCardIsHeldOnItsFirstTurnsAndADocumentWithoutTheKeyDoesNotJudgeThem() {
        assertThat(DetectionRules.defaults().groupOrDefault().sharedCardFirstTurnsOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("  shared-card-first-turns: true\n", "")).groupOrDefault()
                .sharedCardFirstTurnsOrDefault()).isFalse();
    }

    @Test
    void aHostedBlockIsJudgedOnItsFirstTurnsAndADocumentWithoutTheKeyDoesNotJudgeThem() {
        assertThat(DetectionRules.defaults().groupOrDefault().hostingBlockFirstTurnsOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("  hosting-block-first-turns: true\n", "")).groupOrDefault()
                .hostingBlockFirstTurnsOrDefault()).isFalse();
    }

    @Test
    void aHeldMemberIsCountedOnNewBlocksFromThreeNetworksAndADocumentWithoutTheKeyCountsNetworksAlone() {
        assertThat(DetectionRules.defaults().groupOrDefault().roamingMemberNewBlockAsnsOrDefault()).isEqualTo(3);
        assertThat(DetectionRules.parse(rulesYaml("  roaming-member-new-block-asns: 3\n", "")).groupOrDefault()
                .roamingMemberNewBlockAsnsOrDefault()).isZero();
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("roaming-member-new-block-asns: 3",
                "roaming-member-new-block-asns: -1"))).hasMessageContaining("group.roaming-member-new-block-asns");
    }

    @Test
    void theProfileJudgesTheRequestsThatOpenConversationsAndADocumentWithoutTheKeyItsSingleTurns() {
        DetectionRules.Extraction bundled = DetectionRules.defaults().subject().extraction();
        assertThat(bundled.judgesOpeners()).isTrue();
        assertThat(bundled.openerShare()).isEqualTo(0.4);
        assertThat(DetectionRules.parse(rulesYaml("    opener-share: 0.4\n", "")).subject().extraction()
                .judgesOpeners()).isFalse();
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("    opener-share: 0.4\n", "    opener-share: 1.4\n")))
                .isInstanceOf(DetectionRules.InvalidRulesException.class).hasMessageContaining("subject.extraction.opener-share");
    }

    @Test
    void aHeldMemberIsJudgedOnItsOutputsAndADocumentWithoutTheKeyJudgesItsReasoningAlone() {
        assertThat(DetectionRules.defaults().groupOrDefault().heldMemberOutputsOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("  held-member-outputs: true\n", "")).groupOrDefault()
                .heldMemberOutputsOrDefault()).isFalse();
    }

    @Test
    void aHeldMemberIsJudgedOnItsOpenersAndADocumentWithoutTheKeyDoesNotJudgeThem() {
        assertThat(DetectionRules.defaults().groupOrDefault().heldMemberOpenersOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("  held-member-openers: true\n", "")).groupOrDefault()
                .heldMemberOpenersOrDefault()).isFalse();
    }

    @Test
    void aSharedCardNeedsASecondTraitAndADocumentWithoutTheKeyJudgesItOnItsShape() {
        assertThat(DetectionRules.defaults().groupOrDefault().sharedCardSecondTraitOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("  shared-card-second-trait: true\n", "")).groupOrDefault()
                .sharedCardSecondTraitOrDefault()).isFalse();
        assertThat(DetectionRules.parse(rulesYaml("shared-card-second-trait: true", "shared-card-second-trait: false"))
                .groupOrDefault().sharedCardSecondTraitOrDefault()).isFalse();
    }

    @Test
    void newAccountsAreCountedByMembersTooAndADocumentWithoutTheKeyCountsRequestsAlone() {
        DetectionRules.Group g = DetectionRules.defaults().groupOrDefault();
        assertThat(g.newAccountsByMembersOrDefault()).isTrue();
        assertThat(g.young(0.5, 0.9, 1L, 5)).as("one new member of five").isFalse();
        assertThat(g.young(0.5, 0.9, 3L, 5)).isTrue();
        assertThat(g.young(0.5, 0.4, 5L, 5)).as("new members, few of the requests").isFalse();
        assertThat(g.young(0.5, 0.9, null, 5)).as("members not counted").isTrue();
        DetectionRules.Group without = DetectionRules.parse(rulesYaml("  new-accounts-by-members: true\n", ""))
                .groupOrDefault();
        assertThat(without.newAccountsByMembersOrDefault()).isFalse();
        assertThat(without.young(0.5, 0.9, 1L, 5)).isTrue();
    }

    @Test
    void aCampaignsAddressGroupsMustHoldHalfItsMembersAndADocumentWithoutTheKeyTakesAnyOne() {
        assertThat(DetectionRules.defaults().groupOrDefault().campaignTraitCoverageOrDefault()).isEqualTo(0.5);
        assertThat(DetectionRules.parse(rulesYaml("  campaign-trait-coverage: 0.5\n", "")).groupOrDefault()
                .campaignTraitCoverageOrDefault()).isZero();
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("campaign-trait-coverage: 0.5",
                "campaign-trait-coverage: 1.5"))).hasMessageContaining("group.campaign-trait-coverage");
    }

    @Test
    void aPivotIsNoSecondTraitOfItsOwnAndADocumentWithoutTheKeyLetsItCorroborate() {
        assertThat(DetectionRules.defaults().groupOrDefault().pivotCorroboratesOrDefault()).isFalse();
        assertThat(DetectionRules.Group.DEFAULT.pivotCorroboratesOrDefault()).isFalse();
        assertThat(DetectionRules.parse(rulesYaml("  pivot-corroborates: false\n", "")).groupOrDefault()
                .pivotCorroboratesOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("pivot-corroborates: false", "pivot-corroborates: true"))
                .groupOrDefault().pivotCorroboratesOrDefault()).isTrue();
    }

    @Test
    void hostedClientsAreJudgedFromTwentyAccountsAndADocumentWithoutTheKeyDoesNotJudgeThem() {
        assertThat(DetectionRules.defaults().groupOrDefault().hostedClientAccountsOrDefault()).isEqualTo(20);
        assertThat(DetectionRules.Group.DEFAULT.hostedClientAccountsOrDefault()).isEqualTo(20);
        assertThat(DetectionRules.parse(rulesYaml("  hosted-client-accounts: 20\n", "")).groupOrDefault()
                .hostedClientAccountsOrDefault()).isZero();
        assertThat(DetectionRules.parse(rulesYaml("hosted-client-accounts: 20", "hosted-client-accounts: 0"))
                .groupOrDefault().hostedClientAccountsOrDefault()).isZero();
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("hosted-client-accounts: 20", "hosted-client-accounts: 1")))
                .hasMessageContaining("group.hosted-client-accounts");
    }

    @Test
    void aClientsMembersRotatingThroughAPoolAreJudgedByDefaultAndNotInADocumentWithoutTheKey() {
        assertThat(DetectionRules.defaults().groupOrDefault().hostedClientPoolsOrDefault()).isTrue();
        assertThat(DetectionRules.Group.DEFAULT.hostedClientPoolsOrDefault()).isTrue();
        assertThat(DetectionRules.parse(rulesYaml("  hosted-client-pools: true\n", "")).groupOrDefault()
                .hostedClientPoolsOrDefault()).isFalse();
        DetectionRules.Group g = DetectionRules.Group.DEFAULT;
        // Ten members from ten addresses, nine in ten of their requests from another block: a pool. Too few addresses
        // for ten members (seven), half their requests from the block before, or nine members: not.
        assertThat(g.poolAddresses(10, 10, 20, 18)).isTrue();
        assertThat(g.poolAddresses(10, 7, 20, 18)).isFalse();
        assertThat(g.poolAddresses(10, 10, 20, 10)).isFalse();
        assertThat(g.poolAddresses(9, 9, 20, 20)).isFalse();
    }

    @Test
    void aHostedClientsMemberIsJudgedOverTwoDaysByDefaultAndOverItsDayAloneInADocumentWithoutTheKey() {
        assertThat(DetectionRules.defaults().groupOrDefault().heldMemberDaysOrDefault()).isEqualTo(2);
        assertThat(DetectionRules.Group.DEFAULT.heldMemberDaysOrDefault()).isEqualTo(2);
        assertThat(DetectionRules.parse(rulesYaml("  held-member-days: 2\n", "")).groupOrDefault()
                .heldMemberDaysOrDefault()).isEqualTo(1);
        assertThat(DetectionRules.parse(rulesYaml("held-member-days: 2", "held-member-days: 1")).groupOrDefault()
                .heldMemberDaysOrDefault()).isEqualTo(1);
        // A day store keeps two days: three cannot be read.
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("held-member-days: 2", "held-member-days: 3")))
                .hasMessageContaining("group.held-member-days");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("held-member-days: 2", "held-member-days: 0")))
                .hasMessageContaining("group.held-member-days");
    }

    @Test
    void aRoamingMembersBlocksAreCountedAtThreeInFourByDefaultAndNotInADocumentWithoutTheKey() {
        assertThat(DetectionRules.defaults().groupOrDefault().roamingMemberBlockShareOrDefault()).isEqualTo(0.75);
        assertThat(DetectionRules.Group.DEFAULT.roamingMemberBlockShareOrDefault()).isEqualTo(0.75);
        assertThat(DetectionRules.parse(rulesYaml("  roaming-member-block-share: 0.75\n", "")).groupOrDefault()
                .roamingMemberBlockShareOrDefault()).isZero();
        assertThat(DetectionRules.parse(rulesYaml("roaming-member-block-share: 0.75", "roaming-member-block-share: 0"))
                .groupOrDefault().roamingMemberBlockShareOrDefault()).isZero();
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("roaming-member-block-share: 0.75",
                "roaming-member-block-share: 1.5"))).hasMessageContaining("group.roaming-member-block-share");
    }

    @Test
    void aCardOfAFewIsJudgedAtNinetyFivePercentByDefaultAndAtTheGroupsZInADocumentWithoutTheKey() {
        assertThat(DetectionRules.defaults().groupOrDefault().heldCardConfidenceZOrDefault()).isEqualTo(1.64);
        assertThat(DetectionRules.Group.DEFAULT.heldCardConfidenceZOrDefault()).isEqualTo(1.64);
        assertThat(DetectionRules.parse(rulesYaml("  held-card-confidence-z: 1.64\n", "")).groupOrDefault()
                .heldCardConfidenceZOrDefault()).isEqualTo(2.33);
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("held-card-confidence-z: 1.64",
                "held-card-confidence-z: 0"))).hasMessageContaining("group.held-card-confidence-z");
    }

    @Test
    void aHeldMembersOwnSharesAreTakenAtNinetyFivePercentByDefaultAndAtTheGroupsZInADocumentWithoutTheKey() {
        assertThat(DetectionRules.defaults().groupOrDefault().heldMemberConfidenceZOrDefault()).isEqualTo(1.64);
        assertThat(DetectionRules.Group.DEFAULT.heldMemberConfidenceZOrDefault()).isEqualTo(1.64);
        DetectionRules.Group without = DetectionRules.parse(rulesYaml("  held-member-confidence-z: 1.64\n", ""))
                .groupOrDefault();
        assertThat(without.heldMemberConfidenceZOrDefault()).isEqualTo(without.confidenceZ()).isEqualTo(2.33);
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("held-member-confidence-z: 1.64",
                "held-member-confidence-z: 0"))).hasMessageContaining("group.held-member-confidence-z");
    }

    @Test
    void aHostedClientsRotatingMembersAreJudgedApartByDefaultAndNotInADocumentWithoutTheKey() {
        DetectionRules.Group bundled = DetectionRules.defaults().groupOrDefault();
        assertThat(bundled.hostedClientPoolMembersOrDefault()).isEqualTo(10);
        assertThat(bundled.poolMemberBlocksOrDefault()).isEqualTo(3);
        assertThat(DetectionRules.Group.DEFAULT.hostedClientPoolMembersOrDefault()).isEqualTo(10);
        DetectionRules.Group without = DetectionRules.parse(rulesYaml("  hosted-client-pool-members: 10\n"
                + "  pool-member-blocks: 3\n", "")).groupOrDefault();
        assertThat(without.hostedClientPoolMembersOrDefault()).isZero();
        assertThat(without.poolMemberBlocksOrDefault()).isEqualTo(3);
        // A member rotates when it changed block at four in five of at least split-member-requests (3) requests.
        assertThat(bundled.poolMember(3, 3)).isTrue();
        assertThat(bundled.poolMember(10, 8)).isTrue();
        assertThat(bundled.poolMember(10, 7)).isFalse();
        assertThat(bundled.poolMember(2, 2)).isFalse();
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("hosted-client-pool-members: 10",
                "hosted-client-pool-members: 1"))).hasMessageContaining("group.hosted-client-pool-members");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("pool-member-blocks: 3", "pool-member-blocks: 1")))
                .hasMessageContaining("group.pool-member-blocks");
    }

    @Test
    void anAccountsOwnProfileIsSpecificOnlyAsAHarvestByDefaultAndAlwaysInADocumentWithoutTheKeys() {
        DetectionRules.Extraction defaults = DetectionRules.defaults().subject().extraction();
        assertThat(defaults.specificOnlyWhenSustained()).isTrue();
        assertThat(defaults.specificAnswerRatio()).isEqualTo(3.0);
        assertThat(defaults.specificHours()).isEqualTo(13);
        assertThat(defaults.specificAnswerHoursOrDefault()).isEqualTo(3);
        DetectionRules without = DetectionRules.parse(rulesYaml("    specific-answer-hours: 3\n", "",
                "    specific-answer-ratio: 3.0\n    specific-hours: 13\n", ""));
        assertThat(without.subject().extraction().specificOnlyWhenSustained()).isFalse();
        DetectionRules withoutHours = DetectionRules.parse(rulesYaml("    specific-answer-hours: 3\n", ""));
        assertThat(withoutHours.subject().extraction().specificAnswerHoursOrDefault())
                .isEqualTo(DetectionRules.Extraction.SPECIFIC_ANSWER_HOURS).isEqualTo(1);
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("specific-answer-hours: 3", "specific-answer-hours: 0")))
                .hasMessageContaining("subject.extraction.specific-answer-hours");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("    specific-answer-ratio: 3.0\n", "")))
                .hasMessageContaining("subject.extraction.specific-answer-hours");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("specific-hours: 13", "specific-hours: 25")))
                .hasMessageContaining("subject.extraction.specific-hours");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("    specific-hours: 13\n", "")))
                .hasMessageContaining("subject.extraction.specific-answer-ratio");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("specific-answer-ratio: 3.0", "specific-answer-ratio: 0")))
                .hasMessageContaining("subject.extraction.specific-answer-ratio");
    }

    @Test
    void aTypoOrAnOutOfRangeThresholdIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("requests-1h: 1000", "requets-1h: 1000")))
                .isInstanceOf(DetectionRules.InvalidRulesException.class).hasMessageContaining("requets-1h");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("reasoning-share: 0.5", "reasoning-share: 1.5")))
                .hasMessageContaining("subject.extraction.reasoning-share");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("ip-accounts-1h: 25", "ip-accounts-1h: 0")))
                .hasMessageContaining("link.ip-accounts-1h");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("model-releases: {}", "model-releases: {m: yesterday}")))
                .hasMessageContaining("model-releases.m");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("min-asns: 5", "min-asns: 1")))
                .hasMessageContaining("subject.rotation.min-asns");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("harvest-reasoning-hours: 3", "harvest-reasoning-hours: 25")))
                .hasMessageContaining("subject.rotation.harvest-reasoning-hours");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("campaign-min-requests: 20", "campaign-min-requests: 0")))
                .hasMessageContaining("group.campaign-min-requests");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("own-address-share: 0.8", "own-address-share: 0")))
                .hasMessageContaining("group.own-address-share");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("block-min-returns: 3", "block-min-returns: -1")))
                .hasMessageContaining("group.block-min-returns");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("one-network-share: 0.8", "one-network-share: 1.2")))
                .hasMessageContaining("group.one-network-share");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("one-network-share: 0.8", "one-network-share: -0.1")))
                .hasMessageContaining("group.one-network-share");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("card-split-min-members: 5", "card-split-min-members: 0")))
                .hasMessageContaining("group.card-split-min-members");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("held-min-requests: 12", "held-min-requests: 0")))
                .hasMessageContaining("group.held-min-requests");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("card-min-accounts: 2", "card-min-accounts: 1")))
                .hasMessageContaining("group.card-min-accounts");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("roaming-share: 0.5", "roaming-share: 2")))
                .hasMessageContaining("group.roaming-share");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("roaming-member-asns: 4", "roaming-member-asns: 0")))
                .hasMessageContaining("group.roaming-member-asns");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("split-min-members: 10", "split-min-members: 0")))
                .hasMessageContaining("group.split-min-members");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("split-member-requests: 3", "split-member-requests: -1")))
                .hasMessageContaining("group.split-member-requests");
        assertThatThrownBy(() -> DetectionRules.parse(rulesYaml("    confidence-z: 2.33\n", "    confidence-z: 0\n")))
                .hasMessageContaining("subject.extraction.confidence-z");
        assertThatThrownBy(() -> DetectionRules.parse("version: x\n")).hasMessageContaining("subject");
        assertThatThrownBy(() -> DetectionRules.parse("::: not yaml")).isInstanceOf(DetectionRules.InvalidRulesException.class);
    }

    @Test
    void aVersionPublishedToTheRulesTopicAppliesFromItsEffectiveTimeByEventTime() {
        try (TopologyHarness h = new TopologyHarness(stateDir, TopologyHarness.rules())) {
            long switchAt = BASE + 2 * 3_600_000L;
            String v2 = rulesYaml("version: default-2026-12-08.25", "version: strict-2\neffective-from: \"" + Instant.ofEpochMilli(switchAt) + "\"",
                    "requests-1h: 1000", "requests-1h: 10");
            h.rules.pipeInput("strict-2", v2, BASE);
            h.rules.pipeInput("broken-3", "version: broken-3\nsubject: {}\n", BASE);

            for (int i = 0; i < 20; i++) {
                h.send(request("acct-before", "198.51.100.1", BASE + 3_600_000L + i * 1000L).build());
            }
            for (int i = 0; i < 20; i++) {
                h.send(request("acct-after", "198.51.100.2", switchAt + i * 1000L).build());
            }

            List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");
            assertThat(risk).isNotEmpty().allSatisfy(a -> {
                assertThat(a.getSubjectId()).isEqualTo("acct-after");
                assertThat(a.getRuleVersion()).isEqualTo("strict-2");
            });
            assertThat(h.metric("rules-accepted-total")).isEqualTo(1.0);
            assertThat(h.metric("rules-rejected-total")).isEqualTo(1.0);

            // Retracting the version (a tombstone) puts the started-with rules back in force.
            h.rules.pipeInput("strict-2", null, BASE);
            for (int i = 0; i < 20; i++) {
                h.send(request("acct-retracted", "198.51.100.3", switchAt + 60_000L + i * 1000L).build());
            }
            assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).isEmpty();
        }
    }

    @Test
    void aRulesFileLoadsThroughTheConfiguration(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.yaml");
        java.nio.file.Files.writeString(file, rulesYaml("version: default-2026-12-08.25", "version: from-file"));
        java.util.Properties props = new java.util.Properties();
        props.setProperty(io.distillguard.topology.DetectionConfig.RULES_FILE, file.toString());
        assertThat(io.distillguard.topology.DetectionConfig.fromProperties(props).ruleVersion()).isEqualTo("from-file");

        java.nio.file.Files.writeString(file, "version: bad\nunknown-section: 1\n");
        assertThatThrownBy(() -> io.distillguard.topology.DetectionConfig.fromProperties(props))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("unknown-section");
    }
}
