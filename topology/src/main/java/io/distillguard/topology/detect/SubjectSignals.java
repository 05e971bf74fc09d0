package io.distillguard.topology.detect;

import static io.distillguard.topology.detect.SubjectProfile.activeHours;
import static io.distillguard.topology.detect.SubjectProfile.answerPromptRatio;
import static io.distillguard.topology.detect.SubjectProfile.capabilityConcentration;
import static io.distillguard.topology.detect.SubjectProfile.distinctAsns;
import static io.distillguard.topology.detect.SubjectProfile.distinctCountries;
import static io.distillguard.topology.detect.SubjectProfile.distinctIps;
import static io.distillguard.topology.detect.SubjectProfile.distinctPrefixes;
import static io.distillguard.topology.detect.SubjectProfile.interArrivalCv;
import static io.distillguard.topology.detect.SubjectProfile.networkSwitchShare;
import static io.distillguard.topology.detect.SubjectProfile.openerShare;
import static io.distillguard.topology.detect.SubjectProfile.outputInputRatio;
import static io.distillguard.topology.detect.SubjectProfile.promptDiversity;
import static io.distillguard.topology.detect.SubjectProfile.reasoningShare;
import static io.distillguard.topology.detect.SubjectProfile.singleTurnShare;

import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.state.HourCount;
import io.distillguard.topology.state.SubjectWindowStats;
import java.util.List;

/**
 * The per-subject signals (issue signals 1, 2, 4 and 7) over a subject's 1 h and 24 h windows, combined into one
 * {@link Assessment}:
 * <ul>
 *   <li>EXTRACTION: reasoning share, single-turn share, prompt diversity and capability concentration all at or over
 *       their thresholds (with enough requests to judge); a high output/input token ratio strengthens it.</li>
 *   <li>VOLUME: requests or tokens in the hour, requests in the day, against fixed thresholds.</li>
 *   <li>BASELINE: requests this hour against the subject's average hour of the previous day.</li>
 *   <li>FAN_OUT: distinct IPs and /24-/48 prefixes in the hour, ASNs and countries in the day.</li>
 *   <li>TIMING: inter-arrival times too regular for a person, or activity in nearly every hour of the day.</li>
 *   <li>ROTATION: consecutive requests minutes apart from different networks, over many networks in the day: a
 *       proxy rotating per request; distillation-specific with a harvest's reasoning share.</li>
 *   <li>CLUSTER_MEMBER: the subject sent extraction-shaped requests through a HIGH account cluster today (signal 9,
 *       found by the link path); it brings the cluster's risk.</li>
 *   <li>THREAT_INTEL: a request today matched a partner's live indicator at or over the rules' min-confidence; a
 *       high-confidence one counts as distillation-specific (another lab concluded it).</li>
 * </ul>
 */
public final class SubjectSignals {

    /**
     * Membership alone makes a member HIGH, never CRITICAL (risk 5): CRITICAL, the suspension tier, takes the
     * account's own evidence as well. It also keeps alerts independent of processing order: a member is implicated
     * with the cluster's risk at that moment, which depends on how requests from different partitions interleaved,
     * while every implication is at least HIGH's 2.5 by construction.
     */
    static final double MEMBER_CAP = 4.99;

    private SubjectSignals() {
    }

    public static Assessment assess(DetectionRules rules, SubjectWindowStats hour, SubjectWindowStats day,
                                    SubjectWindowStats yesterday) {
        return assess(rules, hour, day, yesterday, true, true);
    }

    /**
     * @param hour      this hour's window
     * @param day       this UTC day's window
     * @param yesterday the previous day's window, or null
     * @param clusters  whether the day's cluster implication counts: an account's windows read for its API key
     *                  are the key's profile, but the implication was the account's
     * @param oneAccount whether the windows are one account's traffic (an account, or one account's API key): an
     *                  org's members switch networks between each other's requests, and their requests interleave
     *                  in no fixed order, so ROTATION and the gaps' regularity read only these
     */
    public static Assessment assess(DetectionRules rules, SubjectWindowStats hour, SubjectWindowStats day,
                                    SubjectWindowStats yesterday, boolean clusters, boolean oneAccount) {
        DetectionRules.Subject r = rules.subject();
        DetectionRules.Scoring w = rules.scoring();
        Assessment a = new Assessment();
        double hourly = hour.getRequests() >= r.minRequests1h() ? extraction(a, r.extraction(), hour, day, "1h") : 0;
        double daily = day.getRequests() >= r.minRequests24h() ? extraction(a, r.extraction(), day, day, "24h") : 0;
        double extraction = Math.max(hourly, daily);
        if (extraction >= 1) {
            a.fire("EXTRACTION", extraction, w.extractionWeight(), w.ratioCap(),
                    harvestNotBurst(a, r, hourly >= daily ? hour : day, hourly >= daily ? "1h" : "24h", day,
                            yesterday));
        }

        DetectionRules.Intel intel = rules.intelOrDefault();
        if (day.getIntelConfidence() >= intel.minConfidence()) {
            a.measure("threat_intel:" + day.getIntelIndicator() + " from " + day.getIntelSource(),
                            day.getIntelConfidence(), intel.minConfidence())
                    .fire("THREAT_INTEL", intel.risk(day.getIntelConfidence()), 1, Double.MAX_VALUE,
                            day.getIntelConfidence() >= intel.highConfidence());
        }

        double volume = Math.max(Math.max(
                        ratio(a, "requests_1h", hour.getRequests(), r.volume().requests1h()),
                        ratio(a, "tokens_1h", hour.getPromptTokens() + hour.getCompletionTokens(), r.volume().tokens1h())),
                ratio(a, "requests_24h", day.getRequests(), r.volume().requests24h()));
        if (volume >= 1) {
            a.fire("VOLUME", volume, w.volumeWeight(), w.ratioCap(), false);
        }

        if (yesterday != null && yesterday.getRequests() > 0) {
            double baselinePerHour = Math.max(yesterday.getRequests() / 24.0, r.volume().baselineFloorPerHour());
            double threshold = baselinePerHour * r.volume().baselineMultiple();
            double baseline = ratio(a, "requests_1h_vs_yesterday_hourly", hour.getRequests(), threshold);
            if (baseline >= 1) {
                a.fire("BASELINE", baseline, w.baselineWeight(), w.ratioCap(), false);
            }
        }

        // A window cannot hold more distinct addresses than requests: the sketches are read only when the count
        // could reach the threshold, which spares the register scan for nearly every request.
        double fanOut = 0;
        if (hour.getRequests() >= Math.min(r.fanOut().ips1h(), r.fanOut().prefixes1h())) {
            fanOut = Math.max(ratio(a, "distinct_ips_1h", distinctIps(hour), r.fanOut().ips1h()),
                    ratio(a, "distinct_prefixes_1h", distinctPrefixes(hour), r.fanOut().prefixes1h()));
        }
        if (day.getRequests() >= Math.min(r.fanOut().asns24h(), r.fanOut().countries24h())) {
            fanOut = Math.max(fanOut, Math.max(
                    ratio(a, "distinct_asns_24h", distinctAsns(day), r.fanOut().asns24h()),
                    ratio(a, "distinct_countries_24h", distinctCountries(day), r.fanOut().countries24h())));
        }
        if (fanOut >= 1) {
            a.fire("FAN_OUT", fanOut, w.fanOutWeight(), w.ratioCap(), false);
        }

        if (oneAccount) {
            rotation(a, r, w, day);
        }

        double timing = 0;
        // An org's requests come from its accounts, which a live run reads from several input partitions in no fixed
        // order: the gaps between them are neither the org's rhythm nor the same live and in a backtest, so an org is
        // timed by its active hours alone (a set of hours does not depend on order).
        double cv = oneAccount ? interArrivalCv(hour) : Double.NaN;
        if (hour.getGaps() >= r.timing().minGaps() && !Double.isNaN(cv)) {
            // Inverted: the lower the variation, the stronger the signal.
            timing = r.timing().maxInterArrivalCv() / Math.max(cv, 0.01);
            if (timing >= 1) {
                a.measure("inter_arrival_cv_1h", cv, r.timing().maxInterArrivalCv());
            }
        }
        timing = Math.max(timing, ratio(a, "active_hours_24h", activeHours(day), r.timing().activeHours24h()));
        if (timing >= 1) {
            a.fire("TIMING", timing, w.timingWeight(), w.ratioCap(), false);
        }

        a.ownSignalsDone();
        if (clusters && clusterMember(day) && ownNetworksConfirm(a, rules, day, yesterday)
                && ownBlocksConfirm(a, rules, day)
                && ownShapeConfirms(a, rules, day, yesterday)
                && !ownTrafficRefutesHarvest(a, rules, day)) {
            // A member is judged on the most its own signals showed at any of the day's requests, not on what they
            // show at this moment: a signal that fires for part of the day (ROTATION until the account settles on
            // one network) then counts the same whether the implication is read at its own event time (a backtest)
            // or hours later behind a backlog (live), and a day's alerts depend on its events, not their timing.
            double own = a.ownRisk();
            if (day.getOwnRiskPeak() > own) {
                a.measure("own_risk_peak_24h:" + day.getOwnPeakSignals(), day.getOwnRiskPeak(), own)
                        .raise(day.getOwnRiskPeak() - own);
            }
            // Membership of an extraction-shaped cluster: the account carries the cluster's risk as its own.
            a.measure("cluster_risk", day.getClusterRisk(), 1)
                    .measure("cluster:" + day.getCluster(), day.getClusterRisk(), 0)
                    .fire("CLUSTER_MEMBER", day.getClusterRisk(), 1, MEMBER_CAP, true);
        }
        return a;
    }

    /**
     * ROTATION: the day's quick pairs switch network at or over the rules' share, over at least the rotation's
     * min-asns ASNs. Distillation-specific only with the harvest's reasoning share, asked in enough distinct hours;
     * otherwise it is proxy use and stays under HIGH with the other corroborating signals.
     */
    private static void rotation(Assessment a, DetectionRules.Subject r, DetectionRules.Scoring w,
                                 SubjectWindowStats day) {
        DetectionRules.Rotation t = r.rotationOrDefault();
        if (day.getQuickPairs() < t.minQuickPairs()) {
            return;
        }
        double switchShare = networkSwitchShare(day);
        double strength = switchShare / t.networkSwitchShare();
        long minAsns = t.minAsnsOr(r.fanOut().asns24h());
        if (strength < 1 || distinctAsns(day) < minAsns) {
            return;
        }
        double reasoning = reasoningShare(day);
        long reasoningHours = 0;
        for (HourCount hour : day.getHourly()) {
            reasoningHours += hour.getReasoning() > 0 ? 1 : 0;
        }
        boolean harvesting = reasoning >= t.harvestReasoningShare()
                && reasoningHours >= t.harvestReasoningHoursOrDefault();
        a.measure("network_switch_share_24h", switchShare, t.networkSwitchShare())
                .measure("quick_pairs_24h", day.getQuickPairs(), t.minQuickPairs())
                .measure("distinct_asns_24h", distinctAsns(day), minAsns)
                .measure("reasoning_share_24h", reasoning, t.harvestReasoningShare())
                .measure("reasoning_hours_24h", reasoningHours, t.harvestReasoningHoursOrDefault())
                .fire("ROTATION", strength, t.weight(), w.ratioCap(), harvesting);
    }

    /**
     * Whether an implicated account's own day has enough requests to be judged (link.cluster-min-requests) and rules
     * out, beyond chance, the shape its cluster or campaign was judged on: the upper bound of its reasoning or
     * first-turn share (group.confidence-z) under the group's threshold. A cluster speaks for members too light to
     * judge alone; an eval harness running a public benchmark a campaign also harvests (thousands of prompts, reasoning
     * on 40 %), or a company's batch job on a template a campaign uses (no reasoning at all), crosses the campaign's
     * groups with a request or two of its own and is not harvesting with it. The evidence says why it was not counted.
     */
    static boolean ownTrafficRefutesHarvest(Assessment a, DetectionRules rules, SubjectWindowStats day) {
        long n = day.getRequests();
        if (n < rules.link().clusterMinRequests()) {
            return false;
        }
        HarvestShape.Bounds own = HarvestShape.upper(rules, day.getReasoning(), day.getLongAnswers(),
                day.getFirstTurns(), n);
        if (!own.ruledOut()) {
            return false;
        }
        own.measure(a.measure("cluster_not_counted:" + day.getCluster(), day.getClusterRisk(), 0));
        return true;
    }

    /**
     * Whether an implication held for the account's own networks ({@code cluster_needs_networks}) is confirmed: its
     * day came from at least group.roaming-member-asns networks. A product's user moving between home, school and the
     * phone network shows three; a proxy rotating per request shows a new one at nearly every request.
     *
     * <p>With group.held-member-days 2, a day from fewer is counted again with {@code yesterday}'s networks added: a
     * pool's account at three requests a day shows three networks a day and six over two, where the person moving
     * between home, school and the phone shows the same three on both days (an ASN is the provider, not the address).
     * Beside the networks, with group.roaming-member-block-share, that share at least of its requests that followed
     * one of its own, over the same days, came from another block than the one before: a student who also spends an
     * hour at a café shows a fourth network but stays on it; a proxy hands out another household at nearly every
     * request, and one that keeps an address through a conversation's turns still changes at most of them.
     */
    static boolean ownNetworksConfirm(Assessment a, DetectionRules rules, SubjectWindowStats day,
                                      SubjectWindowStats yesterday) {
        if (!day.getClusterNeedsNetworks()) {
            return true;
        }
        long networks = distinctAsns(day);
        DetectionRules.Group g = rules.groupOrDefault();
        int needed = g.roamingMemberAsnsOrDefault();
        a.measure("own_distinct_asns_24h", networks, needed);
        long changes = day.getBlockChanges();
        long compared = day.getBlockRepeats();
        String window = "24h";
        if (networks < needed && yesterday != null && yesterday.getRequests() > 0 && g.heldMemberDaysOrDefault() > 1) {
            networks = distinctAsns(day, yesterday);
            changes += yesterday.getBlockChanges();
            compared += yesterday.getBlockRepeats();
            window = "2d";
            a.measure("own_distinct_asns_2d", networks, needed);
        }
        boolean confirmed = networks >= needed;
        double blockShare = g.roamingMemberBlockShareOrDefault();
        if (confirmed && blockShare > 0) {
            a.measure("own_block_changed_share_" + window, compared == 0 ? 0 : (double) changes / compared, blockShare);
            confirmed = compared > 0 && changes >= blockShare * compared - 1e-9;
        }
        if (!confirmed) {
            confirmed = everyRequestFromANewBlock(a, g, day, yesterday);
        }
        if (!confirmed) {
            a.measure("cluster_awaiting_own_networks:" + day.getCluster(), day.getClusterRisk(), 0);
        }
        return confirmed;
    }

    /**
     * The other way a member held for its own networks is confirmed (group.roaming-member-new-block-asns): each of at
     * least group.roaming-member-asns of its requests, over its day and the day before (its day alone when the day
     * before had none of its requests), came from a block (/24, /48) it had not used, with that many networks among
     * them. Over both days whenever it can: a pool never hands a block back, and a person comes back to yesterday's
     * home or school even on a day that went from the school to two of the phone carrier's blocks to home.
     */
    private static boolean everyRequestFromANewBlock(Assessment a, DetectionRules.Group g, SubjectWindowStats day,
                                                     SubjectWindowStats yesterday) {
        int asns = g.roamingMemberNewBlockAsnsOrDefault();
        if (asns <= 0) {
            return false;
        }
        int needed = g.roamingMemberAsnsOrDefault();
        if (yesterday != null && yesterday.getRequests() > 0 && g.heldMemberDaysOrDefault() > 1) {
            return newBlockAtEachRequest(a, "2d", day.getRequests() + yesterday.getRequests(),
                    distinctPrefixes(day, yesterday), distinctAsns(day, yesterday), needed, asns);
        }
        return newBlockAtEachRequest(a, "24h", day.getRequests(), distinctPrefixes(day),
                distinctAsns(day), needed, asns);
    }

    private static boolean newBlockAtEachRequest(Assessment a, String window, long requests, long blocks, long networks,
                                                 int neededRequests, int neededNetworks) {
        if (requests < neededRequests || networks < neededNetworks) {
            return false;
        }
        a.measure("own_new_block_requests_" + window, blocks, requests)
                .measure("own_new_block_asns_" + window, networks, neededNetworks);
        return blocks >= requests;
    }

    /**
     * Whether an implication by a hosted client's rotating members (LinkRiskProcessor#poolMembersAssessment) is
     * confirmed by the account's own day: of its requests that followed one of its own, at least own-address-share, and
     * at least group.pool-member-blocks less one (its day spans that many blocks at the least), came from another block
     * (/24, /48) than the one before. The group was made of a day's first members of a client everyone on that cloud
     * uses; a developer's app that keeps its machine never shows this, whatever its shape. Other implications:
     * confirmed.
     */
    static boolean ownBlocksConfirm(Assessment a, DetectionRules rules, SubjectWindowStats day) {
        if (!day.getClusterNeedsBlocks()) {
            return true;
        }
        DetectionRules.Group g = rules.groupOrDefault();
        long changes = day.getBlockChanges();
        long compared = day.getBlockRepeats();
        long needed = Math.max(g.poolMemberBlocksOrDefault() - 1L,
                (long) Math.ceil(g.ownAddressShareOrDefault() * compared));
        a.measure("own_block_changes_24h", changes, needed)
                .measure("own_block_compared_24h", compared, g.poolMemberBlocksOrDefault() - 1L);
        if (changes < needed) {
            a.measure("cluster_awaiting_own_blocks:" + day.getCluster(), day.getClusterRisk(), 0);
            return false;
        }
        return true;
    }

    /**
     * Whether an implication by a hosted client (one client on one hosting provider, LinkKind.HOSTED_CLIENT) is
     * confirmed: the account's own day is a harvest by its reasoning, its reasoning and first-turn shares at the lower
     * bounds of their intervals (group.held-member-confidence-z, under the groups' z: the group is already a harvest)
     * over the group thresholds. Every developer who calls with that client from that provider shares the group with a
     * campaign there; one whose app asks for reasoning on some first turns is not a harvest, and ten requests that all
     * did are barely one; with subject.extraction.specific-answer-ratio set, its answers must also be long against its
     * prompts. So is an implication by a campaign that ties the account only through a cloud's pool blocks
     * (SubjectRequest.cluster_needs_shape). Other implications: confirmed.
     *
     * <p>With group.held-member-days 2, a day too light to confirm is judged again with {@code yesterday}'s requests
     * added: an account at ten requests a day never holds the dozen a day's bounds need, and the group is judged anew
     * each day, so a campaign that keeps each account under that rate would otherwise never have a member named.
     * Both days are the account's own traffic; nothing of the group's is counted for it.
     */
    static boolean ownShapeConfirms(Assessment a, DetectionRules rules, SubjectWindowStats day,
                                    SubjectWindowStats yesterday) {
        if (!heldForOwnShape(day)) {
            return true;
        }
        DetectionRules.Group g = rules.groupOrDefault();
        a.measure("own_confidence_z", g.heldMemberConfidenceZOrDefault(), g.confidenceZ());
        // A member tied only through blocks of a cloud's shared pool (a campaign's tie through them, or rotating
        // members picked out of a client's developers) is not judged by its openers: every serverless product's users
        // pass through those blocks, a tutor's asking for reasoning on most first turns, and its own first-turn share
        // is what is left to tell it from them.
        boolean openers = g.heldMemberOpenersOrDefault() && !day.getClusterNeedsShape() && !day.getClusterNeedsBlocks();
        boolean harvest = ownHarvest(a, rules, day.getReasoning(), day.getLongAnswers(), day.getFirstTurns(),
                openers ? day.getFirstTurnHarvests() : -1, day.getRequests(), distinctPrefixes(day),
                answerPromptRatio(day), "24h");
        if (!harvest && yesterday != null && yesterday.getRequests() > 0 && g.heldMemberDaysOrDefault() > 1) {
            harvest = ownHarvest(a, rules, day.getReasoning() + yesterday.getReasoning(),
                    day.getLongAnswers() + yesterday.getLongAnswers(), day.getFirstTurns() + yesterday.getFirstTurns(),
                    openers ? day.getFirstTurnHarvests() + yesterday.getFirstTurnHarvests() : -1,
                    day.getRequests() + yesterday.getRequests(), twoDayBlocks(day, yesterday),
                    answerPromptRatio(day.getCompletionTokens() + yesterday.getCompletionTokens(),
                            day.getPromptTokens() + yesterday.getPromptTokens()), "2d");
        }
        if (!harvest) {
            a.measure("cluster_awaiting_own_shape:" + day.getCluster(), day.getClusterRisk(), 0);
        }
        return harvest;
    }

    /**
     * The address blocks of a day and the day before together; 0, unknown, when the day before has requests and no
     * blocks listed (written by a build that listed none on day windows).
     */
    private static long twoDayBlocks(SubjectWindowStats day, SubjectWindowStats yesterday) {
        return distinctPrefixes(yesterday) == 0 ? 0 : distinctPrefixes(day, yesterday);
    }

    /**
     * Whether the day's implication counts only once the account's own day is a harvest: a hosted client's (its
     * developers share the group) or a campaign's that ties the account only through a cloud's pool blocks (every
     * client of the pool passes through them).
     */
    static boolean heldForOwnShape(SubjectWindowStats day) {
        return LinkKind.heldForOwnShape(day.getCluster()) || day.getClusterNeedsShape();
    }

    /**
     * @param firstTurnHarvests the first turns that were a harvest's, or -1 when the member's openers are not read
     * @param blocks            the address blocks (/24, /48) the member's requests came from over the window
     */
    private static boolean ownHarvest(Assessment a, DetectionRules rules, long reasoning, long longAnswers,
                                      long firstTurns, long firstTurnHarvests, long requests, long blocks,
                                      double answerPromptRatio, String window) {
        DetectionRules.Group g = rules.groupOrDefault();
        HarvestShape.Bounds own = HarvestShape.lower(rules, reasoning, longAnswers, firstTurns, requests,
                g.heldMemberConfidenceZOrDefault());
        a.measure("own_reasoning_share_lower_bound_" + window, own.reasoningBound(), own.reasoningThreshold())
                .measure("own_first_turn_share_lower_bound_" + window, own.firstTurnBound(), own.firstTurnThreshold());
        boolean reasoningHarvest = own.reasoningBound() >= own.reasoningThreshold();
        if (!reasoningHarvest && g.heldMemberOutputsOrDefault()) {
            reasoningHarvest = outputsHarvest(a, rules, reasoning, longAnswers, requests, blocks, own, window);
        }
        boolean harvest = reasoningHarvest && own.firstTurnBound() >= own.firstTurnThreshold();
        if (reasoningHarvest && !harvest && firstTurnHarvests >= 0) {
            // A harvest that follows up a few of its questions is under the first-turn threshold by its follow-ups
            // alone; what it asks when it opens a conversation is unchanged. Its reasoning is still asked of it: long
            // answers to first turns are also what the users of a product that writes for them get.
            HarvestShape.Openers openers = HarvestShape.ownOpeners(rules, firstTurnHarvests, firstTurns, requests);
            if (openers != null) {
                openers.measureOwn(a, window);
                harvest = openers.strength() >= 1;
            }
        }
        // A developer whose scripts run on that provider with that client and ask for reasoning on nearly every
        // request is, by shares, what the campaign's accounts are; its requests carry its code, and its answers are
        // short against them (the profile's specific-answer-ratio, when set).
        Double answerRatio = rules.subject().extraction().specificAnswerRatio();
        if (harvest && answerRatio != null) {
            a.measure("own_answer_prompt_ratio_" + window, answerPromptRatio, answerRatio);
            harvest = answerPromptRatio >= answerRatio;
        }
        return harvest;
    }

    /**
     * A held member's outputs (group.held-member-outputs): from one address block over the window (a machine of its
     * own), its reasoning share as it stands at the reasoning threshold, and its reasoning requests and its other
     * requests' long answers together at their lower bound at or over it.
     */
    private static boolean outputsHarvest(Assessment a, DetectionRules rules, long reasoning, long longAnswers,
                                          long requests, long blocks, HarvestShape.Bounds own, String window) {
        double point = SubjectProfile.share(reasoning, requests);
        if (blocks != 1 || point < own.reasoningThreshold()) {
            return false;
        }
        long outputs = reasoning + HarvestShape.plainLong(longAnswers, reasoning, requests);
        double outputsBound = DetectionRules.Group.wilsonLower(outputs, requests,
                rules.groupOrDefault().heldMemberConfidenceZOrDefault());
        a.measure("own_blocks_" + window, blocks, 1)
                .measure("own_reasoning_share_" + window, point, own.reasoningThreshold())
                .measure("own_output_share_lower_bound_" + window, outputsBound, own.reasoningThreshold());
        return outputsBound >= own.reasoningThreshold();
    }

    /** Whether the window was implicated in a cluster strongly enough for CLUSTER_MEMBER. */
    public static boolean clusterMember(SubjectWindowStats day) {
        return day.getCluster() != null && day.getClusterRisk() >= 1;
    }

    /**
     * The extraction profile's strength: the weakest of its four required features over its threshold (0 when any
     * is under), times 1.25 when answers are also long against their prompts. All five go into the evidence when
     * the profile fires.
     */
    private static double extraction(Assessment a, DetectionRules.Extraction t, SubjectWindowStats s,
                                     SubjectWindowStats day, String window) {
        long n = s.getRequests();
        // A harvest that wraps some of its questions in a second turn (each turn asked for its own trace or long
        // answer) keeps no conversation single; what it still does not do is the long multi-turn work of an agent's
        // tool loop or a chat, which opens a conversation at a small share of its requests. Its openers are read
        // only where its single turns fall short, and only with its day's: an hour's first requests are the openers
        // of every session it starts, and a fleet of agents (an org's accounts, or one account's parallel sessions)
        // starts them together on the hour.
        double single = singleTurnShare(s);
        boolean singlePasses = single >= t.singleTurnShare() && t.judged(single, n) >= t.singleTurnShare();
        boolean openers = t.judgesOpeners() && !singlePasses && openerShare(day) >= t.openerShare();
        double turnShare = openers ? openerShare(s) : single;
        double turnThreshold = openers ? t.openerShare() : t.singleTurnShare();
        String turnSignal = openers ? "opener_share_" : "single_turn_share_";
        double reasoning = reasoningShare(s) / t.reasoningShare();
        double turns = turnShare / turnThreshold;
        double diversity = promptDiversity(s) / t.promptDiversity();
        double concentration = capabilityConcentration(s) / t.capabilityConcentration();
        double weakest = Math.min(Math.min(reasoning, turns), Math.min(diversity, concentration));
        if (weakest < 1) {
            return 0;
        }
        double reasoningBound = t.judged(reasoningShare(s), n);
        double turnBound = t.judged(turnShare, n);
        double concentrationBound = t.judged(capabilityConcentration(s), n);
        if (reasoningBound < t.reasoningShare() || turnBound < turnThreshold
                || concentrationBound < t.capabilityConcentration()) {
            return 0;
        }
        double outputRatio = outputInputRatio(s);
        a.measure("reasoning_share_" + window, reasoningShare(s), t.reasoningShare())
                .measure(turnSignal + window, turnShare, turnThreshold)
                .measure("prompt_diversity_" + window, promptDiversity(s), t.promptDiversity())
                .measure("capability_concentration_" + window, capabilityConcentration(s), t.capabilityConcentration())
                .measure("output_input_ratio_" + window, outputRatio, t.outputInputRatio())
                .measure("requests_" + window, n, 0);
        if (t.confidenceZ() != null) {
            a.measure("reasoning_share_lower_bound_" + window, reasoningBound, t.reasoningShare())
                    .measure(turnSignal + "lower_bound_" + window, turnBound, turnThreshold)
                    .measure("capability_concentration_lower_bound_" + window, concentrationBound,
                            t.capabilityConcentration());
        }
        return outputRatio >= t.outputInputRatio() ? weakest * 1.25 : weakest;
    }

    /**
     * Whether an account's own extraction profile is distillation-specific: a harvest, not a burst. One account's
     * hour of reasoning-heavy, single-turn, diverse requests on one capability is also a developer's coding agents
     * and scripts at work, in bursts of a few hours, and an evaluation run. The profile counts as a harvest when its
     * answers are long against its prompts (completion over prompt tokens, reasoning included, at least
     * subject.extraction.specific-answer-ratio: a harvest asks short questions for long answers, an agent sends files
     * for a diff) and the account asked for reasoning in subject.extraction.specific-answer-hours hours of the day (an
     * evaluation run of up to an hour has the long answers too; the day before counts when {@code yesterday} is
     * read, and when it is not, the assessment says whether it would) or sent more than subject.volume.requests-1h
     * requests in its latest hour, or when it holds through subject.extraction.specific-hours hours of the day (hours
     * with min-requests-1h requests, reasoning on at least the profile's reasoning share of them). Otherwise it adds
     * its weight as heavy use does, under HIGH without another specific signal. Without specific-hours it always
     * counts.
     */
    private static boolean harvestNotBurst(Assessment a, DetectionRules.Subject r, SubjectWindowStats fired,
                                           String window, SubjectWindowStats day, SubjectWindowStats yesterday) {
        DetectionRules.Extraction t = r.extraction();
        if (!t.specificOnlyWhenSustained()) {
            return true;
        }
        long harvestHours = 0;
        for (HourCount h : day.getHourly()) {
            harvestHours += reasoningHour(h, t) && h.getRequests() >= r.minRequests1h() ? 1 : 0;
        }
        if (t.specificAnswerRatio() != null) {
            double answerRatio = answerPromptRatio(fired);
            a.measure("answer_prompt_ratio_" + window, answerRatio, t.specificAnswerRatio());
            // An evaluation run (a benchmark's few hundred questions in one sitting, reasoning on, short questions
            // for long answers) is a harvest's hour by every count the gateway reports; what it is not is sustained.
            // Hours counted by sitting (keptHours); a harvester spread thin over the day passes at its third hour.
            // An hour of more requests than the volume threshold is more than an evaluation run sends in one.
            int hoursNeeded = t.specificAnswerHoursOrDefault();
            long answerHours = keptHours(List.of(), day.getHourly(), t, r.minRequests1h(), hoursNeeded);
            boolean kept = answerHours >= hoursNeeded;
            if (hoursNeeded > 1) {
                boolean keptYesterday = false;
                if (!kept && answerRatio >= t.specificAnswerRatio()) {
                    if (yesterday == null) {
                        a.asksYesterday();
                    } else {
                        // Midnight neither resets a harvest (one the day before, by the same counts over that day,
                        // stays one at its first hour today) nor splits a sitting (hours running into midnight count
                        // on). A day before whose own profile never fired, or of reasoning hours without long
                        // answers (a script's, an agent's), is not carried: it was no harvest.
                        long yesterdayHours = keptHours(List.of(), yesterday.getHourly(), t, r.minRequests1h(),
                                hoursNeeded);
                        keptYesterday = yesterdayHours >= hoursNeeded
                                && answerPromptRatio(yesterday) >= t.specificAnswerRatio()
                                && profileFired(yesterday);
                        if (keptYesterday) {
                            a.measure("answer_harvest_hours_yesterday", yesterdayHours, hoursNeeded);
                        } else {
                            answerHours = keptHours(runIntoMidnight(yesterday, day, t), day.getHourly(), t,
                                    r.minRequests1h(), hoursNeeded);
                        }
                        kept = keptYesterday || answerHours >= hoursNeeded;
                    }
                }
                a.measure("answer_harvest_hours_24h", answerHours, hoursNeeded);
                long hourRequests = day.getHour() == null ? 0 : day.getHour().getRequests();
                if (!kept && hourRequests >= r.volume().requests1h()) {
                    a.measure("answer_harvest_volume_1h", hourRequests, r.volume().requests1h());
                    kept = true;
                }
            }
            if (answerRatio >= t.specificAnswerRatio() && kept) {
                return true;
            }
        }
        a.measure("harvest_hours_24h", harvestHours, t.specificHours());
        return harvestHours >= t.specificHours();
    }

    /** Whether the window's own peak (an account's day) had its extraction profile among the signals fired. */
    private static boolean profileFired(SubjectWindowStats window) {
        String peak = window.getOwnPeakSignals();
        return peak != null && java.util.Arrays.asList(peak.split("\\+")).contains("EXTRACTION");
    }

    private static boolean reasoningHour(HourCount h, DetectionRules.Extraction t) {
        return h.getRequests() > 0 && h.getReasoning() >= t.reasoningShare() * h.getRequests();
    }

    /**
     * The hours a harvest has been kept up over the day: the longest sitting (reasoning hours one after the other)
     * that had an hour of at least {@code busyHour} requests, or every hour of the sittings that had none, whichever
     * is more. An evaluation run is a sitting of a few hundred requests over an hour or two, and a team that runs two
     * in a day, hours apart, has two sittings, not a harvest kept up for three hours. An account at a few requests an
     * hour has no sittings to tell apart (an hour without a request is no pause), so all its reasoning hours count,
     * wherever they fall in the day. Sittings that add up to twice the hours needed count whole: a harvest cut into
     * short sittings to pass as evaluation runs is bounded to fewer hours a day than a harvest kept up.
     *
     * @param carried the previous day's hours that run unbroken into this day's first, the start of its first sitting
     */
    private static long keptHours(List<HourCount> carried, List<HourCount> today, DetectionRules.Extraction t,
                                  long busyHour, int hoursNeeded) {
        long longest = 0;
        long all = 0;
        long quiet = 0;
        long sitting = carried.size();
        boolean busy = carried.stream().anyMatch(h -> h.getRequests() >= busyHour);
        int previous = carried.isEmpty() ? -2 : -1;
        for (HourCount h : today) {
            if (!reasoningHour(h, t)) {
                continue;
            }
            if (h.getHour() != previous + 1) {
                longest = busy ? Math.max(longest, sitting) : longest;
                quiet += busy ? 0 : sitting;
                all += sitting;
                sitting = 0;
                busy = false;
            }
            sitting++;
            busy |= h.getRequests() >= busyHour;
            previous = h.getHour();
        }
        longest = busy ? Math.max(longest, sitting) : longest;
        quiet += busy ? 0 : sitting;
        all += sitting;
        return all >= 2L * hoursNeeded ? all : Math.max(longest, quiet);
    }

    /**
     * The previous day's unbroken run of reasoning hours up to midnight, when today's first hour has reasoning too: a
     * sitting from 23:30 to 00:20 is one sitting, and a harvest from 23:30 is in its third hour at 01:00. Earlier,
     * separate hours of that day are not counted: two evaluation runs a night apart stay two sittings, as two runs on
     * different UTC days always were.
     */
    private static List<HourCount> runIntoMidnight(SubjectWindowStats yesterday, SubjectWindowStats day,
                                                   DetectionRules.Extraction t) {
        List<HourCount> today = day.getHourly();
        if (today.isEmpty() || today.get(0).getHour() != 0 || !reasoningHour(today.get(0), t)) {
            return List.of();
        }
        List<HourCount> before = yesterday.getHourly();
        int from = before.size();
        while (from > 0 && before.get(from - 1).getHour() == 23 - (before.size() - from)
                && reasoningHour(before.get(from - 1), t)) {
            from--;
        }
        return before.subList(from, before.size());
    }

    /** value / threshold, recorded as evidence when it reaches the threshold. */
    private static double ratio(Assessment a, String signal, double value, double threshold) {
        double ratio = value / threshold;
        if (ratio >= 1) {
            a.measure(signal, value, threshold);
        }
        return ratio;
    }
}
