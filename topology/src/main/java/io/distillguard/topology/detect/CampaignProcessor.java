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
import io.distillguard.topology.state.LinkWindowStats;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.Watermark;
import io.distillguard.topology.verdicts.VerdictSuppressions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The account graph: link groups that each have the extraction shape but are too small or too quiet to be a cluster
 * on their own (a template band at 20 requests a day, a /24 with four accounts, a card shared by three) are tied
 * together through the accounts they share (at least two per tie), and each connected group of links is one
 * campaign, judged on the union of its traffic. A campaign alert (CAMPAIGN, subject {@code CAMPAIGN:<its smallest link
 * key>}, kept for the day once alerted) names its members,
 * its links by kind and the link that ties each member in; once HIGH, every member is handed to the subject path as
 * a cluster implication, so each gets an ACCOUNT_RISK of its own, as cluster members do.
 *
 * <p>Why one partition: a component can span any link keys, so every edge goes to one task (key {@value #KEY}).
 * Edges are few by design: only groups of at least {@code group.campaign-link-min-accounts} accounts whose traffic
 * is extraction-shaped send one, when a harvesting member (for a template or a card, any account) joins them or at
 * powers of two of their requests, so a platform's millions
 * of ordinary groups never reach this processor.
 *
 * <p>Bounded: one record per (day, link) kept for two days; a group with more than
 * {@code group.campaign-link-max-accounts} accounts ties nobody, so a carrier NAT or a popular template cannot weld a
 * hundred thousand accounts into one component; each link brings at most {@code alert.max-accounts} members.
 *
 * <p>Deterministic: an edge waits in the store until stream time is a grace period past the end of its 15-minute
 * epoch; the epoch is then judged on every edge before its end, applied in event-time order, and the alert's trigger
 * time is the epoch's end, so the (alert_id, severity) pairs depend on the edges and not on the order in which two
 * link partitions delivered them. Live, the edges come from every link partition, each at its own pace (after an
 * outage one can be an hour ahead of another): an epoch waits, besides, until every link partition has said that
 * each of its input partitions is past the epoch's end ({@link #withLinkPartitions}, progress marks that each link
 * task sends behind its edges). A partition's requests come in order, but for a gateway's own reordering, which the
 * grace period covers as it does offline; so an epoch is judged on the same edges, and a campaign is first alerted
 * under the same id, however the partitions caught up. An edge later than that is applied at once and its epoch
 * judged again.
 */
public final class CampaignProcessor implements Processor<String, CampaignEdge, String, Object> {

    private VerdictSuppressions suppressions;

    /** Honours analysts' dismissals (the verdicts topic's global store); without it every alert is written. */
    public CampaignProcessor suppressedBy(VerdictSuppressions suppressions) {
        this.suppressions = suppressions;
        return this;
    }

    public static final String STORE = "campaign-links";
    public static final String EMITTED_STORE = "campaign-alerts-emitted";
    public static final String DETECTOR = "CAMPAIGN";
    public static final String KEY = "campaigns";
    public static final String SUBJECT_PREFIX = "CAMPAIGN:";
    /** The link key of a link partition's progress mark, which is not an edge. */
    public static final String PROGRESS_KEY = "~progress";
    private static final String PROGRESS_PREFIX = "~progress|";
    /** The account graph judges its campaigns once per epoch of event time. */
    public static final long EPOCH_MS = 15 * 60_000L;
    private static final String STREAM_TIME = "~stream-time";
    /** Edges waiting for their epoch's end; '~' sorts after the digits of the day keys. */
    private static final String HELD = "~held|";
    private static final String MEMBER_GATE = "campaign-member|";
    private static final int PATHS_SHOWN = 10;
    /**
     * A union's sums over its groups' edges, in this order: requests, reasoning, first turns, new accounts' requests,
     * hosting requests, new models' requests, long answers, member repeats and roams, members judged, without
     * reasoning, that count's expectation and variance, the members' dispersion, members addressed and their distinct
     * addresses, the members' requests whose block was compared and of those the ones from another block, the
     * members' first steps and their changes, members sampled and of them the new ones, and the groups whose new
     * members were not counted (their window written before the count was kept).
     */
    private static final int SUMS = 23;
    /** A member's tally on an edge: its account's hash, its requests and its reasoning asks. */
    static final int MEMBER_TALLY = Long.BYTES + 2 * Short.BYTES;
    private static final java.nio.ByteBuffer EMPTY = java.nio.ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final DetectionConfig config;
    private final String rulesStore;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, CampaignEdge> links;
    private AlertEmitter emitter;
    private RulesBook rules;
    private Sensor lateDropped;
    /**
     * Each open day's graph, kept up to date edge by edge; derived from the store, so a restart rebuilds it (the
     * components do not depend on the order of the edges).
     */
    private final Map<Long, AccountGraph> graphs = new HashMap<>();
    /** 0: offline, where one task sends the edges in event-time order and no marks come. */
    private int linkPartitions;
    private PartitionWatermarks linkProgress;

    public CampaignProcessor(DetectionConfig config, String rulesStore) {
        this.config = config;
        this.rulesStore = rulesStore;
    }

    /** Live: the edges come from {@code partitions} link partitions, each with progress marks behind them. */
    public CampaignProcessor withLinkPartitions(int partitions) {
        this.linkPartitions = partitions;
        return this;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.links = context.getStateStore(STORE);
        this.emitter = new AlertEmitter(context, EMITTED_STORE, List.of(DETECTOR), suppressions);
        this.rules = RulesBook.of(context, config.rules(), rulesStore);
        this.lateDropped = DistillguardMetrics.lateDropped(context.metrics(), "campaign");
        // A task revived after an aborted transaction calls init again with its stores rolled back: the graphs are
        // derived from the store and rebuilt from it, never carried over.
        graphs.clear();
        linkProgress = linkPartitions == 0 ? null
                : new PartitionWatermarks(PROGRESS_PREFIX, linkPartitions, config.hourRetention().toMillis(),
                        new PartitionWatermarks.Store() {
                            @Override
                            public long get(String key) {
                                return meta(key);
                            }

                            @Override
                            public void put(String key, long value) {
                                setMeta(key, value);
                            }
                        });
    }

    @Override
    public void process(Record<String, CampaignEdge> record) {
        CampaignEdge edge = record.value();
        if (edge == null) {
            return;
        }
        if (edge.getWatermark() != null) {
            if (linkProgress != null) {
                linkProgress.update(edge.getWatermark());
                judgeClosedEpochs(meta(STREAM_TIME));
            }
            return;
        }
        long time = edge.getEventTime();
        long streamTime = Math.max(meta(STREAM_TIME), time);
        setMeta(STREAM_TIME, streamTime);
        // An edge counts while its day's graph is kept (two days behind stream time, as the link windows it comes
        // from), not only until its day's end plus grace: after an outage the link partitions catch up at their own
        // pace, and a backlog that crosses midnight would otherwise lose the first day's last edges.
        if (dayOf(edge) + DistillguardTopology.RETAINED_WINDOWS * SubjectRiskProcessor.DAY_MS + config.grace().toMillis()
                <= streamTime) {
            lateDropped.record();
            return;
        }
        if (edge.getDistinctAccounts() > rules.at(time).groupOrDefault().campaignLinkMaxAccounts()) {
            // Past the weld bound the group ties no one more: it stays as it was, members and counts.
            return;
        }
        hold(edge);
        judgeClosedEpochs(streamTime);
    }

    /**
     * Judges each epoch that has held edges and is closed: stream time is a grace period past its end, as windows wait
     * for late records, and, live, every input partition is past its end. Its edges reach this partition from several
     * link partitions, in an order that differs from run to run; until then they wait in event-time order, so each
     * epoch is judged on exactly the edges before its end and the (alert_id, severity) pairs do not depend on the
     * order of arrival. (The inputs' marks are not held to the grace period too: at the end of a run, the last request
     * of each partition is seconds apart, not five minutes, and an epoch the run's last edge closes offline is then
     * closed live as well.)
     */
    private void judgeClosedEpochs(long streamTime) {
        if (streamTime == Long.MIN_VALUE) {
            return;
        }
        long watermark = streamTime - config.grace().toMillis();
        if (linkProgress != null) {
            watermark = Math.min(watermark, linkProgress.watermark());
        }
        if (watermark == Long.MIN_VALUE) {
            return;
        }
        long closed = watermark - Math.floorMod(watermark, EPOCH_MS);
        while (true) {
            CampaignEdge first = firstHeld();
            if (first == null) {
                return;
            }
            long end = first.getEventTime() - Math.floorMod(first.getEventTime(), EPOCH_MS) + EPOCH_MS;
            if (end > closed) {
                return;
            }
            TreeSet<Long> days = new TreeSet<>();
            for (CampaignEdge held : releaseBefore(end)) {
                apply(held);
                days.add(dayOf(held));
            }
            days.add((end - 1) - Math.floorMod(end - 1, SubjectRiskProcessor.DAY_MS));
            evaluate(end, days);
        }
    }

    /** Keeps an edge until its epoch is judged; an edge that repeats one held (same group, time and count) adds its members. */
    private void hold(CampaignEdge edge) {
        String key = heldKey(edge);
        CampaignEdge held = links.get(key);
        if (held != null) {
            TreeSet<String> members = new TreeSet<>(held.getShapedAccounts());
            members.addAll(edge.getShapedAccounts());
            edge.setShapedAccounts(new ArrayList<>(members));
            TreeSet<String> others = new TreeSet<>(held.getOtherAccounts());
            others.addAll(edge.getOtherAccounts());
            edge.setOtherAccounts(new ArrayList<>(others));
        }
        links.put(key, edge);
    }

    private CampaignEdge firstHeld() {
        try (KeyValueIterator<String, CampaignEdge> it = links.range(HELD, HELD + '\uffff')) {
            return it.hasNext() ? it.next().value : null;
        }
    }

    /** Removes and returns, in event-time order, the held edges before {@code end}. */
    private List<CampaignEdge> releaseBefore(long end) {
        List<KeyValue<String, CampaignEdge>> released = new ArrayList<>();
        try (KeyValueIterator<String, CampaignEdge> it = links.range(HELD, HELD + pad(end))) {
            while (it.hasNext()) {
                released.add(it.next());
            }
        }
        List<CampaignEdge> edges = new ArrayList<>(released.size());
        for (KeyValue<String, CampaignEdge> entry : released) {
            links.delete(entry.key);
            edges.add(entry.value);
        }
        return edges;
    }

    static String heldKey(CampaignEdge edge) {
        return HELD + pad(edge.getEventTime()) + '|' + edge.getLinkKey() + '|' + pad(edge.getRequests());
    }

    /** Adds an edge to its day's links and graph. */
    private void apply(CampaignEdge edge) {
        long time = edge.getEventTime();
        long day = dayOf(edge);
        String key = storeKey(day, edge.getLinkKey());
        CampaignEdge kept = links.get(key);
        boolean shaped = shaped(rules.at(time), edge);
        if (!shaped) {
            // A count refresh: members join only while the group is shaped, and a group never held is not news.
            if (kept != null && edge.getRequests() > kept.getRequests()) {
                edge.setShapedAccounts(kept.getShapedAccounts());
                edge.setOtherAccounts(kept.getOtherAccounts());
                links.put(key, edge);
            }
            return;
        }
        List<String> added = edge.getShapedAccounts();
        List<String> othersAdded = edge.getOtherAccounts();
        if (kept != null) {
            // Members accumulate; the counts are the group's latest.
            TreeSet<String> members = new TreeSet<>(kept.getShapedAccounts());
            added = new ArrayList<>();
            for (String account : edge.getShapedAccounts()) {
                if (members.size() < config.maxAccountsPerAlert() && members.add(account)) {
                    added.add(account);
                }
            }
            TreeSet<String> others = new TreeSet<>(kept.getOtherAccounts());
            othersAdded = new ArrayList<>();
            for (String account : edge.getOtherAccounts()) {
                if (others.size() < config.maxAccountsPerAlert() && !members.contains(account) && others.add(account)) {
                    othersAdded.add(account);
                }
            }
            if (edge.getRequests() < kept.getRequests()) {
                edge = kept;
            }
            edge.setShapedAccounts(new ArrayList<>(members));
            edge.setOtherAccounts(new ArrayList<>(others));
        }
        links.put(key, edge);
        if (!added.isEmpty()) {
            graph(day).add(edge.getLinkKey(), added);
        }
        if (!othersAdded.isEmpty()) {
            graph(day).addOthers(edge.getLinkKey(), othersAdded);
        }
    }

    /** The day's graph, rebuilt from the store when this instance has not seen the day yet. */
    private AccountGraph graph(long day) {
        AccountGraph graph = graphs.get(day);
        if (graph == null) {
            graph = new AccountGraph();
            try (KeyValueIterator<String, CampaignEdge> it = links.range(storeKey(day, ""), storeKey(day, "\uffff"))) {
                while (it.hasNext()) {
                    CampaignEdge edge = it.next().value;
                    graph.add(edge.getLinkKey(), edge.getShapedAccounts());
                    graph.addOthers(edge.getLinkKey(), edge.getOtherAccounts());
                }
            }
            graphs.put(day, graph);
        }
        return graph;
    }

    /** Judges, at the end of an epoch, the components of each day it touched, on every edge before {@code end}. */
    private void evaluate(long end, TreeSet<Long> days) {
        long current = days.last();
        forget(current - SubjectRiskProcessor.DAY_MS);
        graphs.keySet().removeIf(d -> d < current - SubjectRiskProcessor.DAY_MS);
        DetectionRules inForce = rules.at(end - 1);
        DetectionRules.Group g = inForce.groupOrDefault();
        for (long day : days.tailSet(current - SubjectRiskProcessor.DAY_MS)) {
            List<Campaign> components = graph(day).campaigns(key -> links.get(storeKey(day, key)),
                    edge -> shaped(inForce, edge));
            for (Campaign campaign : components) {
                if (campaign.links.size() >= 2 && campaign.members.size() >= g.campaignMinAccounts()) {
                    judge(inForce, campaign, day, end - 1);
                }
            }
        }
    }

    /** A connected group of links and the accounts that tie them. */
    static final class Campaign {
        final TreeMap<String, CampaignEdge> links = new TreeMap<>();
        final TreeSet<String> members = new TreeSet<>();
        /** Each member's tie: the smallest link key it harvested through. */
        final Map<String, String> paths = new HashMap<>();

        String id() {
            return links.firstKey();
        }
    }

    /** Whether a group's point shares pass the cluster floors: what lets its members into the graph. */
    static boolean shaped(DetectionRules rules, CampaignEdge edge) {
        return HarvestShape.pointShaped(rules, edge.getReasoning(), edge.getLongAnswers(), edge.getFirstTurns(),
                edge.getRequests());
    }

    /** The campaigns of a set of edges, each group taken as extraction-shaped (for tests). */
    static List<Campaign> components(List<CampaignEdge> edges) {
        AccountGraph graph = new AccountGraph();
        Map<String, CampaignEdge> byKey = new HashMap<>();
        for (CampaignEdge edge : edges) {
            graph.add(edge.getLinkKey(), edge.getShapedAccounts());
            graph.addOthers(edge.getLinkKey(), edge.getOtherAccounts());
            byKey.put(edge.getLinkKey(), edge);
        }
        return graph.campaigns(byKey::get, edge -> true);
    }

    /**
     * The campaign's assessment, or null when its union is not extraction-shaped, or nothing corroborates it (see
     * below). Each request counts in every link kind it has, in up to {@code templateTables} SimHash bands and in up
     * to {@code wordBands} word bands: the union's shares are taken from the kind that saw the most of its requests
     * (a band's requests counted at one over the number of bands of its family; the two families of prompt bands
     * are summed apart, as two kinds, so that a request in both is not counted twice). A request with word bands is
     * in {@code detector.template-tables-with-words} SimHash tables only (none by default), where the SimHash family
     * counts it in part: the word family is the one that counts it whole.
     */
    static Assessment assess(DetectionRules rules, Campaign campaign, int templateTables, int wordBands) {
        // First on the groups shaped by reasoning, as a campaign was judged before long answers counted: admitting the
        // groups shaped by long answers alone into that union would dilute its reasoning share with theirs. Then, when
        // that union is not enough, on every shaped group, where long answers can carry it beside their corroboration.
        Assessment byReasoning = assess(rules, campaign, templateTables, wordBands, true);
        return byReasoning != null ? byReasoning : assess(rules, campaign, templateTables, wordBands, false);
    }

    /**
     * The campaign's members tied to it only through a cloud's pool (#poolBlock), with group.campaign-pool-ties-held;
     * none otherwise. The campaign is taken apart without its pool blocks: the members of each part that is a
     * campaign on its own (two groups at least, campaign-min-accounts members, judged so by #assess) are its members
     * as before, the others are held for their own days. Two products on one cloud's serverless functions pass
     * through the same blocks of its pool; without this a tutor's template groups, a harvest's shape, named every
     * user of a report writer beside it. A campaign that shares nothing but the pool has every member held.
     */
    static Set<String> poolTied(DetectionRules rules, Campaign campaign, int templateTables, int wordBands) {
        DetectionRules.Group g = rules.groupOrDefault();
        if (!g.campaignPoolTiesHeldOrDefault()
                || campaign.links.values().stream().noneMatch(edge -> poolBlock(rules, edge))) {
            return Set.of();
        }
        AccountGraph apart = new AccountGraph();
        for (CampaignEdge edge : campaign.links.values()) {
            if (!poolBlock(rules, edge)) {
                apart.add(edge.getLinkKey(), edge.getShapedAccounts());
                apart.addOthers(edge.getLinkKey(), edge.getOtherAccounts());
            }
        }
        Set<String> tied = new TreeSet<>(campaign.members);
        for (Campaign part : apart.campaigns(campaign.links::get, edge -> shaped(rules, edge))) {
            if (part.links.size() >= 2 && part.members.size() >= g.campaignMinAccounts()
                    && assess(rules, part, templateTables, wordBands) != null) {
                tied.removeAll(part.members);
            }
        }
        return tied;
    }

    /**
     * Whether a hosting address block's edge is one that accounts pass through rather than keep, shaped on its point
     * shares but not at its Wilson lower bounds: fewer than {@code block-min-returns} of its members' requests came back
     * to it. Accounts on a rented block come back to it at every request; a product's serverless functions, or any
     * client of a cloud's shared egress pool, leave from another block at each call, so a block sees a handful of
     * requests a day. Such a block still ties its accounts (they share the pool), but its counts are not the
     * campaign's: summed over the few hundred blocks whose three to eight requests happened to look like a harvest,
     * they gave a product that asks for reasoning on 30 % of requests a union asking on 60 %.
     */
    static boolean passedThrough(DetectionRules rules, CampaignEdge edge) {
        return edge.getMembersBlockRepeats() < rules.groupOrDefault().blockMinReturnsOrDefault()
                && hostingBlock(rules, edge)
                && HarvestShape.lower(rules, edge.getReasoning(), edge.getLongAnswers(), edge.getFirstTurns(),
                edge.getRequests()).strength() < 1;
    }

    /**
     * A hosting block its members do not come back to, shaped or not: a cloud's shared pool, which every client of the
     * pool passes through. Fewer than group.block-min-returns of its members' requests came back to it, or fewer than
     * half: a product's heavy user on a pool of a thousand blocks comes back to a few of them by chance in a day (one
     * such block tied a tutor's campaign to a report writer's users), where an account on a rented block comes back at
     * nearly every request.
     */
    static boolean poolBlock(DetectionRules rules, CampaignEdge edge) {
        long repeats = edge.getMembersBlockRepeats();
        return (repeats < rules.groupOrDefault().blockMinReturnsOrDefault() || 2 * repeats < edge.getRequests())
                && hostingBlock(rules, edge);
    }

    /** An address block (/24, /48) whose requests came from group.hosting-asns at group.hosting-share or more. */
    private static boolean hostingBlock(DetectionRules rules, CampaignEdge edge) {
        return LinkKind.of(edge.getLinkKey()) == LinkKind.IP_PREFIX
                && edge.getHostingRequests() >= rules.groupOrDefault().hostingShare() * edge.getRequests();
    }

    /**
     * The split of a campaign's template members, each judged on its tallies added up over the campaign's template
     * groups: within one SimHash table (or one word band) each request is in exactly one group, so a member's tallies
     * over that table's groups are its requests through the campaign's templates, each once. The table whose sums
     * judge the most members speaks.
     */
    static LinkRiskProcessor.MemberSplit overTemplates(DetectionRules.Group g, List<CampaignEdge> templates) {
        TreeMap<String, TableTallies> byTable = new TreeMap<>();
        for (CampaignEdge edge : templates) {
            java.nio.ByteBuffer tally = edge.getMemberTallies().duplicate();
            if (!tally.hasRemaining()) {
                continue;
            }
            String key = edge.getLinkKey();
            int colon = key.indexOf(':');
            int dash = key.indexOf('-', colon);
            TableTallies table = byTable.computeIfAbsent(dash < 0 ? key : key.substring(colon + 1, dash),
                    t -> new TableTallies());
            table.reasoning += edge.getReasoning();
            table.requests += edge.getRequests();
            while (tally.remaining() >= MEMBER_TALLY) {
                int[] sums = table.members.computeIfAbsent(tally.getLong(), m -> new int[2]);
                sums[0] += Short.toUnsignedInt(tally.getShort());
                sums[1] += Short.toUnsignedInt(tally.getShort());
            }
        }
        LinkRiskProcessor.MemberSplit best = LinkRiskProcessor.MemberSplit.NONE;
        for (TableTallies table : byTable.values()) {
            LinkRiskProcessor.SplitSums split = new LinkRiskProcessor.SplitSums(g, table.reasoning, table.requests);
            table.members.values().forEach(sums -> split.add(sums[0], sums[1]));
            LinkRiskProcessor.MemberSplit judged = split.split();
            if (judged.judged() > best.judged()) {
                best = judged;
            }
        }
        return best;
    }

    /** One table's members' tallies, by account hash, and the requests of its groups. */
    private static final class TableTallies {
        final TreeMap<Long, int[]> members = new TreeMap<>();
        long reasoning;
        long requests;
    }

    private static boolean shaped(DetectionRules rules, CampaignEdge edge, boolean byReasoning) {
        return byReasoning ? HarvestShape.pointShapedByReasoning(rules, edge.getReasoning(), edge.getFirstTurns(),
                edge.getRequests()) : shaped(rules, edge);
    }

    private static Assessment assess(DetectionRules rules, Campaign campaign, int templateTables, int wordBands,
                                     boolean byReasoning) {
        DetectionRules.Link t = rules.link();
        DetectionRules.Group g = rules.groupOrDefault();
        Map<LinkKind, double[]> byKind = new EnumMap<>(LinkKind.class);
        double[] wordSums = new double[SUMS];
        List<CampaignEdge> templates = new ArrayList<>();
        for (CampaignEdge edge : campaign.links.values()) {
            // Judged on the groups that are extraction-shaped now: a carrier's /24 that looked like a harvest at the
            // start of its day ties its members but neither speaks for the campaign nor corroborates its templates.
            if (!shaped(rules, edge, byReasoning) || passedThrough(rules, edge)) {
                continue;
            }
            LinkKind kind = LinkKind.of(edge.getLinkKey());
            if (kind == LinkKind.PAYMENT_FINGERPRINT && edge.getDistinctAccounts() < kind.accountsThreshold(rules)) {
                // A card shared by fewer than its fan-in threshold (a household's) ties its members but does not
                // speak for the campaign: it holds its members' every request, and one heavy member makes its shares.
                continue;
            }
            boolean word = kind == LinkKind.PROMPT_CLUSTER && LinkRiskProcessor.isWordBand(edge.getLinkKey());
            // At least one: word-band edges written before detector.word-bands was set to 0 are still in the day's store.
            double weight = kind != LinkKind.PROMPT_CLUSTER ? 1 : word ? 1.0 / Math.max(1, wordBands) : 1.0 / templateTables;
            double[] sums = byKind.computeIfAbsent(kind, k -> new double[SUMS]);
            if (word) {
                sums = wordSums;
            }
            if (kind == LinkKind.PROMPT_CLUSTER) {
                templates.add(edge);
            }
            sums[0] += weight * edge.getRequests();
            sums[1] += weight * edge.getReasoning();
            sums[2] += weight * edge.getFirstTurns();
            sums[3] += weight * edge.getNewAccountRequests();
            sums[4] += weight * edge.getHostingRequests();
            sums[5] += weight * edge.getNewModelRequests();
            sums[6] += weight * edge.getLongAnswers();
            sums[7] += weight * edge.getMemberRepeats();
            sums[8] += weight * edge.getMemberRoams();
            sums[9] += weight * edge.getMembersJudged();
            sums[10] += weight * edge.getMembersWithoutReasoning();
            sums[11] += weight * edge.getMembersExpectedWithout();
            sums[12] += weight * edge.getMembersVarianceWithout();
            sums[13] += weight * edge.getMembersDispersion();
            sums[14] += weight * edge.getMembersAddressed();
            sums[15] += weight * edge.getMembersDistinctAddresses();
            sums[16] += weight * edge.getMembersBlockRepeats();
            sums[17] += weight * edge.getMembersBlockChanges();
            sums[18] += weight * edge.getMembersSteps();
            sums[19] += weight * edge.getMembersStepChanges();
            if (edge.getNewMembers() == null || edge.getMembersSampled() <= 0) {
                // A group whose window did not count its new members: its kind's requests speak alone.
                sums[22]++;
            } else {
                sums[20] += weight * edge.getMembersSampled();
                sums[21] += weight * edge.getNewMembers();
            }
        }
        if (byKind.isEmpty()) {
            return null;
        }
        double[] most = byKind.values().stream().max((a, b) -> Double.compare(a[0], b[0])).orElseThrow();
        if (wordSums[0] > most[0]) {
            most = wordSums;
        }
        long n = Math.round(most[0]);
        long minRequests = g.campaignMinRequestsOr(t.clusterMinRequests());
        if (n < minRequests) {
            return null;
        }
        long reasoningHits = Math.round(most[1]);
        long longAnswerHits = Math.round(most[6]);
        long firstTurnHits = Math.round(most[2]);
        HarvestShape.Bounds bounds = HarvestShape.lower(rules, reasoningHits, longAnswerHits, firstTurnHits, n);
        double shape = bounds.strength();
        if (shape < 1) {
            return null;
        }
        double newAccounts = most[3] / most[0];
        double hosting = most[4] / most[0];
        // The members of the kind that speaks, over its groups' samples (a member of two of its groups counted twice).
        Long newMembers = most[22] > 0 ? null : Math.round(most[21]);
        long membersSampled = Math.round(most[20]);
        boolean young = g.young(t.clusterNewAccountShare(), newAccounts, newMembers, membersSampled);
        LinkRiskProcessor.MemberSplit split = new LinkRiskProcessor.MemberSplit(Math.round(most[9]),
                Math.round(most[10]), most[11], most[12], most[13]);
        if (most == byKind.get(LinkKind.PROMPT_CLUSTER) || most == wordSums) {
            // Each member judged on its requests through all the campaign's templates, once enough are: a member
            // of a campaign of five templates sends each a fifth of its requests.
            LinkRiskProcessor.MemberSplit overTemplates = overTemplates(g, templates);
            if (overTemplates.judged() >= g.splitMinMembersOrDefault()) {
                split = overTemplates;
            }
        }
        boolean hosted = hosting >= g.hostingShare() && !split.apart(g);
        boolean pivot = DetectionRules.Group.wilsonLower(Math.round(most[5]), n, g.confidenceZ()) >= t.modelPivotShare();
        boolean pivotTrait = pivot && g.pivotCorroboratesOrDefault();
        // Templates and signup hours are what a popular product's users share by the thousand (its system prompt,
        // the hour its launch brought them in), and a few of them share a /24 or a card anywhere (a carrier's NAT, a
        // family): a campaign is corroborated by an address, network or card group at its own fan-in threshold, or by
        // new accounts, hosting addresses or a pivot (where group.pivot-corroborates lets it: a product moves its users
        // to a new model too); a smaller group ties members but corroborates nothing. A card is no such trait when the
        // rules ask it for a second one (group.shared-card-second-trait): a school pays for its students' accounts on
        // one product.
        // Such groups corroborate it only when they hold group.campaign-trait-coverage of its members between them:
        // one school's address speaks for its students, not for the same app's students at every other school.
        boolean cardsNeedASecondTrait = g.sharedCardSecondTraitOrDefault();
        long[] traitMembers = {0, 0};
        campaign.links.values().forEach(edge -> {
            LinkKind kind = LinkKind.of(edge.getLinkKey());
            if (kind != LinkKind.PROMPT_CLUSTER && kind != LinkKind.SIGNUP_COHORT
                    && !(kind == LinkKind.PAYMENT_FINGERPRINT && cardsNeedASecondTrait)
                    && edge.getDistinctAccounts() >= kind.accountsThreshold(rules)
                    && shaped(rules, edge, byReasoning) && !passedThrough(rules, edge)) {
                traitMembers[0]++;
                traitMembers[1] += edge.getDistinctAccounts();
            }
        });
        double coverage = Math.min(1, (double) traitMembers[1] / Math.max(1, campaign.members.size()));
        boolean strongTrait = traitMembers[0] > 0 && coverage >= g.campaignTraitCoverageOrDefault();
        // Shaped by long answers alone: a card shared at its fan-in threshold, new accounts or a pivot (as above)
        // corroborate it (HarvestShape.Bounds.longAnswersOnly: a product's users share its template, addresses and
        // network), and hosting addresses do as for a template group when the members were judged to run one
        // configuration, each from an address of its own (LinkRiskProcessor#clusterAssessment), here on the union's
        // summed tallies.
        LinkRiskProcessor.MemberAddresses addresses = LinkRiskProcessor.MemberAddresses.NONE;
        boolean ownMachines = false;
        if (hosted && !young && !pivotTrait && bounds.longAnswersOnly()) {
            addresses = new LinkRiskProcessor.MemberAddresses((int) Math.round(most[14]), (int) Math.round(most[15]),
                    Math.round(most[16]), Math.round(most[17]));
            ownMachines = split.oneConfiguration(g) && addresses.own(g);
        }
        boolean uncorroborated = !strongTrait && !young && !hosted && !pivotTrait
                || !young && !pivotTrait && !ownMachines && bounds.longAnswersOnly()
                && (cardsNeedASecondTrait || campaign.links.values().stream().noneMatch(edge -> LinkKind.of(
                edge.getLinkKey()) == LinkKind.PAYMENT_FINGERPRINT && edge.getDistinctAccounts()
                >= LinkKind.PAYMENT_FINGERPRINT.accountsThreshold(rules) && shaped(rules, edge)));
        // As for a template group: its members' roaming corroborates it, held for each member to show in its own day.
        long repeats = g.roamingTrials(Math.round(most[7]), Math.round(most[18]));
        long roams = g.roamingHits(Math.round(most[8]), Math.round(most[19]));
        boolean roaming = g.roaming(roams, repeats);
        if (uncorroborated && !roaming) {
            return null;
        }
        double cap = rules.scoring().ratioCap();
        double fanIn = (double) campaign.members.size() / g.campaignMinAccounts();
        Assessment a = new Assessment()
                .measure("campaign_accounts", campaign.members.size(), g.campaignMinAccounts())
                .measure("campaign_links", campaign.links.size(), 2);
        byKind.keySet().forEach(kind -> a.measure("links:" + kind.name(),
                campaign.links.keySet().stream().filter(k -> LinkKind.of(k) == kind).count(), 0));
        bounds.measure(a.measure("group_requests", n, minRequests))
                .measure("group_new_account_share", newAccounts, t.clusterNewAccountShare())
                .measure("group_hosting_share", hosting, g.hostingShare())
                .fire("EXTRACTION_SHAPED_GROUP", shape, rules.scoring().extractionWeight(), 1, true)
                .fire(DETECTOR, fanIn, 1, cap + 1, false);
        LinkRiskProcessor.measureNewMembers(a, rules, newAccounts, newMembers, membersSampled);
        if (traitMembers[0] > 0 && g.campaignTraitCoverageOrDefault() > 0) {
            a.measure("campaign_trait_coverage", coverage, g.campaignTraitCoverageOrDefault());
        }
        split.measure(a, g);
        if (addresses.members() > 0) {
            split.measureDispersion(a, g);
        }
        addresses.measure(a, g);
        if (young) {
            a.fire("NEW_ACCOUNTS", newAccounts / t.clusterNewAccountShare(), 0.5, 1, false);
        }
        if (hosted) {
            a.fire("HOSTING_ADDRESSES", hosting / g.hostingShare(), 0.5, 1, false);
        }
        if (pivot) {
            a.fire(LinkRiskProcessor.PIVOT_DETECTOR, 1, 0.5, 1, false);
        }
        return LinkRiskProcessor.roamingEvidence(a, g, roams, repeats, uncorroborated);
    }

    private void judge(DetectionRules rules, Campaign campaign, long day, long trigger) {
        Assessment assessment = assess(rules, campaign, config.templateTables(), config.wordBands());
        if (assessment == null) {
            return;
        }
        Set<String> poolTied = poolTied(rules, campaign, config.templateTables(), config.wordBands());
        List<String> named = new ArrayList<>(campaign.members);
        if (!poolTied.isEmpty()) {
            assessment.measure("campaign_accounts_held_for_own_day", poolTied.size(), 0);
            if (poolTied.size() == campaign.members.size()) {
                // Nothing but the pool ties it: its alert names its members before their own days have shown it.
                assessment.holdForMembers();
            } else {
                named.removeAll(poolTied);
            }
        }
        String subject = SUBJECT_PREFIX + idOf(campaign, day);
        String gate = DETECTOR + '|' + subject;
        List<Evidence> evidence = assessment.evidenceWithFired();
        int shown = 0;
        for (Map.Entry<String, CampaignEdge> link : campaign.links.entrySet()) {
            if (shown++ == PATHS_SHOWN) {
                break;
            }
            evidence.add(Alerts.evidence("link:" + link.getKey(), link.getValue().getDistinctAccounts(), 0));
        }
        shown = 0;
        for (String member : named) {
            if (shown++ == PATHS_SHOWN) {
                break;
            }
            evidence.add(Alerts.evidence("path:" + member + " via " + campaign.paths.get(member), 0, 0));
        }
        List<String> sample = named.subList(0, Math.min(named.size(), config.maxAccountsPerAlert()));
        DistillationAlert alert = Alerts.alert(DETECTOR, SubjectType.ACCOUNT_CLUSTER, subject, day,
                day + SubjectRiskProcessor.DAY_MS, trigger, assessment.risk(), new ArrayList<>(sample),
                named.size(), evidence, rules.version());
        emitter.emitRising(gate, alert);
        boolean held = assessment.heldForMembers();
        if (emitter.emittedSeverity(gate, day) < (held ? Severity.LOW.ordinal() : Severity.HIGH.ordinal())) {
            return;
        }
        for (String member : campaign.members) {
            boolean tied = poolTied.contains(member);
            // Once per account and day: the subject path keeps the riskiest implication of the day anyway.
            if (!emitter.implicationDue(MEMBER_GATE + member, day, held || tied, Severity.HIGH.ordinal())) {
                continue;
            }
            SubjectRequest implication = SubjectRiskProcessor.implication(trigger, member, subject, assessment, tied);
            context.forward(new Record<>(Subjects.key(SubjectType.ACCOUNT, member), implication, trigger));
        }
    }

    /**
     * The campaign's id for the day: the id it was already alerted under, if any of its links was one (the smallest
     * of them when two alerted campaigns have merged), else its smallest link key. A campaign grows during its day,
     * and a link with a smaller key than its first ones would otherwise start a second series of alerts, under a new
     * id, for the same accounts: for a consumer of the alerts topic, the same campaign written twice. (One day's
     * template farm: 10 of 32 campaign alerts at HIGH were such repeats before.)
     */
    private String idOf(Campaign campaign, long day) {
        for (String key : campaign.links.keySet()) {
            if (emitter.emittedSeverity(DETECTOR + '|' + SUBJECT_PREFIX + key, day) >= 0) {
                return key;
            }
        }
        return campaign.id();
    }

    /** Drops the links of days before {@code before}. */
    private void forget(long before) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, CampaignEdge> it = links.range(storeKey(0, ""), storeKey(before, ""))) {
            while (it.hasNext()) {
                old.add(it.next().key);
            }
        }
        old.forEach(links::delete);
    }

    /**
     * The day of the graph an edge belongs to: that of its event time. A group's own window may be longer (a card's
     * is a week), and its counts are that window's; the graph ties groups day by day.
     */
    static long dayOf(CampaignEdge edge) {
        long time = edge.getEventTime();
        return time - Math.floorMod(time, SubjectRiskProcessor.DAY_MS);
    }

    /** Keys sort by day first: a day's links are one range. */
    static String storeKey(long windowStart, String linkKey) {
        return pad(windowStart) + '|' + linkKey;
    }

    /** Fixed width, so that keys sort as the numbers do. */
    private static String pad(long value) {
        String digits = Long.toString(value);
        return "0".repeat(Math.max(0, 15 - digits.length())) + digits;
    }

    private long meta(String key) {
        CampaignEdge value = links.get(key);
        return value == null ? Long.MIN_VALUE : value.getEventTime();
    }

    private void setMeta(String key, long value) {
        CampaignEdge kept = links.get(key);
        if (kept == null || kept.getEventTime() != value) {
            links.put(key, new CampaignEdge(key, value, 0L, 0L, List.of(), 0L, 0L, 0L, 0L, 0L, 0L, List.of(), null, 0L, 0L,
                    0L, 0L, 0L, 0.0, 0.0, 0.0, 0L, 0L, 0L, 0L, 0L, 0L, EMPTY, 0L, null));
        }
    }

    /** A link partition's progress mark: every input partition is past {@code time}, or all are idle. */
    static KeyValue<String, CampaignEdge> progress(int linkPartition, long time, boolean idle) {
        return KeyValue.pair(KEY, new CampaignEdge(PROGRESS_KEY, time, 0L, 0L, List.of(), 0L, 0L, 0L, 0L, 0L, 0L,
                List.of(), new Watermark(linkPartition, time, idle), 0L, 0L, 0L, 0L, 0L, 0.0, 0.0, 0.0, 0L, 0L, 0L, 0L, 0L, 0L,
                EMPTY, 0L, null));
    }

    /**
     * The edge a link group sends the graph: the group's key, its harvesting members, its accounts that harvested
     * nothing through it (a template's or card's only; see {@link AccountGraph#addOthers}) and its counts.
     */
    public static KeyValue<String, CampaignEdge> edge(String linkKey, long time, long windowStart, LinkWindowStats stats,
                                                      long accounts, List<String> others,
                                                      LinkRiskProcessor.MemberSplit split) {
        LinkKind kind = LinkKind.of(linkKey);
        LinkRiskProcessor.MemberAddresses addresses = kind.followsAddresses()
                ? LinkRiskProcessor.memberAddresses(stats) : LinkRiskProcessor.MemberAddresses.NONE;
        // A campaign's roaming is its templates' members' (a card's members are followed for the card's own test).
        boolean roaming = kind == LinkKind.PROMPT_CLUSTER;
        return KeyValue.pair(KEY, new CampaignEdge(linkKey, time, windowStart, accounts,
                new ArrayList<>(stats.getShapedAccounts()), stats.getRequests(), stats.getReasoning(),
                stats.getFirstTurns(), stats.getNewAccountRequests(), stats.getHostingRequests(),
                stats.getNewModelRequests(), others, null, stats.getLongAnswers(),
                roaming ? stats.getMemberRepeats() : 0L, roaming ? stats.getMemberRoams() : 0L, split.judged(),
                split.without(), split.expected(), split.variance(), split.dispersion(), (long) addresses.members(),
                (long) addresses.distinct(), addresses.blockRepeats(), addresses.blockChanges(),
                roaming ? stats.getMemberSteps() : 0L, roaming ? stats.getMemberStepChanges() : 0L,
                kind == LinkKind.PROMPT_CLUSTER ? memberTallies(stats) : EMPTY,
                (long) stats.getSampleAccounts().size(), stats.getNewMembers()));
    }

    /**
     * A template group's sampled members' tallies, each beside its account's hash, so that the graph can add a member's
     * requests up over the campaign's templates: an account of a campaign of five templates at three requests a day
     * sends each template one every other day, and is judged by its configuration only on the requests of one.
     */
    static java.nio.ByteBuffer memberTallies(LinkWindowStats stats) {
        List<String> sample = stats.getSampleAccounts();
        java.nio.ByteBuffer tally = stats.getSampleReasoning().duplicate();
        int slots = Math.min(sample.size(), tally.remaining() / (2 * Short.BYTES));
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(slots * MEMBER_TALLY);
        for (int i = 0; i < slots; i++) {
            int at = tally.position() + i * 2 * Short.BYTES;
            short requests = tally.getShort(at);
            if (requests != 0) {
                out.putLong(Sketches.hash(sample.get(i))).putShort(requests).putShort(tally.getShort(at + Short.BYTES));
            }
        }
        return out.flip();
    }
}
