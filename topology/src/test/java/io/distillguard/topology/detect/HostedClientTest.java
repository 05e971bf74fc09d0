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
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * Accounts on machines rented one each, sharing nothing but their client on a hosting provider: no address, card,
 * template or signup hour.
 */
class HostedClientTest extends HarnessTest {

    private static final int MEMBERS = 30;
    private static final int REQUESTS = 12;
    private static final String CLIENT = "python-httpx/0.27";

    private final Random random = new Random(23);

    @Test
    void accountsEachOnAMachineOfItsOwnAtOneProviderRunningOneConfigurationAreACluster() {
        List<DistillationAlert> alerts = rented(16509, (member, r) -> "100.64." + member + "." + (9 + r),
                (member, r) -> true);

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("HOSTED_CLIENT:16509|" + CLIENT);
            // Held for its members: the group's own alert names no one HIGH.
            assertThat(a.getSeverity()).isLessThan(Severity.HIGH);
            assertThat(evidence(a, "fired:HOSTING_ADDRESSES")).isPresent();
            assertThat(evidence(a, "group_members_judged")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "group_member_addresses_distinct_share")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(1.0));
            assertThat(evidence(a, "group_member_block_kept_share")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(1.0));
        });
        // Each member is named through the group once its own day is a harvest at its lower bounds, though none sends
        // enough to be judged by its own extraction profile.
        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named).allSatisfy(a -> {
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
            assertThat(evidence(a, "own_reasoning_share_lower_bound_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
        assertThat(named.stream().map(DistillationAlert::getSubjectId).distinct().count())
                .isGreaterThanOrEqualTo(MEMBERS / 2);
        // Many accounts of one SDK on a cloud are no news: the group raises no alert of its own.
        assertThat(byDetector(alerts, "HOSTED_CLIENT")).isEmpty();
    }

    @Test
    void aDeveloperOnTheSameCloudAndClientWhoseOwnDayIsNoHarvestIsNotNamedBesideTheCampaign() {
        // The campaign above, then a developer whose app on the same cloud calls with the same client: single requests,
        // reasoning on one in four. It sends first turns with reasoning through the group while the group is a cluster.
        List<DistillationAlert> alerts = campaignThenDeveloper(r -> r % 4 == 0);

        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("rented-");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
        assertThat(alerts).filteredOn(a -> a.getAccounts().contains("developer"))
                .noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aDeveloperWhoseAppAsksForReasoningOnEverySingleRequestForShortPromptsIsNamedBesideTheCampaign() {
        // The look-alike this link cannot tell from the campaign's accounts: the same cloud, client and shape, short
        // prompts and answers ten times as long.
        List<DistillationAlert> alerts = campaignThenDeveloper(r -> true, 200, 2_000);

        assertThat(byDetector(alerts, "ACCOUNT_RISK")).filteredOn(a -> a.getSubjectId().equals("developer"))
                .anySatisfy(a -> {
                    assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
                    assertThat(evidence(a, "cluster:HOSTED_CLIENT:16509|" + CLIENT)).isPresent();
                    assertThat(evidence(a, "own_answer_prompt_ratio_24h")).hasValueSatisfying(e ->
                            assertThat(e.getValue()).isEqualTo(10.0));
                });
    }

    @Test
    void aDeveloperWhoseScriptsAskForReasoningOnEveryRequestWithTheirCodeIsNotNamedBesideTheCampaign() {
        // The same shares, but each request carries the developer's files (4,000 tokens) for an answer of 600.
        List<DistillationAlert> alerts = campaignThenDeveloper(r -> true, 4_000, 600);

        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("rented-");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
        assertThat(alerts).filteredOn(a -> a.getAccounts().contains("developer"))
                .noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    private List<DistillationAlert> campaignThenDeveloper(java.util.function.IntPredicate reasons) {
        return campaignThenDeveloper(reasons, 200, 600);
    }

    private List<DistillationAlert> campaignThenDeveloper(java.util.function.IntPredicate reasons, int promptTokens,
                                                          int completionTokens) {
        TopologyHarness h = start();
        send(h, 16509, (member, r) -> "100.64." + member + "." + (9 + r), (member, r) -> true);
        for (int r = 0; r < REQUESTS; r++) {
            h.send(harvest("developer", "100.65.7.9", BASE + (REQUESTS * MEMBERS + r) * 60_000L, random.nextLong())
                    .setAsn(16509).setUserAgent(CLIENT).setPaymentFingerprint("card-developer")
                    .setReasoningRequested(reasons.test(r)).setPromptTokens(promptTokens)
                    .setCompletionTokens(completionTokens)
                    .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L)).build());
        }
        return h.alerts();
    }

    @Test
    void accountsOfATemplateClusterOnOneCloudAndClientAreNamedByTheTemplateNotHeldForTheirOwnDays() {
        // Thirty accounts on one template from machines of their own on a listed cloud, four first turns each: the
        // template's group is a cluster by its hosting share and names them. Their client's group is one too, twice
        // as many accounts with thirty more on fresh prompts (a riskier group), and four requests are no harvest at
        // their lower bounds. The plain implication is the one that counts, whatever the held one's risk.
        TopologyHarness h = start();
        long template = 0x2468_ace0_1357_9bdfL;
        // The fresh-prompt accounts first: the client's group is a cluster before the template's is.
        for (int phase = 0; phase < 2; phase++) {
            for (int r = 0; r < 4; r++) {
                for (int i = 0; i < MEMBERS; i++) {
                    int member = phase == 0 ? MEMBERS + i : i;
                    long t = BASE + ((phase * 4 + r) * MEMBERS + i) * 30_000L;
                    h.send(harvest((phase == 1 ? "rented-" : "fresh-") + member, "100.64." + member + "." + (9 + r),
                            t, phase == 1 ? template : random.nextLong())
                            .setAsn(16509).setUserAgent(CLIENT).setPaymentFingerprint("card-rented-" + member)
                            .setAccountCreatedAt(Instant.ofEpochMilli(BASE - (60L + 5 * member) * 86_400_000L))
                            .build());
                }
            }
        }
        List<DistillationAlert> alerts = h.alerts();

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a ->
                assertThat(a.getSubjectId()).startsWith("HOSTED_CLIENT:"));
        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named.stream().map(DistillationAlert::getSubjectId).distinct())
                .allMatch(id -> id.startsWith("rented-")).hasSizeGreaterThanOrEqualTo(MEMBERS / 2);
        assertThat(named).allSatisfy(a -> assertThat(a.getEvidence())
                .anySatisfy(e -> assertThat(e.getSignal()).startsWith("cluster:PROMPT_CLUSTER:")));
    }

    @Test
    void accountsBehindAProxyServiceRotatingThroughTheProvidersPoolAreAClusterHeldForTheirOwnDays() {
        // Another /24 of the provider at every request, an address none of the others used last: no machine, block or
        // address ties two members, only their client on that provider.
        List<DistillationAlert> alerts = rented(16509, RotatingPool.ADDRESS, (member, r) -> true);

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("HOSTED_CLIENT:16509|" + CLIENT);
            assertThat(a.getSeverity()).isLessThan(Severity.HIGH);
            assertThat(evidence(a, "group_member_block_changed_share")).hasValueSatisfying(e -> {
                assertThat(e.getValue()).isEqualTo(1.0);
                assertThat(e.getThreshold()).isEqualTo(0.8);
            });
        });
        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named).allSatisfy(a -> assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent());
        assertThat(named.stream().map(DistillationAlert::getSubjectId).distinct().count())
                .isGreaterThanOrEqualTo(MEMBERS / 2);
    }

    @Test
    void withoutThePoolRuleTheSameRotatingAccountsAreNoClusterAndNoneIsNamed() {
        List<DistillationAlert> alerts = rented(16509, RotatingPool.ADDRESS, (member, r) -> true,
                "hosted-client-pools: true", "hosted-client-pools: false");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aPoolsRotatingUsersWhoseDaysAreNoHarvestAreNotNamed() {
        // A product on serverless functions, out through the provider's pool: its users ask for reasoning on one
        // request in four. The group is no harvest, and none of them is named.
        List<DistillationAlert> alerts = rented(16509, RotatingPool.ADDRESS, (member, r) -> r % 4 == 0);

        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void membersAtEightRequestsAreNamedOnTheirOwnSharesAtTheMembersConfidence() {
        // Eight first turns with reasoning: at one-sided 95 % each member's day is a harvest, at 99 % not yet.
        List<DistillationAlert> alerts = eightEach();

        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named).allSatisfy(a -> {
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
            assertThat(evidence(a, "own_confidence_z")).hasValueSatisfying(e -> {
                assertThat(e.getValue()).isEqualTo(1.64);
                assertThat(e.getThreshold()).isEqualTo(2.33);
            });
            assertThat(evidence(a, "own_first_turn_share_lower_bound_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
        assertThat(named.stream().map(DistillationAlert::getSubjectId).distinct().count())
                .isGreaterThanOrEqualTo(MEMBERS / 2);
    }

    @Test
    void atTheGroupsConfidenceMembersAtEightRequestsAreNotYetNamed() {
        List<DistillationAlert> alerts = eightEach("held-member-confidence-z: 1.64", "held-member-confidence-z: 2.33");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /** The campaign on machines of its own, eight first turns with reasoning an account, in one day. */
    private List<DistillationAlert> eightEach(String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        sendRounds(h, 8, BASE, (member, r) -> "100.64." + member + "." + (9 + r), (member, r) -> true);
        return h.alerts();
    }

    @Test
    void membersThatAskForReasoningOnThreeInFourAreNamedOnALightDayByTheOutputsTheyTook() {
        // Eight first turns a member, a long answer to the first of each four and reasoning on the other three: its
        // reasoning never passes at its lower bound (six of eight at the most), its outputs do from its sixth request.
        List<DistillationAlert> alerts = outputs(false, false);

        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named).allSatisfy(a -> {
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
            assertThat(evidence(a, "own_reasoning_share_lower_bound_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
            assertThat(evidence(a, "own_reasoning_share_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "own_blocks_24h")).hasValueSatisfying(e -> assertThat(e.getValue()).isEqualTo(1));
            assertThat(evidence(a, "own_output_share_lower_bound_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
        assertThat(named.stream().map(DistillationAlert::getSubjectId).filter(id -> id.startsWith("rented-"))
                .distinct().count()).isEqualTo(MEMBERS);
    }

    @Test
    void withoutTheirOutputsCountedMembersThatAskForReasoningOnThreeInFourAreNotYetNamed() {
        List<DistillationAlert> alerts = outputs(false, false, "held-member-outputs: true",
                "held-member-outputs: false");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void membersLeavingFromAnotherBlockAtEachRequestAreNotNamedByTheOutputsTheyTook() {
        // The same campaign through the provider's pool, another /24 at each request: a serverless product's users leave
        // so too, and its writing tool's get long answers.
        List<DistillationAlert> alerts = outputs(false, true);

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aWritingProductsUserWhoAsksForReasoningOnAFewRequestsIsNotNamedBesideTheCampaignOnItsLongAnswers() {
        // Beside the same campaign, on the same cloud and client from a machine of its own: twelve first turns, every
        // answer long, reasoning on one in four. Its outputs would pass; its reasoning share is under the threshold.
        List<DistillationAlert> alerts = outputs(true, false);

        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("rented-");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
        assertThat(alerts).filteredOn(a -> a.getAccounts().contains("writer"))
                .noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /**
     * The campaign on machines of its own, eight first turns a member in one day, reasoning on three in four and a
     * long answer to the fourth, each from a machine of its own or, with {@code pooled}, from another /24 of the
     * provider at each request; then, with {@code writer}, a product's user on the same cloud and client whose twelve
     * first turns get long answers, reasoning on one in four.
     */
    private List<DistillationAlert> outputs(boolean writer, boolean pooled, String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        long t = BASE;
        for (int r = 0; r < 8; r++) {
            for (int member = 0; member < MEMBERS; member++) {
                boolean reasons = r % 4 != 0;
                String address = pooled ? "100." + (64 + r) + "." + member + ".9" : "100.64." + member + ".9";
                h.send(harvest("rented-" + member, address, t += 60_000, random.nextLong())
                        .setAsn(16509).setUserAgent(CLIENT).setPaymentFingerprint("card-rented-" + member)
                        .setReasoningRequested(reasons).setCompletionTokens(reasons ? 600 : 2_000)
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - (60L + 5 * member) * 86_400_000L))
                        .build());
            }
        }
        for (int r = 0; writer && r < 12; r++) {
            h.send(harvest("writer", "100.65.7.9", t += 60_000, random.nextLong()).setAsn(16509)
                    .setUserAgent(CLIENT).setPaymentFingerprint("card-writer").setReasoningRequested(r % 4 == 0)
                    .setCompletionTokens(2_000)
                    .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L)).build());
        }
        return h.alerts();
    }

    @Test
    void membersThatFollowUpOneQuestionInFourAreNamedByTheQuestionsThatOpenTheirConversations() {
        // Twelve first turns with reasoning and four follow-ups a member: its first-turn share of 0.75 is under 0.67 at
        // its lower bound, every question it opens with is a harvest's.
        List<DistillationAlert> alerts = followingUp(0);

        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named).allSatisfy(a -> {
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
            assertThat(evidence(a, "own_first_turn_share_lower_bound_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
            assertThat(evidence(a, "own_first_turn_harvest_share_lower_bound_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "own_first_turn_share_24h")).hasValueSatisfying(e -> {
                assertThat(e.getValue()).isLessThan(1.0).isGreaterThanOrEqualTo(e.getThreshold());
                assertThat(e.getThreshold()).isEqualTo(0.45);
            });
        });
        assertThat(named.stream().map(DistillationAlert::getSubjectId).distinct().count())
                .isGreaterThanOrEqualTo(MEMBERS / 2);
    }

    @Test
    void withoutTheirOpenersJudgedMembersThatFollowUpOneQuestionInFourAreNotNamed() {
        List<DistillationAlert> alerts = followingUp(0, "held-member-openers: true", "held-member-openers: false");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aDeveloperWhoseChatAppOpensWithReasoningAndFollowsUpTwiceIsNotNamedBesideTheCampaign() {
        // Beside the same campaign, a developer on the same cloud and client whose app's users open every conversation
        // with a reasoning question and follow it up twice: every opener a harvest's, a third of its requests first
        // turns, fewer than people open.
        List<DistillationAlert> alerts = followingUp(2);

        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("rented-");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
        assertThat(alerts).filteredOn(a -> a.getAccounts().contains("developer"))
                .noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /**
     * The campaign on machines of its own, each member twelve first turns with reasoning and a follow-up to every
     * third; then, with {@code developerFollowUps} over 0, a developer on the same cloud and client whose
     * conversations each open with reasoning and have that many follow-ups.
     */
    private List<DistillationAlert> followingUp(int developerFollowUps, String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        long t = BASE;
        for (int r = 0; r < 12; r++) {
            for (int member = 0; member < MEMBERS; member++) {
                for (int turn = 0; turn < (r % 3 == 2 ? 2 : 1); turn++) {
                    h.send(harvest("rented-" + member, "100.64." + member + ".9", t += 2_000, random.nextLong())
                            .setAsn(16509).setUserAgent(CLIENT).setPaymentFingerprint("card-rented-" + member)
                            .setCompletionTokens(600).setTurnIndex(turn).setConversationId("c-" + member + "-" + r)
                            .setAccountCreatedAt(Instant.ofEpochMilli(BASE - (60L + 5 * member) * 86_400_000L))
                            .build());
                }
            }
        }
        for (int c = 0; developerFollowUps > 0 && c < 8; c++) {
            for (int turn = 0; turn <= developerFollowUps; turn++) {
                h.send(harvest("developer", "100.65.7.9", t += 60_000, random.nextLong()).setAsn(16509)
                        .setUserAgent(CLIENT).setPaymentFingerprint("card-developer").setCompletionTokens(600)
                        .setTurnIndex(turn).setConversationId("d-" + c)
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L)).build());
            }
        }
        return h.alerts();
    }

    @Test
    void membersAtFourRequestsADayAreNamedOnTheirSecondDayFromBothDaysTogether() {
        // Under the six first turns a day's bounds need at one-sided 95 %: no member's day is a harvest on its own.
        List<DistillationAlert> alerts = twoLightDays();

        long secondDay = BASE + 86_400_000L;
        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named).allSatisfy(a -> {
            assertThat(a.getWindowStart().toEpochMilli()).isEqualTo(secondDay);
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
            assertThat(evidence(a, "own_first_turn_share_lower_bound_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
            assertThat(evidence(a, "own_first_turn_share_lower_bound_2d")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "own_answer_prompt_ratio_2d")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(3.0));
        });
        assertThat(named.stream().map(DistillationAlert::getSubjectId).distinct().count())
                .isGreaterThanOrEqualTo(MEMBERS / 2);
    }

    @Test
    void judgedOnTheirDayAloneMembersAtFourRequestsADayAreNeverNamed() {
        List<DistillationAlert> alerts = twoLightDays("held-member-days: 2", "held-member-days: 1");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aMemberWhoseDayBeforeWasNoHarvestIsNotNamedFromBothDays() {
        // The same campaign; one member's day before was a person's: reasoning on one request in four.
        TopologyHarness h = start();
        for (int day = 0; day < 2; day++) {
            int d = day;
            sendRounds(h, 4, BASE + day * 86_400_000L, (member, r) -> "100.64." + member + "." + (9 + r),
                    (member, r) -> d == 1 || member != 0 || r % 4 == 0);
        }

        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("rented-");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
        assertThat(alerts).filteredOn(a -> a.getAccounts().contains("rented-0"))
                .noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void accountsRotatingThroughThePoolAmongDevelopersOnTheSameClientAreHeldAsAGroupOfTheirOwn() {
        List<DistillationAlert> alerts = poolAmongDevelopers();

        // The client's group as a whole is its developers' too: configured apart, each keeping its machine. Its
        // members that change block at every request are judged apart from them.
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("HOSTED_CLIENT:16509|" + CLIENT);
            assertThat(a.getSeverity()).isLessThan(Severity.HIGH);
            assertThat(evidence(a, "group_pool_members")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()).isLessThan(MEMBERS + 1));
            assertThat(evidence(a, "group_pool_member_reasoning_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named).allSatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("rented-");
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
            assertThat(evidence(a, "own_block_changes_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
        assertThat(named.stream().map(DistillationAlert::getSubjectId).distinct().count())
                .isGreaterThanOrEqualTo(MEMBERS / 2);
        // The developers whose apps ask for reasoning on every short first turn have a harvest's day by their shape;
        // they keep their machines, and are not named.
        assertThat(alerts).filteredOn(a -> a.getAccounts().stream().anyMatch(id -> id.startsWith("developer-")))
                .noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void rotatingMembersAmongDevelopersThatFollowUpOneQuestionInFourAreNotJudgedByTheirOpeners() {
        // Picked out of a client's developers by their blocks alone, they are what a serverless product's users on
        // that pool are too: held to the first-turn share's bound, which three first turns in four do not pass.
        List<DistillationAlert> alerts = poolAmongDevelopers(RotatingPool.ADDRESS, true);

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a ->
                assertThat(evidence(a, "group_pool_members")).isPresent());
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
        assertThat(alerts).noneSatisfy(a ->
                assertThat(evidence(a, "own_first_turn_harvest_share_lower_bound_24h")).isPresent());
    }

    @Test
    void withoutPoolMembersTheSameCampaignAmongDevelopersIsNoClusterAndNoneIsNamed() {
        List<DistillationAlert> alerts = poolAmongDevelopers("hosted-client-pool-members: 10",
                "hosted-client-pool-members: 0");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aProductsUsersOutThroughItsFewEgressAddressesEachCallAreNoGroupOfRotatingMembers() {
        // An agent product that calls with its users' accounts through six egress addresses in six /24s, another at
        // each call: its users change block as a pool's accounts do, but share their addresses.
        List<DistillationAlert> alerts = poolAmongDevelopers((member, r) -> "100." + (64 + (member + r) % 6) + ".1.9");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).noneSatisfy(a ->
                assertThat(evidence(a, "group_pool_members")).isPresent());
        // (Its egress blocks are what the rules judge it on, as any product's on a cloud: not this link's.)
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).noneSatisfy(a ->
                assertThat(evidence(a, "cluster:HOSTED_CLIENT:16509|" + CLIENT)).isPresent());
    }

    /**
     * The rotating campaign above beside as many developers on the same cloud and client, one request each in turn:
     * every developer on a machine of its own, half of them with an app that asks for reasoning on every short first
     * turn (the campaign's shape), half with one that never does.
     */
    private List<DistillationAlert> poolAmongDevelopers(String... ruleReplacements) {
        return poolAmongDevelopers(RotatingPool.ADDRESS, false, ruleReplacements);
    }

    private List<DistillationAlert> poolAmongDevelopers(BiFunction<Integer, Integer, String> rotating,
                                                        String... ruleReplacements) {
        return poolAmongDevelopers(rotating, false, ruleReplacements);
    }

    /** With {@code followUps}, every fourth of a rotating member's requests follows up the one before. */
    private List<DistillationAlert> poolAmongDevelopers(BiFunction<Integer, Integer, String> rotating,
                                                        boolean followUps, String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        for (int r = 0; r < REQUESTS; r++) {
            for (int member = 0; member < MEMBERS; member++) {
                long t = BASE + ((r * MEMBERS + member) * 2L) * 30_000L;
                h.send(harvest("developer-" + member, "100.90." + member + ".9", t, random.nextLong())
                        .setAsn(16509).setUserAgent(CLIENT).setPaymentFingerprint("card-developer-" + member)
                        .setReasoningRequested(member % 2 == 0).setCompletionTokens(600)
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - (90L + 7 * member) * 86_400_000L))
                        .build());
                boolean followUp = followUps && r % 4 == 3;
                h.send(harvest("rented-" + member, rotating.apply(member, r), t + 30_000L,
                        random.nextLong())
                        .setAsn(16509).setUserAgent(CLIENT).setPaymentFingerprint("card-rented-" + member)
                        .setReasoningRequested(true).setCompletionTokens(600).setTurnIndex(followUp ? 1 : 0)
                        .setConversationId("c-" + member + "-" + (followUp ? r - 1 : r))
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - (60L + 5 * member) * 86_400_000L))
                        .build());
            }
        }
        return h.alerts();
    }

    /** The campaign on machines of its own at four first turns an account a day, on two days running. */
    private List<DistillationAlert> twoLightDays(String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        for (int day = 0; day < 2; day++) {
            sendRounds(h, 4, BASE + day * 86_400_000L, (member, r) -> "100.64." + member + "." + (9 + r),
                    (member, r) -> true);
        }
        return h.alerts();
    }

    /** Another /24 of one provider for each member and round, so no two requests share a block. */
    private static final class RotatingPool {
        static final BiFunction<Integer, Integer, String> ADDRESS = (member, r) ->
                "100." + (64 + r) + "." + member + ".9";
    }

    @Test
    void withHostedClientsOffTheSameAccountsAreNoClusterAndNoneIsNamed() {
        List<DistillationAlert> alerts = rented(16509, (member, r) -> "100.64." + member + "." + (9 + r),
                (member, r) -> true, "hosted-client-accounts: 20", "hosted-client-accounts: 0");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void developersWhoConfiguredTheirDeploymentsApartAreNoCluster() {
        // Two in three keep the tool's reasoning on, the others turned it off: the group's share (0.67) is a harvest's,
        // its members are not alike.
        List<DistillationAlert> alerts = rented(16509, (member, r) -> "100.64." + member + "." + (9 + r),
                (member, r) -> member % 3 != 2);

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aProductsUsersBehindItsFewEgressAddressesAreNoHostedClientCluster() {
        // What the product's /24 is to the rules (an extraction-shaped group on a hosting provider, unless its egress
        // is listed in detector.hosted-product-networks) is not this test's: its client is no tie between its users.
        List<DistillationAlert> alerts = rented(16509, (member, r) -> "3.5.140." + (10 + member % 4),
                (member, r) -> true);

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().noneSatisfy(a ->
                assertThat(a.getSubjectId()).startsWith("HOSTED_CLIENT:"));
    }

    @Test
    void theSameAccountsAtHomeOnOneIspAreNoCluster() {
        // A popular app's users on one ISP: one client, one network, an address each, one configuration. A home
        // network is not a rented machine.
        List<DistillationAlert> alerts = rented(7922, (member, r) -> "73.12." + member + ".9", (member, r) -> true);

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aProviderTakenOffTheHostingListNoLongerGroupsItsClients() {
        List<DistillationAlert> alerts = rented(16509, (member, r) -> "100.64." + member + "." + (9 + r),
                (member, r) -> true, "    - 16509    # Amazon Web Services\n", "");

        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
    }

    /**
     * {@value #MEMBERS} accounts opened months apart, each with a card of its own and fresh prompts, {@value #REQUESTS}
     * first turns each with one client from one network, round after round.
     */
    private List<DistillationAlert> rented(int asn, BiFunction<Integer, Integer, String> address,
                                           BiPredicate<Integer, Integer> reasons, String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        send(h, asn, address, reasons);
        return h.alerts();
    }

    private void send(TopologyHarness h, int asn, BiFunction<Integer, Integer, String> address,
                      BiPredicate<Integer, Integer> reasons) {
        sendRounds(h, asn, REQUESTS, BASE, address, reasons);
    }

    private void sendRounds(TopologyHarness h, int rounds, long start, BiFunction<Integer, Integer, String> address,
                            BiPredicate<Integer, Integer> reasons) {
        sendRounds(h, 16509, rounds, start, address, reasons);
    }

    private void sendRounds(TopologyHarness h, int asn, int rounds, long start,
                            BiFunction<Integer, Integer, String> address, BiPredicate<Integer, Integer> reasons) {
        for (int r = 0; r < rounds; r++) {
            for (int member = 0; member < MEMBERS; member++) {
                h.send(harvest("rented-" + member, address.apply(member, r),
                        start + (r * MEMBERS + member) * 60_000L, random.nextLong())
                        .setAsn(asn).setUserAgent(CLIENT).setPaymentFingerprint("card-rented-" + member)
                        .setReasoningRequested(reasons.test(member, r)).setCompletionTokens(600)
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - (60L + 5 * member) * 86_400_000L))
                        .build());
            }
        }
    }
}
