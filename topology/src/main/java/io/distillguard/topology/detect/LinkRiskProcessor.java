package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardMetrics;
import io.distillguard.topology.DistillguardTopology;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.repartition.PartitionWatermarks;
import io.distillguard.topology.rules.RulesBook;
import io.distillguard.topology.state.CampaignEdge;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkWindowStats;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.Watermark;
import io.distillguard.topology.validation.IpAddresses;
import io.distillguard.topology.validation.ListedProducts;
import io.distillguard.topology.verdicts.VerdictSuppressions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Per shared attribute (an IP, a /24 or /48, an ASN, a payment fingerprint, a prompt cluster): how many accounts
 * share it in its window and what their traffic looks like together. Three kinds of alert:
 * <ul>
 *   <li>the attribute's fan-in detector ({@link LinkKind#detector()}) and MODEL_PIVOT: observations, at most
 *       MEDIUM on their own, since a NAT, a carrier pool or a popular prompt is shared by many honest accounts;</li>
 *   <li>ACCOUNT_CLUSTER: the accounts sharing the attribute are over the fan-in threshold and their traffic together
 *       has the extraction shape (first turns asking for reasoning or getting long answers, {@link HarvestShape});
 *       subject = the attribute, with a sample of member accounts; HIGH or more;</li>
 * </ul>
 * Once a cluster is HIGH, each account that sends an extraction-shaped request through it is handed to the subject
 * path as an implication (a {@link SubjectRequest} with the cluster set), where it becomes the CLUSTER_MEMBER signal
 * of that account's own composite risk: downstream suspension then sees every member in an ACCOUNT_RISK alert of
 * its own, once per account and day however many clusters it is in, while each member alone stays under every
 * per-account threshold.
 * A cluster here is the star of accounts around one shared attribute; accounts linked only transitively (A shares a
 * card with B, B a prompt template with C) form separate clusters, which keeps state per attribute and bounded.
 */
public final class LinkRiskProcessor implements Processor<String, LinkRequest, String, Object> {

    private VerdictSuppressions suppressions;

    /** Honours analysts' dismissals (the verdicts topic's global store); without it every alert is written. */
    public LinkRiskProcessor suppressedBy(VerdictSuppressions suppressions) {
        this.suppressions = suppressions;
        return this;
    }

    public static final String HOUR_STORE = "link-1h";
    public static final String DAY_STORE = "link-24h";
    public static final String WEEK_STORE = "link-7d";
    public static final String EMITTED_STORE = "link-alerts-emitted";
    /** Live only: how far each input partition has got, from the progress marks behind its requests. */
    public static final String PROGRESS_STORE = "link-input-progress";
    public static final String CLUSTER_DETECTOR = "ACCOUNT_CLUSTER";
    private static final String MEMBER_GATE = "member";
    public static final String PIVOT_DETECTOR = "MODEL_PIVOT";
    /** A group's members changing networks between their requests ({@link DetectionRules.Group#roaming}). */
    public static final String ROAMING_DETECTOR = "ROAMING_MEMBERS";
    /**
     * A card of a few held before its members' roaming shows at its bound ({@code group.card-held-for-members}): the
     * roaming each member has to show in its own day's networks before it carries the card's risk.
     */
    public static final String MEMBER_NETWORKS_DETECTOR = "MEMBER_NETWORKS";
    private static final int ACCOUNTS_P = 10;
    /** A followed member's networks: the ASNs of the last two it came from ({@link #followNetwork}). */
    private static final int NETWORK_SLOT = 2 * Integer.BYTES;
    /** A tallied member's requests and reasoning asks ({@link #tallyReasoning}). */
    private static final int TALLY_SLOT = 2 * Short.BYTES;
    /** A member's last address ({@link #followAddress}). */
    private static final int ADDRESS_SLOT = Integer.BYTES;

    private final DetectionConfig config;
    private final String rulesStore;
    private ProcessorContext<String, Object> context;
    private WindowStore<String, LinkWindowStats> hours;
    private WindowStore<String, LinkWindowStats> days;
    private WindowStore<String, LinkWindowStats> weeks;
    private AlertEmitter emitter;
    private RulesBook rules;
    private Sensor lateDropped;

    private String lastModel;
    private DetectionRules lastRules;
    private Long lastRelease;

    /** 0: no progress marks come (offline, one task sees every request in order). */
    private int inputPartitions;
    private PartitionWatermarks inputs;
    private long reportedEpoch = Long.MIN_VALUE;
    private boolean reportedIdle;

    public LinkRiskProcessor(DetectionConfig config, String rulesStore) {
        this.config = config;
        this.rulesStore = rulesStore;
    }

    /**
     * Live: the requests come from {@code partitions} input partitions, each with progress marks behind them, and
     * this task hands the account graph how far all of them have got ({@link CampaignProcessor#PROGRESS_KEY}), keeping
     * what it has heard in {@link #PROGRESS_STORE}.
     */
    public LinkRiskProcessor withInputPartitions(int partitions) {
        this.inputPartitions = partitions;
        return this;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.hours = context.getStateStore(HOUR_STORE);
        this.days = context.getStateStore(DAY_STORE);
        this.weeks = context.getStateStore(WEEK_STORE);
        List<String> detectors = new ArrayList<>(List.of(CLUSTER_DETECTOR, PIVOT_DETECTOR));
        for (LinkKind kind : LinkKind.values()) {
            detectors.add(kind.detector());
        }
        this.emitter = new AlertEmitter(context, EMITTED_STORE, detectors, suppressions);
        this.rules = RulesBook.of(context, config.rules(), rulesStore);
        this.lateDropped = DistillguardMetrics.lateDropped(context.metrics(), "link");
        if (inputPartitions > 0) {
            KeyValueStore<String, Long> progress = context.getStateStore(PROGRESS_STORE);
            inputs = new PartitionWatermarks("input|", inputPartitions, config.hourRetention().toMillis(),
                    new PartitionWatermarks.Store() {
                        @Override
                        public long get(String key) {
                            Long value = progress.get(key);
                            return value == null ? Long.MIN_VALUE : value;
                        }

                        @Override
                        public void put(String key, long value) {
                            progress.put(key, value);
                        }
                    });
            reportedEpoch = Long.MIN_VALUE;
            reportedIdle = false;
        }
    }

    /**
     * Whether a request keyed by its client on its network counts there: the rules in force judge hosted clients
     * (group.hosted-client-accounts) and list its network among the hosting providers. Every request with a network
     * is keyed so, since the list can change at runtime; the others stop here, before any state is read.
     */
    static boolean hostedClient(DetectionRules rules, LinkRequest request) {
        DetectionRules.Group g = rules.groupOrDefault();
        return g.hostedClientAccountsOrDefault() > 0 && g.hosting(request.getAsn());
    }

    public static WindowStore<String, LinkWindowStats> storeFor(LinkKind kind, WindowStore<String, LinkWindowStats> hours,
                                                               WindowStore<String, LinkWindowStats> days,
                                                               WindowStore<String, LinkWindowStats> weeks) {
        return kind.windowMs() <= SubjectRiskProcessor.HOUR_MS ? hours
                : kind.windowMs() <= SubjectRiskProcessor.DAY_MS ? days : weeks;
    }

    /** How far behind stream time (before grace) a kind's windows are kept: the hour store's is configured. */
    private long retainedMs(LinkKind kind) {
        return kind.windowMs() <= SubjectRiskProcessor.HOUR_MS ? config.hourRetention().toMillis()
                : DistillguardTopology.RETAINED_WINDOWS * kind.windowMs();
    }

    @Override
    public void process(Record<String, LinkRequest> record) {
        LinkRequest request = record.value();
        String key = record.key();
        if (request == null || key == null) {
            return;
        }
        if (request.getWatermark() != null) {
            progress(request.getWatermark());
            return;
        }
        LinkKind kind = LinkKind.of(key);
        long time = request.getEventTime();
        DetectionRules inForce = rules.at(time);
        if (kind == LinkKind.HOSTED_CLIENT && !hostedClient(inForce, request)) {
            return;
        }
        long size = kind.windowMs();
        long start = time - Math.floorMod(time, size);
        // A request counts in its window while the store holds it (two windows and the grace period behind the
        // task's stream time), not only until the window's end plus grace: a group's requests come from every input
        // partition, and after an outage the partitions catch up at their own pace, the first pushing stream time
        // ahead of the others' requests.
        if (start + retainedMs(kind) + config.grace().toMillis() <= context.currentStreamTimeMs()) {
            lateDropped.record();
            return;
        }
        WindowStore<String, LinkWindowStats> store = storeFor(kind, hours, days, weeks);
        LinkWindowStats stats = store.fetch(key, start);
        if (kind == LinkKind.PROMPT_CLUSTER && stats != null && stats.getPromptSimhash() != null
                && request.getPromptSimhash() != null
                && Long.bitCount(stats.getPromptSimhash() ^ request.getPromptSimhash()) > (isWordBand(key)
                        ? inForce.groupOrDefault().wordBandMaxDistanceOrDefault()
                        : inForce.groupOrDefault().templateMaxDistanceOrDefault())) {
            // The band's 32 bits matched by chance: the rest of the prompt is another one (a template's variants
            // differ in a few bits, a stranger's prompt in about half of the other 32). At a platform's volume a
            // campaign's hundreds of band variants meet ordinary prompts every day; counted, such a stranger would
            // be a member of the campaign. The request still counts in its other band's group and its other links.
            // A word band's fillings are further apart in SimHash (a slot of words moves it by about 11 bits in a
            // 20-word template), and the band itself already asked for four shared word pairs: a wider bound.
            return;
        }
        int shapedBefore = stats == null ? 0 : stats.getShapedAccounts().size();
        int sampledBefore = stats == null ? 0 : stats.getSampleAccounts().size();
        stats = add(inForce, config.maxAccountsPerAlert(), request, stats == null ? empty() : stats,
                releaseOf(inForce, request.getModel()), kind.followsNetworks(), kind.talliesMembers(),
                kind.followsAddresses(), kind == LinkKind.PAYMENT_FINGERPRINT, kind == LinkKind.HOSTED_CLIENT,
                kind.countsOpeners());
        if (kind == LinkKind.PROMPT_CLUSTER && stats.getPromptSimhash() == null) {
            stats.setPromptSimhash(request.getPromptSimhash());
        }
        store.put(key, stats, start);
        // A hosted client ties no campaign: the account graph's links are what a campaign's accounts share with one
        // another, and a provider's SDK is what its developers share with everyone on it.
        if (kind.clusters() && kind != LinkKind.IP && kind != LinkKind.HOSTED_CLIENT) {
            tieIntoCampaigns(inForce, kind, key, time, start, stats, shapedBefore, sampledBefore);
        }

        long threshold = kind.accountsThreshold(inForce);
        // A card shared by fewer than its fan-in threshold is still judged for the shape (group.card-min-accounts),
        // but raises no fan-in alert: a household's card is no news.
        long judgedFrom = kind == LinkKind.PAYMENT_FINGERPRINT
                ? inForce.groupOrDefault().cardMinAccounts(threshold) : threshold;
        // A group with fewer requests than the threshold cannot have that many accounts: skip the estimate, which
        // reads every register, for the great majority of groups (one-off prompt bands, quiet addresses).
        if (stats.getRequests() < judgedFrom) {
            return;
        }
        long accounts = distinctAccounts(stats);
        double fanIn = (double) accounts / threshold;
        if (accounts < judgedFrom) {
            return;
        }
        String id = Subjects.idOf(key);
        long end = start + size;
        double cap = inForce.scoring().ratioCap();
        // A busy group (a carrier's ASN, a campus /24) is over its threshold on every request, and its alert was
        // emitted long ago: the gate is asked first, and the assessment and its evidence built only for a new tier.
        if (fanIn >= 1 && kind.observed()
                && isNewTier(kind.detector() + '|' + key, start, Assessment.riskOfOne(fanIn, 1, cap, false))) {
            Assessment observation = new Assessment()
                    .measure("distinct_accounts", accounts, threshold)
                    .fire(kind.detector(), fanIn, 1, cap, false);
            emit(kind.detector(), kind.subjectType(), key, id, start, end, time, observation, stats, accounts, inForce);
        }

        double pivotShare = SubjectProfile.share(stats.getNewModelRequests(), stats.getRequests());
        // On the share's lower bound: a small group of a product's users, a third of them trying the new model, would
        // otherwise read as a pivot by chance, and where the rules let a pivot corroborate (group.pivot-corroborates)
        // it is enough to make a template group a cluster.
        boolean pivot = DetectionRules.Group.wilsonLower(stats.getNewModelRequests(), stats.getRequests(),
                inForce.groupOrDefault().confidenceZ()) >= inForce.link().modelPivotShare();
        if (pivot && fanIn >= 1 && kind.observed() && isNewTier(PIVOT_DETECTOR + '|' + key, start,
                Assessment.riskOfOne(pivotShare / inForce.link().modelPivotShare(), 1, cap, false))) {
            Assessment pivotAssessment = new Assessment()
                    .measure("distinct_accounts", accounts, threshold)
                    .measure("new_model_share", pivotShare, inForce.link().modelPivotShare())
                    .fire(PIVOT_DETECTOR, pivotShare / inForce.link().modelPivotShare(), 1, cap, false);
            emit(PIVOT_DETECTOR, kind.subjectType(), key, id, start, end, time, pivotAssessment, stats, accounts, inForce);
        }
        if (!kind.clusters()) {
            return;
        }
        LinkWindowStats judged = stats;
        Assessment cluster = clusterAssessment(inForce, kind, stats, accounts, fanIn, pivot,
                () -> memberSplit(inForce.groupOrDefault(), kind, key, start, judged, store),
                () -> cardMembers(inForce, key, start, judged, store));
        if (cluster == null) {
            return;
        }
        String clusterGate = CLUSTER_DETECTOR + '|' + key;
        int before = emitter.emittedSeverity(clusterGate, start);
        emit(CLUSTER_DETECTOR, SubjectType.ACCOUNT_CLUSTER, clusterGate, key, start, end, time, cluster, stats, accounts,
                inForce);
        int now = emitter.emittedSeverity(clusterGate, start);
        // A group held for its members implicates them from its first alert: each is named only by its own traffic.
        int implicating = cluster.heldForMembers() ? Severity.LOW.ordinal() : Severity.HIGH.ordinal();
        if (now >= implicating && before < implicating) {
            // The group just became a HIGH cluster: every member that already sent it extraction-shaped requests is
            // implicated now, not only at its next request. Over a backlog, whole partitions of members can be
            // processed before the group crosses; they would otherwise depend on processing order.
            for (String member : stats.getShapedAccounts()) {
                implicateMember(member, time, key, start, cluster);
            }
        }
        if (HarvestShape.request(request.getFirstTurn(), request.getReasoning(), request.getLongAnswer())) {
            implicateMember(request.getAccountId(), time, key, start, cluster);
        }
    }

    /**
     * Sends the account graph ({@link CampaignProcessor}) the group's members and counts when the group is
     * extraction-shaped and has enough harvesting accounts to tie: when a harvesting member joins it (or, for a
     * template or a card, any account), and at powers of two of its requests (the graph keeps a group's members only
     * while it is shaped, and judges it on its counts). The first test is a list's size, so the great majority of
     * groups cost nothing here.
     */
    private void tieIntoCampaigns(DetectionRules rules, LinkKind kind, String key, long time, long start,
                                  LinkWindowStats stats, int shapedBefore, int sampledBefore) {
        DetectionRules.Group g = rules.groupOrDefault();
        List<String> shaped = stats.getShapedAccounts();
        if (shaped.size() < g.campaignLinkMinAccounts()) {
            return;
        }
        long n = stats.getRequests();
        // A new member is news only while the group is extraction-shaped; its counts are refreshed at powers of two
        // whatever its shape, so that a group the graph holds is judged on what it is now.
        boolean refresh = (n & (n - 1)) == 0;
        boolean joined = shaped.size() != shapedBefore
                || kind.tiesAlone() && stats.getSampleAccounts().size() != sampledBefore;
        if (!refresh && (!joined || !HarvestShape.pointShaped(rules, stats.getReasoning(), stats.getLongAnswers(), stats.getFirstTurns(), n))) {
            return;
        }
        long accounts = distinctAccounts(stats);
        if (accounts > g.campaignLinkMaxAccounts()) {
            return;
        }
        List<String> others = List.of();
        if (kind.tiesAlone()) {
            // The template's or card's other accounts: those whose requests through it were follow-ups, or first turns
            // with neither reasoning nor a long answer. They tie no groups together, but a campaign this group belongs to holds them too.
            others = new ArrayList<>();
            for (String account : stats.getSampleAccounts()) {
                if (!containsAccount(shaped, account)) {
                    others.add(account);
                }
            }
        }
        WindowStore<String, LinkWindowStats> store = storeFor(kind, hours, days, weeks);
        if (kind == LinkKind.PAYMENT_FINGERPRINT && cardShapedByFew(rules, stats, cardMembers(rules, key, start, stats,
                store))) {
            // The card pays for people who do not behave alike: it ties none of them into a campaign.
            return;
        }
        if (kind == LinkKind.SIGNUP_COHORT && cohortConfiguredApart(rules, stats,
                memberSplit(g, kind, key, start, stats, store))) {
            // People who signed up in the same hour and each chose their own configuration: no campaign's tie.
            return;
        }
        KeyValue<String, CampaignEdge> edge = CampaignProcessor.edge(key, time, start, stats, accounts, others,
                kind == LinkKind.PROMPT_CLUSTER ? memberSplit(g, kind, key, start, stats, store) : MemberSplit.NONE);
        context.forward(new Record<>(edge.key, edge.value, time));
    }

    /**
     * Null when the group does not have the extraction shape, or when its only tie is a prompt template that nothing
     * else corroborates (see {@link DetectionRules.Group}).
     */
    static Assessment clusterAssessment(DetectionRules rules, LinkKind kind, LinkWindowStats stats,
                                        long accounts, double fanIn, boolean pivot) {
        return clusterAssessment(rules, kind, stats, accounts, fanIn, pivot, () -> memberSplit(rules.groupOrDefault(),
                stats.getSampleReasoning(), stats.getReasoning(), stats.getRequests()),
                () -> cardMembers(rules, stats.getSampleReasoning(), stats.getReasoning(), stats.getRequests()));
    }

    /**
     * @param split how the group's members were configured ({@link #memberSplit}): asked only when its hosting share
     *              would corroborate it, as it reads every member's tally
     * @param card  a card group's members ({@link #cardMembers}): asked only of a card shaped by its reasoning share
     */
    static Assessment clusterAssessment(DetectionRules rules, LinkKind kind, LinkWindowStats stats,
                                        long accounts, double fanIn, boolean pivot,
                                        java.util.function.Supplier<MemberSplit> split,
                                        java.util.function.Supplier<CardMembers> card) {
        Assessment group = groupAssessment(rules, kind, stats, accounts, fanIn, pivot, split, card);
        if (group != null || kind != LinkKind.HOSTED_CLIENT) {
            return group;
        }
        return poolMembersAssessment(rules, stats, fanIn);
    }

    /**
     * A hosted client's members that each rotate through the provider's pool ({@link DetectionRules.Group#poolMember}),
     * judged as a group of their own when the client's group as a whole is not a cluster
     * (group.hosted-client-pool-members, with group.hosted-client-pools): a campaign behind a data-centre proxy
     * service that calls with the SDK most developers on that cloud use shares the client's group with them, and their
     * traffic dilutes its shape, their kept machines its addresses, their own settings its configuration. What tells
     * the campaign's accounts apart is what a developer's machine never does: another block at nearly every request,
     * each from an address none of the others used last (a product's users behind its few egress addresses change
     * block as often). Their requests summed, their reasoning share's lower bound must reach the cluster threshold, as
     * a group's would. Held for its members, each named only once its own day is a harvest from block after block
     * (group.pool-member-blocks): the sample is a day's first members, and a developer's app on serverless functions
     * leaves from the pool too. Null when not so.
     */
    static Assessment poolMembersAssessment(DetectionRules rules, LinkWindowStats stats, double fanIn) {
        DetectionRules.Group g = rules.groupOrDefault();
        int needed = g.hostedClientPoolMembersOrDefault();
        ByteBuffer blocks = stats.getSampleBlockTally();
        ByteBuffer tally = stats.getSampleReasoning();
        ByteBuffer kept = stats.getSampleAddresses();
        int slots = Math.min(Math.min(blocks.remaining(), tally.remaining()) / TALLY_SLOT,
                kept.remaining() / ADDRESS_SLOT);
        if (needed == 0 || !g.hostedClientPoolsOrDefault() || slots < needed) {
            return null;
        }
        int judged = 0;
        int pool = 0;
        int[] addresses = new int[slots];
        long requests = 0;
        long reasoning = 0;
        long compared = 0;
        long changed = 0;
        for (int i = 0; i < slots; i++) {
            int at = i * TALLY_SLOT;
            int c = Short.toUnsignedInt(blocks.getShort(blocks.position() + at));
            int ch = Short.toUnsignedInt(blocks.getShort(blocks.position() + at + Short.BYTES));
            if (c < g.splitMemberRequestsOrDefault()) {
                continue;
            }
            judged++;
            if (g.poolMember(c, ch)) {
                addresses[pool++] = kept.getInt(kept.position() + i * ADDRESS_SLOT);
                requests += Short.toUnsignedInt(tally.getShort(tally.position() + at));
                reasoning += Short.toUnsignedInt(tally.getShort(tally.position() + at + Short.BYTES));
                compared += c;
                changed += ch;
            }
        }
        if (pool < needed) {
            return null;
        }
        // Each from an address none of the others used last, as with the group's own pool test: a product's users
        // behind its few egress addresses, one per call, change block as often.
        long distinct = java.util.Arrays.stream(addresses, 0, pool).distinct().count();
        if (distinct < g.ownAddressShareOrDefault() * pool) {
            return null;
        }
        double lower = DetectionRules.Group.wilsonLower(reasoning, requests, g.confidenceZ());
        double threshold = HarvestShape.reasoningThreshold(rules);
        if (lower < threshold) {
            return null;
        }
        double cap = rules.scoring().ratioCap();
        return new Assessment()
                .measure("group_pool_members", pool, needed)
                .measure("group_members_judged_by_blocks", judged, g.splitMinMembersOrDefault())
                .measure("group_pool_member_block_changed_share", (double) changed / compared,
                        g.ownAddressShareOrDefault())
                .measure("group_pool_member_addresses_distinct_share", (double) distinct / pool,
                        g.ownAddressShareOrDefault())
                .measure("group_pool_member_requests", requests, 0)
                .measure("group_pool_member_reasoning_share_lower_bound", lower, threshold)
                .fire("EXTRACTION_SHAPED_GROUP", lower / threshold, rules.scoring().extractionWeight(), 1, true)
                .fire(LinkKind.HOSTED_CLIENT.detector(), fanIn, 1, cap + 1, false)
                .fire("HOSTING_ADDRESSES", 1, 0.5, 1, false)
                .holdForMembers()
                .holdForOwnBlocks();
    }

    private static Assessment groupAssessment(DetectionRules rules, LinkKind kind, LinkWindowStats stats,
                                              long accounts, double fanIn, boolean pivot,
                                              java.util.function.Supplier<MemberSplit> split,
                                              java.util.function.Supplier<CardMembers> card) {
        DetectionRules.Link t = rules.link();
        DetectionRules.Group g = rules.groupOrDefault();
        long n = stats.getRequests();
        // Under the cluster floor only a group held for its members is judged (group.held-min-requests), below.
        long heldFloor = g.heldMinRequests(t.clusterMinRequests());
        if (n < heldFloor) {
            return null;
        }
        boolean underFloor = n < t.clusterMinRequests();
        HarvestShape.Bounds bounds = HarvestShape.lower(rules, stats.getReasoning(), stats.getLongAnswers(),
                stats.getFirstTurns(), n);
        double shape = bounds.strength();
        // A card of a few is held for its members and names no one by itself: not yet shaped at confidence-z, it is
        // judged at group.held-card-confidence-z, and then only if nothing but its members' roaming corroborates it
        // and none of its members stays on its networks beyond chance (a household's at home, school and on the
        // phone, beside a sibling on a consumer VPN).
        boolean fewOnCard = kind == LinkKind.PAYMENT_FINGERPRINT && fanIn < 1;
        boolean heldAtOwnZ = fewOnCard && g.cardHeldForMembersOrDefault()
                && g.heldCardConfidenceZOrDefault() < g.confidenceZ()
                && !memberStays(g, stats.getSampleRoaming(), g.heldCardConfidenceZOrDefault());
        double heldCardZ = heldAtOwnZ ? g.heldCardConfidenceZOrDefault() : g.confidenceZ();
        boolean shapedForMembers = false;
        if (shape < 1 && heldCardZ < g.confidenceZ()) {
            HarvestShape.Bounds forMembers = HarvestShape.lower(rules, stats.getReasoning(), stats.getLongAnswers(),
                    stats.getFirstTurns(), n, heldCardZ);
            if (forMembers.strength() >= 1) {
                bounds = forMembers;
                shape = forMembers.strength();
                shapedForMembers = true;
            }
        }
        // A card at its fan-in threshold may still be held for its members on its point shares
        // (group.shared-card-held-at-point), or on its first turns alone (group.shared-card-first-turns), below, once
        // its members' own roaming holds it.
        boolean shapedAtPoint = false;
        HarvestShape.Openers openers = null;
        // A block on hosting addresses at its fan-in threshold may still be a cluster on its first turns
        // (group.hosting-block-first-turns), once its members run one configuration from addresses of their own, below.
        boolean blockOpeners = false;
        if (shape < 1) {
            boolean sharedCard = kind == LinkKind.PAYMENT_FINGERPRINT && fanIn >= 1 && g.sharedCardHeldAtPointOrDefault();
            boolean hostedBlock = kind == LinkKind.IP_PREFIX && fanIn >= 1 && g.hostingBlockFirstTurnsOrDefault()
                    && SubjectProfile.share(stats.getHostingRequests(), n) >= g.hostingShare();
            if (!sharedCard && !hostedBlock) {
                return null;
            }
            shape = HarvestShape.point(rules, stats.getReasoning(), stats.getLongAnswers(), stats.getFirstTurns(), n)
                    .strength();
            if (shape < 1 && (hostedBlock || g.sharedCardFirstTurnsOrDefault())) {
                openers = HarvestShape.openers(rules, stats.getFirstTurnHarvests(), stats.getFirstTurns(), n);
                shape = openers == null ? 0 : openers.strength();
            }
            if (shape < 1 || hostedBlock && openers == null) {
                return null;
            }
            shapedAtPoint = sharedCard;
            blockOpeners = hostedBlock;
        }
        double newAccounts = SubjectProfile.share(stats.getNewAccountRequests(), n);
        // A product moves its users to a new model on its release day: then a pivot is no trait of its own
        // (group.pivot-corroborates), only weight on a group something else corroborates.
        boolean pivotTrait = pivot && g.pivotCorroboratesOrDefault();
        double hosting = SubjectProfile.share(stats.getHostingRequests(), n);
        boolean young = g.young(t.clusterNewAccountShare(), newAccounts, stats.getNewMembers(),
                stats.getSampleAccounts().size());
        CardMembers cardMembers = CardMembers.NONE;
        if (kind == LinkKind.PAYMENT_FINGERPRINT && !bounds.byLongAnswers()) {
            // A card shaped by its reasoning share: whether that is its members' shape or a few members' (see
            // DetectionRules.Group#cardMembersApart).
            cardMembers = card.get();
            if (cardMembers.apart(g)) {
                return null;
            }
        }
        // Hosting addresses corroborate a template unless its members were configured apart: a tool that developers
        // each run on a machine of their own is one template from the clouds too (see DetectionRules.Group).
        MemberSplit members = kind == LinkKind.PROMPT_CLUSTER && hosting >= g.hostingShare()
                || kind == LinkKind.HOSTED_CLIENT
                || kind == LinkKind.IP_PREFIX && hosting >= g.hostingShare() && (bounds.longAnswersOnly() || blockOpeners)
                || kind == LinkKind.SIGNUP_COHORT && !bounds.byLongAnswers() ? split.get() : MemberSplit.NONE;
        if (kind == LinkKind.SIGNUP_COHORT && members.apart(g)) {
            // A signup hour's accounts configured apart are people trying the API each their own way, not one
            // operator's accounts: the cohort is no cluster, and each member is judged by its own traffic.
            return null;
        }
        boolean listed = hosting >= g.hostingShare() && !members.apart(g);
        MemberAddresses addresses = MemberAddresses.NONE;
        boolean pooled = false;
        if (kind == LinkKind.HOSTED_CLIENT) {
            // Everyone who deploys with one SDK on one cloud shares this group: it is a cluster only when its members
            // run one configuration, each from an address of its own (a product's users leave through its few
            // egress addresses; developers configure their deployments apart), or, with group.hosted-client-pools,
            // each from another block of the provider's pool at nearly every request, as a data-centre proxy
            // service hands them out.
            addresses = memberAddresses(stats);
            boolean own = addresses.own(g);
            pooled = !own && g.hostedClientPoolsOrDefault() && addresses.pool(g);
            if (!members.oneConfiguration(g) || !own && !pooled) {
                return null;
            }
        }
        // Off the hosting list, a template's members on one network, each from a machine of its own (not a NAT's or
        // a carrier's shared addresses, nor a cloud pool's), are rented machines all the same (Group#oneNetwork).
        MemberNetworks networks = MemberNetworks.NONE;
        boolean oneNetwork = false;
        if (kind == LinkKind.PROMPT_CLUSTER && !listed && !young && !pivotTrait) {
            networks = memberNetworks(stats.getSampleNetworks());
            if (networks.one(g)) {
                members = split.get();
                addresses = memberAddresses(stats);
                oneNetwork = !members.apart(g) && addresses.own(g);
            }
        }
        boolean hosted = listed || oneNetwork;
        // Long answers from hosting addresses are a product that writes for its users as much as a harvest, unless its
        // members were judged to run one configuration and each sends from an address of its own: a product calls
        // with its users' accounts through its few egress addresses (see DetectionRules.Group#ownAddresses).
        boolean ownMachines = false;
        if (kind.followsAddresses() && hosted && !young && !pivotTrait && bounds.longAnswersOnly()) {
            if (addresses == MemberAddresses.NONE) {
                // Read already when one network corroborated the group.
                addresses = memberAddresses(stats);
            }
            ownMachines = members.oneConfiguration(g) && addresses.own(g);
        }
        if (blockOpeners) {
            // Held to what long answers from hosting addresses are: the members' one configuration, each from an
            // address of its own. A product's users behind its few egress addresses open with its questions too.
            if (addresses == MemberAddresses.NONE) {
                addresses = memberAddresses(stats);
            }
            if (!members.oneConfiguration(g) || !addresses.own(g)) {
                return null;
            }
            ownMachines = true;
        }
        // A card shared by fewer than its fan-in threshold (group.card-min-accounts, fewOnCard above) is corroborated
        // only by hosting addresses or its members' roaming: a household opens its accounts together and tries a new
        // model together.
        // A card at its fan-in threshold needs a second trait as a template does (group.shared-card-second-trait): a
        // school pays for its students' accounts on one homework app, five and more of one shape, at home and school.
        boolean paidForPeople = kind == LinkKind.PAYMENT_FINGERPRINT && !fewOnCard && g.sharedCardSecondTraitOrDefault()
                && !young && !hosted && !pivotTrait;
        boolean uncorroborated = kind == LinkKind.PROMPT_CLUSTER && !young && !hosted && !pivotTrait
                || fewOnCard && !hosted
                || paidForPeople
                || kind != LinkKind.PAYMENT_FINGERPRINT && !young && !pivotTrait && !ownMachines
                && bounds.longAnswersOnly();
        // The members' roaming corroborates a group nothing else does, and then holds it for each member to show.
        // A card at its fan-in threshold with a second trait is judged as before: its members' roaming neither
        // corroborates nor adds.
        boolean readsRoaming = kind != LinkKind.PAYMENT_FINGERPRINT || fewOnCard || paidForPeople;
        long roamingTrials = readsRoaming ? g.roamingTrials(stats.getMemberRepeats(), stats.getMemberSteps()) : 0;
        long roams = readsRoaming ? g.roamingHits(stats.getMemberRoams(), stats.getMemberStepChanges()) : 0;
        // A card of a few that only its members' roaming corroborates is held, never named: its roaming is judged at
        // the card's held z too.
        double roamingZ = fewOnCard && uncorroborated ? heldCardZ : g.confidenceZ();
        boolean roaming = g.roaming(roams, roamingTrials, roamingZ);
        // A card of a few whose members roam, each over enough of its own requests, is held before the group's
        // bound passes when the rules say so, as is any card judged on its point shares: each member then shows its own
        // day. A household whose one member is on a consumer VPN while the others stay on their networks is not.
        MemberRoaming ownRoaming = (fewOnCard || paidForPeople) && uncorroborated && g.cardHeldForMembersOrDefault()
                || shapedAtPoint ? memberRoaming(g, stats.getSampleRoaming()) : MemberRoaming.NONE;
        boolean heldCard = ownRoaming.holds();
        // Shaped only at the held card's z, a card is held by its roaming as a whole at that z, not by two members
        // each at roaming-share: a household's sibling going round home, school and the phone roams at about half
        // its requests, and beside one on a consumer VPN would make two.
        if (uncorroborated && !roaming && !heldCard || underFloor && !uncorroborated || shapedAtPoint && !heldCard
                || shapedForMembers && (!uncorroborated || !roaming)) {
            return null;
        }
        double cap = rules.scoring().ratioCap();
        Assessment a = new Assessment()
                .measure("distinct_accounts", accounts, fewOnCard
                        ? g.cardMinAccounts(kind.accountsThreshold(rules)) : kind.accountsThreshold(rules))
                .measure("group_requests", n, uncorroborated ? heldFloor : t.clusterMinRequests());
        if (roamingZ < g.confidenceZ() && !shapedForMembers) {
            // Shaped at the groups' z already (and so at the held card's): its evidence gives the bounds at the z its
            // roaming was judged at, so that every bound of the alert is taken at one z.
            HarvestShape.lower(rules, stats.getReasoning(), stats.getLongAnswers(), stats.getFirstTurns(), n, roamingZ)
                    .measure(a);
        } else {
            bounds.measure(a);
        }
        if (openers != null) {
            // Its shares are under their thresholds at their point too: what it is held on is its first turns.
            openers.measure(a);
        } else if (shapedAtPoint) {
            // Its lower bounds above are under their thresholds: what it is held on is its point shares.
            a.measure("group_shape_at_point", shape, 1);
        }
        if (roamingZ < g.confidenceZ()) {
            // Its bounds (when shapedForMembers) and its roaming's were taken at the held card's z.
            a.measure("group_confidence_z", roamingZ, g.confidenceZ());
        }
        a.measure("group_new_account_share", newAccounts, t.clusterNewAccountShare())
                .measure("group_hosting_share", hosting, g.hostingShare())
                .fire("EXTRACTION_SHAPED_GROUP", shape, rules.scoring().extractionWeight(), 1, true);
        measureNewMembers(a, rules, newAccounts, stats.getNewMembers(), stats.getSampleAccounts().size());
        if (!fewOnCard && !shapedAtPoint) {
            a.fire(kind.detector(), fanIn, 1, cap + 1, false);
        }
        members.measure(a, g);
        cardMembers.measure(a, g);
        if (addresses.members() > 0) {
            members.measureDispersion(a, g);
        }
        addresses.measure(a, g);
        if (pooled) {
            a.measure("group_member_block_changed_share",
                    (double) addresses.blockChanges() / addresses.blockRepeats(), g.ownAddressShareOrDefault());
        }
        if (young) {
            a.fire("NEW_ACCOUNTS", newAccounts / t.clusterNewAccountShare(), 0.5, 1, false);
        }
        networks.measure(a, g);
        if (listed) {
            a.fire("HOSTING_ADDRESSES", hosting / g.hostingShare(), 0.5, 1, false);
        } else if (oneNetwork) {
            a.fire("ONE_NETWORK", networks.lower(g) / g.oneNetworkShareOrDefault(), 0.5, 1, false);
        }
        if (pivot) {
            a.fire(PIVOT_DETECTOR, 1, 0.5, 1, false);
        }
        if (heldCard && !roaming) {
            // Weighed as the group's roaming is: it counts for a member only once its own day shows it, and the
            // card's own alert stays under HIGH.
            ownRoaming.measure(a).fire(MEMBER_NETWORKS_DETECTOR, 1, 0.5, 1, false);
        }
        if (kind == LinkKind.HOSTED_CLIENT) {
            // Everyone on the provider who calls with that client is in the group, a developer whose app asks for
            // reasoning on a few first turns as much as a campaign's account: the group names no one by itself, and
            // each member is named only once its own day is a harvest (SubjectSignals#ownShapeConfirms).
            a.holdForMembers();
        }
        // Held on its point shares, a card names no one by itself, whatever its fan-in.
        return roamingEvidence(a, g, roams, roamingTrials, uncorroborated || shapedAtPoint, roamingZ);
    }

    /**
     * The members' roaming in a group's or campaign's evidence, fired when it corroborates; and the hold when it is
     * all that does. A group's roaming share is what a product whose users move between home, school and phone can
     * reach on a day of two or three requests each; a member that rotates shows it in its own day's networks.
     */
    static Assessment roamingEvidence(Assessment a, DetectionRules.Group g, long roams, long repeats,
                                      boolean uncorroborated) {
        return roamingEvidence(a, g, roams, repeats, uncorroborated, g.confidenceZ());
    }

    /** The same, the roaming's share taken at {@code z}: a card of a few's at group.held-card-confidence-z. */
    static Assessment roamingEvidence(Assessment a, DetectionRules.Group g, long roams, long repeats,
                                      boolean uncorroborated, double z) {
        if (repeats > 0) {
            a.measure("group_roaming_share_lower_bound", DetectionRules.Group.wilsonLower(roams, repeats, z),
                    g.roamingShareOrDefault());
        }
        if (g.roaming(roams, repeats, z)) {
            a.fire(ROAMING_DETECTOR, 1, 0.5, 1, false);
        }
        return uncorroborated ? a.holdForMembers() : a;
    }

    private void implicateMember(String account, long time, String clusterKey, long start, Assessment cluster) {
        int clusterSeverity = emitter.emittedSeverity(CLUSTER_DETECTOR + '|' + clusterKey, start);
        boolean held = cluster.heldForMembers();
        if (clusterSeverity < (held ? Severity.LOW.ordinal() : Severity.HIGH.ordinal())) {
            return;
        }
        // Once per account, cluster and window: the subject path keeps the strongest implication of the day. A held
        // one is judged by the member's own day, so it is due once a day: a card's window is a week, and a member
        // implicated on a day its own networks did not show it would otherwise be judged again only the week after.
        long gateWindow = held ? time - Math.floorMod(time, SubjectRiskProcessor.DAY_MS) : start;
        // A hosted client's rotating members ask each member for its own blocks as well; the client's group as a whole
        // does not, and its implication is due even where theirs was sent the same day (the subject path keeps the
        // one that asks less).
        String gate = MEMBER_GATE + '|' + clusterKey + '|' + account + (cluster.heldForOwnBlocks() ? "|blocks" : "");
        if (!emitter.implicationDue(gate, gateWindow, held, clusterSeverity)) {
            return;
        }
        context.forward(new Record<>(Subjects.key(SubjectType.ACCOUNT, account),
                SubjectRiskProcessor.implication(time, account, clusterKey, cluster), time));
    }

    /** Whether an alert of {@code risk} would be a tier not yet emitted under {@code gateKey} for the window. */
    private boolean isNewTier(String gateKey, long start, double risk) {
        return emitter.emittedSeverity(gateKey, start) < AlertScoring.severity(AlertScoring.score(risk)).ordinal();
    }

    private void emit(String detector, SubjectType type, String gateSuffix, String id, long start, long end, long time,
                      Assessment assessment, LinkWindowStats stats, long accounts, DetectionRules rules) {
        String gateKey = detector.equals(CLUSTER_DETECTOR) ? gateSuffix : detector + '|' + gateSuffix;
        double score = AlertScoring.score(assessment.risk());
        if (emitter.emittedSeverity(gateKey, start) >= AlertScoring.severity(score).ordinal()) {
            return;
        }
        // A cluster names the accounts that harvested through it, not everyone who passed through its address or band.
        List<String> sample = new ArrayList<>(detector.equals(CLUSTER_DETECTOR) ? stats.getShapedAccounts()
                : stats.getSampleAccounts());
        sample.sort(null);
        List<Evidence> evidence = assessment.evidenceWithFired();
        if (stats.getPromptSimhash() != null) {
            // One whole SimHash of the template (the group key holds only a band of it): what a partner can match.
            evidence.add(Alerts.evidence("prompt_simhash:" + java.util.HexFormat.of().toHexDigits(stats.getPromptSimhash()), 0, 0));
        }
        DistillationAlert alert = Alerts.alert(detector, type, id, start, end, time, assessment.risk(), sample,
                (int) Math.max(accounts, sample.size()), evidence, rules.version());
        emitter.emitRising(gateKey, alert);
    }

    private static final Class<?> SINGLE_ACCOUNT = List.of("").getClass();

    /**
     * The model's release under {@code rules}, remembered for the last model asked: a request's links share one
     * projection, so its six records ask for the very same String (a map lookup comparing the name's characters
     * each time was a tenth of the offline link stage, JFR).
     */
    private Long releaseOf(DetectionRules rules, String model) {
        if (model != lastModel || rules != lastRules || model == null) {
            lastModel = model;
            lastRules = rules;
            lastRelease = rules.releaseOf(model);
        }
        return lastRelease;
    }

    /**
     * The share of a group's sampled members that are new, beside its requests' share, where the rules read both
     * ({@link DetectionRules.Group#young}) and its requests' share alone would have made it new accounts.
     */
    static void measureNewMembers(Assessment a, DetectionRules rules, double newAccountRequests, Long newMembers,
                                  long membersSampled) {
        double share = rules.link().clusterNewAccountShare();
        if (rules.groupOrDefault().newAccountsByMembersOrDefault() && newAccountRequests >= share && newMembers != null
                && membersSampled > 0) {
            a.measure("group_new_member_share", (double) newMembers / membersSampled, share);
        }
    }

    public static LinkWindowStats empty() {
        // Most groups (one-off prompt bands, quiet addresses) never get past one account: shared empty lists until
        // then, and a one-element list for the first account. There are millions of them a day; every object they
        // hold is one the garbage collector copies.
        return new LinkWindowStats(0L, Sketches.EMPTY, List.of(), Sketches.ZERO, Sketches.ONE, 0L, 0L, 0L, 0L, 0L, null,
                List.of(), 0L, 0L, Sketches.EMPTY, 0L, 0L, Sketches.EMPTY, Sketches.EMPTY, Sketches.EMPTY, 0L, 0L, 0L, 0L, Sketches.EMPTY,
                0L, Sketches.EMPTY, 0L);
    }

    /** Accounts in the group: exact while it fits the sample, estimated from the sketch after. */
    public static long distinctAccounts(LinkWindowStats stats) {
        return stats.getAccounts().hasRemaining() ? Math.max(Math.round(stats.getAccountsEstimate()),
                stats.getSampleAccounts().size()) : stats.getSampleAccounts().size();
    }

    /** Adds a request to its group's window; the sample of account ids stops growing at {@code maxSample}. */
    public static LinkWindowStats add(DetectionRules rules, int maxSample, LinkRequest request, LinkWindowStats stats) {
        return add(rules, maxSample, request, stats, rules.releaseOf(request.getModel()), false, false, false, false,
                false, false);
    }

    /**
     * @param release        the release time of the request's model under {@code rules}, null when not a new release
     * @param followNetworks whether to follow the sampled members' networks (a prompt template's or a card's group:
     *                       the links whose members roaming corroborates, see {@link #followNetwork})
     * @param tallyMembers   whether to tally the sampled members' requests and reasoning asks (templates, cards,
     *                       signup cohorts and prefixes: {@link #memberSplit}, {@link #cardMembers})
     * @param followAddresses whether to keep the sampled members' last addresses (templates and prefixes:
     *                       {@link #memberAddresses})
     * @param tallyRoaming   with followNetworks, whether to count each sampled member's own roaming too (cards:
     *                       {@link #memberRoaming})
     * @param tallyBlocks    with followAddresses, whether to count each sampled member's own block changes too (hosted
     *                       clients: {@link #poolMembersAssessment})
     * @param countOpeners   whether to count the first turns that asked for reasoning or got a long answer
     *                       ({@link LinkKind#countsOpeners})
     */
    static LinkWindowStats add(DetectionRules rules, int maxSample, LinkRequest request, LinkWindowStats stats,
                               Long release, boolean followNetworks, boolean tallyMembers, boolean followAddresses,
                               boolean tallyRoaming, boolean tallyBlocks, boolean countOpeners) {
        long time = request.getEventTime();
        stats.setRequests(stats.getRequests() + 1);
        // Exact while the group is small (the sample is every account); the sketch starts, seeded with the sample,
        // only once the sample is full, so the great majority of groups never carry its kilobyte.
        List<String> sample = stats.getSampleAccounts();
        String account = request.getAccountId();
        // The account's place in the sample when it was there before this request; -1 when new to it or not in it.
        int place = -1;
        boolean joined = false;
        if (sample.size() < maxSample) {
            if (sample.isEmpty()) {
                // One immutable one-element list, not a list and its array: most groups never see a second account.
                stats.setSampleAccounts(List.of(account));
                joined = true;
            } else if ((place = indexOfAccount(sample, account)) < 0) {
                if (sample.getClass() == SINGLE_ACCOUNT) {
                    sample = new ArrayList<>(sample);
                    stats.setSampleAccounts(sample);
                }
                sample.add(account);
                joined = true;
            }
        } else {
            if (followNetworks || tallyMembers || followAddresses) {
                place = indexOfAccount(sample, account);
            }
            ByteBuffer sketch = stats.getAccounts();
            Sketches.Running running = Sketches.running(stats.getAccountsEstimate(), stats.getAccountsChange());
            if (!sketch.hasRemaining()) {
                for (String member : sample) {
                    sketch = Sketches.add(sketch, ACCOUNTS_P, Sketches.hash(member), running);
                }
            }
            sketch = Sketches.add(sketch, ACCOUNTS_P, Sketches.hash(account), running);
            stats.setAccounts(sketch);
            stats.setAccountsEstimate(running.estimate());
            stats.setAccountsChange(running.change());
        }
        if (request.getReasoning()) {
            stats.setReasoning(stats.getReasoning() + 1);
        }
        if (request.getLongAnswer()) {
            stats.setLongAnswers(stats.getLongAnswers() + 1);
        }
        if (request.getFirstTurn()) {
            stats.setFirstTurns(stats.getFirstTurns() + 1);
            boolean harvest = request.getReasoning() || request.getLongAnswer();
            // Read only for a card and an address block (group.shared-card-first-turns, hosting-block-first-turns):
            // the other groups skip the boxed count.
            if (harvest && countOpeners && stats.getFirstTurnHarvests() != null) {
                stats.setFirstTurnHarvests(stats.getFirstTurnHarvests() + 1);
            }
            List<String> shaped = stats.getShapedAccounts();
            if (harvest && shaped.size() < maxSample && !containsAccount(shaped, account)) {
                if (!(shaped instanceof ArrayList)) {
                    shaped = new ArrayList<>(shaped);
                    stats.setShapedAccounts(shaped);
                }
                shaped.add(account);
            }
        }
        Long created = request.getAccountCreatedAt();
        if (created != null && time - created < rules.link().newAccountAgeMs()) {
            stats.setNewAccountRequests(stats.getNewAccountRequests() + 1);
            if (joined && stats.getNewMembers() != null) {
                stats.setNewMembers(stats.getNewMembers() + 1);
            }
        }
        if (rules.groupOrDefault().hosting(request.getAsn())) {
            stats.setHostingRequests(stats.getHostingRequests() + 1);
        }
        if (release != null && time >= release && time < release + SubjectRiskProcessor.DAY_MS) {
            stats.setNewModelRequests(stats.getNewModelRequests() + 1);
        }
        stats.setLastEventTime(Math.max(stats.getLastEventTime(), time));
        if (followNetworks) {
            followNetwork(stats, place, request.getAsn(), tallyRoaming);
        }
        if (tallyMembers) {
            tallyReasoning(stats, place, request.getReasoning());
        }
        if (followAddresses) {
            followAddress(stats, place, request.getAddress());
            followBlock(stats, place, request.getBlock(), tallyBlocks);
        }
        return stats;
    }

    /**
     * Keeps the address of a sampled member's latest request through the group in its slot (slots as
     * {@link #followNetwork}'s). A product that calls the API with its users' own accounts sends them all through its
     * few egress addresses; accounts on machines or proxies of their own each come from another.
     */
    private static void followAddress(LinkWindowStats stats, int member, int address) {
        MemberSlot slot = memberSlot(stats, stats.getSampleAddresses(), ADDRESS_SLOT, member);
        if (slot == null || address == 0) {
            return;
        }
        stats.setSampleAddresses(slot.slots().putInt(slot.at(), address));
    }

    /**
     * Keeps the network block of a sampled member's latest request through the group, and counts whether the member
     * came from the block of its request before (slots as {@link #followAddress}'s). A machine rented for an account
     * keeps its block; a product's serverless functions leave from the cloud's shared pool, another block at each call.
     */
    private static void followBlock(LinkWindowStats stats, int member, int block, boolean tally) {
        MemberSlot slot = memberSlot(stats, stats.getSampleBlocks(), ADDRESS_SLOT, member);
        // The member's own count of the same (tallied like its requests and reasoning asks): slots in step with the
        // blocks', so a member new to the sample gets its slot even on a request without a block.
        MemberSlot own = tally ? memberSlot(stats, stats.getSampleBlockTally(), TALLY_SLOT, member) : null;
        if (own != null) {
            stats.setSampleBlockTally(own.slots());
        }
        if (slot == null || block == 0) {
            return;
        }
        ByteBuffer slots = slot.slots();
        int last = slots.getInt(slot.at());
        if (last != 0) {
            stats.setMemberBlockRepeats(stats.getMemberBlockRepeats() + 1);
            if (last != block) {
                stats.setMemberBlockChanges(stats.getMemberBlockChanges() + 1);
            }
            if (own != null) {
                countInSlot(own, last != block);
            }
        }
        stats.setSampleBlocks(slots.putInt(slot.at(), block));
    }

    /**
     * How many sampled members have a network kept, and how many of them came from one ASN only, the one most of
     * those did ({@link DetectionRules.Group#oneNetwork}). At most alert.max-accounts slots, read only when a template
     * group that nothing on the hosting list corroborates is judged.
     */
    static MemberNetworks memberNetworks(ByteBuffer sampleNetworks) {
        ByteBuffer slots = sampleNetworks.duplicate();
        int[] single = new int[slots.remaining() / NETWORK_SLOT];
        int members = 0;
        int singles = 0;
        for (int at = slots.position(); at + NETWORK_SLOT <= slots.limit(); at += NETWORK_SLOT) {
            int last = slots.getInt(at);
            if (last != 0) {
                members++;
                if (slots.getInt(at + Integer.BYTES) == 0) {
                    single[singles++] = last;
                }
            }
        }
        java.util.Arrays.sort(single, 0, singles);
        int best = 0;
        for (int i = 0, run = 0; i < singles; i++) {
            run = i > 0 && single[i] == single[i - 1] ? run + 1 : 1;
            best = Math.max(best, run);
        }
        return new MemberNetworks(members, best);
    }

    /** Sampled members with a network kept, and of them the most that came from one and the same ASN only. */
    public record MemberNetworks(int members, int onOne) {

        static final MemberNetworks NONE = new MemberNetworks(0, 0);

        boolean one(DetectionRules.Group g) {
            return g.oneNetwork(members, onOne);
        }

        double lower(DetectionRules.Group g) {
            return g.oneNetworkLower(onOne, members);
        }

        Assessment measure(Assessment a, DetectionRules.Group g) {
            if (members > 0) {
                a.measure("group_members_one_network_share_lower_bound", lower(g), g.oneNetworkShareOrDefault());
            }
            return a;
        }
    }

    static MemberAddresses memberAddresses(LinkWindowStats stats) {
        return memberAddresses(stats.getSampleAddresses(), stats.getMemberBlockRepeats(),
                stats.getMemberBlockChanges());
    }

    /**
     * How many sampled members have an address kept, how many distinct addresses their latest requests came from,
     * and how often they left from another block than the request before: what {@link DetectionRules.Group#ownAddresses}
     * weighs. At most alert.max-accounts slots, read only when a group shaped by its long answers alone is judged.
     */
    static MemberAddresses memberAddresses(ByteBuffer sampleAddresses, long blockRepeats, long blockChanges) {
        ByteBuffer slots = sampleAddresses.duplicate();
        int[] addresses = new int[slots.remaining() / ADDRESS_SLOT];
        int kept = 0;
        for (int at = slots.position(); at + ADDRESS_SLOT <= slots.limit(); at += ADDRESS_SLOT) {
            int address = slots.getInt(at);
            if (address != 0) {
                addresses[kept++] = address;
            }
        }
        return new MemberAddresses(kept, (int) java.util.Arrays.stream(addresses, 0, kept).distinct().count(),
                blockRepeats, blockChanges);
    }

    /**
     * Sampled members with an address kept, the distinct addresses among them, and their requests whose block could be
     * compared with the one before and of those the ones from another block ({@link #memberAddresses}).
     */
    public record MemberAddresses(int members, int distinct, long blockRepeats, long blockChanges) {

        static final MemberAddresses NONE = new MemberAddresses(0, 0, 0, 0);

        boolean own(DetectionRules.Group g) {
            return g.ownAddresses(members, distinct, blockRepeats, blockChanges);
        }

        boolean pool(DetectionRules.Group g) {
            return g.poolAddresses(members, distinct, blockRepeats, blockChanges);
        }

        Assessment measure(Assessment a, DetectionRules.Group g) {
            if (members > 0) {
                a.measure("group_member_addresses_distinct_share", (double) distinct / members,
                        g.ownAddressShareOrDefault());
            }
            if (blockRepeats > 0) {
                a.measure("group_member_block_kept_share", 1 - (double) blockChanges / blockRepeats,
                        g.ownAddressShareOrDefault());
            }
            return a;
        }
    }

    /**
     * Counts a sampled member's request through the group, and whether it asked for reasoning, in the member's slot
     * (slots as {@link #followNetwork}'s: from the group's second request, for the first alert.max-accounts members).
     * A campaign's accounts run one operator's configuration; the deployments of a tool that developers each run for
     * themselves do not, and a share of them turn off what the tool asks for by default.
     */
    private static void tallyReasoning(LinkWindowStats stats, int member, boolean reasoning) {
        MemberSlot slot = memberSlot(stats, stats.getSampleReasoning(), TALLY_SLOT, member);
        if (slot == null) {
            return;
        }
        countInSlot(slot, reasoning);
        stats.setSampleReasoning(slot.slots());
    }

    /**
     * Adds one to a tally slot's first count and, when {@code counted}, to its second: two big-endian unsigned shorts,
     * both left as they are once the first is full.
     */
    private static void countInSlot(MemberSlot slot, boolean counted) {
        ByteBuffer tally = slot.slots();
        int at = slot.at();
        int first = Short.toUnsignedInt(tally.getShort(at));
        if (first < 0xffff) {
            tally.putShort(at, (short) (first + 1));
            if (counted) {
                tally.putShort(at + Short.BYTES, (short) (Short.toUnsignedInt(tally.getShort(at + Short.BYTES)) + 1));
            }
        }
    }

    /**
     * A template group's or a signup cohort's member split ({@link #memberSplit(DetectionRules.Group, ByteBuffer,
     * long, long)}), or, while too few of its members have enough requests in this window to be judged (the first
     * hours of a day), the split of the same group's window before: a tool that developers run for themselves is run
     * the next day too, and its members were configured by then. Other kinds: none.
     */
    MemberSplit memberSplit(DetectionRules.Group g, LinkKind kind, String key, long start, LinkWindowStats stats,
                            WindowStore<String, LinkWindowStats> store) {
        if (kind != LinkKind.PROMPT_CLUSTER && kind != LinkKind.SIGNUP_COHORT && kind != LinkKind.IP_PREFIX
                && kind != LinkKind.HOSTED_CLIENT) {
            return MemberSplit.NONE;
        }
        MemberSplit split = memberSplit(g, stats.getSampleReasoning(), stats.getReasoning(), stats.getRequests());
        if (split.judged() >= g.splitMinMembersOrDefault()) {
            return split;
        }
        LinkWindowStats before = store.fetch(key, start - kind.windowMs());
        if (before == null) {
            return split;
        }
        MemberSplit earlier = memberSplit(g, before.getSampleReasoning(), before.getReasoning(), before.getRequests());
        return earlier.judged() >= g.splitMinMembersOrDefault() ? earlier : split;
    }

    /**
     * A card group's members ({@link #cardMembers}), or, while too few of them have enough requests in this window to
     * be judged, the same card's window before: a lab's or a company's card pays for the same people week after week.
     */
    CardMembers cardMembers(DetectionRules rules, String key, long start, LinkWindowStats stats,
                            WindowStore<String, LinkWindowStats> store) {
        int minMembers = rules.groupOrDefault().cardSplitMinMembersOrDefault();
        CardMembers members = cardMembers(rules, stats.getSampleReasoning(), stats.getReasoning(), stats.getRequests());
        if (members.judged() >= minMembers) {
            return members;
        }
        LinkWindowStats before = store.fetch(key, start - LinkKind.PAYMENT_FINGERPRINT.windowMs());
        if (before == null) {
            return members;
        }
        CardMembers earlier = cardMembers(rules, before.getSampleReasoning(), before.getReasoning(),
                before.getRequests());
        return earlier.judged() >= minMembers ? earlier : members;
    }

    /**
     * Whether a signup cohort shaped by its reasoning share has members configured apart ({@code split}, from
     * {@link #memberSplit}): the people who opened accounts in one hour with one client, each asking for reasoning
     * their own way. A cohort shaped by its long answers is judged as before (the tally counts reasoning only).
     */
    private static boolean cohortConfiguredApart(DetectionRules rules, LinkWindowStats stats, MemberSplit split) {
        HarvestShape.Bounds bounds = HarvestShape.lower(rules, stats.getReasoning(), stats.getLongAnswers(),
                stats.getFirstTurns(), stats.getRequests());
        return !bounds.byLongAnswers() && split.apart(rules.groupOrDefault());
    }

    /** Whether a card group shaped by its reasoning share owes it to a few of its members ({@link #cardMembers}). */
    private static boolean cardShapedByFew(DetectionRules rules, LinkWindowStats stats, CardMembers members) {
        HarvestShape.Bounds bounds = HarvestShape.lower(rules, stats.getReasoning(), stats.getLongAnswers(),
                stats.getFirstTurns(), stats.getRequests());
        return !bounds.byLongAnswers() && members.apart(rules.groupOrDefault());
    }

    /**
     * A card group's tallied members with at least {@code group.split-member-requests} requests through it, the mean
     * of their own reasoning shares (each member counted once, whatever its volume), the group's share (each request
     * counted once), and the standard error of that mean were every member asking at the group's share: what
     * {@link DetectionRules.Group#cardMembersApart} weighs. Under one shared configuration the two shares agree,
     * whatever the members' volumes; a card whose heaviest members ask for reasoning and whose others do not has a
     * mean far under its share.
     */
    static CardMembers cardMembers(DetectionRules rules, ByteBuffer sampleReasoning, long reasoning, long requests) {
        DetectionRules.Group g = rules.groupOrDefault();
        double p = requests == 0 ? 0 : (double) reasoning / requests;
        // A floor under the binomial variance: at a share near 0 or 1 it vanishes, and a member or two that asked
        // otherwise once must not split the card.
        double perRequest = Math.max(p * (1 - p), SHARE_VARIANCE_FLOOR);
        ByteBuffer tally = sampleReasoning.duplicate();
        long judged = 0;
        double shares = 0;
        double variance = 0;
        int minRequests = g.splitMemberRequestsOrDefault();
        for (int at = tally.position(); at + TALLY_SLOT <= tally.limit(); at += TALLY_SLOT) {
            int n = Short.toUnsignedInt(tally.getShort(at));
            if (n < minRequests) {
                continue;
            }
            judged++;
            shares += (double) Short.toUnsignedInt(tally.getShort(at + Short.BYTES)) / n;
            variance += perRequest / n;
        }
        return judged == 0 ? CardMembers.NONE
                : new CardMembers(judged, shares / judged, p, Math.sqrt(variance) / judged);
    }

    private static final double SHARE_VARIANCE_FLOOR = 0.05;

    /**
     * A card group's members judged, their mean reasoning share, the group's share and the mean's standard error
     * under one shared share ({@link #cardMembers}).
     */
    public record CardMembers(long judged, double memberShare, double groupShare, double standardError) {

        static final CardMembers NONE = new CardMembers(0, 0, 0, 0);

        boolean apart(DetectionRules.Group g) {
            return g.cardMembersApart(judged, memberShare, groupShare, standardError);
        }

        /** Evidence once enough members were judged: their mean share against what one configuration allows. */
        Assessment measure(Assessment a, DetectionRules.Group g) {
            if (judged >= g.cardSplitMinMembersOrDefault()) {
                a.measure("card_members_judged", judged, g.cardSplitMinMembersOrDefault());
                a.measure("card_member_mean_reasoning_share", memberShare,
                        groupShare - g.confidenceZ() * standardError);
            }
            return a;
        }
    }

    /**
     * A template group's tallied members with at least {@code group.split-member-requests} requests through it, how
     * many of them asked for reasoning on none, and how many would have (with the count's variance) if every member
     * asked at the group's own reasoning share, as accounts running one configuration do; and how far each member's
     * asks are from that share, summed as a chi-square statistic (members each at their own setting are far from it
     * even when none of them asked for no reasoning at all).
     */
    static MemberSplit memberSplit(DetectionRules.Group g, ByteBuffer sampleReasoning, long reasoning, long requests) {
        SplitSums sums = new SplitSums(g, reasoning, requests);
        ByteBuffer tally = sampleReasoning.duplicate();
        for (int at = tally.position(); at + TALLY_SLOT <= tally.limit(); at += TALLY_SLOT) {
            sums.add(Short.toUnsignedInt(tally.getShort(at)), Short.toUnsignedInt(tally.getShort(at + Short.BYTES)));
        }
        return sums.split();
    }

    /**
     * A member split summed one member at a time: a group's tallied members ({@link #memberSplit}), or a campaign's
     * members over its templates, against the share {@code reasoning / requests}.
     */
    static final class SplitSums {
        private final double p;
        private final double perRequest;
        private final int minRequests;
        private long judged;
        private long without;
        private double expected;
        private double variance;
        private double dispersion;

        SplitSums(DetectionRules.Group g, long reasoning, long requests) {
            p = requests == 0 ? 0 : (double) reasoning / requests;
            // The floor under the binomial variance, as the card's: near a share of 0 or 1 one member that asked
            // otherwise once must not read as a configuration apart.
            perRequest = Math.max(p * (1 - p), SHARE_VARIANCE_FLOOR);
            minRequests = g.splitMemberRequestsOrDefault();
        }

        /** A member that sent {@code n} requests, {@code asked} of them asking for reasoning. */
        void add(int n, int asked) {
            if (n < minRequests) {
                return;
            }
            judged++;
            if (asked == 0) {
                without++;
            }
            double none = Math.pow(1 - p, n);
            expected += none;
            variance += none * (1 - none);
            double off = asked - n * p;
            dispersion += off * off / (n * perRequest);
        }

        MemberSplit split() {
            return new MemberSplit(judged, without, expected, variance, dispersion);
        }
    }

    /**
     * Members judged, those of them without reasoning, and that count's expectation and variance under one shared
     * reasoning share: what {@link DetectionRules.Group#configuredApart} weighs; and the dispersion of the members'
     * reasoning asks around that share (a chi-square statistic: {@link DetectionRules.Group#dispersionThreshold}).
     */
    public record MemberSplit(long judged, long without, double expected, double variance, double dispersion) {

        static final MemberSplit NONE = new MemberSplit(0, 0, 0, 0, 0);

        boolean apart(DetectionRules.Group g) {
            return g.configuredApart(judged, without, expected, variance);
        }

        /** Enough members judged, and their reasoning asks as one shared configuration gives them, by both tests. */
        boolean oneConfiguration(DetectionRules.Group g) {
            return judged >= g.splitMinMembersOrDefault() && !apart(g)
                    && dispersion <= g.dispersionThreshold(judged - 1);
        }

        /** Evidence once enough members were judged: the count against what one configuration would give. */
        Assessment measure(Assessment a, DetectionRules.Group g) {
            if (judged >= g.splitMinMembersOrDefault()) {
                a.measure("group_members_judged", judged, g.splitMinMembersOrDefault());
                a.measure("group_members_without_reasoning", without, g.splitThreshold(expected, variance));
            }
            return a;
        }

        /** The members' dispersion against one configuration's, once enough were judged. */
        Assessment measureDispersion(Assessment a, DetectionRules.Group g) {
            if (judged >= g.splitMinMembersOrDefault()) {
                a.measure("group_members_reasoning_dispersion", dispersion, g.dispersionThreshold(judged - 1));
            }
            return a;
        }
    }

    /**
     * Counts a sampled member's request against the networks of its requests before through the group, and keeps
     * this one's; a member new to the sample gets its slot. Once a member has come from two networks, each later
     * request counts ({@code member_repeats}), as a roam when it comes from neither of the last two
     * ({@code member_roams}); before that, each request counts as a step ({@code member_steps}), as a change when it
     * comes from another network than the member's one ({@code member_step_changes}), so a member going back and forth
     * between two networks changes once. A residential proxy pool hands a campaign's account another household, on another ISP,
     * at nearly every request; a product's user comes from home and from the phone, and going back and forth between
     * the two is never a roam. Exact and bounded: the first alert.max-accounts members only, eight bytes each, and
     * for a card four more: each member's own such requests and roams ({@code sample_roaming}).
     */
    private static void followNetwork(LinkWindowStats stats, int member, Integer asn, boolean tallyRoaming) {
        int network = asn == null ? 0 : asn;
        // Most prompt bands' groups are one request's: slots begin at a group's second request, for the members it
        // has then (the first request's network is not kept; a group begun before this version has none).
        MemberSlot slot = memberSlot(stats, stats.getSampleNetworks(), NETWORK_SLOT, member);
        if (slot == null) {
            return;
        }
        // A card's members' own roaming beside the group's, in slots begun and grown with the networks' (a card
        // begun before this version has none, and is judged on the group's alone).
        MemberSlot own = tallyRoaming ? memberSlot(stats, stats.getSampleRoaming(), TALLY_SLOT, member) : null;
        if (own != null) {
            stats.setSampleRoaming(own.slots());
        }
        ByteBuffer slots = slot.slots();
        if (slot.added()) {
            // The member's first request through the group: nothing to compare yet.
            stats.setSampleNetworks(slots.putInt(slot.at(), network));
            return;
        }
        if (network == 0) {
            // A request without an ASN: nothing to compare.
            return;
        }
        int last = slots.getInt(slot.at());
        int before = slots.getInt(slot.at() + Integer.BYTES);
        if (before != 0) {
            stats.setMemberRepeats(stats.getMemberRepeats() + 1);
            boolean roam = network != last && network != before;
            if (roam) {
                stats.setMemberRoams(stats.getMemberRoams() + 1);
            }
            countOwnRoam(own, roam);
        } else if (last != 0) {
            // Still on one network: a template's members send one or two requests through it a day, and a pool's
            // account has left its first network by its second (group.roaming-first-steps).
            stats.setMemberSteps(stats.getMemberSteps() + 1);
            if (network != last) {
                stats.setMemberStepChanges(stats.getMemberStepChanges() + 1);
            }
            countOwnRoam(own, network != last);
        }
        if (network != last) {
            slots.putInt(slot.at() + Integer.BYTES, last).putInt(slot.at(), network);
        }
        stats.setSampleNetworks(slots);
    }

    /** Counts a request that could roam in a card member's own slot, and whether it did. */
    private static void countOwnRoam(MemberSlot own, boolean roamed) {
        if (own != null) {
            countInSlot(own, roamed);
        }
    }

    /**
     * A card's members' own roaming ({@code sample_roaming}): how many roamed at {@code group.roaming-share} or more
     * of {@code group.roaming-min-repeats} requests or more, and how many with that many requests roamed at less.
     */
    record MemberRoaming(int roaming, int staying) {
        static final MemberRoaming NONE = new MemberRoaming(0, 0);
        /** Members that roam: two, so that one member's VPN among a household's is not a pool. */
        private static final int TO_HOLD = 2;

        /**
         * A card held before its roaming bound passes ({@code group.card-held-for-members}): two of its members
         * roam, as a pool's accounts do, and none plainly stays on its networks, as a household's members at home,
         * school and on the phone do beside one of them on a consumer VPN.
         */
        boolean holds() {
            return roaming >= TO_HOLD && staying == 0;
        }

        Assessment measure(Assessment a) {
            return a.measure("group_members_roaming", roaming, TO_HOLD).measure("group_members_staying", staying, 0);
        }
    }

    static MemberRoaming memberRoaming(DetectionRules.Group g, ByteBuffer sampleRoaming) {
        ByteBuffer tally = sampleRoaming.duplicate();
        int roaming = 0;
        int staying = 0;
        while (tally.remaining() >= TALLY_SLOT) {
            int trials = Short.toUnsignedInt(tally.getShort());
            int roams = Short.toUnsignedInt(tally.getShort());
            if (trials >= g.roamingMinRepeatsOrDefault()) {
                if (g.roamingAtPoint(roams, trials)) {
                    roaming++;
                } else {
                    staying++;
                }
            }
        }
        return new MemberRoaming(roaming, staying);
    }

    /**
     * Whether a card member's own roaming ({@code sample_roaming}) is under {@code group.roaming-share} beyond chance:
     * the upper bound of its share at {@code z} under it, from however few requests. A person at home stays from its
     * third request that could roam; a pool's account, which roams at four requests in five, almost never.
     */
    static boolean memberStays(DetectionRules.Group g, ByteBuffer sampleRoaming, double z) {
        ByteBuffer tally = sampleRoaming.duplicate();
        while (tally.remaining() >= TALLY_SLOT) {
            int trials = Short.toUnsignedInt(tally.getShort());
            int roams = Short.toUnsignedInt(tally.getShort());
            if (trials > 0 && DetectionRules.Group.wilsonUpper(roams, trials, z) < g.roamingShareOrDefault()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A sampled member's place in a field of per-member slots ({@code sample_networks}, {@code sample_reasoning}),
     * slots being kept from a group's second request for the members it has then, and added for each member that
     * joins the sample after. {@code added} when the slot was just added for the member's first request.
     */
    private record MemberSlot(ByteBuffer slots, int at, boolean added) {
    }

    /**
     * @param member the account's place in the sample before this request, or -1 when it was not there
     * @return the member's slot, in bytes that may be written; null when it has none (the group's first request, a
     *         request past the sample, or a group whose slots began before this version kept them)
     */
    private static MemberSlot memberSlot(LinkWindowStats stats, ByteBuffer field, int width, int member) {
        int slots = field.remaining() / width;
        int sampled = stats.getSampleAccounts().size();
        if (slots == 0) {
            if (stats.getRequests() != 2) {
                return null;
            }
            return new MemberSlot(ByteBuffer.wrap(new byte[sampled * width]), Math.max(member, sampled - 1) * width,
                    false);
        }
        if (member < 0) {
            // New to the sample (it is the last one), or in no slot.
            if (slots != sampled - 1) {
                return null;
            }
            byte[] grown = new byte[field.remaining() + width];
            field.duplicate().get(grown, 0, field.remaining());
            return new MemberSlot(ByteBuffer.wrap(grown), slots * width, true);
        }
        return member < slots ? new MemberSlot(ByteBuffer.wrap(writable(field)), member * width, false) : null;
    }

    /**
     * A slot field's bytes to write in place: its own array when the buffer is the whole of one (as read from a record
     * or made here), else a copy, so that a buffer shared with another record is never written through.
     */
    private static byte[] writable(ByteBuffer field) {
        if (field.hasArray() && field.arrayOffset() == 0 && field.position() == 0
                && field.remaining() == field.array().length && !field.isReadOnly()) {
            return field.array();
        }
        byte[] copy = new byte[field.remaining()];
        field.duplicate().get(copy);
        return copy;
    }

    /**
     * {@code accounts.contains(account)}, by identity first, then comparing each member's cached String hash before
     * its characters. The offline runner gives every request of an account one String instance, so a member that is
     * there is found without reading any member's object; the live path's ids are read anew from each record and are
     * found by the second pass. There, members are ids of other requests: a plain comparison reads two more objects per
     * member, most often to find that two ids of one length differ in their last characters. The comparisons were a
     * seventh of the offline link stage by hash alone, a twentieth with the identity pass first (async sampling).
     */
    static boolean containsAccount(List<String> accounts, String account) {
        return indexOfAccount(accounts, account) >= 0;
    }

    /** Where {@code account} is in {@code accounts}, or -1: {@link #containsAccount}'s search. */
    static int indexOfAccount(List<String> accounts, String account) {
        int n = accounts.size();
        for (int i = 0; i < n; i++) {
            if (accounts.get(i) == account) {
                return i;
            }
        }
        int hash = account.hashCode();
        for (int i = 0; i < n; i++) {
            String member = accounts.get(i);
            if (member.hashCode() == hash && member.equals(account)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The keys a request is counted under: its address, network, ASN, client on that ASN, payment instrument, signup
     * cohort and prompt bands: the first {@code wordBands} bands of its word-pair MinHash when it has one ({@link #wordBand}; keys
     * {@code PROMPT_CLUSTER:w<band>-<hex>}), and the first tables of {@link #templateBand}, as many as
     * {@link PromptBands#simHashTables} gives it.
     */
    public static List<String> linkKeys(io.distillguard.avro.RequestEvent event, PromptBands bands) {
        return linkKeys(event, bands, ListedProducts.NONE);
    }

    /**
     * @param listed the operator's known products: a request through a listed product's egress is a product's user's,
     *               and its address, network and prompt (the product's system prompt) are the product's, not ties; a
     *               request whose prompt is mostly a listed tool's template is not grouped by its prompt
     */
    public static List<String> linkKeys(io.distillguard.avro.RequestEvent event, PromptBands bands,
                                        ListedProducts listed) {
        return linkKeys(event, IpAddresses.prefixOf(event.getIp()), bands, listed);
    }

    /** @param prefix the request's address block ({@link IpAddresses#prefixOf}), computed once for its projection too */
    static List<String> linkKeys(io.distillguard.avro.RequestEvent event, String prefix, PromptBands bands,
                                 ListedProducts listed) {
        String ip = event.getIp();
        boolean throughProduct = listed.throughProduct(event);
        boolean byPrompt = !throughProduct && !listed.knownTemplate(event);
        boolean words = event.getPromptMinhash() != null && byPrompt;
        int templateTables = byPrompt ? bands.simHashTables(words) : 0;
        int wordBands = words ? bands.wordBands() : 0;
        List<String> keys = new ArrayList<>(6 + templateTables + wordBands);
        String client = event.getUserAgent() == null || event.getUserAgent().isBlank() ? "-" : event.getUserAgent();
        if (!throughProduct) {
            keys.add(LinkKind.IP.name() + ':' + ip);
            keys.add(LinkKind.IP_PREFIX.name() + ':' + prefix);
            if (event.getAsn() != null) {
                keys.add(LinkKind.ASN.name() + ':' + event.getAsn());
                if (byPrompt) {
                    // A listed tool's deployments are the tool's, on whatever machines its users run it.
                    keys.add(LinkKind.HOSTED_CLIENT.name() + ':' + event.getAsn() + '|' + client);
                }
            }
        }
        if (event.getPaymentFingerprint() != null && !event.getPaymentFingerprint().isBlank()) {
            keys.add(LinkKind.PAYMENT_FINGERPRINT.name() + ':' + event.getPaymentFingerprint());
        }
        if (event.getAccountCreatedAt() != null) {
            long created = event.getAccountCreatedAt().toEpochMilli();
            keys.add(LinkKind.SIGNUP_COHORT.name() + ':' + (created - Math.floorMod(created, SubjectRiskProcessor.HOUR_MS))
                    + '|' + client);
        }
        Long simhash = event.getPromptSimhash();
        if (simhash != null) {
            for (int table = 0; table < templateTables; table++) {
                keys.add(LinkKind.PROMPT_CLUSTER.name() + ':' + table + '-'
                        + Long.toHexString(templateBand(simhash, table)));
            }
        }
        if (words) {
            byte[] minhash = event.getPromptMinhash().bytes();
            for (int band = 0; band < wordBands; band++) {
                keys.add(WORD_BAND_PREFIX + band + '-' + Long.toHexString(wordBand(minhash, band)));
            }
        }
        return keys;
    }

    private static final String WORD_BAND_PREFIX = LinkKind.PROMPT_CLUSTER.name() + ":w";

    /** Whether a prompt-cluster key is a band of the word-pair MinHash rather than of the SimHash. */
    public static boolean isWordBand(String key) {
        return key.startsWith(WORD_BAND_PREFIX);
    }

    /**
     * Band {@code band} of a word-pair MinHash: its components 4 x band to 4 x band + 3, 64 bits. A prompt meets a
     * band when all four of its minimum pairs are the band's, which for a template's fillings (sharing all but the
     * few pairs around the slot) is most of the time, and for a stranger's prompt, which shares a pair or two with
     * the template if any, almost never. Four bands, because a filling whose slot words hash low enough to take one
     * of a band's minima still keeps the other bands.
     */
    public static long wordBand(byte[] minhash, int band) {
        long value = 0;
        for (int i = 8 * band; i < 8 * band + 8; i++) {
            value = value << 8 | (minhash[i] & 0xffL);
        }
        return value;
    }

    /**
     * Band {@code table} of a SimHash, 32 of its 64 bits: with the SimHash cut into four 16-bit blocks A (lowest) to
     * D, the tables are the six pairs of blocks, the halves first (0: A and B, 1: C and D, 2: A and C, 3: B and D,
     * 4: A and D, 5: B and C). A template filled differently flips a few bits, and a variant keeps a band of the
     * template whenever its flips leave two blocks whole: every one- and two-bit variant, five in eight three-bit
     * ones and a third of four-bit ones, 79 % of the variants of a template that changes up to four bits a request.
     * The halves alone keep a band only when every flip falls in the other half (half of two-bit variants, an
     * eighth of four-bit ones: 57 %). Each band is still 32 bits wide, so a stranger's prompt meets a template's band
     * by chance no more often per table than with the halves; the price is a link record a request per table.
     * {@code detector.template-tables} takes the first 2, 4 or 6: four keep two thirds of those variants.
     */
    public static long templateBand(long simhash, int table) {
        long a = simhash & 0xffffL;
        long b = (simhash >>> 16) & 0xffffL;
        long c = (simhash >>> 32) & 0xffffL;
        long d = simhash >>> 48;
        return switch (table) {
            case 0 -> b << 16 | a;
            case 1 -> d << 16 | c;
            case 2 -> c << 16 | a;
            case 3 -> d << 16 | b;
            case 4 -> d << 16 | a;
            case 5 -> c << 16 | b;
            default -> throw new IllegalArgumentException("No template table " + table);
        };
    }

    /**
     * Takes an input partition's progress mark and, when the time every input partition has got past enters a new
     * epoch of the account graph (or all go idle, or one comes back), tells the graph: behind every edge this task
     * has sent for the requests before it, on the same producer and partition.
     */
    private void progress(Watermark mark) {
        if (inputs == null) {
            return;
        }
        inputs.update(mark);
        long watermark = inputs.watermark();
        boolean idle = inputs.allIdle();
        long epoch = watermark == Long.MIN_VALUE ? Long.MIN_VALUE
                : Math.floorDiv(watermark, CampaignProcessor.EPOCH_MS);
        if (epoch == reportedEpoch && idle == reportedIdle) {
            return;
        }
        reportedEpoch = epoch;
        reportedIdle = idle;
        KeyValue<String, CampaignEdge> report = CampaignProcessor.progress(context.taskId().partition(), watermark,
                idle);
        context.forward(new Record<>(report.key, report.value, Math.max(0, watermark)));
    }

    public static LinkRequest project(io.distillguard.avro.RequestEvent event) {
        return project(event, IpAddresses.prefixOf(event.getIp()));
    }

    /** @param prefix the request's address block ({@link IpAddresses#prefixOf}), as its IP_PREFIX key has it */
    static LinkRequest project(io.distillguard.avro.RequestEvent event, String prefix) {
        return new LinkRequest(event.getEventTime().toEpochMilli(), event.getAccountId(), event.getReasoningRequested(),
                event.getTurnIndex() == 0,
                event.getAccountCreatedAt() == null ? null : event.getAccountCreatedAt().toEpochMilli(),
                event.getModel(), event.getPromptSimhash(), event.getAsn(), null,
                HarvestShape.longAnswer(event.getPromptTokens(), event.getCompletionTokens(),
                        event.getReasoningRequested()), address(event.getIp()),
                address(prefix));
    }

    /** A request's address as a nonzero 32-bit hash (0 is none): a member's slot holds four bytes, not the text. */
    static int address(String ip) {
        if (ip == null || ip.isEmpty()) {
            return 0;
        }
        long h = Sketches.hash(ip);
        int folded = (int) (h ^ h >>> 32);
        return folded == 0 ? 1 : folded;
    }

}
