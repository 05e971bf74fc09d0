package io.distillguard.topology.detect;

import io.distillguard.avro.SubjectType;

/** Keys of the repartitioned streams: {@code SUBJECT_TYPE:id}, so one store and one processor serve every kind. */
public final class Subjects {

    private Subjects() {
    }

    public static String key(SubjectType type, String id) {
        return type.name() + ':' + id;
    }

    public static SubjectType typeOf(String key) {
        int colon = key.indexOf(':');
        return colon < 0 ? SubjectType.UNKNOWN : SubjectType.valueOf(key.substring(0, colon));
    }

    public static String idOf(String key) {
        return key.substring(key.indexOf(':') + 1);
    }
}
