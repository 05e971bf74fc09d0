package io.distillguard.service.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CaseBookTest {

    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    private static DistillationAlert alert(String detector, SubjectType type, String subject, Severity severity,
                                           int minute, List<String> accounts, Evidence... evidence) {
        return DistillationAlert.newBuilder().setAlertId(UUID.randomUUID().toString()).setDetector(detector)
                .setSubjectType(type).setSubjectId(subject).setSeverity(severity).setScore(0.85)
                .setWindowStart(T).setWindowEnd(T.plusSeconds(3600)).setTriggerEventTime(T.plusSeconds(60L * minute))
                .setEmittedAt(T.plusSeconds(60L * minute)).setAccounts(accounts).setAccountsTotal(accounts.size())
                .setEvidence(List.of(evidence)).setRuleVersion("test").build();
    }

    private static Evidence e(String signal, double value, double threshold) {
        return new Evidence(signal, value, threshold);
    }

    @Test
    void membersAlertsJoinTheirClusterWhateverTheOrderAndLoneSubjectsGetTheirOwnCases() {
        List<DistillationAlert> alerts = List.of(
                // A member's own alert written before its cluster's: it still lands in the cluster's case.
                alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-1", Severity.HIGH, 1, List.of("acct-1")),
                alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "PAYMENT_FINGERPRINT:card-7", Severity.CRITICAL, 2,
                        List.of("acct-1", "acct-2"), e("distinct_accounts", 38, 5), e("group_reasoning_share", 0.92, 0.5),
                        e("fired:SHARED_PAYMENT", 7.6, 1)),
                alert("SHARED_PAYMENT", SubjectType.PAYMENT_FINGERPRINT, "card-7", Severity.MEDIUM, 3, List.of("acct-1")),
                alert("API_KEY_RISK", SubjectType.API_KEY, "key-2", Severity.HIGH, 4, List.of("acct-2")),
                alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-lone", Severity.HIGH, 9, List.of("acct-lone")),
                alert("IP_FAN_IN", SubjectType.IP, "192.0.2.1", Severity.MEDIUM, 5, List.of("acct-9")));

        List<CaseBook.Case> cases = CaseBook.build(alerts);

        assertThat(cases).extracting(CaseBook.Case::id).containsExactly(
                "PAYMENT_FINGERPRINT:card-7", "ACCOUNT:acct-lone", "IP:192.0.2.1");
        CaseBook.Case card = cases.get(0);
        assertThat(card.title()).isEqualTo("Cluster on card card-7");
        assertThat(card.alerts()).hasSize(4);
        assertThat(card.detectors()).containsExactly("ACCOUNT_CLUSTER", "ACCOUNT_RISK", "API_KEY_RISK", "SHARED_PAYMENT");
        assertThat(card.members()).containsEntry("acct-1", Severity.CRITICAL).containsEntry("acct-2", Severity.CRITICAL);
        assertThat(card.words()).containsExactly("38 accounts", "92 % of requests ask for reasoning");
        assertThat(cases.get(2).title()).isEqualTo("address 192.0.2.1");
    }

    @Test
    void aClusterOnAHostedClientIsTitledByItsNetworkAndClient() {
        List<CaseBook.Case> cases = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "HOSTED_CLIENT:24940|nova-node/2.1.0", Severity.HIGH, 1, List.of("acct-1", "acct-2"))));

        assertThat(cases).singleElement().satisfies(c ->
                assertThat(c.title()).isEqualTo("Cluster on hosted client 24940|nova-node/2.1.0"));
    }

    @Test
    void aCaseListedUnderOneIdIsFoundUnderTheIdItHasAfterJoiningAnother() {
        DistillationAlert template = alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "PROMPT_CLUSTER:9-beef",
                Severity.HIGH, 1, List.of("acct-1", "acct-2", "acct-3"));
        DistillationAlert lone = alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-4", Severity.HIGH, 2,
                List.of("acct-4"));
        List<CaseBook.Case> before = CaseBook.build(List.of(template, lone));
        assertThat(before).extracting(CaseBook.Case::id).containsExactly("ACCOUNT:acct-4", "PROMPT_CLUSTER:9-beef");

        // A card cluster over the same accounts and the lone one: its smaller id leads the case from now on.
        List<CaseBook.Case> after = CaseBook.build(List.of(template, lone, alert("ACCOUNT_CLUSTER",
                SubjectType.ACCOUNT_CLUSTER, "PAYMENT_FINGERPRINT:card-1", Severity.HIGH, 3,
                List.of("acct-1", "acct-2", "acct-3", "acct-4"))));
        assertThat(after).extracting(CaseBook.Case::id).containsExactly("PAYMENT_FINGERPRINT:card-1");
        assertThat(CaseBook.find(after, "PROMPT_CLUSTER:9-beef").id()).isEqualTo("PAYMENT_FINGERPRINT:card-1");
        assertThat(CaseBook.find(after, "ACCOUNT:acct-4").id()).isEqualTo("PAYMENT_FINGERPRINT:card-1");
        assertThat(CaseBook.find(after, "PAYMENT_FINGERPRINT:card-1").id()).isEqualTo("PAYMENT_FINGERPRINT:card-1");
        assertThat(CaseBook.find(after, "ACCOUNT:acct-9")).isNull();
        assertThat(CaseBook.find(after, "PROMPT_CLUSTER:0-other")).isNull();
    }

    @Test
    void aGroupsLongAnswersSayTheyAreReadWhereNoReasoningWasAsked() {
        CaseBook.Case group = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "PAYMENT_FINGERPRINT:card-5", Severity.HIGH, 1, List.of("acct-1"),
                e("group_long_answer_share_lower_bound", 0.55, 0.6)))).get(0);
        assertThat(group.words()).containsExactly(
                "at least 55 % of requests without reasoning get answers three times their prompt or longer, at 99 % "
                        + "confidence (the rule asks 60 %)");
    }

    @Test
    void aBurstOfTheProfileSaysWhyItIsNotYetAHarvest() {
        CaseBook.Case burst = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-7",
                Severity.MEDIUM, 1, List.of("acct-7"), e("answer_prompt_ratio_1h", 0.3, 3.0),
                e("harvest_hours_24h", 2, 13), e("own_answer_prompt_ratio_24h", 0.2, 3.0)))).get(0);
        assertThat(burst.words()).containsExactly(
                "answers 0.3 times as long as their prompts, reasoning included in the hour (a harvest's are 3.0 times "
                        + "or more): prompts carry their material, as a developer's agents send files for a diff",
                "2 hours of the day with an hour's worth of requests, reasoning on as many as the profile asks (the "
                        + "rule asks 13): a burst of a few hours, as a developer's scripts are: heavy use, not yet a "
                        + "harvest",
                "its own answers 0.2 times as long as its prompts in the day, reasoning included (a member needs "
                        + "3.0)");
    }

    /** An account's one alert with one piece of evidence, as the console reads it. */
    private static CaseBook.Case harvestCase(Severity severity, Evidence evidence) {
        return CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-9", severity, 1,
                List.of("acct-9"), evidence))).get(0);
    }

    @Test
    void longAnswersInOneSittingSayTheyAreNotYetAHarvest() {
        CaseBook.Case run = harvestCase(Severity.MEDIUM, e("answer_harvest_hours_24h", 1, 3));
        assertThat(run.words()).containsExactly("1 hours in a row with reasoning asked on as many of their requests "
                + "as the profile asks (hours of fewer than an hour's worth, or sittings adding up to twice the rule's, "
                + "count wherever they fall; long answers count from 3): one sitting so far, or sittings hours apart, "
                + "as evaluation runs are: not yet a harvest");
        CaseBook.Case kept = harvestCase(Severity.HIGH, e("answer_harvest_hours_24h", 3, 3));
        assertThat(kept.words()).singleElement().asString().endsWith("kept up, as a harvest is");
        CaseBook.Case before = harvestCase(Severity.HIGH, e("answer_harvest_hours_yesterday", 4, 3));
        assertThat(before.words()).containsExactly("4 hours in a row the day before with reasoning asked on as many "
                + "of their requests as the profile asks (3 make a harvest), its answers long: a harvest then, so one "
                + "from its first hour today");
        CaseBook.Case heavy = harvestCase(Severity.HIGH, e("answer_harvest_volume_1h", 1_200, 1_000));
        assertThat(heavy.words()).containsExactly("1,200 requests in the hour, more than an evaluation run sends in one "
                + "(1,000): a harvest however short");
    }

    @Test
    void aMemberJudgedOverTwoDaysSaysSo() {
        CaseBook.Case member = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-8",
                Severity.HIGH, 1, List.of("acct-8"), e("own_confidence_z", 1.64, 2.33),
                e("own_first_turn_share_lower_bound_24h", 0.52, 0.67),
                e("own_first_turn_share_lower_bound_2d", 0.69, 0.67),
                e("own_reasoning_share_lower_bound_2d", 0.69, 0.48),
                e("own_answer_prompt_ratio_2d", 3.0, 3.0)))).get(0);
        assertThat(member.words()).containsExactly(
                "its own shares are taken at the lower bound of their interval 1.64 standard errors down, where its "
                        + "group was judged at 2.33: the group is already a harvest, and what is asked of this member "
                        + "is that its own traffic is of the group's kind",
                "at least 52 % of its own requests open a conversation in the day, beyond chance (a member needs "
                        + "67 %)",
                "at least 69 % of its own requests open a conversation over its day and the day before, beyond "
                        + "chance (a member needs 67 %)",
                "at least 69 % of its own requests ask for reasoning over its day and the day before, beyond "
                        + "chance (a member needs 48 %)",
                "its own answers 3.0 times as long as its prompts over its day and the day before, reasoning included "
                        + "(a member needs 3.0)");
    }

    @Test
    void aMemberNamedByItsOpenersSaysWhatTheyAre() {
        CaseBook.Case member = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-7",
                Severity.HIGH, 1, List.of("acct-7"), e("own_first_turn_share_lower_bound_24h", 0.55, 0.67),
                e("own_first_turn_harvest_share_lower_bound_24h", 0.82, 0.67),
                e("own_first_turn_share_24h", 0.75, 0.45)))).get(0);
        assertThat(member.words()).containsExactly(
                "at least 55 % of its own requests open a conversation in the day, beyond chance (a member needs "
                        + "67 %)",
                "at least 82 % of the requests that open its own conversations in the day ask for reasoning or get "
                        + "an answer three times their prompt or longer, beyond chance (a member whose follow-ups "
                        + "bring its first turns under the bound needs 67 %)",
                "75 % of its own requests open a conversation in the day (as many as people's at the least, 45 %)");
    }

    @Test
    void aRotatingHarvestsEvidenceReadsAsSentences() {
        CaseBook.Case rotating = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-9",
                Severity.HIGH, 1, List.of("acct-9"), e("network_switch_share_24h", 0.875, 0.6),
                e("quick_pairs_24h", 8, 3), e("distinct_asns_24h", 6, 5), e("reasoning_hours_24h", 4, 3),
                e("fired:ROTATION", 1.46, 1)))).get(0);
        assertThat(rotating.words()).containsExactly(
                "88 % of requests minutes apart came from another network in the day",
                "8 pairs of requests minutes apart in the day",
                "6 networks (ASNs) in the day",
                "4 hours with a reasoning request in the day (the rule asks 3)");
    }

    @Test
    void aRoamingTemplatesMembersEvidenceSaysWhyEachIsCountedOrNotYet() {
        CaseBook.Case group = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "PROMPT_CLUSTER:1-2468aceb", Severity.MEDIUM, 1, List.of("acct-1"),
                e("group_roaming_share_lower_bound", 0.81, 0.5), e("fired:ROAMING_MEMBERS", 1, 1)))).get(0);
        assertThat(group.words()).containsExactly("at least 81 % of members' later requests came from a network new to "
                + "them (another than their first, then neither of their last two), at 99 % confidence (the rule asks "
                + "50 %): each member is counted once its own day shows it");
        CaseBook.Case waiting = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-2",
                Severity.LOW, 1, List.of("acct-2"), e("own_distinct_asns_24h", 3, 4), e("own_distinct_asns_2d", 3, 4),
                e("cluster_awaiting_own_networks:PROMPT_CLUSTER:1-2468aceb", 2.6, 0)))).get(0);
        assertThat(waiting.words()).containsExactly(
                "its own requests came from 3 networks (ASNs) in the day (a member of a group of roaming members needs 4)",
                "its own requests came from 3 networks (ASNs) over its day and the day before (a member of a group of "
                        + "roaming members needs 4)",
                "not yet counted a member of PROMPT_CLUSTER:1-2468aceb: its own requests have come from too few "
                        + "networks");
        CaseBook.Case stays = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-3",
                Severity.LOW, 1, List.of("acct-3"), e("own_distinct_asns_24h", 5, 4),
                e("own_block_changed_share_24h", 0.6, 0.75),
                e("cluster_awaiting_own_networks:PROMPT_CLUSTER:1-2468aceb", 2.6, 0)))).get(0);
        assertThat(stays.words()).contains("60 % of its own requests that followed one of its own came from another "
                + "network block (/24) than the one before in the day (a member of a group of roaming members needs "
                + "75 %: a proxy hands out another block at nearly every request, a person stays on one network a "
                + "while)");
    }

    @Test
    void aMemberCountedOnNewBlocksSaysItNeverCameBackToOne() {
        CaseBook.Case pool = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-4",
                Severity.HIGH, 1, List.of("acct-4"), e("own_distinct_asns_2d", 3, 4),
                e("own_new_block_requests_2d", 4, 4), e("own_new_block_asns_2d", 3, 3)))).get(0);
        assertThat(pool.words()).contains(
                "4 of its own 4 requests over its day and the day before came from an address block (/24) it had not "
                        + "used before: it never came back to one, as a proxy pool's account does and a person at "
                        + "home does not",
                "those requests came from 3 networks (ASNs) (a member of a group of roaming members that never came "
                        + "back to a block needs 3)");
        CaseBook.Case person = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-5",
                Severity.LOW, 1, List.of("acct-5"), e("own_new_block_requests_24h", 3, 4),
                e("cluster_awaiting_own_networks:PROMPT_CLUSTER:1-2468aceb", 2.6, 0)))).get(0);
        assertThat(person.words()).contains("3 of its own 4 requests in the day came from an address block (/24) it "
                + "had not used before: it came back to one, as a person does");
    }

    @Test
    void aMemberCountedOnItsOutputsSaysWhatItsReasoningAloneDidNotShow() {
        CaseBook.Case member = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-6",
                Severity.HIGH, 1, List.of("acct-6"), e("own_reasoning_share_lower_bound_24h", 0.35, 0.478),
                e("own_blocks_24h", 1, 1), e("own_reasoning_share_24h", 0.625, 0.478),
                e("own_output_share_lower_bound_24h", 0.69, 0.478)))).get(0);
        assertThat(member.words()).contains(
                "its own requests came from 1 address block (/24) in the day: a machine of its own",
                "63 % of its own requests ask for reasoning in the day (a harvest's share is 48 % or more; its bound "
                        + "falls short on a light day)",
                "at least 69 % of its own requests in the day took a harvest's output, reasoning asked or an answer "
                        + "three times its prompt or longer, beyond chance (a member whose reasoning alone falls short "
                        + "needs 48 %)");
    }

    @Test
    void aCardOfAFewHeldAtItsOwnZSaysAtWhichItsBoundsWereTaken() {
        CaseBook.Case card = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "PAYMENT_FINGERPRINT:card-1", Severity.MEDIUM, 1, List.of("acct-1", "acct-2"),
                e("group_first_turn_share_lower_bound", 0.71, 0.67), e("group_confidence_z", 1.64, 2.33),
                e("group_roaming_share_lower_bound", 0.81, 0.5), e("fired:ROAMING_MEMBERS", 1, 1)))).get(0);
        assertThat(card.words()).containsExactly(
                "at least 71 % open a conversation, at 1.64 standard errors down (not the 2.33 a group that names its "
                        + "members is judged at) (the rule asks 67 %)",
                "a card of a few, held for its members: its shares and its roaming are taken at the lower bound of "
                        + "their interval 1.64 standard errors down, where a group that names its members is judged at "
                        + "2.33; it names no one by itself, and each member is named only once its own days show the "
                        + "networks and blocks asked of it",
                "at least 81 % of members' later requests came from a network new to them (another than their first, "
                        + "then neither of their last two), at 1.64 standard errors down (not the 2.33 a group that "
                        + "names its members is judged at) (the rule asks 50 %): each member is counted once its own "
                        + "day shows it");
    }

    @Test
    void aCardHeldOnItsFirstTurnsSaysWhatItsOpenersAre() {
        CaseBook.Case card = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "PAYMENT_FINGERPRINT:card-5", Severity.MEDIUM, 1, List.of("acct-1", "acct-2"),
                e("group_first_turn_harvest_share", 0.74, 0), e("group_first_turn_harvest_share_lower_bound", 0.61, 0.478),
                e("group_first_turn_share", 0.63, 0.45)))).get(0);
        assertThat(card.words()).containsExactly(
                "74 % of the requests that open a conversation ask for reasoning or get an answer three times their "
                        + "prompt or longer",
                "at least 61 % of them do, at 99 % confidence (the rule asks 48 %): ordinary conversations sent "
                        + "around a harvest lower a card's shares, not its first turns'; held for its members, it names "
                        + "no one by itself, and each member is named only once its own days show the networks and "
                        + "blocks asked of it",
                "63 % of requests open a conversation (a card held on its first turns needs as many as people's, 45 %)");
    }

    @Test
    void aMemberWhoseOwnDayRulesOutAHarvestSaysWhyTheClusterDidNotNameIt() {
        // An evaluation harness that ran the benchmark a campaign harvests with: listed by the cluster, refused here.
        CaseBook.Case refused = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-eval",
                Severity.MEDIUM, 1, List.of("acct-eval"),
                e("cluster_not_counted:CAMPAIGN:PROMPT_CLUSTER:0-1388223a", 5.5, 0),
                e("own_reasoning_share_upper_bound", 0.44, 0.478)))).get(0);
        assertThat(refused.words()).first().isEqualTo("not counted a member of CAMPAIGN:PROMPT_CLUSTER:0-1388223a: its "
                + "own day's shares rule a harvest out (below)");
        assertThat(refused.words()).hasSize(2);
    }

    @Test
    void aTemplatesMemberSplitSaysWhetherItsMembersRanAlike() {
        CaseBook.Case apart = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "PROMPT_CLUSTER:w0-8130b756", Severity.MEDIUM, 1, List.of("acct-1"),
                e("group_members_judged", 36, 10), e("group_members_without_reasoning", 14, 3.2)))).get(0);
        assertThat(apart.words()).containsExactly(
                "36 members sent it enough requests to judge how each was configured (the rule needs 10)",
                "14 of them asked for no reasoning at all, more than one shared configuration gives by chance (3.2): "
                        + "configured apart, as a tool each developer runs for themselves is, so hosting addresses do not "
                        + "corroborate it");
        CaseBook.Case alike = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "PROMPT_CLUSTER:w0-8130b756", Severity.HIGH, 1, List.of("acct-1"),
                e("group_members_without_reasoning", 1, 2.1)))).get(0);
        assertThat(alike.words()).containsExactly("1 of them asked for no reasoning at all, no more than one shared "
                + "configuration gives by chance (2.1): run alike, as a campaign's accounts are");
    }

    @Test
    void anExtractionProfilesLowerBoundsReadAsSentences() {
        CaseBook.Case profile = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-5",
                Severity.HIGH, 1, List.of("acct-5"), e("reasoning_share_1h", 1, 0.5),
                e("reasoning_share_lower_bound_1h", 0.847, 0.5), e("single_turn_share_lower_bound_24h", 0.75, 0.7),
                e("capability_concentration_lower_bound_1h", 0.82, 0.8), e("fired:EXTRACTION", 1.25, 1)))).get(0);
        assertThat(profile.words()).containsExactly(
                "100 % of requests ask for reasoning in the hour",
                "at least 85 % ask for reasoning in the hour, at 99 % confidence (the profile asks 50 %)",
                "at least 75 % are conversations that never get a second turn in the day, at 99 % confidence "
                        + "(the profile asks 70 %)",
                "at least 82 % in two capabilities in the hour, at 99 % confidence (the profile asks 80 %)");
    }

    @Test
    void theProfilesShareOfRequestsOpeningConversationsReadsAsSentences() {
        CaseBook.Case profile = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-6",
                Severity.HIGH, 1, List.of("acct-6"), e("opener_share_1h", 0.714, 0.4),
                e("opener_share_lower_bound_1h", 0.66, 0.4), e("fired:EXTRACTION", 1.25, 1)))).get(0);
        assertThat(profile.words()).containsExactly(
                "71 % open a conversation in the hour (the profile asks 40 %: long multi-turn work opens few)",
                "at least 66 % open a conversation in the hour, at 99 % confidence (the profile asks 40 %)");
    }

    @Test
    void longAnswersOnRentedMachinesSayHowTheMembersRanAndWhereFrom() {
        assertThat(rentedMachineWords(8.4, 1.0, 1.0)).containsExactly(
                "their reasoning asks spread 8.4 against 21.7 that one shared configuration reaches by chance: run "
                        + "alike, as a campaign's accounts are",
                "its members' latest requests came from 100 % as many addresses as members (under 80 %, a product's "
                        + "few egress addresses carrying its users' accounts): each member from an address of its own, "
                        + "as on rented machines",
                "100 % of its members' requests came from the network block (/24) of their request before (under "
                        + "80 %, a cloud's shared pool serving a product's functions): each member keeps a machine or "
                        + "block of its own, as rented machines do");
        assertThat(rentedMachineWords(30.2, 0.1, 0.04)).containsExactly(
                "their reasoning asks spread 30.2 against 21.7 that one shared configuration reaches by chance: each "
                        + "member set up its own, so hosting addresses do not corroborate its long answers",
                "its members' latest requests came from 10 % as many addresses as members (under 80 %, a product's "
                        + "few egress addresses carrying its users' accounts): members share addresses, as a product's "
                        + "users behind its gateway do",
                "4 % of its members' requests came from the network block (/24) of their request before (under 80 %, "
                        + "a cloud's shared pool serving a product's functions): members leave from another block at "
                        + "each call, as a serverless product's users do");
    }

    @Test
    void aClientsGroupWhoseMembersRotateThroughAProvidersPoolSaysSo() {
        assertThat(CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "HOSTED_CLIENT:16509|python-httpx/0.27", Severity.MEDIUM, 1, List.of("acct-1"),
                e("group_member_block_changed_share", 0.97, 0.8)))).get(0).words()).containsExactly(
                "97 % of its members' requests came from another network block (/24) than their request before, each "
                        + "member from an address none of the others used last (the rule asks 80 %): its members "
                        + "rotate through the provider's pool, as accounts behind a data-centre proxy service do; each "
                        + "is named only once its own day is a harvest");
    }

    @Test
    void aCampaignSaysWhichOfItsAccountsAreTiedToItOnlyThroughACloudsPool() {
        assertThat(CaseBook.build(List.of(alert("CAMPAIGN", SubjectType.ACCOUNT_CLUSTER,
                "CAMPAIGN:PROMPT_CLUSTER:w0-fbb67228951d7f1b", Severity.HIGH, 1, List.of("acct-1"),
                e("campaign_accounts", 85, 20), e("campaign_accounts_held_for_own_day", 34, 0)))).get(0).words())
                .containsExactly("85 accounts in the campaign",
                        "34 of them are tied to it only through network blocks of a cloud's shared pool, which every "
                                + "customer on that pool passes through: each is named only once its own day is a "
                                + "harvest");
        assertThat(CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-2", Severity.LOW, 1,
                List.of("acct-2"), e("cluster_awaiting_own_shape:CAMPAIGN:IP_PREFIX:40.0.1.0/24", 2.6, 0)))).get(0)
                .words()).containsExactly("not yet counted a member of CAMPAIGN:IP_PREFIX:40.0.1.0/24: its own "
                + "requests are not yet a harvest beyond chance (below)");
    }

    @Test
    void aClientsRotatingMembersJudgedApartFromItsDevelopersSayWhyAndEachMemberWhatItsDayShows() {
        CaseBook.Case group = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "HOSTED_CLIENT:16509|python-httpx/0.27", Severity.MEDIUM, 1, List.of("acct-1"),
                e("group_pool_members", 23, 10), e("group_pool_member_reasoning_share_lower_bound", 0.74, 0.5))))
                .get(0);
        assertThat(group.words()).containsExactly("23 of its sampled members each came from another network block "
                        + "(/24) at nearly every request (the rule needs 10): judged as a group of their own, apart "
                        + "from the developers who keep a machine and share the client",
                "at least 74 % of those members' requests ask for reasoning, at 99 % confidence (the rule asks 50 %): "
                        + "each is named only once its own day is a harvest from block after block");
        CaseBook.Case waiting = CaseBook.build(List.of(alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "acct-2",
                Severity.LOW, 1, List.of("acct-2"), e("own_block_changes_24h", 0, 8),
                e("cluster_awaiting_own_blocks:HOSTED_CLIENT:16509|python-httpx/0.27", 2.6, 0)))).get(0);
        assertThat(waiting.words()).containsExactly("its own requests came from another network block (/24) than the "
                        + "one before 0 times in the day (a member of a pool's rotating members needs 8)",
                "not yet counted a member of HOSTED_CLIENT:16509|python-httpx/0.27: its own day has not changed "
                        + "network block at nearly every request");
    }

    @Test
    void aTemplateOffTheHostingListSaysWhetherItsMembersAreOnOneNetwork() {
        assertThat(oneNetworkWords(0.9)).containsExactly("at least 90 % of its members came from one and the same "
                + "network (ASN) and no other, at 99 % confidence (the rule asks 80 %): one provider's machines, on the "
                + "hosting list or not, as accounts rented together are");
        assertThat(oneNetworkWords(0.55)).containsExactly("at least 55 % of its members came from one and the same "
                + "network (ASN) and no other, at 99 % confidence (the rule asks 80 %): its members spread over "
                + "networks, as a product's users over their providers and carriers");
    }

    private static List<String> oneNetworkWords(double share) {
        return CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "PROMPT_CLUSTER:0-2468ace0",
                Severity.HIGH, 1, List.of("acct-1"), e("group_members_one_network_share_lower_bound", share, 0.8)))).get(0).words();
    }

    private static List<String> rentedMachineWords(double dispersion, double distinctShare, double blockKept) {
        return CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "PROMPT_CLUSTER:0-13579bdf",
                Severity.HIGH, 1, List.of("acct-1"), e("group_members_reasoning_dispersion", dispersion, 21.7),
                e("group_member_addresses_distinct_share", distinctShare, 0.8),
                e("group_member_block_kept_share", blockKept, 0.8)))).get(0).words();
    }

    @Test
    void aCardsMembersSayWhetherTheyShareItsShape() {
        CaseBook.Case card = CaseBook.build(List.of(alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER,
                "PAYMENT_FINGERPRINT:card-ring", Severity.HIGH, 1, List.of("acct-1"),
                e("card_members_judged", 6, 5), e("card_member_mean_reasoning_share", 0.79, 0.52)))).get(0);
        assertThat(card.words()).containsExactly(
                "6 members sent enough requests through the card to judge each (the rule needs 5)",
                "its members ask for reasoning on 79 % of their requests on average, each member counted once (under "
                        + "52 %, the card's reasoning would be a few heavy members', as a lab's card paying for its "
                        + "students is, and no cluster): its members share the shape");
    }

    @Test
    void casesAreOrderedByTheirHighestSeverityThenTheMostRecent() {
        List<CaseBook.Case> cases = CaseBook.build(List.of(
                alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "old-high", Severity.HIGH, 1, List.of("old-high")),
                alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "new-medium", Severity.MEDIUM, 30, List.of("new-medium")),
                alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "new-high", Severity.HIGH, 20, List.of("new-high"))));
        assertThat(cases).extracting(CaseBook.Case::id)
                .containsExactly("ACCOUNT:new-high", "ACCOUNT:old-high", "ACCOUNT:new-medium");
    }

    @Test
    void theGraphTiesEachMemberToTheAttributesItsAlertsName() {
        CaseBook.Case campaign = CaseBook.build(List.of(
                alert("CAMPAIGN", SubjectType.ACCOUNT_CLUSTER, "CAMPAIGN:PROMPT_CLUSTER:1", Severity.HIGH, 1,
                        List.of("a1", "a2"), e("path:a1 via IP_PREFIX:198.51.100.0/24", 0, 0),
                        e("path:a2 via PROMPT_CLUSTER:1", 0, 0)),
                alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "a2", Severity.HIGH, 2, List.of("a2"),
                        e("cluster:PAYMENT_FINGERPRINT:card-3", 4.5, 0)))).get(0);

        CaseBook.Graph graph = campaign.graph(60);

        assertThat(graph.accounts()).containsExactly("a1", "a2");
        assertThat(graph.attributes()).containsExactly("IP_PREFIX:198.51.100.0/24", "PAYMENT_FINGERPRINT:card-3",
                "PROMPT_CLUSTER:1");
        assertThat(graph.ties()).extracting(t -> t[0] + " - " + t[1]).containsExactlyInAnyOrder(
                "a1 - IP_PREFIX:198.51.100.0/24", "a2 - PROMPT_CLUSTER:1", "a2 - PAYMENT_FINGERPRINT:card-3");
        assertThat(campaign.graph(1).accounts()).hasSize(1);
    }

    @Test
    void onlyAlertsOnConfirmedSubjectsGoToPartners() {
        DistillationAlert confirmed = alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "IP_PREFIX:198.51.100.0/24",
                Severity.HIGH, 1, List.of("a1"));
        DistillationAlert dismissed = alert("IP_FAN_IN", SubjectType.IP, "192.0.2.1", Severity.HIGH, 1, List.of("b1"));
        DistillationAlert undecided = alert("ACCOUNT_RISK", SubjectType.ACCOUNT, "c1", Severity.HIGH, 1, List.of("c1"));
        io.distillguard.avro.CaseVerdict.Builder verdict = io.distillguard.avro.CaseVerdict.newBuilder()
                .setAnalyst("alice").setDecidedAt(T).setRuleVersion("r");
        List<io.distillguard.avro.CaseVerdict> verdicts = List.of(
                verdict.setCaseId("IP_PREFIX:198.51.100.0/24").setVerdict(io.distillguard.avro.VerdictKind.CONFIRMED)
                        .setSubjects(List.of("ACCOUNT_CLUSTER:IP_PREFIX:198.51.100.0/24")).build(),
                io.distillguard.avro.CaseVerdict.newBuilder(verdict.build()).setCaseId("IP:192.0.2.1")
                        .setVerdict(io.distillguard.avro.VerdictKind.DISMISSED)
                        .setReason(io.distillguard.avro.DismissReason.NAT).setSubjects(List.of("IP:192.0.2.1")).build());

        assertThat(VerdictsCommand.confirmedOnly(List.of(confirmed, dismissed, undecided), verdicts))
                .containsExactly(confirmed);
    }

    @Test
    void clustersSharingMostOfTheirAccountsAreOneCaseAndUnrelatedOnesStayApart() {
        List<CaseBook.Case> cases = CaseBook.build(List.of(
                alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "PAYMENT_FINGERPRINT:card-1", Severity.HIGH, 1,
                        List.of("h1", "h2", "h3", "h4")),
                alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "IP_PREFIX:198.51.100.0/24", Severity.CRITICAL, 2,
                        List.of("h2", "h3", "h4", "h5", "h6")),
                alert("PREFIX_FAN_IN", SubjectType.IP_PREFIX, "198.51.100.0/24", Severity.MEDIUM, 3, List.of("h5")),
                alert("ACCOUNT_CLUSTER", SubjectType.ACCOUNT_CLUSTER, "PROMPT_CLUSTER:0-aa", Severity.HIGH, 4,
                        List.of("x1", "x2", "x3", "h1"))));

        assertThat(cases).extracting(CaseBook.Case::id)
                .containsExactly("IP_PREFIX:198.51.100.0/24", "PROMPT_CLUSTER:0-aa");
        assertThat(cases.get(0).title()).isEqualTo("Related clusters: 6 accounts tied by 2 attributes");
        assertThat(cases.get(0).words()).first().isEqualTo("6 accounts across 2 related clusters, 6 of them named "
                + "HIGH or above, in 3 alerts (then, the strongest cluster alone)");
        assertThat(cases.get(1).words()).as("one cluster speaks for itself").noneMatch(w -> w.contains("related"));
        assertThat(cases.get(0).alerts()).hasSize(3);
        assertThat(cases.get(1).members()).containsOnlyKeys("x1", "x2", "x3", "h1");
    }
}
