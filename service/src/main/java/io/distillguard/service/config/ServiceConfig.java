package io.distillguard.service.config;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.json.ContractJsonSerde;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import org.apache.kafka.common.serialization.Serde;
import io.distillguard.topology.DetectionConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The service's configuration, from four sources in rising precedence: built-in defaults, a properties file
 * ({@code --config}), environment variables, then command-line options. A key {@code a.b-c} is set by the
 * environment variable {@code DISTILLGUARD_A_B_C}. An unknown {@code DISTILLGUARD_*} variable is an error, not
 * silently ignored: a typo in a deployment must not quietly run with defaults.
 *
 * <p>Keys are Distillguard's own (detection rules, topics, {@code topics.*}), serde keys ({@code schema.registry.*},
 * {@code basic.auth.*}, {@code auto.register.schemas}), and any Kafka Streams, consumer, producer or admin client
 * key ({@code bootstrap.servers}, {@code num.stream.threads}, {@code security.protocol}, ...), passed through.
 */
public final class ServiceConfig {

    public static final String ENV_PREFIX = "DISTILLGUARD_";
    /** Variables the launcher and tests read themselves; not configuration keys. */
    private static final Set<String> RESERVED_ENV = Set.of("DISTILLGUARD_HOME", "DISTILLGUARD_JAVA_OPTS", "DISTILLGUARD_LOG_LEVEL");
    private static final String RESERVED_ENV_PREFIX = "DISTILLGUARD_TEST_";

    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication-factor";
    public static final String HTTP_ENABLED = "http.enabled";
    public static final String HTTP_BIND = "http.bind";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_ADVERTISED_HOST = "http.advertised-host";
    public static final String HTTP_TOKEN = "http.token";
    /** Analysts of the console and the API: {@code name:token} pairs separated by commas. */
    public static final String HTTP_ANALYSTS = "http.analysts";
    /** How long a dismissal in the console suppresses further alerts on the case's subjects. */
    public static final String VERDICTS_DISMISSAL_SUPPRESSION = "verdicts.dismissal-suppression";
    public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory-bytes";
    public static final String ALERTS_FORMAT = "alerts.format";
    public static final String INTEL_EXPORT_MIN_ACCOUNTS = "intel.export.min-accounts";
    public static final String INTEL_EXPORT_PRODUCER = "intel.export.producer";

    private final Map<String, String> values;

    private ServiceConfig(Map<String, String> values) {
        this.values = values;
    }

    /** Service defaults, beyond the detection rules' own. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(StreamsConfig.APPLICATION_ID_CONFIG, "distillguard");
        d.put(StreamsConfig.STATE_DIR_CONFIG, "state");
        d.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        d.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
        // Kafka's record cache holds bytes: every read and write of a window through it was an Avro round trip. The
        // window stores cache the objects themselves (state.cached-windows, WriteBehindWindowStore) and use none of it.
        d.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        d.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1");
        d.put(TOPICS_CREATE, "true");
        d.put(TOPICS_PARTITIONS, "4");
        d.put(TOPICS_REPLICATION_FACTOR, "-1");
        d.put(HTTP_ENABLED, "true");
        d.put(HTTP_BIND, "127.0.0.1");
        d.put(HTTP_PORT, "8080");
        d.put(HTTP_ADVERTISED_HOST, "");
        d.put(HTTP_TOKEN, "");
        d.put(HTTP_ANALYSTS, "");
        d.put(VERDICTS_DISMISSAL_SUPPRESSION, "7d");
        d.put(ROCKSDB_MEMORY_BYTES, Long.toString(256L << 20));
        d.put(ALERTS_FORMAT, "avro");
        d.put(INTEL_EXPORT_MIN_ACCOUNTS, "3");
        d.put(INTEL_EXPORT_PRODUCER, "distillguard");
        d.putAll(DetectionConfig.defaults());
        return d;
    }

    /**
     * @param file a properties file, or null
     * @param env the process environment (passed in, so tests need not change the real one)
     * @param overrides command-line values, highest precedence
     */
    public static ServiceConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>(defaults());
        if (file != null) {
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException e) {
                throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage());
            }
            Set<String> known = knownKeys(values.keySet());
            List<String> unknown = props.stringPropertyNames().stream().filter(k -> !known.contains(k)
                    && STREAMS_PREFIXES.stream().noneMatch(k::startsWith)).sorted().toList();
            if (!unknown.isEmpty()) {
                throw new ConfigException("Unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
                        + String.join(", ", unknown) + " in " + file + nearest(unknown.get(0), known)
                        + ": it matches no setting of Distillguard, Kafka Streams or the Kafka clients");
            }
            props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        }
        Map<String, String> keyByEnvName = new LinkedHashMap<>();
        for (String key : knownKeys(values.keySet())) {
            keyByEnvName.put(envName(key), key);
        }
        new TreeSet<>(env.keySet()).forEach(name -> {
            if (!name.startsWith(ENV_PREFIX) || RESERVED_ENV.contains(name) || name.startsWith(RESERVED_ENV_PREFIX)) {
                return;
            }
            String key = keyByEnvName.get(name);
            if (key == null) {
                throw new ConfigException("Unknown environment variable " + name
                        + ": it matches no configuration key (see docs/configuration.md)");
            }
            values.put(key, env.get(name).trim());
        });
        overrides.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v);
            }
        });
        DetectionConfig detection = DetectionConfig.fromProperties(asProperties(values));
        atLeast(values, TOPICS_PARTITIONS, 1, Integer.MAX_VALUE);
        atLeast(values, TOPICS_REPLICATION_FACTOR, -1, Short.MAX_VALUE);
        atLeast(values, HTTP_PORT, 0, 65_535);
        atLeast(values, ROCKSDB_MEMORY_BYTES, 16L << 20, Long.MAX_VALUE);
        atLeast(values, INTEL_EXPORT_MIN_ACCOUNTS, 1, Integer.MAX_VALUE);
        atLeast(values, StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1, 1_000);
        String hmacKey = detection.intel().hmacKey();
        if (hmacKey != null && hmacKey.length() < 16) {
            throw new ConfigException(DetectionConfig.INTEL_HMAC_KEY, "(" + hmacKey.length() + " characters)",
                    "must be at least 16 characters, or unset");
        }
        if (!List.of("avro", "json").contains(values.get(ALERTS_FORMAT))) {
            throw new ConfigException(ALERTS_FORMAT, values.get(ALERTS_FORMAT), "must be avro or json");
        }
        ServiceConfig config = new ServiceConfig(values);
        config.analysts();
        config.dismissalSuppression();
        return config;
    }

    /**
     * The configuration of a command that talks to a cluster: refused at once, rather than after a connection
     * timeout to a default address, when neither {@code --config} nor the environment says where the cluster is.
     */
    public static ServiceConfig forCluster(String command, Path file, Map<String, String> env,
                                           Map<String, String> overrides) {
        if (file == null && !env.containsKey(envName(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG))) {
            throw new ConfigException(command + " talks to a Kafka cluster: give --config FILE with bootstrap.servers "
                    + "and schema.registry.url, or set " + envName(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        }
        return load(file, env, overrides);
    }

    /** Kafka Streams' prefixes for settings of one client or of its internal topics, passed on as they are. */
    private static final List<String> STREAMS_PREFIXES = List.of(StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX, StreamsConfig.MAIN_CONSUMER_PREFIX,
            StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.TOPIC_PREFIX);

    private static void atLeast(Map<String, String> values, String key, long min, long max) {
        String text = values.get(key);
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, text, "expected a whole number from " + min + " to " + max);
        }
        if (value < min || value > max) {
            throw new ConfigException(key, text, "must be from " + min + " to " + max);
        }
    }

    /** The known key nearest an unknown one in its first segments, as a hint; empty when none is near. */
    private static String nearest(String unknown, Set<String> known) {
        int dot = unknown.lastIndexOf('.');
        String prefix = dot < 0 ? unknown : unknown.substring(0, dot + 1);
        List<String> near = known.stream().filter(k -> k.startsWith(prefix)).limit(6).toList();
        return near.isEmpty() ? "" : " (known keys under " + prefix + ": " + String.join(", ", near) + ")";
    }

    /** {@code a.b-c} → {@code DISTILLGUARD_A_B_C}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    private static Set<String> knownKeys(Set<String> present) {
        Set<String> keys = new TreeSet<>(present);
        keys.addAll(StreamsConfig.configDef().names());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        keys.addAll(Set.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, SchemaRegistryClients.URL,
                SchemaRegistryClients.AUTO_REGISTER, SchemaRegistryClients.BASIC_AUTH_SOURCE,
                SchemaRegistryClients.BASIC_AUTH_USER_INFO, SchemaRegistryClients.TRUSTSTORE_LOCATION,
                SchemaRegistryClients.TRUSTSTORE_PASSWORD, SchemaRegistryClients.TRUSTSTORE_TYPE,
                SchemaRegistryClients.KEYSTORE_LOCATION, SchemaRegistryClients.KEYSTORE_PASSWORD,
                SchemaRegistryClients.KEYSTORE_TYPE, SchemaRegistryClients.CONNECT_TIMEOUT_MS,
                SchemaRegistryClients.REQUEST_TIMEOUT_MS));
        return keys;
    }

    public String get(String key) {
        return values.get(key);
    }

    public Map<String, String> asMap() {
        return Map.copyOf(values);
    }

    public DetectionConfig detection() {
        return DetectionConfig.fromProperties(asProperties(values));
    }

    /** Settings for the serdes (registry URL, credentials, TLS, auto-registration). */
    public Map<String, String> serdeConfig() {
        Map<String, String> serde = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("schema.registry.") || k.startsWith("basic.auth.") || k.equals(SchemaRegistryClients.AUTO_REGISTER)) {
                serde.put(k, v);
            }
        });
        if (!serde.containsKey(SchemaRegistryClients.URL)) {
            throw new ConfigException("Missing \"" + SchemaRegistryClients.URL + "\" (environment "
                    + envName(SchemaRegistryClients.URL) + "): a schema registry URL, or mock://<scope> for an in-memory one");
        }
        return serde;
    }

    /** The producer settings among {@link #kafkaProperties()} (servers, security), with acks=all. */
    public Properties producerProperties() {
        Properties props = new Properties();
        kafkaProperties().forEach((k, v) -> {
            if (org.apache.kafka.clients.producer.ProducerConfig.configNames().contains(k.toString())) {
                props.put(k, v);
            }
        });
        props.put(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    /**
     * The analysts the HTTP API and the console know, by token: each {@code name:token} of {@code http.analysts},
     * and {@code http.token} as the analyst "operator". Empty: the API is open. A verdict records the name.
     */
    public Map<String, String> analysts() {
        Map<String, String> byToken = new LinkedHashMap<>();
        String token = values.getOrDefault(HTTP_TOKEN, "").trim();
        if (!token.isEmpty()) {
            byToken.put(token, "operator");
        }
        String list = values.getOrDefault(HTTP_ANALYSTS, "").trim();
        if (list.isEmpty()) {
            return byToken;
        }
        for (String entry : list.split(",")) {
            int colon = entry.indexOf(':');
            String name = colon < 0 ? "" : entry.substring(0, colon).trim();
            String secret = colon < 0 ? "" : entry.substring(colon + 1).trim();
            if (name.isEmpty() || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new ConfigException(HTTP_ANALYSTS, "(entry " + (name.isEmpty() ? "without a name" : name) + ")",
                        "expected name:token pairs separated by commas, a name of letters, digits and ._@- "
                                + "(at most 64)");
            }
            if (secret.length() < 16) {
                throw new ConfigException(HTTP_ANALYSTS, "(analyst " + name + ")",
                        "a token must be at least 16 characters");
            }
            if (byToken.putIfAbsent(secret, name) != null) {
                throw new ConfigException(HTTP_ANALYSTS, "(analyst " + name + ")",
                        "each analyst needs a token of their own, so that a verdict names who gave it");
            }
        }
        return byToken;
    }

    /** How long a dismissal suppresses alerts on its subjects ({@code verdicts.dismissal-suppression}). */
    public java.time.Duration dismissalSuppression() {
        java.time.Duration d = DetectionConfig.parseDuration(VERDICTS_DISMISSAL_SUPPRESSION,
                values.get(VERDICTS_DISMISSAL_SUPPRESSION));
        if (d.isNegative() || d.isZero() || d.compareTo(java.time.Duration.ofDays(365)) > 0) {
            throw new ConfigException(VERDICTS_DISMISSAL_SUPPRESSION, values.get(VERDICTS_DISMISSAL_SUPPRESSION),
                    "must be from 1s to 365d");
        }
        return d;
    }

    /** Every key that is not Distillguard's own or the serdes': Kafka Streams and client settings. */
    public Properties kafkaProperties() {
        Set<String> own = new TreeSet<>(DetectionConfig.defaults().keySet());
        own.addAll(Set.of(TOPICS_CREATE, TOPICS_PARTITIONS, TOPICS_REPLICATION_FACTOR, HTTP_ENABLED, HTTP_BIND,
                HTTP_PORT, HTTP_ADVERTISED_HOST, HTTP_TOKEN, HTTP_ANALYSTS, VERDICTS_DISMISSAL_SUPPRESSION,
                ROCKSDB_MEMORY_BYTES, ALERTS_FORMAT,
                INTEL_EXPORT_MIN_ACCOUNTS, INTEL_EXPORT_PRODUCER));
        Properties props = new Properties();
        values.forEach((k, v) -> {
            if (!own.contains(k) && !k.startsWith("schema.registry.") && !k.startsWith("basic.auth.")
                    && !k.equals(SchemaRegistryClients.AUTO_REGISTER)) {
                props.setProperty(k, v);
            }
        });
        return props;
    }

    /** The serde of the alerts topic: Confluent-framed Avro (default) or plain JSON ({@code alerts.format=json}). */
    public Serde<DistillationAlert> alertSerde() {
        return "json".equals(values.get(ALERTS_FORMAT)) ? new ContractJsonSerde<>(DistillationAlert.class)
                : SpecificAvroSerde.forValues(DistillationAlert.class, serdeConfig());
    }

    public static Properties asProperties(Map<String, String> values) {
        Properties props = new Properties();
        props.putAll(values);
        return props;
    }
}
