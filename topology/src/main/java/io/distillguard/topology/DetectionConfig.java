package io.distillguard.topology;

import io.distillguard.avro.SubjectType;
import io.distillguard.topology.detect.PromptBands;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.validation.HostedNetworks;
import io.distillguard.topology.validation.KnownTemplates;
import io.distillguard.topology.validation.ListedProducts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * Topic names, grace, validation limits and the detection rules of the topology. Every value has a default; a
 * properties file or environment variable overrides it (see the service module's configuration). Thresholds live in
 * the rules YAML ({@link DetectionRules}), loaded here from {@code rules.file} or the bundled defaults.
 *
 * <p>Durations are ISO-8601 ({@code PT1H}) or a number with a unit ({@code 1h}, {@code 5m}, {@code 30s}).
 */
public record DetectionConfig(
        String requestsTopic,
        String alertsTopic,
        String deadLetterTopic,
        String rulesTopic,
        Duration grace,
        int maxAccountsPerAlert,
        Duration maxFutureSkew,
        long minEventTimeMs,
        Set<SubjectType> subjects,
        DetectionRules rules,
        Intel intel,
        Duration dedupWindow,
        int dedupMaxIdsPerWindow,
        int cachedWindows,
        String verdictsTopic,
        Duration hourRetention,
        int templateTables,
        int wordBands,
        int templateTablesWithWords,
        HostedNetworks hostedProductNetworks,
        KnownTemplates knownTemplates) {

    /**
     * Partner threat intelligence: the compacted topic of indicators (blank: none read), the key of the partner
     * group's HMAC over payment fingerprints (null: such indicators cannot match), and how many bits two prompt
     * SimHashes may differ by and still match.
     */
    public record Intel(String indicatorsTopic, String hmacKey, int simhashMaxDistance) {
        @Override
        public String toString() {
            // The key is a shared secret: never in a log line or an exception message.
            return "Intel[indicatorsTopic=" + indicatorsTopic + ", hmacKey=" + (hmacKey == null ? "none" : "(set)")
                    + ", simhashMaxDistance=" + simhashMaxDistance + "]";
        }
    }

    public static final String REQUESTS_TOPIC = "topic.requests";
    public static final String ALERTS_TOPIC = "topic.alerts";
    public static final String DEAD_LETTER_TOPIC = "topic.dead-letter";
    public static final String RULES_TOPIC = "topic.rules";
    public static final String RULES_FILE = "rules.file";
    public static final String SUBJECTS = "detector.subjects";
    public static final String GRACE = "window.grace";
    public static final String MAX_ACCOUNTS_PER_ALERT = "alert.max-accounts";
    public static final String MAX_FUTURE_SKEW = "validation.max-future-skew";
    public static final String MIN_EVENT_TIME = "validation.min-event-time-ms";
    public static final String INDICATORS_TOPIC = "topic.threat-indicators";
    public static final String DEDUP_WINDOW = "dedup.window";
    public static final String DEDUP_MAX_IDS = "dedup.max-ids-per-window";
    public static final String INTEL_HMAC_KEY = "intel.hmac-key";
    public static final String INTEL_SIMHASH_MAX_DISTANCE = "intel.simhash-max-distance";
    public static final String CACHED_WINDOWS = "state.cached-windows";
    public static final String VERDICTS_TOPIC = "topic.verdicts";
    public static final String HOUR_RETENTION = "window.hour-retention";
    public static final String TEMPLATE_TABLES = "detector.template-tables";
    public static final String WORD_BANDS = "detector.word-bands";
    public static final String TEMPLATE_TABLES_WITH_WORDS = "detector.template-tables-with-words";
    public static final String HOSTED_PRODUCT_NETWORKS = "detector.hosted-product-networks";
    public static final String KNOWN_TEMPLATES_FILE = "detector.known-templates-file";

    /** Defaults, in the order docs/configuration.md documents them. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(REQUESTS_TOPIC, "requests");
        d.put(ALERTS_TOPIC, "distillation-alerts");
        d.put(DEAD_LETTER_TOPIC, "requests-dead-letter");
        d.put(RULES_TOPIC, "distillguard-rules");
        // Empty: the rules bundled with the build (topology/src/main/resources/.../default-rules.yaml).
        d.put(RULES_FILE, "");
        d.put(SUBJECTS, "ACCOUNT,ORG,API_KEY");
        d.put(GRACE, "5m");
        d.put(MAX_ACCOUNTS_PER_ALERT, "50");
        d.put(MAX_FUTURE_SKEW, "5m");
        // 2020-01-01T00:00:00Z: no model API event predates it; event_time 0 is a gateway bug, not history.
        d.put(MIN_EVENT_TIME, "1577836800000");
        // Gateway retries arrive within seconds; a copy an hour later is a replay of a whole topic, not a retry.
        d.put(DEDUP_WINDOW, "10m");
        // Per task and window, at about 11 bytes an id (21 while a set doubles): tens of MB at this bound, which a
        // partition reaches at over 3,000 events/s of event time; past it ids go unremembered and are counted.
        d.put(DEDUP_MAX_IDS, "2000000");
        d.put(INDICATORS_TOPIC, "threat-indicators");
        d.put(INTEL_HMAC_KEY, "");
        d.put(INTEL_SIMHASH_MAX_DISTANCE, "3");
        // Windows held as objects per store and task in front of RocksDB (WriteBehindWindowStore): at about 1.5 KB
        // for a subject's day and under 1 KB for a link group, 20,000 is at most a few hundred MB for four tasks.
        d.put(CACHED_WINDOWS, "20000");
        // Analysts' verdicts on cases (compacted, keyed by case); blank: none read, no alert suppressed.
        d.put(VERDICTS_TOPIC, "distillguard-verdicts");
        // How far behind stream time the link path's hour windows are kept, and so how far an input partition may
        // fall behind the others (an outage's catch-up) before its requests miss their hour: two hours covers the
        // window before the current one; a day or more covers long outages at the cost of that much hour state.
        d.put(HOUR_RETENTION, "2h");
        // How many 32-bit bands of a prompt's SimHash group it with a template's variants (LinkRiskProcessor
        // .templateBand): 2 (the halves), 4 or 6 (every pair of 16-bit blocks). More tables keep more variants of a
        // template in its groups, and cost a link record each per request.
        d.put(TEMPLATE_TABLES, "4");
        d.put(WORD_BANDS, "4");
        d.put(TEMPLATE_TABLES_WITH_WORDS, "0");
        // None: the operator lists the egress of the products it knows call with their users' own accounts.
        d.put(HOSTED_PRODUCT_NETWORKS, "");
        // None: the operator lists the system prompts of tools it knows many unrelated customers run.
        d.put(KNOWN_TEMPLATES_FILE, "");
        return d;
    }

    public static DetectionConfig defaultConfig() {
        return fromProperties(new Properties());
    }

    /** The rule version alerts carry when no newer version has been published. */
    public String ruleVersion() {
        return rules.version();
    }

    /** The prompt bands a request is grouped under. */
    public PromptBands promptBands() {
        return new PromptBands(templateTables, wordBands, templateTablesWithWords);
    }

    /** A copy with other rules, for tests and backtests that compare rule sets. */
    public DetectionConfig withRules(DetectionRules other) {
        return new DetectionConfig(requestsTopic, alertsTopic, deadLetterTopic, rulesTopic, grace, maxAccountsPerAlert,
                maxFutureSkew, minEventTimeMs, subjects, other, intel, dedupWindow, dedupMaxIdsPerWindow,
                cachedWindows, verdictsTopic, hourRetention, templateTables, wordBands, templateTablesWithWords,
                hostedProductNetworks, knownTemplates);
    }

    /** What the operator lists as known products and tools: not ties between their customers' accounts. */
    public ListedProducts listedProducts() {
        return new ListedProducts(hostedProductNetworks, knownTemplates);
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
        String rulesFile = values.get(RULES_FILE);
        DetectionRules rules;
        try {
            rules = rulesFile.isEmpty() ? DetectionRules.defaults() : DetectionRules.load(Path.of(rulesFile));
        } catch (DetectionRules.InvalidRulesException | java.io.UncheckedIOException e) {
            throw new ConfigException(RULES_FILE, rulesFile, e.getMessage());
        }
        return new DetectionConfig(
                values.get(REQUESTS_TOPIC),
                values.get(ALERTS_TOPIC),
                values.get(DEAD_LETTER_TOPIC),
                values.get(RULES_TOPIC),
                grace(values),
                (int) positiveLong(values, MAX_ACCOUNTS_PER_ALERT),
                duration(values, MAX_FUTURE_SKEW),
                Long.parseLong(values.get(MIN_EVENT_TIME)),
                subjects(values.get(SUBJECTS)),
                rules,
                new Intel(values.get(INDICATORS_TOPIC), values.get(INTEL_HMAC_KEY).isEmpty() ? null : values.get(INTEL_HMAC_KEY),
                        simhashDistance(values.get(INTEL_SIMHASH_MAX_DISTANCE))),
                duration(values, DEDUP_WINDOW),
                (int) Math.min(Integer.MAX_VALUE, positiveLong(values, DEDUP_MAX_IDS)),
                (int) Math.min(Integer.MAX_VALUE, positiveLong(values, CACHED_WINDOWS)),
                values.get(VERDICTS_TOPIC),
                hourRetention(values),
                templateTables(values.get(TEMPLATE_TABLES)),
                wordBands(values.get(WORD_BANDS)),
                templateTablesWithWords(values.get(TEMPLATE_TABLES_WITH_WORDS)),
                hostedNetworks(values.get(HOSTED_PRODUCT_NETWORKS)),
                knownTemplates(values.get(KNOWN_TEMPLATES_FILE)));
    }

    private static KnownTemplates knownTemplates(String file) {
        try {
            return KnownTemplates.load(file);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(KNOWN_TEMPLATES_FILE, file, e.getMessage());
        }
    }

    private static HostedNetworks hostedNetworks(String text) {
        try {
            return HostedNetworks.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(HOSTED_PRODUCT_NETWORKS, text, e.getMessage());
        }
    }

    /**
     * Under an hour: a subject's day record keeps its latest hour and the one before, which holds every hour a
     * request can still count in only while the grace period is shorter than an hour.
     */
    private static Duration grace(Map<String, String> values) {
        Duration grace = duration(values, GRACE);
        if (grace.compareTo(Duration.ofHours(1)) >= 0) {
            throw new ConfigException(GRACE, values.get(GRACE), "must be under 1h (late requests beyond an hour are"
                    + " replayed, not waited for)");
        }
        return grace;
    }

    /**
     * From two hours (the current hour window and the one before, which the signals read) to seven days (past that
     * a backlog is a replay's job, and hour state would outweigh the rest).
     */
    private static Duration hourRetention(Map<String, String> values) {
        Duration retention = duration(values, HOUR_RETENTION);
        if (retention.compareTo(Duration.ofHours(2)) < 0 || retention.compareTo(Duration.ofDays(7)) > 0) {
            throw new ConfigException(HOUR_RETENTION, values.get(HOUR_RETENTION), "must be from 2h to 7d");
        }
        return retention;
    }

    private static int templateTables(String text) {
        return oneOf(TEMPLATE_TABLES, text, Set.of("2", "4", "6"),
                "expected 2 (the SimHash's halves), 4 or 6 (every pair of its 16-bit blocks)");
    }

    private static int wordBands(String text) {
        return oneOf(WORD_BANDS, text, Set.of("0", "2", "4"),
                "expected 0 (prompts grouped by their SimHash alone), 2 or 4 bands of the word-pair MinHash");
    }

    private static int templateTablesWithWords(String text) {
        return oneOf(TEMPLATE_TABLES_WITH_WORDS, text, Set.of("0", "2", "4", "6"),
                "expected 0 (a prompt with word bands is grouped by them alone), 2, 4 or 6 SimHash tables beside them");
    }

    /** A count that takes only the listed values. */
    private static int oneOf(String key, String text, Set<String> allowed, String expected) {
        if (!allowed.contains(text)) {
            throw new ConfigException(key, text, expected);
        }
        return Integer.parseInt(text);
    }

    private static int simhashDistance(String text) {
        try {
            int d = Integer.parseInt(text);
            if (d >= 0 && d <= 16) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        // Above 16 bits two unrelated prompts match by chance too often to act on.
        throw new ConfigException(INTEL_SIMHASH_MAX_DISTANCE, text, "expected a whole number of bits from 0 to 16");
    }

    private static Set<SubjectType> subjects(String text) {
        Set<SubjectType> subjects = EnumSet.noneOf(SubjectType.class);
        for (String part : text.split(",")) {
            String name = part.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            if (!(name.equals("ACCOUNT") || name.equals("ORG") || name.equals("API_KEY"))) {
                throw new ConfigException(SUBJECTS, text, "expected a comma-separated subset of ACCOUNT, ORG, API_KEY");
            }
            subjects.add(SubjectType.valueOf(name));
        }
        if (!subjects.contains(SubjectType.ACCOUNT)) {
            throw new ConfigException(SUBJECTS, text, "must include ACCOUNT");
        }
        return subjects;
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
