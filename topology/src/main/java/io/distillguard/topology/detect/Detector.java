package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.SubjectType;
import org.apache.kafka.streams.kstream.Windowed;

/**
 * A windowed detector in two steps, so that the common case stays cheap: {@link #ratio} on every update (how far
 * past its threshold the subject is; below 1 it has not fired), and {@link #alert} only when the gate will emit.
 *
 * @param <S> the window aggregate it reads
 */
public interface Detector<S> {

    /** The detector's name, as alerts carry it (e.g. ACCOUNT_VOLUME). */
    String name();

    SubjectType subjectType();

    /** Value over threshold of the strongest signal; at least 1 when the detector fires. */
    double ratio(S stats);

    /** The alert for this window and figures; called only when {@code ratio >= 1}. */
    DistillationAlert alert(Windowed<String> subject, S stats, double ratio);
}
