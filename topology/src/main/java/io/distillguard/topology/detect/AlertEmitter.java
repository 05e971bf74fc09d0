package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Severity;
import io.distillguard.topology.DistillguardMetrics;
import io.distillguard.topology.verdicts.VerdictSuppressions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Lets through at most one alert per (detector, subject, window) and severity, rising only. State is updated on every
 * request, so without this gate one busy account would raise an alert per request.
 *
 * <p>When one update crosses several tiers at once (LOW straight to HIGH, say), one alert is emitted per tier
 * crossed, in rising order, each with the current score and evidence. The set of (alert_id, severity) pairs then
 * depends only on the input, so a live run, a replay and an offline backtest of the same events agree on it.
 *
 * <p>What was emitted is kept in a window store keyed by gate key, at the alert's window start, so the store
 * forgets old windows by itself.
 */
public final class AlertEmitter {

    private final ProcessorContext<String, ? super DistillationAlert> context;
    private final WindowStore<String, Integer> emitted;
    private final StreamsMetrics metrics;
    private final Map<String, Sensor[]> alertsByDetector = new HashMap<>();
    private final Map<String, Sensor> latencyByDetector = new HashMap<>();

    private final VerdictSuppressions suppressions;
    private final Sensor suppressed;

    /** @param detectors the detectors this processor raises, whose counters are registered now (at zero) */
    public AlertEmitter(ProcessorContext<String, ? super DistillationAlert> context, String storeName, List<String> detectors) {
        this(context, storeName, detectors, null);
    }

    /** @param suppressions analysts' dismissals to honour, or null for none (offline runs) */
    public AlertEmitter(ProcessorContext<String, ? super DistillationAlert> context, String storeName,
                        List<String> detectors, VerdictSuppressions suppressions) {
        this.suppressions = suppressions;
        this.suppressed = suppressions == null ? null : DistillguardMetrics.suppressed(context.metrics());
        this.context = context;
        this.emitted = context.getStateStore(storeName);
        this.metrics = context.metrics();
        for (String detector : detectors) {
            alertsByDetector.put(detector, sensors(detector));
            latencyByDetector.put(detector, DistillguardMetrics.eventToAlertLatency(metrics, detector));
        }
    }

    /** The highest severity already emitted under {@code gateKey} for the window, or -1. */
    public int emittedSeverity(String gateKey, long windowStart) {
        Integer previous = emitted.fetch(gateKey, windowStart);
        return previous == null ? -1 : previous;
    }

    /** Emits {@code alert} (and one alert per lower tier not yet emitted) if its severity is new for the window. */
    public boolean emitRising(String gateKey, DistillationAlert alert) {
        long windowStart = alert.getWindowStart().toEpochMilli();
        int severity = alert.getSeverity().ordinal();
        int previous = emittedSeverity(gateKey, windowStart);
        if (previous >= severity) {
            return false;
        }
        emitted.put(gateKey, severity, windowStart);
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        if (suppressions != null && suppressions.suppressed(
                VerdictSuppressions.subject(alert), now.toEpochMilli())) {
            // An analyst dismissed this subject: the tiers are remembered as written (so each is counted once) and
            // counted in `suppressed` instead of reaching the topic.
            for (int tier = previous + 1; tier <= severity; tier++) {
                suppressed.record();
            }
            return false;
        }
        long timestamp = alert.getTriggerEventTime().toEpochMilli();
        Sensor[] sensors = alertsByDetector.computeIfAbsent(alert.getDetector(), this::sensors);
        for (int tier = previous + 1; tier <= severity; tier++) {
            DistillationAlert out = tier == severity ? alert : DistillationAlert.newBuilder(alert).build();
            out.setSeverity(Severity.values()[tier]);
            out.setEmittedAt(now);
            context.forward(new Record<>(Alerts.key(out), out, timestamp));
            sensors[tier].record();
        }
        latencyByDetector.computeIfAbsent(alert.getDetector(),
                detector -> DistillguardMetrics.eventToAlertLatency(metrics, detector))
                .record(now.toEpochMilli() - timestamp);
        return true;
    }

    /**
     * Whether an account's implication in a cluster or campaign is due under {@code gateKey} (once per account, group
     * and window), and if so records it. A plain implication goes once; one held for the account's own networks
     * ({@link Assessment#heldForMembers()}) is recorded as LOW, so that the plain one still goes if the group is
     * corroborated as a whole later in its window.
     *
     * @param severity the group's tier, recorded for a plain implication
     */
    public boolean implicationDue(String gateKey, long windowStart, boolean held, int severity) {
        int sent = emittedSeverity(gateKey, windowStart);
        if (sent >= Severity.HIGH.ordinal() || held && sent >= 0) {
            return false;
        }
        remember(gateKey, windowStart, held ? Severity.LOW.ordinal() : severity);
        return true;
    }

    /** Records {@code severity} under {@code gateKey} for the window without emitting anything. */
    public void remember(String gateKey, long windowStart, int severity) {
        emitted.put(gateKey, severity, windowStart);
    }

    private Sensor[] sensors(String detector) {
        Severity[] severities = Severity.values();
        Sensor[] sensors = new Sensor[severities.length];
        for (Severity severity : severities) {
            sensors[severity.ordinal()] = DistillguardMetrics.alerts(metrics, detector, severity.name());
        }
        return sensors;
    }
}
