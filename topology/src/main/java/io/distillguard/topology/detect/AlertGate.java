package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Lets through at most one alert per (detector, subject, window), and a further one only when its severity rises.
 * Window aggregates emit on every cache flush, so without this gate one busy account would raise an alert per
 * commit interval.
 *
 * <p>What was emitted is kept in a window store keyed by detector and subject, at the alert's window start, so the
 * store forgets old windows by itself.
 */
public final class AlertGate<K> implements FixedKeyProcessor<K, DistillationAlert, DistillationAlert> {

    private final String storeName;
    private FixedKeyProcessorContext<K, DistillationAlert> context;
    private WindowStore<String, Integer> emitted;

    public AlertGate(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(FixedKeyProcessorContext<K, DistillationAlert> context) {
        this.context = context;
        this.emitted = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<K, DistillationAlert> record) {
        DistillationAlert alert = record.value();
        if (alert == null) {
            return;
        }
        String key = alert.getDetector() + '|' + Alerts.key(alert);
        long windowStart = alert.getWindowStart().toEpochMilli();
        Integer previous = emitted.fetch(key, windowStart);
        int severity = alert.getSeverity().ordinal();
        if (previous != null && previous >= severity) {
            return;
        }
        emitted.put(key, severity, windowStart);
        alert.setEmittedAt(Instant.ofEpochMilli(System.currentTimeMillis()));
        context.forward(record.withValue(alert).withTimestamp(alert.getTriggerEventTime().toEpochMilli()));
    }
}
