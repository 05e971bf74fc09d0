package io.distillguard.topology.verdicts;

import io.distillguard.avro.CaseVerdict;
import io.distillguard.avro.VerdictKind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which subjects analysts dismissed, and until when: the index every alert is checked against before it is written.
 * Fed by {@link VerdictProcessor} from the verdicts topic's global store and read by every stream thread, hence
 * concurrent. A subject is {@code SUBJECT_TYPE:subject_id}, as a case's verdict lists them; the latest verdict of a
 * case replaces what its earlier one suppressed.
 */
public final class VerdictSuppressions {

    /** Case id to its dismissal (subjects and end), for replacing or withdrawing it. */
    private final Map<String, CaseVerdict> dismissals = new ConcurrentHashMap<>();
    /** Subject to the latest end of any dismissal that names it. */
    private final Map<String, Long> until = new ConcurrentHashMap<>();

    /**
     * Applies the latest verdict of a case (null: withdrawn). Verdicts are rare, so the subjects' ends are derived
     * again from every dismissal in force rather than patched.
     */
    public synchronized void put(String caseId, CaseVerdict verdict) {
        if (verdict != null && verdict.getVerdict() == VerdictKind.DISMISSED && verdict.getSuppressUntil() != null) {
            dismissals.put(caseId, verdict);
        } else if (dismissals.remove(caseId) == null) {
            return;
        }
        until.clear();
        dismissals.values().forEach(v -> v.getSubjects().forEach(subject ->
                until.merge(subject, v.getSuppressUntil().toEpochMilli(), Math::max)));
    }

    /** Whether alerts on {@code subject} are suppressed at wall-clock time {@code nowMs}. */
    public boolean suppressed(String subject, long nowMs) {
        if (until.isEmpty()) {
            return false;
        }
        Long end = until.get(subject);
        return end != null && nowMs < end;
    }

    public static String subject(io.distillguard.avro.DistillationAlert alert) {
        return alert.getSubjectType().name() + ":" + alert.getSubjectId();
    }
}
