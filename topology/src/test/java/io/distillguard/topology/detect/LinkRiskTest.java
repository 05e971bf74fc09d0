package io.distillguard.topology.detect;

import static io.distillguard.topology.TopologyHarness.BASE;
import static io.distillguard.topology.TopologyHarness.byDetector;
import static io.distillguard.topology.TopologyHarness.evidence;
import static io.distillguard.topology.TopologyHarness.harvest;
import static io.distillguard.topology.TopologyHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.HarnessTest;
import io.distillguard.topology.TopologyHarness;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkWindowStats;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Signals across accounts: fan-in, shared payment, prompt clusters, model pivot and account clusters. */
class LinkRiskTest extends HarnessTest {

    private final Random random = new Random(11);

    @Test
    void universityNatIsFanInButNeverACluster() {
        TopologyHarness h = start();
        for (int i = 0; i < 300; i++) {
            // Students: many accounts on one address, conversations, little reasoning, varied prompts.
            h.send(request("student-" + i % 100, "192.0.2.50", BASE + i * 10_000L)
                    .setConversationId("c-" + i / 3).setTurnIndex(i % 3)
                    .setReasoningRequested(i % 10 == 0).setPromptSimhash(random.nextLong()).setAsn(64512).build());
        }
        List<DistillationAlert> alerts = h.alerts();
        List<DistillationAlert> fanIn = byDetector(alerts, "IP_FAN_IN");
        assertThat(fanIn).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getSubjectType()).isEqualTo(SubjectType.IP);
            assertThat(a.getSeverity()).isLessThan(Severity.HIGH);
        });
        assertThat(evidence(fanIn.get(0), "distinct_accounts")).hasValueSatisfying(e ->
                assertThat(e.getThreshold()).isEqualTo(25.0));
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER_MEMBER")).isEmpty();
        assertThat(alerts).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    @Test
    void sharedPaymentWithExtractionTrafficIsAClusterAndLaterMembersAreNamed() {
        TopologyHarness h = start("cluster-min-requests: 30", "cluster-min-requests: 10");
        // A hydra: fresh accounts, each a handful of requests from its own residential address, one shared card.
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 3; j++) {
                h.send(harvest("hydra-" + i, "100.64." + i + "." + j, BASE + (i * 3 + j) * 60_000L, random.nextLong())
                        .setPaymentFingerprint("card-1").setApiKeyId("key-hydra-" + i).setAccountCreatedAt(Instant.ofEpochMilli(BASE - 86_400_000L))
                        .build());
            }
        }
        h.send(harvest("hydra-late", "100.65.0.1", BASE + 3_600_000L, random.nextLong())
                .setPaymentFingerprint("card-1").setApiKeyId("key-hydra-late").build());

        List<DistillationAlert> alerts = h.alerts();
        List<DistillationAlert> payment = byDetector(alerts, "SHARED_PAYMENT");
        assertThat(payment).isNotEmpty().allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
        List<DistillationAlert> clusters = byDetector(alerts, "ACCOUNT_CLUSTER");
        assertThat(clusters).isNotEmpty();
        DistillationAlert cluster = clusters.get(clusters.size() - 1);
        assertThat(cluster.getSubjectType()).isEqualTo(SubjectType.ACCOUNT_CLUSTER);
        assertThat(cluster.getSubjectId()).isEqualTo("PAYMENT_FINGERPRINT:card-1");
        assertThat(cluster.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(cluster.getAccounts()).contains("hydra-0", "hydra-4");
        assertThat(evidence(cluster, "group_reasoning_share")).hasValueSatisfying(e -> assertThat(e.getValue()).isEqualTo(1.0));
        assertThat(evidence(cluster, "fired:NEW_ACCOUNTS")).isPresent();
        // Members found after the cluster went HIGH carry its risk in their own account alert, once each.
        List<DistillationAlert> members = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> evidence(a, "fired:CLUSTER_MEMBER").isPresent()).toList();
        assertThat(members).extracting(DistillationAlert::getSubjectId).contains("hydra-late");
        assertThat(members).filteredOn(a -> a.getSubjectId().equals("hydra-late")).allSatisfy(a -> {
            assertThat(evidence(a, "cluster:PAYMENT_FINGERPRINT:card-1")).isPresent();
            assertThat(a.getAccounts()).containsExactly("hydra-late");
        }).extracting(DistillationAlert::getSeverity).doesNotHaveDuplicates().contains(Severity.HIGH);
        // Before the cluster was found, each member's own traffic is under every per-account threshold.
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).noneSatisfy(a ->
                assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isEmpty());
        // The implication is the account's: its API key, whose windows are the account's, does not inherit it.
        assertThat(byDetector(alerts, "API_KEY_RISK")).isEmpty();
    }

    @Test
    void aLabsCardWhoseReasoningIsOneStudentsEvaluationIsNoClusterAndNamesNoStudent() {
        List<DistillationAlert> alerts = labCard(start());
        assertThat(byDetector(alerts, "SHARED_PAYMENT")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).filteredOn(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .allSatisfy(a -> assertThat(a.getAccounts()).allSatisfy(account -> assertThat(account)
                        .isEqualTo("lab-runner")));
    }

    @Test
    void withoutTheCardsMemberTestTheSameLabIsAClusterThatImplicatesItsStudents() {
        List<DistillationAlert> alerts = labCard(start("card-split-min-members: 5", "card-split-min-members: 1000"));
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("PAYMENT_FINGERPRINT:card-lab");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("lab-student-");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
    }

    /**
     * Eight students on their lab's card, five requests each through the morning (conversations, short answers,
     * little reasoning), then one of them runs an evaluation: 90 first turns asking for reasoning on fresh problems.
     */
    private List<DistillationAlert> labCard(TopologyHarness h) {
        long t = BASE;
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 8; i++) {
                t += 60_000L;
                h.send(request("lab-student-" + i, "128.112." + i + ".7", t).setAsn(88)
                        .setPaymentFingerprint("card-lab").setConversationId("c-" + i + "-" + round / 2)
                        .setTurnIndex(round % 2).setReasoningRequested(round == 4 && i == 0)
                        .setPromptSimhash(random.nextLong()).setCompletionTokens(150).build());
            }
        }
        for (int k = 0; k < 90; k++) {
            t += 20_000L;
            h.send(harvest("lab-runner", "52.94.1.10", t, random.nextLong()).setAsn(16509)
                    .setPaymentFingerprint("card-lab").build());
        }
        return h.alerts();
    }

    @Test
    void aCampaignsCardIsAClusterWhateverItsMembersVolumes() {
        TopologyHarness h = start();
        int[] volumes = {4, 6, 9, 14, 20, 30};
        long t = BASE;
        for (int r = 0; r < 30; r++) {
            for (int i = 0; i < volumes.length; i++) {
                if (r < volumes[i]) {
                    t += 30_000L;
                    // One script on rented machines (the card's second trait): reasoning on four requests in five,
                    // whoever sends them; answers not long, so the card is shaped by its reasoning alone.
                    h.send(harvest("card-member-" + i, "73.20." + i + "." + r, t, random.nextLong()).setAsn(16509)
                            .setPaymentFingerprint("card-ring").setReasoningRequested((r + i) % 5 != 0)
                            .setCompletionTokens(400).build());
                }
            }
        }
        assertThat(byDetector(h.alerts(), "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("PAYMENT_FINGERPRINT:card-ring");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(a, "card_members_judged")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(5.0));
            assertThat(evidence(a, "card_member_mean_reasoning_share")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
    }

    /**
     * A school's card: six students of one homework app, accounts a year old, each asking for reasoning on lone
     * questions through a school day: four from the school's address, two on the phone, six at home. A harvest's shape,
     * on a card over the fan-in threshold.
     */
    private List<DistillationAlert> aSchoolsCard(TopologyHarness h) {
        return aSchoolsCard(h, 6, 0);
    }

    /**
     * {@code students} year-old students as above, then {@code newStudents} joined this week, each sending the card as
     * much as all the others: the heaviest, as a new student catching up is.
     */
    private List<DistillationAlert> aSchoolsCard(TopologyHarness h, int students, int newStudents) {
        long t = BASE;
        for (int r = 0; r < 12; r++) {
            for (int i = 0; i < students + newStudents; i++) {
                boolean joined = i >= students;
                for (int k = 0; k < (joined ? students : 1); k++) {
                    t += 60_000L / (joined ? students : 1);
                    String ip = r < 4 ? "198.18.4.10" : r < 6 ? "172.58.10." + (i + 1) : "73.21." + i + ".9";
                    int asn = r < 4 ? 11537 : r < 6 ? 21928 : 7922;
                    long age = (joined ? 5 : 400) * 86_400_000L;
                    h.send(harvest("student-" + i, ip, t, random.nextLong()).setAsn(asn).setCompletionTokens(400)
                            .setPaymentFingerprint("card-school").setCapability("math")
                            .setAccountCreatedAt(Instant.ofEpochMilli(BASE - age)).build());
                }
            }
        }
        return h.alerts();
    }

    @Test
    void aCardThatPaysForPeopleIsNoClusterWithoutASecondTrait() {
        List<DistillationAlert> alerts = aSchoolsCard(start());
        assertThat(byDetector(alerts, "SHARED_PAYMENT")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void withoutTheSecondTraitKeyTheSchoolsCardIsACluster() {
        List<DistillationAlert> alerts = aSchoolsCard(start("shared-card-second-trait: true",
                "shared-card-second-trait: false"));
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("PAYMENT_FINGERPRINT:card-school");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
    }

    @Test
    void aNewStudentWhoSendsMostOfASchoolsCardDoesNotMakeItNewAccounts() {
        // Eight year-old students and one who joined this week sending as much as the eight: new accounts by requests
        // (0.5), one member in nine by members. The new student's own hours are a harvest's and name it; the card
        // names no one else.
        List<DistillationAlert> alerts = aSchoolsCard(start(), 8, 1);
        assertThat(byDetector(alerts, "SHARED_PAYMENT")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> {
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(a.getSubjectId()).isNotEqualTo("student-8");
        });
    }

    @Test
    void withNewAccountsCountedByRequestsOneNewHeavyStudentMakesTheSchoolsCardACluster() {
        List<DistillationAlert> byRequests = aSchoolsCard(start("new-accounts-by-members: true",
                "new-accounts-by-members: false"), 8, 1);
        assertThat(byDetector(byRequests, "ACCOUNT_CLUSTER")).as("new accounts counted by requests alone")
                .anySatisfy(a -> {
                    assertThat(a.getSubjectId()).isEqualTo("PAYMENT_FINGERPRINT:card-school");
                    assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
                    assertThat(evidence(a, "fired:NEW_ACCOUNTS")).isPresent();
                });
    }

    @Test
    void aCardOfNewAccountsIsNewAccountsByItsMembersToo() {
        // Five students joined this week and one year-old: new by requests and by members.
        List<DistillationAlert> alerts = aSchoolsCard(start(), 1, 5);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("PAYMENT_FINGERPRINT:card-school");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(a, "fired:NEW_ACCOUNTS")).isPresent();
            assertThat(evidence(a, "group_new_member_share")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
    }

    /**
     * {@code stats} as the build before {@code field} was appended wrote it (without that field and every one appended
     * after it), read back by this one.
     */
    private static LinkWindowStats writtenBefore(String field, LinkWindowStats stats) throws java.io.IOException {
        org.apache.avro.Schema now = LinkWindowStats.getClassSchema();
        int added = now.getField(field).pos();
        org.apache.avro.Schema before = org.apache.avro.Schema.createRecord(now.getName(), now.getDoc(),
                now.getNamespace(), false, now.getFields().stream().filter(f -> f.pos() < added)
                        .map(f -> new org.apache.avro.Schema.Field(f, f.schema())).toList());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<LinkWindowStats>(before).write(stats, encoder);
        encoder.flush();
        return new io.distillguard.serdes.avro.AvroBinarySerde<>(LinkWindowStats.class).deserializer()
                .deserialize("state", out.toByteArray());
    }

    @Test
    void aHostedClientsWindowWrittenBeforeMemberBlocksWereTalliedGoesOnWithoutThem() throws Exception {
        DetectionRules rules = DetectionRules.defaults();
        LinkWindowStats stats = LinkRiskProcessor.empty();
        for (int r = 0; r < 4; r++) {
            for (int m = 0; m < 12; m++) {
                stats = LinkRiskProcessor.add(rules, 50, new LinkRequest(BASE + (r * 12L + m) * 60_000L, "m" + m, true,
                        true, BASE - 400 * 86_400_000L, "frontier-2", null, 16509, null, false, 1000 + r * 12 + m,
                        100 + r * 12 + m), stats, null, false, true, true, false, true, false);
            }
        }
        // Each member came from another block at each of its three requests after its first (the group's very first
        // request is kept in no slot, as with every member slot: the first member's tally starts at its second).
        assertThat(stats.getSampleBlockTally().remaining()).isEqualTo(12 * 4);
        assertThat(stats.getSampleBlockTally().getShort(4)).isEqualTo((short) 3);
        assertThat(stats.getSampleBlockTally().getShort(6)).isEqualTo((short) 3);
        assertThat(LinkRiskProcessor.poolMembersAssessment(rules, stats, 1)).isNotNull();

        // Written by the build before (no sample_block_tally), read back by this one: the members' tallies start only
        // in the group's next window, and its rotating members are not judged apart in this one.
        LinkWindowStats read = writtenBefore("sample_block_tally", stats);
        assertThat(read.getSampleBlockTally().remaining()).isZero();
        read = LinkRiskProcessor.add(rules, 50, new LinkRequest(BASE + 3_600_000L, "m0", true, true,
                BASE - 400 * 86_400_000L, "frontier-2", null, 16509, null, false, 7, 7), read, null, false, true, true,
                false, true, false);
        assertThat(read.getSampleBlockTally().remaining()).isZero();
        assertThat(read.getRequests()).isEqualTo(49L);
        assertThat(LinkRiskProcessor.poolMembersAssessment(rules, read, 1)).isNull();
    }

    @Test
    void aWindowWrittenBeforeNewMembersWereCountedGoesOnWithoutThem() throws Exception {
        DetectionRules rules = DetectionRules.defaults();
        java.util.function.BiFunction<String, Long, LinkRequest> request = (account, ageDays) -> new LinkRequest(BASE,
                account, true, true, BASE - ageDays * 86_400_000L, "frontier-2", null, 7922, null, false, 1, 1);
        LinkWindowStats stats = LinkRiskProcessor.empty();
        for (int i = 0; i < 4; i++) {
            stats = LinkRiskProcessor.add(rules, 50, request.apply("aged-" + i, 400L), stats);
        }
        stats = LinkRiskProcessor.add(rules, 50, request.apply("new-0", 5L), stats);
        assertThat(stats.getNewMembers()).isEqualTo(1L);
        assertThat(stats.getNewAccountRequests()).isEqualTo(1L);
        stats = LinkRiskProcessor.add(rules, 50, request.apply("new-0", 5L), stats);
        assertThat(stats.getNewMembers()).as("a member counted once").isEqualTo(1L);

        // Written by the build before (no new_members), read back by this one: the field unknown, not zero, and the
        // members who join after are not counted from the middle of the window.
        LinkWindowStats read = writtenBefore("new_members", stats);
        assertThat(read.getNewMembers()).isNull();
        read = LinkRiskProcessor.add(rules, 50, request.apply("new-1", 5L), read);
        assertThat(read.getNewMembers()).isNull();
        assertThat(read.getNewAccountRequests()).isEqualTo(3L);
    }

    @Test
    void oneTemplateAcrossManyAccountsIsAPromptCluster() {
        TopologyHarness h = start("cluster-min-requests: 30", "cluster-min-requests: 10");
        long template = 0x0123_4567_89ab_cdefL;
        for (int i = 0; i < 25; i++) {
            // Slots filled per request flip a bit or two of the SimHash; one of the two bands still matches.
            long simhash = template ^ (1L << random.nextInt(32));
            // From a hosting provider: the second trait a template group needs to be a cluster.
            h.send(harvest("templ-" + i, "100.64.9." + i, BASE + i * 60_000L, simhash).setAsn(16509).build());
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("PROMPT_CLUSTER:1-");
            assertThat(evidence(a, "fired:HOSTING_ADDRESSES")).isPresent();
            assertThat(evidence(a, "group_first_turn_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(1.0).isGreaterThanOrEqualTo(e.getThreshold()));
        });
    }

    @Test
    void aTemplateWhoseSlotsChangeBothHalvesOfItsSimHashIsStillAPromptCluster() {
        TopologyHarness h = start("cluster-min-requests: 30", "cluster-min-requests: 10");
        long template = 0x0123_4567_89ab_cdefL;
        for (int i = 0; i < 25; i++) {
            // Every request changes a bit in the lowest 16 and one in the third 16: neither 32-bit half of the
            // template survives in any of them, but the second and fourth blocks do.
            long simhash = template ^ (1L << random.nextInt(16)) ^ (1L << (32 + random.nextInt(16)));
            h.send(harvest("slots-" + i, "100.64." + i + ".9", BASE + i * 60_000L, simhash).setAsn(16509).build());
        }
        List<DistillationAlert> clusters = byDetector(h.alerts(), "ACCOUNT_CLUSTER");
        assertThat(clusters).isNotEmpty().allSatisfy(a ->
                assertThat(a.getSubjectId()).isEqualTo("PROMPT_CLUSTER:3-"
                        + Long.toHexString(LinkRiskProcessor.templateBand(template, 3))));
        assertThat(clusters.get(clusters.size() - 1).getAccounts()).contains("slots-0", "slots-19");
    }

    @Test
    void aTemplateWhoseSlotHoldsWordsIsAPromptClusterThroughTheBandsOfItsWordPairs() {
        List<DistillationAlert> withWordBands = textTemplateCampaign(new java.util.Properties());
        assertThat(byDetector(withWordBands, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a ->
                assertThat(a.getSubjectId()).startsWith("PROMPT_CLUSTER:w"));
        assertThat(byDetector(withWordBands, "ACCOUNT_CLUSTER").get(byDetector(withWordBands, "ACCOUNT_CLUSTER").size() - 1)
                .getAccountsTotal()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void withoutWordBandsATemplateWhoseSlotHoldsWordsScattersOverItsSimHashBands() {
        java.util.Properties settings = new java.util.Properties();
        settings.put(io.distillguard.topology.DetectionConfig.WORD_BANDS, "0");
        assertThat(byDetector(textTemplateCampaign(settings), "ACCOUNT_CLUSTER")).isEmpty();
    }

    /**
     * 60 accounts from one hosting provider, a request each on one 24-word template with three words in its middle
     * that change every time (a name, a topic), sent as text: each filling's SimHash moves about ten bits, different
     * ones each time, so the fillings seldom share a SimHash band, while they keep most of their word pairs.
     */
    private List<DistillationAlert> textTemplateCampaign(java.util.Properties settings) {
        TopologyHarness h = startWith(settings, "cluster-min-requests: 30", "cluster-min-requests: 10");
        String[] fixed = new String[24];
        for (int w = 0; w < fixed.length; w++) {
            fixed[w] = word();
        }
        for (int i = 0; i < 60; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < fixed.length; w++) {
                if (w == fixed.length / 2) {
                    text.append(word()).append(' ').append(word()).append(' ').append(word()).append(' ');
                }
                text.append(fixed[w]).append(' ');
            }
            h.send(harvest("words-" + i, "100.64." + i + ".9", BASE + i * 60_000L, 0L).setAsn(16509)
                    .setPromptSimhash(null).setPromptText(text.toString()).build());
        }
        return h.alerts();
    }

    private String word() {
        char[] letters = new char[4 + random.nextInt(6)];
        for (int i = 0; i < letters.length; i++) {
            letters[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(letters);
    }

    @Test
    void theSixTemplateBandsAreThePairsOfSixteenBitBlocks() {
        long simhash = 0x0123_4567_89ab_cdefL;
        assertThat(LinkRiskProcessor.templateBand(simhash, 0)).isEqualTo(0x89ab_cdefL);
        assertThat(LinkRiskProcessor.templateBand(simhash, 1)).isEqualTo(0x0123_4567L);
        assertThat(LinkRiskProcessor.templateBand(simhash, 2)).isEqualTo(0x4567_cdefL);
        assertThat(LinkRiskProcessor.templateBand(simhash, 3)).isEqualTo(0x0123_89abL);
        assertThat(LinkRiskProcessor.templateBand(simhash, 4)).isEqualTo(0x0123_cdefL);
        assertThat(LinkRiskProcessor.templateBand(simhash, 5)).isEqualTo(0x4567_89abL);
    }

    @Test
    void aTemplateHarvestThatAsksForReasoningOnAQuarterOfItsRequestsIsAClusterByItsLongAnswersOnNewAccounts() {
        List<DistillationAlert> clusters = byDetector(templateGroupFromHosting(2_000, 5), "ACCOUNT_CLUSTER");
        assertThat(clusters).anySatisfy(a -> {
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(a, "group_reasoning_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
            assertThat(evidence(a, "group_long_answer_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
    }

    @Test
    void newDevelopersSendingTheQuickstartsExamplePromptAreNoClusterThoughEachReplyIsManyTimesItsPrompt() {
        // Forty accounts opened the day before, each from a home of its own, each sending the SDK quickstart's one
        // example as its first request: a 16-token prompt answered in 250 tokens, fifteen times its length, and no
        // reasoning. A reply that short is a chat's, not a harvested answer.
        List<DistillationAlert> quickstart = sameFirstPromptOnNewAccounts(250);
        assertThat(byDetector(quickstart, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(quickstart, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(quickstart).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    @Test
    void theSameFirstPromptOnNewAccountsAnsweredInPagesIsAClusterByItsLongAnswers() {
        assertThat(byDetector(sameFirstPromptOnNewAccounts(1_500), "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(a, "group_long_answer_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "fired:NEW_ACCOUNTS")).isPresent();
        });
    }

    /** 40 accounts opened the day before, each from its own home address, one first turn each: one 16-token prompt. */
    private List<DistillationAlert> sameFirstPromptOnNewAccounts(int completionTokens) {
        TopologyHarness h = start("cluster-min-requests: 30", "cluster-min-requests: 10");
        long example = 0x5eed_0f_a11_c0deL;
        for (int i = 0; i < 40; i++) {
            h.send(harvest("newdev-" + i, "73.40." + i + ".7", BASE + i * 60_000L, example).setAsn(7922)
                    .setReasoningRequested(false).setPromptTokens(16).setCompletionTokens(completionTokens)
                    .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 86_400_000L)).build());
        }
        return h.alerts();
    }

    @Test
    void theSameTemplateGroupWithAnswersAsLongAsItsPromptsIsNoCluster() {
        List<DistillationAlert> alerts = templateGroupFromHosting(300, 5);
        assertThat(byDetector(alerts, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    @Test
    void longAnswersOnAgedAccountsBehindAHostedTemplateAreAProductsUsersNotACluster() {
        // A report writer hosted on a cloud, calling with each user's own account: its template, its servers'
        // network, first turns with long answers. Only reasoning, or a trait its users do not share, makes it a harvest.
        List<DistillationAlert> alerts = templateGroupFromHosting(2_000, 400);
        assertThat(byDetector(alerts, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    /**
     * 40 accounts created {@code ageDays} before, on one template from a hosting provider, first turns, reasoning on
     * one request in four.
     */
    private List<DistillationAlert> templateGroupFromHosting(int completionTokens, int ageDays) {
        TopologyHarness h = start("cluster-min-requests: 30", "cluster-min-requests: 10");
        long template = 0x1357_9bdf_2468_ace0L;
        for (int i = 0; i < 40; i++) {
            long simhash = template ^ (1L << random.nextInt(32));
            h.send(harvest("writer-" + i, "100.64.7." + i, BASE + i * 60_000L, simhash).setAsn(16509)
                    .setReasoningRequested(i % 4 == 0).setCompletionTokens(completionTokens)
                    .setAccountCreatedAt(Instant.ofEpochMilli(BASE - ageDays * 86_400_000L)).build());
        }
        return h.alerts();
    }

    @Test
    void templateSharedByAgedAccountsOnHomeAddressesIsNotAClusterWithoutASecondTrait() {
        // A product's end users: one system prompt, harvest-shaped even, but each from a home network on an old
        // account and no model pivot: the template alone is what every popular product looks like.
        TopologyHarness h = start("cluster-min-requests: 30", "cluster-min-requests: 10");
        long template = 0x0fed_cba9_8765_4321L;
        for (int i = 0; i < 40; i++) {
            long simhash = template ^ (1L << random.nextInt(32));
            h.send(harvest("homework-" + i, "73.12." + i + ".7", BASE + i * 60_000L, simhash).setAsn(7922)
                    .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L + i * 7 * 3_600_000L)).build());
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    @Test
    void aTemplateSharedByAgedAccountsThatRotateNetworksNamesEachMemberOnceItsOwnDayShowsIt() {
        // A residential proxy pool: each request of each account from another household on another ISP.
        int[] isps = {7922, 701, 7018, 20115, 22773, 3320};
        List<DistillationAlert> alerts = templateFromResidentialAddresses(5, (member, r) -> isps[(member + r) % isps.length]);
        assertHeldByTheirRoaming(alerts);
        List<DistillationAlert> named = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(named.stream().map(DistillationAlert::getSubjectId).distinct().count()).isEqualTo(40);
        assertThat(named).allSatisfy(a -> {
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
            assertThat(evidence(a, "own_distinct_asns_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
    }

    @Test
    void longAnswersFromRentedMachinesAreAClusterWhenTheMembersRunOneConfigurationEachFromItsOwnAddress() {
        // 40 aged accounts on one template from a hosting provider, each from a /24 of its own (another address of it
        // at each request), eight first turns each with long answers and reasoning on half of them: under every
        // reasoning threshold, a harvest of answers.
        List<DistillationAlert> alerts = longAnswersOnHosting((member, r) -> "100.64." + member + "." + (9 + r),
                (member, r) -> r % 2 == member % 2);
        List<DistillationAlert> clusters = byDetector(alerts, "ACCOUNT_CLUSTER").stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(clusters).isNotEmpty().allSatisfy(a -> {
            assertThat(evidence(a, "fired:HOSTING_ADDRESSES")).isPresent();
            assertThat(evidence(a, "group_reasoning_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
            assertThat(evidence(a, "group_member_addresses_distinct_share")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(1.0));
            assertThat(evidence(a, "group_member_block_kept_share")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(1.0));
            assertThat(evidence(a, "group_members_reasoning_dispersion")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThanOrEqualTo(e.getThreshold()));
        });
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
        });
    }

    @Test
    void longAnswersThroughAProductsFewEgressAddressesAreNoCluster() {
        // The same traffic from a product that calls the API with its users' accounts through its NAT gateway's four
        // addresses: a report writer's users, not a harvest's accounts.
        List<DistillationAlert> alerts = longAnswersOnHosting((member, r) -> "3.5.140." + (10 + member % 4),
                (member, r) -> r % 2 == member % 2);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void longAnswersFromAServerlessProductsSharedPoolAreNoCluster() {
        // The same traffic from a product on serverless functions without a gateway: every call leaves from another
        // address of the cloud's pool, in another /24, so the members' addresses are as many as the members, but
        // none of them is a member's own.
        List<DistillationAlert> alerts = longAnswersOnHosting(
                (member, r) -> "52.80." + (member * 8 + r) * 37 % 256 + "." + (1 + member + r),
                (member, r) -> r % 2 == member % 2);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void longAnswersFromMachinesOfTheirOwnAreNoClusterWhenTheMembersWereConfiguredApart() {
        // The same group share of reasoning (a half), from deployments of a tool each set up by its owner: half keep
        // its reasoning on, half turned it off.
        List<DistillationAlert> alerts = longAnswersOnHosting((member, r) -> "100.64." + member + ".9",
                (member, r) -> member % 2 == 0);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void membersWhoseReasoningIsSpreadApartAreNotOneConfigurationThoughEachAskedForSome() {
        // Half the members ask on seven requests in eight, half on one: no member without reasoning, so only the
        // dispersion of their counts tells them from 40 accounts that each ask on four in eight.
        DetectionRules rules = DetectionRules.defaults();
        DetectionRules.Group g = rules.groupOrDefault();
        LinkWindowStats spread = templateOnHosting(rules, 8, (member, r) -> member % 2 == 0 ? r != member % 8 : r == member % 8);
        LinkWindowStats alike = templateOnHosting(rules, 8, (member, r) -> r % 2 == member % 2);
        LinkRiskProcessor.MemberSplit apart = LinkRiskProcessor.memberSplit(g, spread.getSampleReasoning(),
                spread.getReasoning(), spread.getRequests());
        LinkRiskProcessor.MemberSplit one = LinkRiskProcessor.memberSplit(g, alike.getSampleReasoning(),
                alike.getReasoning(), alike.getRequests());
        assertThat(apart.without()).isZero();
        assertThat(apart.apart(g)).isFalse();
        assertThat(apart.dispersion()).isGreaterThan(g.dispersionThreshold(apart.judged() - 1));
        assertThat(apart.oneConfiguration(g)).isFalse();
        assertThat(one.oneConfiguration(g)).isTrue();
    }

    /** 40 aged accounts, eight first turns each on one template from a hosting provider, all with long answers. */
    private List<DistillationAlert> longAnswersOnHosting(java.util.function.BiFunction<Integer, Integer, String> address,
                                                         java.util.function.BiPredicate<Integer, Integer> reasons) {
        TopologyHarness h = start();
        long template = 0x2468_ace0_1357_9bdfL;
        for (int r = 0; r < 8; r++) {
            for (int member = 0; member < 40; member++) {
                h.send(harvest("rented-" + member, address.apply(member, r), BASE + (r * 40L + member) * 30_000L, template)
                        .setAsn(16509).setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L))
                        .setReasoningRequested(reasons.test(member, r)).build());
            }
        }
        return h.alerts();
    }

    @Test
    void aTemplateOnMachinesRentedFromAProviderOffTheHostingListIsAClusterByItsMembersOneNetwork() {
        // 40 aged accounts on one template, each on a /24 of its own of one VPS provider the hosting list leaves out
        // (another address of it at each request), reasoning on every first turn.
        List<DistillationAlert> alerts = templateOnOneNetwork("one-network-share: 0.8", (member, r) -> 64_999,
                (member, r) -> "100.64." + member + "." + (9 + r));
        List<DistillationAlert> clusters = templateClusters(alerts).stream()
                .filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
        assertThat(clusters).isNotEmpty().allSatisfy(a -> {
            assertThat(evidence(a, "fired:ONE_NETWORK")).isPresent();
            assertThat(evidence(a, "fired:HOSTING_ADDRESSES")).isEmpty();
            assertThat(evidence(a, "group_hosting_share")).hasValueSatisfying(e -> assertThat(e.getValue()).isZero());
            assertThat(evidence(a, "group_members_one_network_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "group_member_block_kept_share")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(1.0));
        });
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(a, "fired:CLUSTER_MEMBER")).isPresent();
        });
    }

    @Test
    void withTheOneNetworkTestOffOnlyTheHostingListCorroboratesAndItDoesNotListThatProvider() {
        assertThat(templateClusters(templateOnOneNetwork("one-network-share: 0.8", "one-network-share: 0",
                (member, r) -> 64_999, (member, r) -> "100.64." + member + "." + (9 + r)))).isEmpty();
    }

    @Test
    void aRegionalProductsUsersOnTheirIncumbentProviderAndOthersAreNoCluster() {
        // The same template from one country's product: seven homes in ten on the incumbent provider, the rest on
        // four others, each user's home its own address.
        int[] others = {7922, 701, 7018, 20115};
        List<DistillationAlert> alerts = templateOnOneNetwork("one-network-share: 0.8",
                (member, r) -> member % 10 < 7 ? 3320 : others[member % 4], (member, r) -> "84.150." + member + ".21");
        assertThat(templateClusters(alerts)).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void oneNetworkBehindACampusNatsFewAddressesIsNoCluster() {
        assertThat(templateClusters(templateOnOneNetwork("one-network-share: 0.8", (member, r) -> 1742,
                (member, r) -> "192.0.2." + (10 + member % 4)))).isEmpty();
    }

    @Test
    void oneCarrierHandingEachRequestAnotherBlockIsNoCluster() {
        assertThat(templateClusters(templateOnOneNetwork("one-network-share: 0.8", (member, r) -> 21928,
                (member, r) -> "100.70." + (member * 8 + r) * 37 % 256 + "." + (1 + member + r)))).isEmpty();
    }

    private List<DistillationAlert> templateOnOneNetwork(String rule, java.util.function.IntBinaryOperator asn,
                                                         java.util.function.BiFunction<Integer, Integer, String> address) {
        return templateOnOneNetwork(rule, rule, asn, address);
    }

    /** The account clusters of template groups among {@code alerts}. */
    private static List<DistillationAlert> templateClusters(List<DistillationAlert> alerts) {
        return byDetector(alerts, "ACCOUNT_CLUSTER").stream()
                .filter(a -> a.getSubjectId().startsWith("PROMPT_CLUSTER:")).toList();
    }

    /** 40 aged accounts, eight first turns each on one template asking for reasoning, rules changed as given. */
    private List<DistillationAlert> templateOnOneNetwork(String rule, String replacement,
                                                         java.util.function.IntBinaryOperator asn,
                                                         java.util.function.BiFunction<Integer, Integer, String> address) {
        TopologyHarness h = start(rule, replacement);
        long template = 0x1357_9bdf_2468_ace0L;
        for (int r = 0; r < 8; r++) {
            for (int member = 0; member < 40; member++) {
                h.send(harvest("member-" + member, address.apply(member, r), BASE + (r * 40L + member) * 30_000L,
                        template).setAsn(asn.applyAsInt(member, r))
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L + member * 7 * 3_600_000L))
                        .build());
            }
        }
        return h.alerts();
    }

    @Test
    void hostingAddressesDoNotCorroborateATemplateWhoseMembersWereConfiguredApart() {
        // 40 aged accounts on one template from a hosting provider, four requests each. Run by one operator, every
        // account asks for reasoning on three in four; run by developers each for themselves, a quarter turned the
        // tool's reasoning off and the rest keep it on every request: the same group share, 0.75.
        DetectionRules rules = DetectionRules.defaults();
        LinkWindowStats oneConfiguration = templateOnHosting(rules, (member, r) -> r != member % 4);
        LinkWindowStats configuredApart = templateOnHosting(rules, (member, r) -> member % 4 != 0);
        assertThat(oneConfiguration.getReasoning()).isEqualTo(configuredApart.getReasoning());

        Assessment campaign = LinkRiskProcessor.clusterAssessment(rules, LinkKind.PROMPT_CLUSTER, oneConfiguration,
                40, 2, false);
        assertThat(campaign).isNotNull();
        assertThat(campaign.evidenceWithFired()).anySatisfy(e -> assertThat(e.getSignal()).isEqualTo("fired:HOSTING_ADDRESSES"));
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.PROMPT_CLUSTER, configuredApart, 40, 2, false))
                .isNull();
        LinkRiskProcessor.MemberSplit split = LinkRiskProcessor.memberSplit(rules.groupOrDefault(),
                configuredApart.getSampleReasoning(), configuredApart.getReasoning(), configuredApart.getRequests());
        assertThat(split.judged()).isEqualTo(40);
        assertThat(split.without()).isEqualTo(10);
        assertThat(split.expected()).isLessThan(1);
        // A pivot, under rules where it is a trait of its own, still corroborates it: the split speaks only against
        // the hosting share.
        DetectionRules pivotCorroborates = DetectionRules.parse(TopologyHarness.rulesYaml("pivot-corroborates: false",
                "pivot-corroborates: true"));
        assertThat(LinkRiskProcessor.clusterAssessment(pivotCorroborates, LinkKind.PROMPT_CLUSTER, configuredApart, 40,
                2, true)).isNotNull();
    }

    @Test
    void aTemplateWhoseMembersWereConfiguredApartYesterdayIsNotCorroboratedByHostingBeforeItsMembersAreJudgedToday() {
        assertThat(nextDaysClusters((member, r) -> member % 4 != 0)).isEmpty();
    }

    @Test
    void aTemplateWhoseMembersRanAlikeYesterdayIsCorroboratedByHostingFromTodaysFirstRequests() {
        assertThat(nextDaysClusters((member, r) -> r != member % 4)).isNotEmpty()
                .allSatisfy(a -> assertThat(evidence(a, "fired:HOSTING_ADDRESSES")).isPresent());
    }

    /**
     * A day of 40 accounts on one template from a hosting provider, four requests each, reasoning as given; then, the
     * next day, 25 of them with a harvesting request each: the next day's ACCOUNT_CLUSTER alerts.
     */
    private List<DistillationAlert> nextDaysClusters(java.util.function.BiPredicate<Integer, Integer> reasons) {
        TopologyHarness h = start("cluster-min-requests: 30", "cluster-min-requests: 10");
        long template = 0x1357_9bdf_0246_8aceL;
        long day = 86_400_000L;
        long nextDay = BASE - Math.floorMod(BASE, day) + day;
        for (int r = 0; r < 4; r++) {
            for (int member = 0; member < 40; member++) {
                h.send(harvest("tool-" + member, "100.64." + member + ".9", BASE + (r * 40L + member) * 60_000L, template)
                        .setAsn(16509).setReasoningRequested(reasons.test(member, r)).build());
            }
        }
        for (int member = 0; member < 25; member++) {
            h.send(harvest("tool-" + member, "100.64." + member + ".9", nextDay + member * 60_000L, template)
                    .setAsn(16509).build());
        }
        return byDetector(h.alerts(), "ACCOUNT_CLUSTER").stream()
                .filter(a -> a.getWindowStart().toEpochMilli() >= nextDay).toList();
    }

    private static LinkWindowStats templateOnHosting(DetectionRules rules, java.util.function.BiPredicate<Integer, Integer> reasons) {
        return templateOnHosting(rules, 4, reasons);
    }

    private static LinkWindowStats templateOnHosting(DetectionRules rules, int requests,
                                                     java.util.function.BiPredicate<Integer, Integer> reasons) {
        LinkWindowStats stats = LinkRiskProcessor.empty();
        for (int r = 0; r < requests; r++) {
            for (int member = 0; member < 40; member++) {
                LinkRequest request = new LinkRequest(BASE + (r * 40L + member) * 60_000L, "tool-" + member,
                        reasons.test(member, r), true, BASE - 400 * 86_400_000L, "frontier-2", 0x0123_4567_89ab_cdefL,
                        16509, null, true, member + 1, member + 1);
                stats = LinkRiskProcessor.add(rules, 50, request, stats, null, true, true, true, false, false, false);
            }
        }
        return stats;
    }

    @Test
    void membersWhoseDaysRunSchoolPhoneHomeOnATemplateAreNotNamed() {
        // The look-alike the group's share cannot tell apart on a day of a few requests: a study product's users,
        // each request from the next of three networks. Their own days show three networks, not a pool's many.
        int[] day = {64512, 21928, 7922};
        List<DistillationAlert> alerts = templateFromResidentialAddresses(5, (member, r) -> day[r % day.length]);
        assertThat(alerts).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).isEmpty();
    }

    @Test
    void membersBetweenHomeAndPhoneOnATemplateAreNeverNamed() {
        // Every member changes network at its second request, as a pool's account does, and then only goes back:
        // held at first, never a member named; counted only once from two networks, not even held.
        java.util.function.IntBinaryOperator homeAndPhone = (member, r) -> r % 2 == 1 ? 21928 : 7922;
        List<DistillationAlert> alerts = templateFromResidentialAddresses(5, homeAndPhone);
        assertThat(byDetector(alerts, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(alerts).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).isEmpty();
    }

    @Test
    void countedOnlyOnceFromTwoNetworksMembersBetweenHomeAndPhoneAreNoClusterAtAll() {
        List<DistillationAlert> alerts = templateFromResidentialAddresses(5, (member, r) -> r % 2 == 1 ? 21928 : 7922,
                FIRST_STEPS_OFF);
        assertThat(byDetector(alerts, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
    }

    @Test
    void membersAtHomeOnATemplateTakeNoStepAndAreNoCluster() {
        // Each member's two requests of the day from its household's provider: steps, none to another network.
        List<DistillationAlert> alerts = templateFromResidentialAddresses(2, (member, r) -> 7922 + member % 3);
        assertThat(byDetector(alerts, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
    }

    @Test
    void aPoolsAccountsSendingTwoRequestsEachThroughATemplateAreHeldByTheirFirstStepsAndNamedByTheirOwnDays() {
        // A proxy pool's accounts on a template, two requests each through it (another ISP at each) and three
        // ordinary ones around them from still others: no member has come from two networks through the group
        // before its last request, so only the steps to another network say it is a pool's.
        List<DistillationAlert> alerts = templateThenOwnRequests(POOL_ISPS);
        assertHeldByTheirRoaming(alerts);
        assertThat(byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .map(DistillationAlert::getSubjectId).distinct().count()).isEqualTo(40);
    }

    @Test
    void countedOnlyOnceFromTwoNetworksAPoolsAccountsSendingTwoRequestsEachThroughATemplateAreNoCluster() {
        List<DistillationAlert> alerts = templateThenOwnRequests(POOL_ISPS, FIRST_STEPS_OFF);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /** Account clusters under HIGH, one of them corroborated by its members' roaming at its bound. */
    private static void assertHeldByTheirRoaming(List<DistillationAlert> alerts) {
        List<DistillationAlert> clusters = byDetector(alerts, "ACCOUNT_CLUSTER");
        assertThat(clusters).isNotEmpty().allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
        assertThat(clusters).anySatisfy(a -> {
            assertThat(evidence(a, "fired:ROAMING_MEMBERS")).isPresent();
            assertThat(evidence(a, "group_roaming_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
    }

    private static final int[] POOL_ISPS = {7922, 701, 7018, 20115, 22773, 3320, 5089, 6830};

    private static final String[] FIRST_STEPS_OFF = {"roaming-first-steps: true", "roaming-first-steps: false"};

    private static final String[] NOT_HELD_BEFORE_ROAMING = {"card-held-for-members: true", ""};

    private List<DistillationAlert> templateThenOwnRequests(int[] isps, String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        long template = 0x2468_1357_aceb_dfe0L;
        for (int r = 0; r < 5; r++) {
            for (int i = 0; i < 40; i++) {
                int network = isps[(i + r) % isps.length];
                // The second and fourth requests through the template, the others fresh prompts of the account's own.
                long simhash = r == 1 || r == 3 ? template ^ (1L << random.nextInt(32)) : random.nextLong();
                h.send(harvest("pooled-" + i, (network % 200 + 20) + ".12." + i + "." + (7 + r),
                        BASE + r * 3_600_000L + i * 60_000L, simhash).setAsn(network)
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L + i * 7 * 3_600_000L)).build());
            }
        }
        return h.alerts();
    }

    /**
     * 40 aged accounts on one template, {@code requests} harvest-shaped requests each an hour apart, request r of
     * member i from network {@code asn.applyAsInt(i, r)}.
     */
    private List<DistillationAlert> templateFromResidentialAddresses(int requests,
                                                                     java.util.function.IntBinaryOperator asn,
                                                                     String... ruleReplacements) {
        String[] rules = Stream.concat(Stream.of("cluster-min-requests: 30", "cluster-min-requests: 10"),
                Stream.of(ruleReplacements)).toArray(String[]::new);
        TopologyHarness h = start(rules);
        long template = 0x2468_1357_aceb_dfe0L;
        for (int r = 0; r < requests; r++) {
            for (int i = 0; i < 40; i++) {
                long simhash = template ^ (1L << random.nextInt(32));
                int network = asn.applyAsInt(i, r);
                h.send(harvest("member-" + i, (network % 200 + 20) + ".12." + i + ".7",
                        BASE + r * 3_600_000L + i * 60_000L, simhash).setAsn(network)
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L + i * 7 * 3_600_000L)).build());
            }
        }
        return h.alerts();
    }

    @Test
    void aCardSharedByThreeAccountsRoamingAsAPoolsIsHeldAndEachIsNamedByItsOwnDay() {
        // Held by its roaming alone: the card is not held before that shows (card-held-for-members), so that the
        // roaming is what holds it.
        List<DistillationAlert> alerts = aCardOfThree((member, r) -> POOL_ISPS[(member + r) % POOL_ISPS.length],
                NOT_HELD_BEFORE_ROAMING);
        assertHeldByTheirRoaming(alerts);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).allSatisfy(a ->
                assertThat(a.getSubjectId()).isEqualTo("PAYMENT_FINGERPRINT:card-of-three"));
        // Under the card's fan-in threshold: no fan-in alert of its own.
        assertThat(byDetector(alerts, "SHARED_PAYMENT")).isEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .map(DistillationAlert::getSubjectId).distinct().sorted().toList())
                .containsExactly("three-0", "three-1", "three-2");
    }

    @Test
    void judgedOnlyFromTheFanInThresholdACardSharedByThreeIsNoCluster() {
        List<DistillationAlert> alerts = aCardOfThree((member, r) -> POOL_ISPS[(member + r) % POOL_ISPS.length],
                "card-min-accounts: 2", "card-min-accounts: 5");
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aHouseholdAtHomeSharingACardIsNoClusterWhateverItAsks() {
        // Each member at its own home all day: the card's shape is a harvest's, and nothing corroborates it.
        List<DistillationAlert> alerts = aCardOfThree((member, r) -> 7922);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void newAccountsSharingACardByThreeAtHomeAreNoCluster() {
        // Siblings' accounts opened the same day: new accounts do not corroborate a card this small.
        List<DistillationAlert> alerts = aCardOfThree((member, r) -> 7922, BASE - 86_400_000L);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aHouseholdWithOneMemberAtHomeBesideTwoOnAConsumerVpnIsNoClusterAndNamesNoOne() {
        // Two siblings exit through another home at each request, the third stays at home: the card's own roaming
        // is under its bound (22 of 33), and the member at home plainly stays, so it is not held before that.
        List<DistillationAlert> alerts = aCardOfThree((member, r) -> member < 2
                ? POOL_ISPS[(member * 3 + r) % POOL_ISPS.length] : 7922);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /** Account clusters under HIGH, held for their members' own networks: their roaming not shown at its bound. */
    private static void assertHeldForMembersNetworks(List<DistillationAlert> alerts) {
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getSeverity()).isLessThan(Severity.HIGH);
            assertThat(evidence(a, "fired:MEMBER_NETWORKS")).isPresent();
            assertThat(evidence(a, "fired:ROAMING_MEMBERS")).isEmpty();
            assertThat(evidence(a, "group_members_roaming")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "group_members_staying")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(0.0));
            assertThat(evidence(a, "group_roaming_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
        });
    }

    /**
     * Of a card of two, twelve requests each, every network twice in a row: member 0 between three networks (home,
     * school, the phone), member 1 through six of a pool's. Each roams at six of its eleven requests that can: over
     * the share, each on its own, while the card's lower bound is under it. Member 0 keeps each network's one block;
     * member 1 gets another block at every request, as a pool's exits are other households on the same providers
     * ({@link #POOL_BLOCKS}).
     */
    private static final int[][] HOME_SCHOOL_PHONE_AND_POOL = {
            {7922, 7922, 701, 701, 7018, 7018, 7922, 7922, 701, 701, 7018, 7018},
            {3320, 3320, 5089, 5089, 6830, 6830, 20115, 20115, 22773, 22773, 6453, 6453}};

    /** Member 0's one block on each network, member 1's another at each request. */
    private static final java.util.function.IntBinaryOperator POOL_BLOCKS = (member, r) -> member == 0 ? 40 : 40 + r;

    @Test
    void aCardOfTwoIsHeldBeforeItsRoamingBoundPassesAndOnlyTheMemberFromFourNetworksIsNamed() {
        List<DistillationAlert> alerts = aSharedCard("two", 2, 12, (member, r) -> HOME_SCHOOL_PHONE_AND_POOL[member][r],
                POOL_BLOCKS, BASE - 400 * 86_400_000L);
        assertHeldForMembersNetworks(alerts);
        assertThat(byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .map(DistillationAlert::getSubjectId).distinct().toList()).containsExactly("two-1");
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).filteredOn(a -> a.getSubjectId().equals("two-1")
                && a.getSeverity().compareTo(Severity.HIGH) >= 0).allSatisfy(a -> {
                    assertThat(evidence(a, "cluster:PAYMENT_FINGERPRINT:card-of-two")).isPresent();
                    assertThat(evidence(a, "own_distinct_asns_24h")).hasValueSatisfying(e ->
                            assertThat(e.getValue()).isGreaterThanOrEqualTo(4.0));
                });
    }

    @Test
    void aMemberFromSixNetworksThatStaysOnEachForTwoRequestsIsNotCounted() {
        // Member 1 on each of its six networks' one block twice in a row: a person with places of its own, not a
        // pool (another block at half its requests, under roaming-member-block-share).
        List<DistillationAlert> alerts = aSharedCard("two", 2, 12, (member, r) -> HOME_SCHOOL_PHONE_AND_POOL[member][r],
                BASE - 400 * 86_400_000L);
        assertHeldForMembersNetworks(alerts);
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void countedByItsNetworksAloneTheSameMemberIsNamed() {
        List<DistillationAlert> alerts = aSharedCard("two", 2, 12, (member, r) -> HOME_SCHOOL_PHONE_AND_POOL[member][r],
                BASE - 400 * 86_400_000L, "roaming-member-block-share: 0.75", "roaming-member-block-share: 0");
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("two-1");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
    }

    @Test
    void withoutHoldingCardsForTheirMembersTheSameCardOfTwoNamesNoOne() {
        List<DistillationAlert> alerts = aSharedCard("two", 2, 12, (member, r) -> HOME_SCHOOL_PHONE_AND_POOL[member][r],
                POOL_BLOCKS, BASE - 400 * 86_400_000L, NOT_HELD_BEFORE_ROAMING);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /**
     * A card of two over two days: member 0 a pool's account at twelve requests a day, each from another network;
     * member 1 at three a day, request r of day d from {@code light.applyAsInt(d, r)}.
     */
    private List<DistillationAlert> aCardWithALightMember(java.util.function.IntBinaryOperator light,
                                                          String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        long created = BASE - 400 * 86_400_000L;
        for (int day = 0; day < 2; day++) {
            long dayStart = BASE + day * 86_400_000L;
            for (int r = 0; r < 12; r++) {
                int network = 30_000 + day * 100 + r;
                h.send(harvest("light-0", (network % 200 + 20) + ".40.0." + (7 + r), dayStart + r * 3_600_000L,
                        random.nextLong()).setAsn(network).setPaymentFingerprint("card-of-light")
                        .setAccountCreatedAt(Instant.ofEpochMilli(created)).build());
                if (r % 4 == 1) {
                    network = light.applyAsInt(day, r / 4);
                    h.send(harvest("light-1", (network % 200 + 20) + ".40.1." + (7 + r),
                            dayStart + r * 3_600_000L + 60_000L, random.nextLong()).setAsn(network)
                            .setPaymentFingerprint("card-of-light").setAccountCreatedAt(Instant.ofEpochMilli(created))
                            .build());
                }
            }
        }
        return h.alerts();
    }

    private static final int[][] THREE_A_DAY_THROUGH_A_POOL = {{7922, 701, 7018}, {20115, 22773, 3320}};

    private static List<DistillationAlert> namedLight(List<DistillationAlert> alerts) {
        return byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSubjectId().equals("light-1")
                && a.getSeverity().compareTo(Severity.HIGH) >= 0).toList();
    }

    @Test
    void aCardMemberFromThreeNetworksADayIsNamedOnItsSecondDayByTheNetworksOfBoth() {
        List<DistillationAlert> alerts = aCardWithALightMember((d, r) -> THREE_A_DAY_THROUGH_A_POOL[d][r]);

        assertThat(namedLight(alerts)).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getWindowStart().toEpochMilli()).isEqualTo(BASE + 86_400_000L);
            assertThat(evidence(a, "cluster:PAYMENT_FINGERPRINT:card-of-light")).isPresent();
            // Named once its second day's networks and its first's make four: at the second day's first request.
            assertThat(evidence(a, "own_distinct_asns_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
            assertThat(evidence(a, "own_distinct_asns_2d")).hasValueSatisfying(e -> {
                assertThat(e.getValue()).isGreaterThanOrEqualTo(4.0);
                assertThat(e.getThreshold()).isEqualTo(4.0);
            });
        });
    }

    @Test
    void judgedOnItsDayAloneTheSameLightMemberIsNeverNamed() {
        List<DistillationAlert> alerts = aCardWithALightMember((d, r) -> THREE_A_DAY_THROUGH_A_POOL[d][r],
                "held-member-days: 2", "held-member-days: 1");

        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("light-0");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
        assertThat(namedLight(alerts)).isEmpty();
    }

    @Test
    void aCardMemberAtHomeSchoolAndOnThePhoneBothDaysIsNotNamedByItsTwoDays() {
        // The same three networks on both days: a person's, however many days are counted.
        List<DistillationAlert> alerts = aCardWithALightMember((d, r) -> THREE_A_DAY_THROUGH_A_POOL[0][r]);

        // The card is held and its pool's account named: the member at home is held for, and not named.
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("light-0");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
        assertThat(namedLight(alerts)).isEmpty();
    }

    @Test
    void threeAccountsSharingACardFromRentedMachinesAreACluster() {
        List<DistillationAlert> alerts = aCardOfThree((member, r) -> 16509);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("PAYMENT_FINGERPRINT:card-of-three");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(a, "fired:HOSTING_ADDRESSES")).isPresent();
        });
    }

    private List<DistillationAlert> aCardOfThree(java.util.function.IntBinaryOperator asn, String... ruleReplacements) {
        return aCardOfThree(asn, BASE - 400 * 86_400_000L, ruleReplacements);
    }

    /**
     * Three accounts paying with one card, twelve harvest-shaped requests each an hour apart (no quick pairs, so no
     * ROTATION of their own), request r of member i from network {@code asn.applyAsInt(i, r)}.
     */
    private List<DistillationAlert> aCardOfThree(java.util.function.IntBinaryOperator asn, long created,
                                                 String... ruleReplacements) {
        return aSharedCard("three", 3, 12, asn, created, ruleReplacements);
    }

    /** {@code accounts} accounts "{prefix}-i" on card "card-of-{prefix}", {@code requests} each as above. */
    private List<DistillationAlert> aSharedCard(String prefix, int accounts, int requests,
                                                java.util.function.IntBinaryOperator asn, long created,
                                                String... ruleReplacements) {
        return aSharedCard(prefix, accounts, requests, asn, (i, r) -> 40, created, ruleReplacements);
    }

    /** The same, request r of member i from block {@code <network>.<block.applyAsInt(i, r)>.<i>}. */
    private List<DistillationAlert> aSharedCard(String prefix, int accounts, int requests,
                                                java.util.function.IntBinaryOperator asn,
                                                java.util.function.IntBinaryOperator block, long created,
                                                String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        for (int r = 0; r < requests; r++) {
            for (int i = 0; i < accounts; i++) {
                int network = asn.applyAsInt(i, r);
                h.send(harvest(prefix + "-" + i, (network % 200 + 20) + "." + block.applyAsInt(i, r) + "." + i + "."
                                + (7 + r),
                        BASE + r * 3_600_000L + i * 60_000L, random.nextLong()).setAsn(network)
                        .setPaymentFingerprint("card-of-" + prefix).setAccountCreatedAt(Instant.ofEpochMilli(created))
                        .build());
            }
        }
        return h.alerts();
    }

    private static final String[] SHARED_CARD_AT_BOUNDS = {"shared-card-held-at-point: true", ""};

    /**
     * Five accounts on one card (the payment link's fan-in threshold), twelve requests each an hour apart, request r
     * of member i from network {@code asn.applyAsInt(i, r)}, every fourth from the first a conversation's second turn:
     * first turns 45 of 60, 0.75, over their threshold (0.67) as they are and under it at the lower bound (0.60), and
     * never over it at the bound on the way.
     */
    private List<DistillationAlert> aCardOfFiveWithFollowUps(java.util.function.IntBinaryOperator asn,
                                                             String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        sendACardOfFive(h, asn);
        return h.alerts();
    }

    private void sendACardOfFive(TopologyHarness h, java.util.function.IntBinaryOperator asn) {
        sendACardWithFollowUps(h, "five", 5, asn, 4);
    }

    /**
     * {@code members} accounts "{prefix}-i" on card "card-of-{prefix}", twelve requests each as the card of five's,
     * every {@code followUpEvery}-th from the first a conversation's second turn.
     */
    private void sendACardWithFollowUps(TopologyHarness h, String prefix, int members,
                                        java.util.function.IntBinaryOperator asn, int followUpEvery) {
        for (int r = 0; r < 12; r++) {
            for (int i = 0; i < members; i++) {
                int network = asn.applyAsInt(i, r);
                h.send(harvest(prefix + "-" + i, (network % 200 + 20) + ".42." + i + "." + (7 + r),
                        BASE + r * 3_600_000L + i * 60_000L, random.nextLong()).setAsn(network)
                        .setTurnIndex(r % followUpEvery == 0 ? 1 : 0).setPaymentFingerprint("card-of-" + prefix)
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L)).build());
            }
        }
    }

    /**
     * A card of three, twelve requests each, every sixth from the first a second turn: first turns 30 of 36, 0.83,
     * whose lower bound passes the threshold (0.67) at one-sided 95 % (0.71) and not at 99 % (0.65).
     */
    private List<DistillationAlert> aCardOfThreeAtNinetyFivePercent(java.util.function.IntBinaryOperator asn,
                                                                   String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        sendACardWithFollowUps(h, "three", 3, asn, 6);
        return h.alerts();
    }

    @Test
    void aCardOfThreeShapedAtNinetyFivePercentIsHeldAndEachIsNamedByItsOwnDay() {
        List<DistillationAlert> alerts = aCardOfThreeAtNinetyFivePercent((member, r) ->
                POOL_ISPS[(member * 3 + r) % POOL_ISPS.length]);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getSeverity()).isLessThan(Severity.HIGH);
            assertThat(evidence(a, "group_confidence_z")).hasValueSatisfying(e -> {
                assertThat(e.getValue()).isEqualTo(1.64);
                assertThat(e.getThreshold()).isEqualTo(2.33);
            });
            assertThat(evidence(a, "group_first_turn_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "group_shape_at_point")).isEmpty();
        });
        assertThat(byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .map(DistillationAlert::getSubjectId).distinct().sorted().toList())
                .containsExactly("three-0", "three-1", "three-2");
    }

    @Test
    void atTheGroupsZTheSameCardOfThreeNamesNoOne() {
        List<DistillationAlert> alerts = aCardOfThreeAtNinetyFivePercent((member, r) ->
                POOL_ISPS[(member * 3 + r) % POOL_ISPS.length], "held-card-confidence-z: 1.64", "");
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /**
     * A household's card of three, member i's requests from {@code asns[i]} an hour apart, every sixth from the first a
     * second turn: first turns 25 of 30 over the card, shaped at one-sided 95 % and not at 99 %.
     */
    private List<DistillationAlert> aHouseholdCard(int[][] asns, String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        for (int r = 0; r < 12; r++) {
            for (int i = 0; i < asns.length; i++) {
                if (r >= asns[i].length) {
                    continue;
                }
                int network = asns[i][r];
                h.send(harvest("home-" + i, (network % 200 + 20) + ".43." + i + "." + (7 + r),
                        BASE + r * 3_600_000L + i * 60_000L, random.nextLong()).setAsn(network)
                        .setTurnIndex(r % 6 == 0 ? 1 : 0).setPaymentFingerprint("card-of-a-household")
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L)).build());
            }
        }
        return h.alerts();
    }

    /**
     * Two siblings each on six networks twice in a row (one between home, school, the phone and places of its own,
     * one on a consumer VPN that keeps an exit a while), each roaming at six of its eleven requests that can, and a
     * third between home and the phone at six requests: two members roam at roaming-share and none has ten requests
     * at less, while the card's roaming as a whole is under it even at one-sided 95 %.
     */
    private static final int[][] A_HOUSEHOLD_OF_THREE = {
            {7922, 7922, 701, 701, 7018, 7018, 20115, 20115, 22773, 22773, 3320, 3320},
            {3320, 3320, 5089, 5089, 6830, 6830, 20115, 20115, 22773, 22773, 6453, 6453},
            {7922, 701, 7922, 701, 7922, 701}};

    @Test
    void aHouseholdCardShapedOnlyAtNinetyFivePercentIsNotHeldByTwoMembersAtHalfTheirRequests() {
        List<DistillationAlert> alerts = aHouseholdCard(A_HOUSEHOLD_OF_THREE);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
    }

    @Test
    void atItsBoundsTheSameHouseholdsShapeAndTwoMembersWouldHoldIt() {
        // The test above holds for the card's roaming as a whole, not for its shape: with the groups' z at the held
        // card's, the same card is held by its two members (its roaming bound still under 0.5).
        List<DistillationAlert> alerts = aHouseholdCard(A_HOUSEHOLD_OF_THREE, "\n  confidence-z: 2.33\n",
                "\n  confidence-z: 1.64\n");
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a -> {
            assertThat(evidence(a, "group_members_roaming")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(2.0));
            assertThat(evidence(a, "group_roaming_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
        });
    }

    @Test
    void aCardOfThreeOnHostingAddressesIsNotJudgedAtTheHeldCardsZ() {
        // Hosting addresses corroborate a card of a few, which then names its members by itself: it keeps the
        // groups' z, and at 99 % this card is not shaped.
        List<DistillationAlert> alerts = aCardOfThreeAtNinetyFivePercent((member, r) -> 16509);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void atTheHeldCardsZTheSameCardOnHostingAddressesWouldNameItsMembers() {
        // The test above holds for the z, not for something else: with the groups' z at 1.64 the card is a cluster.
        List<DistillationAlert> alerts = aCardOfThreeAtNinetyFivePercent((member, r) -> 16509,
                "\n  confidence-z: 2.33\n", "\n  confidence-z: 1.64\n");
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a ->
                assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aSharedCardShapedOnlyAtItsPointSharesIsHeldOnceItsMembersRoamAndEachIsNamedByItsOwnDay() {
        List<DistillationAlert> alerts = aCardOfFiveWithFollowUps((member, r) -> POOL_ISPS[(member + r) % POOL_ISPS.length]);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a -> {
            // Held: it names no one by itself, and its fan-in does not add to its risk.
            assertThat(a.getSeverity()).isLessThan(Severity.HIGH);
            assertThat(evidence(a, "group_shape_at_point")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "group_first_turn_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
            // Held by its members' roaming: a card at its threshold needs it as its second trait.
            assertThat(evidence(a, "fired:ROAMING_MEMBERS")).isPresent();
            assertThat(evidence(a, "fired:SHARED_PAYMENT")).isEmpty();
        });
        assertThat(byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .map(DistillationAlert::getSubjectId).distinct().sorted().toList())
                .containsExactly("five-0", "five-1", "five-2", "five-3", "five-4");
    }

    @Test
    void onItsBoundsAloneTheSameSharedCardNamesNoOne() {
        List<DistillationAlert> alerts = aCardOfFiveWithFollowUps((member, r) -> POOL_ISPS[(member + r) % POOL_ISPS.length],
                SHARED_CARD_AT_BOUNDS);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aSharedCardShapedOnlyAtItsPointSharesWithOneMemberAtHomeIsNotHeld() {
        // Four members through a pool, one at its one home all day, which began an hour before the others (so that it
        // has its ten requests to compare before they do): a team's or a family's card, not a pool's.
        TopologyHarness h = start();
        h.send(harvest("five-0", "118.42.0.6", BASE - 3_600_000L, random.nextLong()).setAsn(7922)
                .setTurnIndex(1).setPaymentFingerprint("card-of-five")
                .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L)).build());
        sendACardOfFive(h, (member, r) -> member == 0 ? 7922 : POOL_ISPS[(member + r) % POOL_ISPS.length]);
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /**
     * Five accounts on one card, each request from another network of a pool and eleven minutes after the account's
     * one before (no quick pairs for its own rotation), in twelve rounds: each round two lone questions that ask for
     * reasoning and one ordinary conversation of {@code coverTurns} turns around them, no reasoning, answers as long
     * as the prompts. With three turns: of 300 requests, first turns 180 (0.60) and reasoning 120 (0.40), both under
     * their thresholds (0.67, 0.478) at their point too; of the first turns, two in three asked for reasoning.
     */
    private List<DistillationAlert> aCardOfFiveWithCoverTraffic(int coverTurns, String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        int sent = 0;
        for (int r = 0; r < 12; r++) {
            for (int i = 0; i < 5; i++) {
                long t = BASE + r * (2 + coverTurns) * 660_000L + i * 120_000L;
                for (int k = 0; k < 2 + coverTurns; k++) {
                    int network = POOL_ISPS[(i + sent++) % POOL_ISPS.length];
                    boolean cover = k >= 2;
                    h.send(harvest("cover-" + i, (network % 200 + 20) + ".44." + i + "." + (7 + k + r * 10),
                            t + k * 660_000L, random.nextLong()).setAsn(network)
                            .setReasoningRequested(!cover).setTurnIndex(cover ? k - 2 : 0)
                            .setCompletionTokens(cover ? 300 : 2000)
                            .setPaymentFingerprint("card-of-cover")
                            .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L)).build());
                }
            }
        }
        return h.alerts();
    }

    @Test
    void aSharedCardWithConversationsAroundItsHarvestIsHeldOnItsFirstTurnsAndEachIsNamedByItsOwnDay() {
        List<DistillationAlert> alerts = aCardOfFiveWithCoverTraffic(3);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getSeverity()).isLessThan(Severity.HIGH);
            assertThat(evidence(a, "group_first_turn_harvest_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "group_first_turn_share")).hasValueSatisfying(e -> {
                assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()).isLessThan(0.67);
            });
            assertThat(evidence(a, "group_shape_at_point")).isEmpty();
            assertThat(evidence(a, "fired:ROAMING_MEMBERS")).isPresent();
        });
        assertThat(byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .map(DistillationAlert::getSubjectId).distinct().sorted().toList())
                .containsExactly("cover-0", "cover-1", "cover-2", "cover-3", "cover-4");
    }

    @Test
    void withoutItsFirstTurnsJudgedTheSameCardNamesNoOne() {
        List<DistillationAlert> alerts = aCardOfFiveWithCoverTraffic(3, "shared-card-first-turns: true",
                "shared-card-first-turns: false");
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aSharedCardWhoseConversationsAreLongerThanPeoplesIsNotHeldOnItsOpeners() {
        // Conversations of six turns: first turns 3 in 8 (0.375), under the population's 0.45, though two in three of
        // them still asked for reasoning.
        List<DistillationAlert> alerts = aCardOfFiveWithCoverTraffic(6);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    /**
     * Twenty-four accounts in one cloud /24 (a listed hosting ASN), in five rounds eleven minutes a request apart: two
     * lone questions that ask for reasoning and one ordinary conversation of three turns around them, no reasoning,
     * answers shorter than three times their prompts. Of 600 requests, first turns 360 (0.60) and reasoning 240
     * (0.40), both under their thresholds (0.67, 0.478) at their point too; of the first turns, two in three asked
     * for reasoning. Each account on a machine of its own, or, with {@code egress} over 0, each request leaving from
     * one of that many addresses (a product's gateway).
     */
    private List<DistillationAlert> aHostedBlockWithCoverTraffic(int egress, String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        int sent = 0;
        for (int r = 0; r < 5; r++) {
            for (int i = 0; i < 24; i++) {
                long t = BASE + r * 5 * 660_000L + i * 20_000L;
                for (int k = 0; k < 5; k++) {
                    boolean cover = k >= 2;
                    String ip = "3.80.7." + (egress > 0 ? 1 + sent++ % egress : 10 + i);
                    h.send(harvest("rented-" + i, ip, t + k * 660_000L, random.nextLong()).setAsn(16509)
                            .setReasoningRequested(!cover).setTurnIndex(cover ? k - 2 : 0)
                            .setCompletionTokens(cover ? 300 : 2000)
                            .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L)).build());
                }
            }
        }
        return h.alerts();
    }

    @Test
    void aHostedBlockWithConversationsAroundItsHarvestIsAClusterOnItsFirstTurns() {
        List<DistillationAlert> alerts = aHostedBlockWithCoverTraffic(0);
        List<DistillationAlert> clusters = byDetector(alerts, "ACCOUNT_CLUSTER").stream()
                .filter(a -> a.getSubjectId().startsWith("IP_PREFIX:")).toList();
        assertThat(clusters).isNotEmpty();
        assertThat(clusters).anySatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
        assertThat(clusters).allSatisfy(a -> {
            assertThat(evidence(a, "group_first_turn_harvest_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
            assertThat(evidence(a, "group_reasoning_share_lower_bound")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isLessThan(e.getThreshold()));
            assertThat(evidence(a, "group_member_addresses_distinct_share")).isPresent();
        });
        assertThat(byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .map(DistillationAlert::getSubjectId).distinct().count()).isEqualTo(24);
    }

    @Test
    void withoutItsFirstTurnsJudgedTheSameBlockNamesNoOne() {
        List<DistillationAlert> alerts = aHostedBlockWithCoverTraffic(0, "hosting-block-first-turns: true",
                "hosting-block-first-turns: false");
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void theSameTrafficBehindAProductsFewEgressAddressesIsNoClusterOnItsFirstTurns() {
        // Four addresses for everyone: the users of a product that calls with their accounts from its gateway.
        List<DistillationAlert> alerts = aHostedBlockWithCoverTraffic(4);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aCardOfTwoRoamingAccountsIsHeldUnderTheClusterFloorAndEachIsNamedByItsOwnDay() {
        // Eight requests each: sixteen through the card, under link.cluster-min-requests (30).
        List<DistillationAlert> alerts = aSharedCard("two", 2, 8, (member, r) -> POOL_ISPS[(member + r) % POOL_ISPS.length],
                BASE - 400 * 86_400_000L, NOT_HELD_BEFORE_ROAMING);
        assertHeldByTheirRoaming(alerts);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a ->
                assertThat(evidence(a, "group_requests")).hasValueSatisfying(e -> {
                    assertThat(e.getValue()).isLessThan(30);
                    assertThat(e.getThreshold()).isEqualTo(12);
                }));
        assertThat(byDetector(alerts, "ACCOUNT_RISK").stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .map(DistillationAlert::getSubjectId).distinct().sorted().toList()).containsExactly("two-0", "two-1");
    }

    @Test
    void withoutTheHeldFloorACardOfTwoRoamingAccountsWaitsForTheClusterFloor() {
        List<DistillationAlert> alerts = aSharedCard("two", 2, 8, (member, r) -> POOL_ISPS[(member + r) % POOL_ISPS.length],
                BASE - 400 * 86_400_000L, "held-min-requests: 12", "");
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void aHeldCardJudgesItsMembersDayBeforeToo() {
        TopologyHarness h = start();
        long day = 86_400_000L;
        // Two days of one card window (a week from the epoch's), whatever the day the test runs.
        long first = BASE - Math.floorMod(BASE, 7 * day);
        // Day one: five requests each, an hour apart, each from another network: ten through the card, under the
        // held floor. Day two: the card passes it; one member sends three from home only, the other eight roaming.
        for (int r = 0; r < 13; r++) {
            boolean second = r >= 5;
            for (int i = 0; i < 2; i++) {
                if (i == 0 && r >= 8) {
                    continue;
                }
                int network = second && i == 0 ? POOL_ISPS[0] : POOL_ISPS[(i + r) % POOL_ISPS.length];
                long at = first + (second ? day + (r - 5) * 3_600_000L : r * 3_600_000L) + i * 60_000L + 9 * 3_600_000L;
                h.send(harvest("two-" + i, (network % 200 + 20) + ".41." + i + "." + (7 + r), at, random.nextLong())
                        .setAsn(network).setPaymentFingerprint("card-of-two-days")
                        .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * day)).build());
            }
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isNotEmpty()
                .allSatisfy(a -> assertThat(a.getTriggerEventTime().toEpochMilli()).isGreaterThanOrEqualTo(first + day));
        // The member that stayed home on day two is named for day one, when its own networks showed the pool, by
        // the card's judgement on day two; for day two only by both days' networks, at its first request from home.
        List<DistillationAlert> stayedHome = byDetector(alerts, "ACCOUNT_RISK").stream()
                .filter(a -> a.getSubjectId().equals("two-0") && a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .toList();
        assertThat(stayedHome).filteredOn(a -> a.getWindowStart().toEpochMilli() == first).isNotEmpty()
                .allSatisfy(a -> {
                    assertThat(a.getTriggerEventTime().toEpochMilli()).isGreaterThanOrEqualTo(first + day);
                    assertThat(evidence(a, "cluster:PAYMENT_FINGERPRINT:card-of-two-days")).isPresent();
                    assertThat(evidence(a, "own_distinct_asns_24h")).hasValueSatisfying(e ->
                            assertThat(e.getValue()).isEqualTo(5.0));
                });
        assertThat(stayedHome).filteredOn(a -> a.getWindowStart().toEpochMilli() != first).allSatisfy(a -> {
            assertThat(a.getWindowStart().toEpochMilli()).isEqualTo(first + day);
            assertThat(evidence(a, "own_distinct_asns_24h")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(1.0));
            assertThat(evidence(a, "own_distinct_asns_2d")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isEqualTo(5.0));
            assertThat(evidence(a, "own_block_changed_share_2d")).hasValueSatisfying(e ->
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold()));
        });
        // The one that roamed both days is named for both.
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).filteredOn(a -> a.getSubjectId().equals("two-1")
                        && a.getSeverity().compareTo(Severity.HIGH) >= 0)
                .extracting(a -> a.getWindowStart().toEpochMilli()).contains(first, first + day);
    }

    @Test
    void aCardOfTwoOnRentedMachinesKeepsTheClusterFloor() {
        // Hosting addresses name a cluster's members without their own days: that needs the cluster's own floor.
        List<DistillationAlert> alerts = aSharedCard("two", 2, 8, (member, r) -> 16509, BASE - 400 * 86_400_000L);
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).noneSatisfy(a -> assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void accountsOpenedInOneHourWithOneClientThatHarvestAreASignupCohortCluster() {
        TopologyHarness h = start();
        long opened = BASE - 90 * 86_400_000L;
        for (int i = 0; i < 25; i++) {
            for (int j = 0; j < 2; j++) {
                // Nothing else shared: fresh prompts, a residential address and a card each.
                h.send(harvest("burst-" + i, "73." + i + "." + j + ".9", BASE + (i * 2 + j) * 60_000L, random.nextLong())
                        .setAsn(7922).setPaymentFingerprint("card-burst-" + i).setUserAgent("python-httpx/0.27")
                        .setAccountCreatedAt(Instant.ofEpochMilli(opened + i * 60_000L)).build());
            }
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "SIGNUP_COHORT")).isNotEmpty().allSatisfy(a ->
                assertThat(a.getSubjectType()).isEqualTo(SubjectType.SIGNUP_COHORT));
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).isEqualTo("SIGNUP_COHORT:" + (opened - opened % 3_600_000L) + "|python-httpx/0.27");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
    }

    /**
     * Developers who opened accounts in one hour and try the API from its SDK, each with a setting of their own:
     * three in four ask for reasoning on every test request, the others on none; answers of ordinary length. The
     * cohort's share (0.75) is a harvest's; its members are not alike.
     */
    private List<DistillationAlert> developersTryingTheApi(String... ruleReplacements) {
        TopologyHarness h = start(ruleReplacements);
        long opened = BASE - 3_600_000L;
        for (int i = 0; i < 24; i++) {
            for (int j = 0; j < 6; j++) {
                h.send(harvest("dev-" + i, "73." + i + "." + j + ".9", BASE + (i * 6 + j) * 20_000L, random.nextLong())
                        .setAsn(7922).setPaymentFingerprint("card-dev-" + i).setUserAgent("python-sdk/1.40")
                        .setReasoningRequested(i % 4 != 3).setCompletionTokens(300)
                        .setAccountCreatedAt(Instant.ofEpochMilli(opened + i * 60_000L)).build());
            }
        }
        return h.alerts();
    }

    @Test
    void aSignupHoursDevelopersConfiguredApartAreNoCluster() {
        List<DistillationAlert> alerts = developersTryingTheApi();
        assertThat(byDetector(alerts, "SIGNUP_COHORT")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).noneSatisfy(a ->
                assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH));
    }

    @Test
    void withoutTheMemberTestTheSameDevelopersAreACohortCluster() {
        List<DistillationAlert> alerts = developersTryingTheApi("split-min-members: 10", "split-min-members: 1000");
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSubjectId()).startsWith("SIGNUP_COHORT:");
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        });
    }

    @Test
    void popularBenignPromptIsNotACluster() {
        TopologyHarness h = start();
        for (int i = 0; i < 60; i++) {
            h.send(request("user-" + i, "203.0.113." + i, BASE + i * 60_000L).setPromptSimhash(42L)
                    .setConversationId("c" + i).setTurnIndex(0).build());
            h.send(request("user-" + i, "203.0.113." + i, BASE + i * 60_000L + 1000).setPromptSimhash(random.nextLong())
                    .setConversationId("c" + i).setTurnIndex(1).build());
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "PROMPT_CLUSTER")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
    }

    @Test
    void modelPivotIsReportedAndRaisesAClustersScore() {
        long release = BASE + 6 * 3_600_000L;
        TopologyHarness h = start("model-releases: {}", "model-releases: {frontier-9: \"" + Instant.ofEpochMilli(release) + "\"}",
                "cluster-min-requests: 30", "cluster-min-requests: 10");
        // Accounts opened the week before on one card: new accounts corroborate the card, the pivot adds its weight.
        for (int i = 0; i < 30; i++) {
            h.send(harvest("pivot-" + i, "100.64.7." + i, release + i * 60_000L, random.nextLong())
                    .setPaymentFingerprint("card-9").setModel("frontier-9")
                    .setAccountCreatedAt(Instant.ofEpochMilli(release - 7 * 86_400_000L)).build());
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "MODEL_PIVOT")).isNotEmpty().allSatisfy(a ->
                assertThat(evidence(a, "new_model_share")).hasValueSatisfying(e -> assertThat(e.getValue()).isEqualTo(1.0)));
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(evidence(a, "fired:MODEL_PIVOT")).isPresent();
            assertThat(evidence(a, "fired:NEW_ACCOUNTS")).isPresent();
        });
    }

    @Test
    void aProductsTemplateMovedToANewModelOnItsReleaseDayIsNotAClusterByThePivotAlone() {
        // A homework product's users, aged accounts each at home, harvest-shaped: the product changed its default to
        // the model released that morning, and every user's requests went with it.
        List<DistillationAlert> alerts = productUpgradedOnReleaseDay(false);
        assertThat(byDetector(alerts, "MODEL_PIVOT")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
        assertThat(alerts).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    @Test
    void underRulesWhereAPivotCorroboratesTheUpgradedProductsTemplateIsACluster() {
        assertThat(byDetector(productUpgradedOnReleaseDay(true), "ACCOUNT_CLUSTER")).anySatisfy(a -> {
            assertThat(a.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(a, "fired:MODEL_PIVOT")).isPresent();
        });
    }

    private List<DistillationAlert> productUpgradedOnReleaseDay(boolean pivotCorroborates) {
        long release = BASE;
        TopologyHarness h = start("model-releases: {}",
                "model-releases: {frontier-9: \"" + Instant.ofEpochMilli(release) + "\"}",
                "cluster-min-requests: 30", "cluster-min-requests: 10",
                "pivot-corroborates: false", "pivot-corroborates: " + pivotCorroborates);
        long template = 0x0fed_cba9_8765_4321L;
        for (int i = 0; i < 40; i++) {
            long simhash = template ^ (1L << random.nextInt(32));
            h.send(harvest("homework-" + i, "73.12." + i + ".7", release + i * 60_000L, simhash).setAsn(7922)
                    .setModel("frontier-9")
                    .setAccountCreatedAt(Instant.ofEpochMilli(BASE - 400 * 86_400_000L + i * 7 * 3_600_000L)).build());
        }
        return h.alerts();
    }

    @Test
    void aGroupIsNotJudgedOnItsFirstRequests() {
        TopologyHarness h = start();
        // A team of agents sharing an invoice: each conversation opens with a reasoning first turn, then goes on.
        for (int i = 0; i < 10; i++) {
            h.send(harvest("agent-" + i, "198.51.100." + i, BASE + i * 1000L, random.nextLong())
                    .setPaymentFingerprint("invoice-1").setConversationId("c-" + i).build());
        }
        for (int turn = 1; turn < 30; turn++) {
            for (int i = 0; i < 10; i++) {
                h.send(harvest("agent-" + i, "198.51.100." + i, BASE + turn * 15_000L + i * 1000L, random.nextLong())
                        .setPaymentFingerprint("invoice-1").setConversationId("c-" + i).setTurnIndex(turn).build());
            }
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "SHARED_PAYMENT")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).isEmpty();
    }

    @Test
    void anAsnIsNeverACluster() {
        TopologyHarness h = start("asn-accounts-24h: 200", "asn-accounts-24h: 10");
        for (int i = 0; i < 20; i++) {
            h.send(harvest("cloud-" + i, "198.18." + i + ".1", BASE + i * 60_000L, random.nextLong()).setAsn(16509).build());
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "ASN_FAN_IN")).isNotEmpty();
        assertThat(byDetector(alerts, "ACCOUNT_CLUSTER")).noneSatisfy(a ->
                assertThat(a.getSubjectId()).startsWith("ASN:"));
    }

    @Test
    void distinctAccountsAreExactWhileTheSampleHoldsThemAndEstimatedAfter() {
        io.distillguard.topology.rules.DetectionRules rules = TopologyHarness.rules();
        io.distillguard.topology.state.LinkWindowStats stats = LinkRiskProcessor.empty();
        for (int i = 0; i < 2_000; i++) {
            io.distillguard.topology.state.LinkRequest request = new io.distillguard.topology.state.LinkRequest(
                    BASE + i, "acct-" + (i % 1_000), false, true, null, "m", null, null, null, false, 0, 0);
            LinkRiskProcessor.add(rules, 50, request, stats);
            if (i == 49) {
                assertThat(LinkRiskProcessor.distinctAccounts(stats)).isEqualTo(50);
                assertThat(stats.getAccounts().hasRemaining()).as("no sketch while the sample holds every account").isFalse();
            }
        }
        assertThat(stats.getSampleAccounts()).hasSize(50);
        assertThat(LinkRiskProcessor.distinctAccounts(stats)).isBetween(900L, 1_100L);
        assertThat(stats.getRequests()).isEqualTo(2_000);
    }

    @Test
    void aGroupsSampleKeepsItsFirstAccountOnceThenGrowsInArrivalOrder() {
        io.distillguard.topology.rules.DetectionRules rules = TopologyHarness.rules();
        io.distillguard.topology.state.LinkWindowStats stats = LinkRiskProcessor.empty();
        for (String account : List.of("acct-a", "acct-a", "acct-b", "acct-a", "acct-c")) {
            LinkRiskProcessor.add(rules, 50, new io.distillguard.topology.state.LinkRequest(BASE, account, false, true,
                    null, "m", null, null, null, false, 0, 0), stats);
            if (account.equals("acct-a") && stats.getRequests() == 2) {
                assertThat(stats.getSampleAccounts()).as("one account twice is one sample entry").containsExactly("acct-a");
            }
        }
        assertThat(stats.getSampleAccounts()).containsExactly("acct-a", "acct-b", "acct-c");
        assertThat(LinkRiskProcessor.distinctAccounts(stats)).isEqualTo(3);
        assertThat(stats.getRequests()).isEqualTo(5);
    }

    @Test
    void anAccountIsInAGroupByItsIdNotByItsInstanceOrItsHash() {
        List<String> members = new java.util.ArrayList<>(List.of("acct-0001", "Aa", "acct-0003"));
        assertThat(LinkRiskProcessor.containsAccount(members, new String("acct-0003".toCharArray()))).isTrue();
        assertThat(LinkRiskProcessor.containsAccount(List.of(new String("acct-0001".toCharArray())), "acct-0001")).isTrue();
        // "Aa" and "BB" share a String hash: only the characters tell them apart.
        assertThat("BB".hashCode()).isEqualTo("Aa".hashCode());
        assertThat(LinkRiskProcessor.containsAccount(members, "BB")).isFalse();
        assertThat(LinkRiskProcessor.containsAccount(members, "acct-0002")).isFalse();
        assertThat(LinkRiskProcessor.containsAccount(List.of(), "acct-0001")).isFalse();
    }
}
