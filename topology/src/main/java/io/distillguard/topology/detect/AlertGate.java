package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Severity;
import io.distillguard.topology.DistillguardMetrics;
import org.apache.kafka.common.metrics.Sensor;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Runs a detector over each window update and lets through at most one alert per (detector, subject, window) and severity, rising only: a further alert only
 * when the severity rises. Window aggregates emit on every cache flush, so without this gate one busy account would
 * raise an alert per commit interval.
 *
 * <p>When one update crosses several tiers at once (LOW straight to HIGH, say), one alert is emitted per tier
 * crossed, in rising order, each with the current score and evidence. How many tiers one update crosses depends on
 * caching and commit timing; emitting each tier makes the set of (alert_id, severity) pairs depend only on the
 * input, so a live run, a replay and an offline backtest of the same events agree on it.
 *
 * <p>What was emitted is kept in a window store keyed by detector and subject, at the alert's window start, so the
 * store forgets old windows by itself.
 */
public final class AlertGate<S> implements FixedKeyProcessor<Windowed<String>, S, DistillationAlert> {

    private final Detector<S> detector;
    private final String storeName;
    private FixedKeyProcessorContext<Windowed<String>, DistillationAlert> context;
    private WindowStore<String, Integer> emitted;
    private Sensor[] alertsBySeverity;
    private Sensor latency;

    public AlertGate(Detector<S> detector, String storeName) {
        this.detector = detector;
        this.storeName = storeName;
    }

    @Override
    public void init(FixedKeyProcessorContext<Windowed<String>, DistillationAlert> context) {
        this.context = context;
        this.emitted = context.getStateStore(storeName);
        Severity[] severities = Severity.values();
        this.alertsBySeverity = new Sensor[severities.length];
        for (Severity severity : severities) {
            alertsBySeverity[severity.ordinal()] = DistillguardMetrics.alerts(context.metrics(), detector.name(),
                    severity.name());
        }
        this.latency = DistillguardMetrics.eventToAlertLatency(context.metrics(), detector.name());
    }

    @Override
    public void process(FixedKeyRecord<Windowed<String>, S> record) {
        S stats = record.value();
        if (stats == null) {
            return;
        }
        double ratio = detector.ratio(stats);
        if (ratio < 1) {
            return;
        }
        int severity = AlertScoring.severity(AlertScoring.score(ratio)).ordinal();
        Windowed<String> subject = record.key();
        String key = detector.name() + '|' + detector.subjectType() + ':' + subject.key();
        long windowStart = subject.window().start();
        Integer previous = emitted.fetch(key, windowStart);
        if (previous != null && previous >= severity) {
            return;
        }
        emitted.put(key, severity, windowStart);
        DistillationAlert alert = detector.alert(subject, stats, ratio);
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        long timestamp = alert.getTriggerEventTime().toEpochMilli();
        for (int tier = previous == null ? 0 : previous + 1; tier <= severity; tier++) {
            DistillationAlert out = tier == severity ? alert : DistillationAlert.newBuilder(alert).build();
            out.setSeverity(Severity.values()[tier]);
            out.setEmittedAt(now);
            context.forward(record.withValue(out).withTimestamp(timestamp));
            alertsBySeverity[tier].record();
        }
        latency.record(now.toEpochMilli() - timestamp);
    }
}
