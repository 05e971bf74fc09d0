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
        // Three times per request: the type's name compared in place, not cut out and looked up.
        for (SubjectType type : TYPES) {
            String name = type.name();
            if (key.length() > name.length() && key.charAt(name.length()) == ':' && key.startsWith(name)) {
                return type;
            }
        }
        int colon = key.indexOf(':');
        return colon < 0 ? SubjectType.UNKNOWN : SubjectType.valueOf(key.substring(0, colon));
    }

    private static final SubjectType[] TYPES = SubjectType.values();

    /**
     * The key of an API key's own windows: kept with its account's (the subject path is keyed by account), and per
     * account, so that a key a gateway reports under two accounts is two profiles in every deployment, whatever
     * partitions the accounts land on.
     */
    public static String apiKeyOf(String accountId, String apiKeyId) {
        return key(SubjectType.API_KEY, apiKeyId) + '@' + accountId;
    }

    public static String idOf(String key) {
        return key.substring(key.indexOf(':') + 1);
    }
}
