package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.SubjectType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Builds alerts the same way for every detector, so ids and keys stay stable across detectors and runs. */
public final class Alerts {

    private Alerts() {
    }

    /** A name-based UUID of detector, subject and window start: the same alert on every run and every instance. */
    public static String alertId(String detector, SubjectType subjectType, String subjectId, long windowStart) {
        String name = detector + '|' + subjectType + '|' + subjectId + '|' + windowStart;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The key of an alert on the alerts topic: {@code subject_type:subject_id}. */
    public static String key(DistillationAlert alert) {
        return alert.getSubjectType() + ":" + alert.getSubjectId();
    }

    public static DistillationAlert alert(String detector, SubjectType subjectType, String subjectId,
                                          long windowStart, long windowEnd, long triggerEventTime, double ratio,
                                          List<String> accounts, int accountsTotal, List<Evidence> evidence,
                                          String ruleVersion) {
        double score = AlertScoring.score(ratio);
        return DistillationAlert.newBuilder()
                .setAlertId(alertId(detector, subjectType, subjectId, windowStart))
                .setDetector(detector)
                .setSeverity(AlertScoring.severity(score))
                .setScore(score)
                .setSubjectType(subjectType)
                .setSubjectId(subjectId)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setTriggerEventTime(Instant.ofEpochMilli(triggerEventTime))
                .setAccounts(accounts)
                .setAccountsTotal(accountsTotal)
                .setEvidence(evidence)
                .setRuleVersion(ruleVersion)
                // Set for real by AlertGate at emission; a placeholder keeps the builder's required field filled.
                .setEmittedAt(Instant.EPOCH)
                .build();
    }

    public static Evidence evidence(String signal, double value, double threshold) {
        return new Evidence(signal, value, threshold);
    }
}
