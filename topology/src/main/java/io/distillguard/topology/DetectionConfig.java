package io.distillguard.topology;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * Topic names, windows and thresholds of the detection topology. Every value has a default; a properties file or
 * environment variable overrides it (see the service module's configuration).
 *
 * <p>Durations are ISO-8601 ({@code PT1H}) or a number with a unit ({@code 1h}, {@code 5m}, {@code 30s}).
 */
public record DetectionConfig(
        String requestsTopic,
        String alertsTopic,
        String deadLetterTopic,
        Duration accountWindow,
        long accountRequestsThreshold,
        long accountTokensThreshold,
        Duration ipWindow,
        long ipDistinctAccountsThreshold,
        Duration grace,
        int maxAccountsPerAlert,
        Duration maxFutureSkew,
        long minEventTimeMs,
        String ruleVersion) {

    public static final String REQUESTS_TOPIC = "topic.requests";
    public static final String ALERTS_TOPIC = "topic.alerts";
    public static final String DEAD_LETTER_TOPIC = "topic.dead-letter";
    public static final String ACCOUNT_WINDOW = "detector.account-volume.window";
    public static final String ACCOUNT_REQUESTS_THRESHOLD = "detector.account-volume.requests-threshold";
    public static final String ACCOUNT_TOKENS_THRESHOLD = "detector.account-volume.tokens-threshold";
    public static final String IP_WINDOW = "detector.ip-fan-in.window";
    public static final String IP_DISTINCT_ACCOUNTS_THRESHOLD = "detector.ip-fan-in.distinct-accounts-threshold";
    public static final String GRACE = "window.grace";
    public static final String MAX_ACCOUNTS_PER_ALERT = "alert.max-accounts";
    public static final String MAX_FUTURE_SKEW = "validation.max-future-skew";
    public static final String MIN_EVENT_TIME = "validation.min-event-time-ms";
    public static final String RULE_VERSION = "rules.version";

    /** Defaults, in the order the README documents them. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(REQUESTS_TOPIC, "requests");
        d.put(ALERTS_TOPIC, "distillation-alerts");
        d.put(DEAD_LETTER_TOPIC, "requests-dead-letter");
        d.put(ACCOUNT_WINDOW, "1h");
        // A heavy interactive user sends a few hundred requests an hour; a harvesting account on its own thousands.
        d.put(ACCOUNT_REQUESTS_THRESHOLD, "1000");
        d.put(ACCOUNT_TOKENS_THRESHOLD, "2000000");
        d.put(IP_WINDOW, "1h");
        // University and carrier NAT put hundreds of accounts on one address: fan-in alone is a weak signal, so the
        // default is set above a typical office NAT and its severity stays low until far past it.
        d.put(IP_DISTINCT_ACCOUNTS_THRESHOLD, "25");
        d.put(GRACE, "5m");
        d.put(MAX_ACCOUNTS_PER_ALERT, "50");
        d.put(MAX_FUTURE_SKEW, "5m");
        // 2020-01-01T00:00:00Z: no model API event predates it; event_time 0 is a gateway bug, not history.
        d.put(MIN_EVENT_TIME, "1577836800000");
        d.put(RULE_VERSION, "foundation-1");
        return d;
    }

    public static DetectionConfig defaultConfig() {
        return fromProperties(new Properties());
    }

    /** Reads the keys above from {@code props}, filling in defaults; fails loudly on a malformed value. */
    public static DetectionConfig fromProperties(Properties props) {
        Map<String, String> values = defaults();
        for (String key : values.keySet()) {
            String value = props.getProperty(key);
            if (value != null) {
                values.put(key, value.trim());
            }
        }
        DetectionConfig config = new DetectionConfig(
                values.get(REQUESTS_TOPIC),
                values.get(ALERTS_TOPIC),
                values.get(DEAD_LETTER_TOPIC),
                duration(values, ACCOUNT_WINDOW),
                positiveLong(values, ACCOUNT_REQUESTS_THRESHOLD),
                positiveLong(values, ACCOUNT_TOKENS_THRESHOLD),
                duration(values, IP_WINDOW),
                positiveLong(values, IP_DISTINCT_ACCOUNTS_THRESHOLD),
                duration(values, GRACE),
                (int) positiveLong(values, MAX_ACCOUNTS_PER_ALERT),
                duration(values, MAX_FUTURE_SKEW),
                Long.parseLong(values.get(MIN_EVENT_TIME)),
                values.get(RULE_VERSION));
        return config;
    }

    /** Parses {@code 1h}, {@code 90s}, {@code 250ms}, {@code 2d} or ISO-8601 {@code PT1H}. */
    public static Duration parseDuration(String key, String text) {
        String t = text.trim().toLowerCase();
        try {
            if (t.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase());
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long amount = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException("unknown unit");
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new ConfigException(key, text, "expected a duration such as 1h, 5m, 30s, 250ms or PT1H");
        }
    }

    private static Duration duration(Map<String, String> values, String key) {
        Duration d = parseDuration(key, values.get(key));
        if (d.isNegative()) {
            throw new ConfigException(key, values.get(key), "must not be negative");
        }
        return d;
    }

    private static long positiveLong(Map<String, String> values, String key) {
        try {
            long v = Long.parseLong(values.get(key));
            if (v <= 0) {
                throw new ConfigException(key, values.get(key), "must be a positive whole number");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, values.get(key), "must be a positive whole number");
        }
    }
}
