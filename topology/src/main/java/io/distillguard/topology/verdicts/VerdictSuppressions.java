package io.distillguard.topology.verdicts;

import io.distillguard.avro.CaseVerdict;
import io.distillguard.avro.VerdictKind;
import java.util.HashMap;
import java.util.Map;

/**
 * Which subjects analysts dismissed, and until when: the index every alert is checked against before it is written.
 * Fed by {@link VerdictProcessor} from the verdicts topic's global store and read by every stream thread, hence
 * read without a lock (see {@link #until}). A subject is {@code SUBJECT_TYPE:subject_id}, as a case's verdict lists them; the latest verdict of a
 * case replaces what its earlier one suppressed.
 */
public final class VerdictSuppressions {

    /** Case id to its dismissal (subjects and end), for replacing or withdrawing it; only {@link #put} touches it. */
    private final Map<String, CaseVerdict> dismissals = new HashMap<>();
    /**
     * Subject to the latest end of any dismissal that names it: replaced whole, never changed in place, so a stream
     * thread reading it while a verdict arrives sees the old index or the new one, never a half-built one.
     */
    private volatile Map<String, Long> until = Map.of();

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
        Map<String, Long> rebuilt = new HashMap<>();
        dismissals.values().forEach(v -> v.getSubjects().forEach(subject ->
                rebuilt.merge(subject, v.getSuppressUntil().toEpochMilli(), Math::max)));
        until = Map.copyOf(rebuilt);
    }

    /** Whether alerts on {@code subject} are suppressed at wall-clock time {@code nowMs}. */
    public boolean suppressed(String subject, long nowMs) {
        Map<String, Long> index = until;
        if (index.isEmpty()) {
            return false;
        }
        Long end = index.get(subject);
        return end != null && nowMs < end;
    }

    public static String subject(io.distillguard.avro.DistillationAlert alert) {
        return alert.getSubjectType().name() + ":" + alert.getSubjectId();
    }
}
