package io.distillguard.topology.validation;

/**
 * Header names of dead-letter records. The {@code __streams.errors.*} names are those Kafka Streams' built-in
 * dead-letter support writes for records that fail to deserialize, so that one consumer reads both kinds alike;
 * {@link #REASON} is Distillguard's short, human-readable cause on both.
 */
public final class DeadLetterHeaders {

    public static final String EXCEPTION = "__streams.errors.exception";
    public static final String MESSAGE = "__streams.errors.message";
    public static final String TOPIC = "__streams.errors.topic";
    public static final String PARTITION = "__streams.errors.partition";
    public static final String OFFSET = "__streams.errors.offset";
    public static final String REASON = "distillguard.reason";
    /** {@code DESERIALIZATION} or {@code CONTRACT}: whether the bytes or their content were at fault. */
    public static final String STAGE = "distillguard.stage";

    private DeadLetterHeaders() {
    }
}
