package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardMetrics;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.rules.RulesBook;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectWindowStats;
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

    public static final String DAY_STORE = "subject-24h";
    public static final String EMITTED_STORE = "subject-alerts-emitted";
    public static final String THREAT_INTEL = "THREAT_INTEL";
    public static final long HOUR_MS = 3_600_000L;
    public static final long DAY_MS = 24 * HOUR_MS;

    private final DetectionConfig config;
    private final String rulesStore;
    private ProcessorContext<String, DistillationAlert> context;
    private WindowStore<String, SubjectWindowStats> days;
    private AlertEmitter emitter;
    private RulesBook rules;
    private Sensor lateDropped;
    private Sensor intelMatches;

    /** @param rulesStore the global rules store's name, or null to use the configured rules only */
    public SubjectRiskProcessor(DetectionConfig config, String rulesStore) {
        this.config = config;
        this.rulesStore = rulesStore;
    }

    @Override
    public void init(ProcessorContext<String, DistillationAlert> context) {
        this.context = context;
        this.days = context.getStateStore(DAY_STORE);
        List<String> detectors = new java.util.ArrayList<>(config.subjects().stream().map(type -> type.name() + "_RISK").toList());
        detectors.add(THREAT_INTEL);
        this.emitter = new AlertEmitter(context, EMITTED_STORE, detectors);
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
        long time = request.getEventTime();
        long streamTime = context.currentStreamTimeMs();
        long grace = config.grace().toMillis();
        long hourStart = time - Math.floorMod(time, HOUR_MS);
        long dayStart = time - Math.floorMod(time, DAY_MS);

        SubjectWindowStats day;
        SubjectWindowStats hour;
        if (request.getCluster() != null) {
            // An implication from the link path: not a request, nothing to count, only the cluster to remember.
            day = implicate(key, dayStart, request, streamTime, grace);
            if (day == null) {
                lateDropped.record();
                return;
            }
            hour = SubjectProfile.hourOf(day, hourStart);
        } else {
            if (dayStart + DAY_MS + grace <= streamTime) {
                lateDropped.record();
                return;
            }
            day = days.fetch(key, dayStart);
            if (day == null) {
                day = SubjectProfile.empty();
            }
            SubjectProfile.add(request, day, SubjectProfile.Span.DAY);
            hour = hourStart + HOUR_MS + grace > streamTime ? SubjectProfile.hourToUpdate(day, hourStart) : null;
            if (hour == null) {
                lateDropped.record();
                hour = SubjectProfile.hourOf(day, hourStart);
            } else {
                SubjectProfile.add(request, hour, SubjectProfile.Span.HOUR);
            }
            SubjectProfile.dropClosedHours(day, streamTime, grace);
            days.put(key, day, dayStart);
        }
        if (hour == null) {
            hour = SubjectProfile.empty();
        }
        DetectionRules inForce = rules.at(time);
        SubjectType type = Subjects.typeOf(key);
        if (type == SubjectType.ACCOUNT && request.getIntelConfidence() > 0) {
            intelMatches.record();
            threatIntel(key, day, dayStart, time, inForce);
        }
        // Yesterday is read only when this hour could be over its baseline at all: one store read saved per request.
        SubjectWindowStats yesterday = hour.getRequests() >= inForce.subject().volume().baselineFloorPerHour()
                * inForce.subject().volume().baselineMultiple() ? days.fetch(key, dayStart - DAY_MS) : null;
        Assessment assessment = SubjectSignals.assess(inForce, hour, day, yesterday);
        if (!assessment.fires()) {
            return;
        }
        String detector = type.name() + "_RISK";
        String gateKey = detector + '|' + key;
        double score = AlertScoring.score(assessment.risk());
        if (emitter.emittedSeverity(gateKey, dayStart) >= AlertScoring.severity(score).ordinal()) {
            return;
        }
        String id = Subjects.idOf(key);
        List<String> accounts = switch (type) {
            case ACCOUNT -> List.of(id);
            case API_KEY -> List.of(day.getAccountId());
            // An org's accounts are not tracked one by one; the alert names the org and leaves members to review.
            default -> List.of();
        };
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
     * Keeps the riskiest cluster the subject was implicated in that day; null when the day is no longer retained.
     * Implications come from the link path, another task that may run behind this one (a backlog, a replay), so
     * they are not held to the grace period of requests: a day's window takes them as long as it is kept (two days).
     */
    private SubjectWindowStats implicate(String key, long dayStart, SubjectRequest implication, long streamTime,
                                         long grace) {
        if (dayStart + 2 * DAY_MS + grace <= streamTime) {
            return null;
        }
        SubjectWindowStats day = days.fetch(key, dayStart);
        if (day == null) {
            day = SubjectProfile.empty();
            day.setAccountId(implication.getAccountId());
        }
        if (implication.getClusterRisk() > day.getClusterRisk()) {
            day.setCluster(implication.getCluster());
            day.setClusterRisk(implication.getClusterRisk());
            days.put(key, day, dayStart);
        }
        return day;
    }

}
