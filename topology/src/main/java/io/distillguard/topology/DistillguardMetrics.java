package io.distillguard.topology;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Distillguard's own counters, registered with Kafka Streams' metrics (so they appear wherever its metrics are
 * exported, the service's /metrics included) rather than with a metrics library: the topology stays a pure function
 * that any runtime can host. All live in group {@code stream-distillguard-metrics}.
 */
public final class DistillguardMetrics {

    /** Scope of every sensor here; Kafka Streams names the group {@code stream-<scope>-metrics}. */
    public static final String SCOPE = "distillguard";

    private DistillguardMetrics() {
    }

    /** {@code events-in-rate/total}: decoded request events that reached the triage, valid or not. */
    public static Sensor eventsIn(StreamsMetrics metrics) {
        return metrics.addRateTotalSensor(SCOPE, "triage", "events-in", Sensor.RecordingLevel.INFO);
    }

    /** {@code dead-lettered-rate/total}: events that broke the contract and went to the dead-letter topic. */
    public static Sensor contractDeadLetters(StreamsMetrics metrics) {
        return metrics.addRateTotalSensor(SCOPE, "triage", "dead-lettered", Sensor.RecordingLevel.INFO);
    }

    /** {@code alerts-<severity>-rate/total} per detector (tag {@code distillguard-id} = detector name). */
    public static Sensor alerts(StreamsMetrics metrics, String detector, String severity) {
        return metrics.addRateTotalSensor(SCOPE, detector, "alerts-" + severity.toLowerCase(), Sensor.RecordingLevel.INFO);
    }

    /**
     * {@code event-to-alert-latency-avg/max} per detector, in milliseconds: wall clock at emission minus the event
     * time of the request that raised the alert (includes how late the gateway published it).
     */
    public static Sensor eventToAlertLatency(StreamsMetrics metrics, String detector) {
        return metrics.addLatencyRateTotalSensor(SCOPE, detector, "event-to-alert", Sensor.RecordingLevel.INFO);
    }

    /**
     * {@code population-requests/reasoning/first-turn/long-answer-rate/total}: the requests judged, and those of them
     * that asked for reasoning, were first turns, got a long answer
     * ({@link io.distillguard.topology.detect.PopulationCounter}). Their ratios are the live population's shares,
     * which the rules' {@code group.population-*-share} keys assume:
     * the group thresholds are set relative to them, and an operator compares the two (deploy/prometheus/alerts.yml,
     * DistillguardPopulationDrift).
     */
    public static Sensor population(StreamsMetrics metrics, String trait) {
        return metrics.addRateTotalSensor(SCOPE, "population", "population-" + trait, Sensor.RecordingLevel.INFO);
    }

    /** {@code rules-accepted/rejected-rate/total}: versions read from the rules topic. */
    public static Sensor rules(StreamsMetrics metrics, String name) {
        return metrics.addRateTotalSensor(SCOPE, "rules", name, Sensor.RecordingLevel.INFO);
    }

    /**
     * {@code late-dropped-rate/total} per path: requests that arrived after one of their windows had closed (window
     * end + grace before stream time); they are left out of the closed window and counted here.
     */
    public static Sensor lateDropped(StreamsMetrics metrics, String path) {
        return metrics.addRateTotalSensor(SCOPE, path, "late-dropped", Sensor.RecordingLevel.INFO);
    }

    /** {@code indicators-accepted/rejected/retracted-rate/total}: records read from the threat-indicators topic. */
    public static Sensor intel(StreamsMetrics metrics, String name) {
        return metrics.addRateTotalSensor(SCOPE, "intel", name, Sensor.RecordingLevel.INFO);
    }

    /** {@code matches-rate/total}: requests that matched a live partner indicator. */
    public static Sensor intelMatches(StreamsMetrics metrics) {
        return metrics.addRateTotalSensor(SCOPE, "intel", "matches", Sensor.RecordingLevel.INFO);
    }

    /** {@code suppressed-rate/total}: alerts (one per tier) not written because an analyst dismissed their subject. */
    public static Sensor suppressed(StreamsMetrics metrics) {
        return metrics.addRateTotalSensor(SCOPE, "verdicts", "suppressed", Sensor.RecordingLevel.INFO);
    }

    /** {@code duplicates-rate/total}: valid requests whose event_id was already seen, let go no further. */
    public static Sensor duplicates(StreamsMetrics metrics) {
        return metrics.addRateTotalSensor(SCOPE, "triage", "duplicates", Sensor.RecordingLevel.INFO);
    }

    /**
     * {@code duplicates-unchecked-rate/total}: valid requests let through without their event_id being remembered,
     * because their window of the duplicate filter already held its maximum of ids ({@code dedup.max-ids-per-window});
     * a copy of one of them would not be recognised.
     */
    public static Sensor duplicatesUnchecked(StreamsMetrics metrics) {
        return metrics.addRateTotalSensor(SCOPE, "triage", "duplicates-unchecked", Sensor.RecordingLevel.INFO);
    }
}
