package io.distillguard.topology.validation;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.DetectionConfig;

/**
 * The contract checks a decoded RequestEvent must pass before it may touch detection state. Each failure names
 * the field and the rule, because the reason travels with the dead-letter record to whoever fixes the gateway.
 */
public final class RequestValidator {

    /** Longest accepted id; a longer one is a broken or hostile gateway and would bloat every key it lands in. */
    public static final int MAX_ID_LENGTH = 256;
    /** Far above any model's context or output; a larger count is a corrupt counter, not usage. */
    public static final int MAX_TOKENS = 10_000_000;

    private final long minEventTimeMs;
    private final long maxFutureSkewMs;

    public RequestValidator(DetectionConfig config) {
        this.minEventTimeMs = config.minEventTimeMs();
        this.maxFutureSkewMs = config.maxFutureSkew().toMillis();
    }

    /**
     * Returns null for a valid event, else the reason it is not.
     *
     * @param nowMs wall clock, the reference for "too far in the future"
     */
    public String problemWith(RequestEvent event, long nowMs) {
        return problemWith(event, event == null ? null : IpAddresses.normalise(event.getIp()), nowMs);
    }

    /** As {@link #problemWith(RequestEvent, long)}, for a caller that has already normalised the ip (null if invalid). */
    public String problemWith(RequestEvent event, String normalisedIp, long nowMs) {
        if (event == null) {
            return "null value (tombstone): a request event is required";
        }
        String idProblem = idProblem("event_id", event.getEventId());
        if (idProblem != null) {
            return idProblem;
        }
        idProblem = idProblem("account_id", event.getAccountId());
        if (idProblem != null) {
            return idProblem;
        }
        long eventTime = event.getEventTime() == null ? 0 : event.getEventTime().toEpochMilli();
        if (eventTime < minEventTimeMs) {
            return "event_time " + eventTime + " is before the earliest accepted " + minEventTimeMs;
        }
        if (eventTime > nowMs + maxFutureSkewMs) {
            return "event_time " + eventTime + " is more than " + maxFutureSkewMs + " ms in the future";
        }
        if (normalisedIp == null) {
            return "ip \"" + abbreviate(event.getIp()) + "\" is not a single IPv4 or IPv6 address";
        }
        if (event.getPromptTokens() < 0 || event.getPromptTokens() > MAX_TOKENS) {
            return "prompt_tokens " + event.getPromptTokens() + " is outside 0.." + MAX_TOKENS;
        }
        if (event.getCompletionTokens() < 0 || event.getCompletionTokens() > MAX_TOKENS) {
            return "completion_tokens " + event.getCompletionTokens() + " is outside 0.." + MAX_TOKENS;
        }
        if (event.getTurnIndex() < 0) {
            return "turn_index " + event.getTurnIndex() + " is negative";
        }
        return null;
    }

    private static String idProblem(String field, String value) {
        if (value == null || value.isBlank()) {
            return field + " is missing or blank";
        }
        if (value.length() > MAX_ID_LENGTH) {
            return field + " is " + value.length() + " characters long, over the limit of " + MAX_ID_LENGTH;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return field + " contains a control character at position " + i;
            }
        }
        return null;
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
