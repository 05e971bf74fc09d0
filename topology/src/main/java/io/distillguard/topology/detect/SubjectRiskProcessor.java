package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardMetrics;
import io.distillguard.topology.DistillguardTopology;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.rules.RulesBook;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectWindowStats;
import io.distillguard.topology.verdicts.VerdictSuppressions;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Per subject (account, org or API key): updates its hour and day windows and raises {@code <TYPE>_RISK} alerts
 * from the combined signals of {@link SubjectSignals}, at most one per subject, UTC day and severity.
 *
 * <p>Both windows live in one record per subject and day (the day carries its latest hours), so a request costs one
 * store read and one write, and live one changelog record, instead of two of each: hours nest in UTC days, and with
 * a grace period under an hour a request can only count in the latest hour or the one before.
 *
 * <p>A request older than a window's end plus the grace period is not added to that window (it is closed and may
 * already be gone) and is counted in {@code late-dropped}; it still counts in the windows still open.
 */
public final class SubjectRiskProcessor implements Processor<String, SubjectRequest, String, DistillationAlert> {

    private VerdictSuppressions suppressions;

    /** Honours analysts' dismissals (the verdicts topic's global store); without it every alert is written. */
    public SubjectRiskProcessor suppressedBy(VerdictSuppressions suppressions) {
        this.suppressions = suppressions;
        return this;
    }

    public static final String DAY_STORE = "subject-24h";
    public static final String EMITTED_STORE = "subject-alerts-emitted";
    public static final String THREAT_INTEL = "THREAT_INTEL";
    public static final long HOUR_MS = 3_600_000L;
    public static final long DAY_MS = 24 * HOUR_MS;

    private final DetectionConfig config;
    private final boolean apiKeys;
    private final String rulesStore;
    // This processor's own estimator: a thread-local lookup per window was 3 % of the test driver's time.
    private final Sketches.Running running = new Sketches.Running();
    private ProcessorContext<String, DistillationAlert> context;
    private WindowStore<String, SubjectWindowStats> days;
    private AlertEmitter emitter;
    private RulesBook rules;
    private Sensor lateDropped;
    private Sensor intelMatches;

    /** @param rulesStore the global rules store's name, or null to use the configured rules only */
    public SubjectRiskProcessor(DetectionConfig config, String rulesStore) {
        this.config = config;
        this.apiKeys = config.subjects().contains(SubjectType.API_KEY);
        this.rulesStore = rulesStore;
    }

    @Override
    public void init(ProcessorContext<String, DistillationAlert> context) {
        this.context = context;
        this.days = context.getStateStore(DAY_STORE);
        List<String> detectors = new java.util.ArrayList<>(config.subjects().stream().map(type -> type.name() + "_RISK").toList());
        detectors.add(THREAT_INTEL);
        this.emitter = new AlertEmitter(context, EMITTED_STORE, detectors, suppressions);
        this.intelMatches = DistillguardMetrics.intelMatches(context.metrics());
        this.rules = RulesBook.of(context, config.rules(), rulesStore);
        this.lateDropped = DistillguardMetrics.lateDropped(context.metrics(), "subject");
    }

    @Override
    public void process(Record<String, SubjectRequest> record) {
        SubjectRequest request = record.value();
        String key = record.key();
        if (request == null || key == null) {
            return;
        }
        SubjectProfile.shareCapabilityLabel(request);
        long time = request.getEventTime();
        long streamTime = context.currentStreamTimeMs();
        long grace = config.grace().toMillis();
        long hourStart = time - Math.floorMod(time, HOUR_MS);
        long dayStart = time - Math.floorMod(time, DAY_MS);
        SubjectType type = Subjects.typeOf(key);
        String apiKey = type == SubjectType.ACCOUNT && apiKeys ? request.getApiKeyId() : null;

        SubjectWindowStats day;
        SubjectWindowStats hour;
        // The request's API key's own day window; null when the account's windows are also the key's.
        SubjectWindowStats keyDay = null;
        SubjectWindowStats keyHour = null;
        if (request.getCluster() != null) {
            // An implication from the link path: not a request, nothing to count, only the cluster to remember.
            if (request.getClusterNeedsNetworks() && type == SubjectType.ACCOUNT) {
                judgeDayBefore(key, dayStart, request, streamTime, grace);
            }
            day = implicate(key, dayStart, request, streamTime, grace);
            if (day == null) {
                lateDropped.record();
                return;
            }
            // Judged on the day alone, as its requests left it: an hour read now may hold requests after the
            // implication's time or none before it, depending on when the link path delivered it; the hour signals
            // it showed at its requests are in the day's own peak (SubjectSignals).
            hour = null;
            apiKey = null;
        } else {
            // Lateness is the subject's own, not the task's. A subject's requests come in order from one input
            // partition (the requests topic is keyed by account), while the task's stream time is pushed by every
            // partition: after an outage a partition that catches up first would otherwise make every request of
            // the others late. So a request counts in its day while the store still holds that day, and in its hour
            // unless the subject's own later requests have closed it.
            if (dayStart + DistillguardTopology.RETAINED_WINDOWS * DAY_MS + grace <= streamTime) {
                lateDropped.record();
                if (apiKey != null) {
                    lateDropped.record();
                }
                return;
            }
            day = days.fetch(key, dayStart);
            if (day == null) {
                day = SubjectProfile.empty();
            }
            if (type == SubjectType.ACCOUNT && apiKeys) {
                keyDay = ownKeyWindow(request.getAccountId(), day, apiKey, dayStart);
            }
            // Late-dropped counts per subject: the account's windows stand for its key's too while they are shared.
            hour = count(request, day, hourStart, subjectTime(day, time), grace,
                    apiKey != null && keyDay == null ? 2 : 1, type == SubjectType.ACCOUNT);
            days.put(key, day, dayStart);
            if (keyDay != null) {
                keyHour = count(request, keyDay, hourStart, subjectTime(keyDay, time), grace, 1, false);
                days.put(Subjects.apiKeyOf(request.getAccountId(), apiKey), keyDay, dayStart);
            }
        }
        DetectionRules inForce = rules.at(time);
        if (type == SubjectType.ACCOUNT && request.getIntelConfidence() > 0) {
            intelMatches.record();
            threatIntel(key, day, dayStart, time, inForce);
        }
        if (hour == null) {
            hour = SubjectProfile.empty();
        }
        boolean yesterdayRead = readsYesterday(hour, day, inForce);
        SubjectWindowStats yesterday = yesterdayRead ? days.fetch(key, dayStart - DAY_MS) : null;
        Assessment assessment = SubjectSignals.assess(inForce, hour, day, yesterday, true, type != SubjectType.ORG);
        if (!yesterdayRead && assessment.yesterdayWouldCount()) {
            yesterdayRead = true;
            yesterday = days.fetch(key, dayStart - DAY_MS);
            if (yesterday != null) {
                assessment = SubjectSignals.assess(inForce, hour, day, yesterday, true, type != SubjectType.ORG);
            }
        }
        if (type == SubjectType.ACCOUNT && request.getCluster() == null
                && assessment.ownRisk() > day.getOwnRiskPeak()) {
            day.setOwnRiskPeak(assessment.ownRisk());
            day.setOwnPeakSignals(assessment.ownSignals());
            days.put(key, day, dayStart);
        }
        String id = Subjects.idOf(key);
        List<String> accounts = switch (type) {
            case ACCOUNT -> List.of(id);
            // An org's accounts are not tracked one by one; the alert names the org and leaves members to review.
            default -> List.of();
        };
        emit(type, key, id, accounts, assessment, dayStart, time, inForce);
        if (apiKey == null) {
            return;
        }
        String keyKey = Subjects.apiKeyOf(request.getAccountId(), apiKey);
        SubjectWindowStats keyYesterday = keyYesterday(yesterday, apiKey, keyKey, dayStart);
        // A key with windows of its own is judged on them; else on the account's, and then cluster implications
        // are the account's, not its key's.
        SubjectWindowStats ownHour = keyDay == null ? hour : keyHour == null ? SubjectProfile.empty() : keyHour;
        SubjectWindowStats ownDay = keyDay == null ? day : keyDay;
        // The very windows the account's assessment read: the same assessment.
        Assessment keyAssessment = keyDay == null && keyYesterday == yesterday && !SubjectSignals.clusterMember(day)
                ? assessment : SubjectSignals.assess(inForce, ownHour, ownDay, keyYesterday, keyDay != null, true);
        if (!yesterdayRead && keyAssessment.yesterdayWouldCount()) {
            keyYesterday = keyYesterday(days.fetch(key, dayStart - DAY_MS), apiKey, keyKey, dayStart);
            if (keyYesterday != null) {
                keyAssessment = SubjectSignals.assess(inForce, ownHour, ownDay, keyYesterday, keyDay != null, true);
            }
        }
        emit(SubjectType.API_KEY, keyKey, apiKey, List.of(request.getAccountId()), keyAssessment, dayStart, time,
                inForce);
    }

    /** The key's yesterday: the account's when the account used that key alone then, else the key's own. */
    private SubjectWindowStats keyYesterday(SubjectWindowStats yesterday, String apiKey, String keyKey, long dayStart) {
        return yesterday == null || sharedBy(yesterday, apiKey) ? yesterday : days.fetch(keyKey, dayStart - DAY_MS);
    }

    /** The subject's own event time in a day: the latest of its requests there, this one included. */
    private static long subjectTime(SubjectWindowStats day, long time) {
        return day.getRequests() == 0 ? time : Math.max(day.getLastEventTime(), time);
    }

    /**
     * Adds a request to a day window and its hour; returns the hour, or null when it is closed or not held.
     *
     * @param subjectTime the subject's own latest event time in the day (see {@link #subjectTime})
     * @param subjects how many subjects the windows stand for, each counted in late-dropped when the hour is closed
     * @param account whether the day is an account's, which lists its address blocks too
     */
    private SubjectWindowStats count(SubjectRequest request, SubjectWindowStats day, long hourStart, long subjectTime,
                                     long grace, int subjects, boolean account) {
        SubjectProfile.add(request, day, SubjectProfile.Span.DAY, running, account);
        SubjectWindowStats hour = hourStart + HOUR_MS + grace > subjectTime
                ? SubjectProfile.hourToUpdate(day, hourStart) : null;
        if (hour == null) {
            for (int i = 0; i < subjects; i++) {
                lateDropped.record();
            }
            hour = SubjectProfile.hourOf(day, hourStart);
        } else {
            SubjectProfile.add(request, hour, SubjectProfile.Span.HOUR, running);
        }
        SubjectProfile.dropClosedHours(day, subjectTime, grace);
        return hour;
    }

    /**
     * The previous day's window, read only when this hour could be over its baseline at all, or when the day is held
     * for its own shape or its own networks under group.held-member-days 2 (a member of a hosted client's group that
     * is a cluster, of a campaign only through a cloud's pool, or of a card or template held for its members' roaming:
     * few accounts on a platform): one store read saved per request.
     * BASELINE cannot fire on a window read for the second reason alone (its hour is under the floor times the
     * multiple), nor on one read because an extraction profile's harvest hours may run on from it (read only when
     * the assessment without it says so).
     */
    private static boolean readsYesterday(SubjectWindowStats hour, SubjectWindowStats day, DetectionRules rules) {
        boolean baseline = hour.getRequests() >= rules.subject().volume().baselineFloorPerHour()
                * rules.subject().volume().baselineMultiple();
        boolean held = SubjectSignals.clusterMember(day)
                && (SubjectSignals.heldForOwnShape(day) || day.getClusterNeedsNetworks())
                && rules.groupOrDefault().heldMemberDaysOrDefault() > 1;
        return baseline || held;
    }

    /**
     * The day window of the request's API key when the account's is not also the key's, else null.
     *
     * <p>Most accounts send a day's requests with one key, and then the key's windows hold exactly what the
     * account's hold: they are not kept twice (a third of the offline subject path's time went to keeping them).
     * The account's day window records that key; at the first request with another key, or without one, the key's
     * windows are copied out of the account's as they stand, and from then on each key counts in its own.
     */
    private SubjectWindowStats ownKeyWindow(String account, SubjectWindowStats day, String apiKey, long dayStart) {
        if (day.getRequests() == 0) {
            day.setApiKey(apiKey);
            day.setApiKeysSplit(false);
            return null;
        }
        if (sharedBy(day, apiKey)) {
            return null;
        }
        if (!day.getApiKeysSplit()) {
            if (day.getApiKey() != null) {
                days.put(Subjects.apiKeyOf(account, day.getApiKey()), ownCopy(day), dayStart);
            }
            day.setApiKeysSplit(true);
        }
        if (apiKey == null) {
            return null;
        }
        SubjectWindowStats own = days.fetch(Subjects.apiKeyOf(account, apiKey), dayStart);
        return own != null ? own : SubjectProfile.empty();
    }

    /** Whether every request in the account's {@code day} carried {@code apiKey} (or none did, for null). */
    private static boolean sharedBy(SubjectWindowStats day, String apiKey) {
        return !day.getApiKeysSplit() && java.util.Objects.equals(day.getApiKey(), apiKey);
    }

    /** A key's own copy of its account's day window: the account's cluster implications stay the account's. */
    private static SubjectWindowStats ownCopy(SubjectWindowStats accountDay) {
        SubjectWindowStats copy;
        try {
            // Through the bytes: Avro's deep copy cannot read the shared read-only empty sketch buffers.
            copy = SubjectWindowStats.fromByteBuffer(accountDay.toByteBuffer());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        copy.setCluster(null);
        copy.setClusterRisk(0.0);
        copy.setClusterNeedsNetworks(false);
        copy.setClusterNeedsBlocks(false);
        copy.setClusterNeedsShape(false);
        copy.setApiKey(null);
        copy.setApiKeysSplit(false);
        return copy;
    }

    private void emit(SubjectType type, String gateSubject, String id, List<String> accounts, Assessment assessment,
                      long dayStart, long time, DetectionRules inForce) {
        if (!assessment.fires()) {
            return;
        }
        String detector = type.name() + "_RISK";
        String gateKey = detector + '|' + gateSubject;
        double score = AlertScoring.score(assessment.risk());
        if (emitter.emittedSeverity(gateKey, dayStart) >= AlertScoring.severity(score).ordinal()) {
            return;
        }
        List<io.distillguard.avro.Evidence> evidence = assessment.evidenceWithFired();
        DistillationAlert alert = Alerts.alert(detector, type, id, dayStart, dayStart + DAY_MS, time,
                assessment.risk(), accounts, accounts.size(), evidence, inForce.version());
        emitter.emitRising(gateKey, alert);
    }

    /**
     * THREAT_INTEL for an account whose request matched a partner indicator: once per account, UTC day and severity,
     * citing the day's strongest indicator. Its score follows the indicator's confidence alone (HIGH at the rules'
     * high-confidence, never CRITICAL: that takes our own evidence too, through the composite ACCOUNT_RISK).
     */
    private void threatIntel(String key, SubjectWindowStats day, long dayStart, long time, DetectionRules inForce) {
        DetectionRules.Intel intel = inForce.intelOrDefault();
        if (day.getIntelConfidence() < intel.minConfidence()) {
            return;
        }
        double risk = Math.min(intel.risk(day.getIntelConfidence()), 4.99);
        String gateKey = THREAT_INTEL + '|' + key;
        if (emitter.emittedSeverity(gateKey, dayStart) >= AlertScoring.severity(AlertScoring.score(risk)).ordinal()) {
            return;
        }
        String id = Subjects.idOf(key);
        List<io.distillguard.avro.Evidence> evidence = List.of(
                Alerts.evidence("indicator:" + day.getIntelIndicator(), day.getIntelConfidence(), intel.minConfidence()),
                Alerts.evidence("source:" + day.getIntelSource(), day.getIntelConfidence(), intel.highConfidence()));
        emitter.emitRising(gateKey, Alerts.alert(THREAT_INTEL, SubjectType.ACCOUNT, id, dayStart, dayStart + DAY_MS, time,
                risk, List.of(id), 1, evidence, inForce.version()));
    }

    /**
     * The record that implicates {@code account} in a cluster or campaign judged by {@code group}: its member's risk,
     * and whether the account's own networks must confirm it ({@link Assessment#heldForMembers()}). A hosted client's
     * group is held for its members' own shape instead, which the subject path reads from the cluster's kind.
     */
    static SubjectRequest implication(long time, String account, String cluster, Assessment group) {
        return implication(time, account, cluster, group, false);
    }

    /**
     * @param needsShape the account is tied to the campaign {@code cluster} only through a cloud's pool blocks: it is
     *                   a member once its own day is a harvest (SubjectSignals#ownShapeConfirms), whatever else holds
     *                   the campaign for its members (its networks: a pool is one network)
     */
    static SubjectRequest implication(long time, String account, String cluster, Assessment group,
                                      boolean needsShape) {
        return SubjectRequest.newBuilder()
                .setEventTime(time)
                .setAccountId(account)
                .setCluster(cluster)
                .setClusterRisk(group.memberRisk())
                .setClusterNeedsNetworks(!needsShape && group.heldForMembers() && !LinkKind.heldForOwnShape(cluster))
                .setClusterNeedsBlocks(group.heldForOwnBlocks())
                .setClusterNeedsShape(needsShape)
                .build();
    }

    /**
     * 0 for a plain implication, 1 for one that waits for the member's own day (its networks, or its shape for a
     * hosted client or a campaign's pool ties), 2 for one that waits for its own blocks too (a hosted client's
     * rotating members).
     */
    private static int holdRank(String cluster, boolean needsNetworks, boolean needsBlocks, boolean needsShape) {
        return needsBlocks ? 2 : needsNetworks || needsShape || LinkKind.heldForOwnShape(cluster) ? 1 : 0;
    }

    /**
     * A group held for its members judges each member by its own day; a group whose window is longer than a day (a
     * card's week) also judges the member's day before, when that is in the group's window and the member sent
     * requests then: the group's judgement counts those requests, and a member whose networks showed a pool's on that
     * day would otherwise never be named if it sends from one network on the day the group is judged. Judged as that
     * day stands (complete but for late requests, which count against the implication like any other).
     */
    private void judgeDayBefore(String key, long dayStart, SubjectRequest implication, long streamTime, long grace) {
        LinkKind kind = LinkKind.find(implication.getCluster());
        long time = implication.getEventTime();
        long before = dayStart - DAY_MS;
        if (kind == null || kind.windowMs() <= DAY_MS || before < time - Math.floorMod(time, kind.windowMs())) {
            return;
        }
        SubjectWindowStats day = days.fetch(key, before);
        if (day == null || day.getRequests() == 0) {
            return;
        }
        day = implicate(key, before, implication, streamTime, grace);
        if (day == null) {
            return;
        }
        DetectionRules inForce = rules.at(time);
        Assessment assessment = SubjectSignals.assess(inForce, SubjectProfile.empty(), day, null, true, true);
        String id = Subjects.idOf(key);
        emit(SubjectType.ACCOUNT, key, id, List.of(id), assessment, before, time, inForce);
    }

    /**
     * Keeps the riskiest cluster the subject was implicated in that day; null when the day is no longer retained.
     * Implications come from the link path, another task that may run behind this one (a backlog, a replay), so
     * they are not held to the grace period of requests: a day's window takes them as long as it is kept (two days).
     */
    private SubjectWindowStats implicate(String key, long dayStart, SubjectRequest implication, long streamTime,
                                         long grace) {
        if (dayStart + DistillguardTopology.RETAINED_WINDOWS * DAY_MS + grace <= streamTime) {
            return null;
        }
        SubjectWindowStats day = days.fetch(key, dayStart);
        if (day == null) {
            day = SubjectProfile.empty();
            day.setAccountId(implication.getAccountId());
        }
        // A plain implication outranks one held for the account's own networks or its own shape (a hosted client's),
        // and that one outranks one held for its own blocks too (a hosted client's rotating members), whatever their
        // risks: a member of a template's campaign stays one when its client's group is a cluster too, and a member of
        // a client's group that is a cluster as a whole is not asked for blocks because its rotating members were one.
        int rank = holdRank(implication.getCluster(), implication.getClusterNeedsNetworks(),
                implication.getClusterNeedsBlocks(), implication.getClusterNeedsShape());
        int dayRank = day.getCluster() == null ? Integer.MAX_VALUE
                : holdRank(day.getCluster(), day.getClusterNeedsNetworks(), day.getClusterNeedsBlocks(),
                day.getClusterNeedsShape());
        if (rank < dayRank || rank == dayRank && implication.getClusterRisk() > day.getClusterRisk()) {
            day.setCluster(implication.getCluster());
            day.setClusterRisk(implication.getClusterRisk());
            day.setClusterNeedsNetworks(implication.getClusterNeedsNetworks());
            day.setClusterNeedsBlocks(implication.getClusterNeedsBlocks());
            day.setClusterNeedsShape(implication.getClusterNeedsShape());
            days.put(key, day, dayStart);
        }
        return day;
    }

}
