package io.distillguard.service;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.service.metrics.ServiceMetrics;
import org.apache.kafka.common.serialization.Serde;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.http.RecentAlerts;
import io.distillguard.service.http.ServiceHttpApi;
import io.distillguard.service.state.BoundedMemoryRocksDBConfig;
import java.net.InetSocketAddress;
import org.apache.kafka.streams.state.HostInfo;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.rules.RulesBook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running detector: the topology on a KafkaStreams instance, wired from a {@link ServiceConfig}.
 *
 * <p>Seams as in Kafka's own examples: {@link #streamsConfig} and {@link #topology} are what tests build from,
 * and {@link #start} is the thin part that talks to a cluster.
 */
public final class DistillguardService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DistillguardService.class);

    private final KafkaStreams streams;
    private final ServiceMetrics metrics;
    private final CountDownLatch running = new CountDownLatch(1);
    private ServiceHttpApi http;

    private DistillguardService(KafkaStreams streams, ServiceMetrics metrics) {
        this.streams = streams;
        this.metrics = metrics;
    }

    /** Kafka Streams settings: the configured ones, plus what the topology itself requires. */
    public static Properties streamsConfig(ServiceConfig config) {
        Properties props = config.kafkaProperties();
        if (props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new org.apache.kafka.common.config.ConfigException("Missing \"bootstrap.servers\" (environment "
                    + ServiceConfig.envName(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + ")");
        }
        props.putAll(DistillguardTopology.requiredStreamsConfig(config.detection()));
        // One memory cap for all RocksDB stores of the instance, unless the operator brings a config setter of their own.
        if (props.getProperty(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG) == null) {
            props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDBConfig.class.getName());
            props.put(BoundedMemoryRocksDBConfig.TOTAL_BYTES, config.get(ServiceConfig.ROCKSDB_MEMORY_BYTES));
        }
        // Interactive queries route a key to the instance that owns it by this address: the HTTP API's own.
        int port = Integer.parseInt(config.get(ServiceConfig.HTTP_PORT));
        if (Boolean.parseBoolean(config.get(ServiceConfig.HTTP_ENABLED)) && port > 0
                && props.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG) == null) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHost(config) + ":" + port);
        }
        return props;
    }

    /** The connection settings of {@code props} (servers, security), for plain clients next to the streams. */
    public static Properties clientProps(Properties props) {
        Properties client = new Properties();
        props.forEach((k, v) -> {
            if (org.apache.kafka.clients.consumer.ConsumerConfig.configNames().contains(k.toString())
                    && !k.equals(StreamsConfig.APPLICATION_ID_CONFIG)) {
                client.put(k, v);
            }
        });
        return client;
    }

    private static String advertisedHost(ServiceConfig config) {
        String advertised = config.get(ServiceConfig.HTTP_ADVERTISED_HOST);
        return advertised == null || advertised.isBlank() ? config.get(ServiceConfig.HTTP_BIND) : advertised;
    }

    public static Topology topology(ServiceConfig config) {
        return topology(config, config.alertSerde());
    }

    private static Topology topology(ServiceConfig config, Serde<DistillationAlert> alertSerde) {
        return DistillguardTopology.build(config.detection(),
                SpecificAvroSerde.forValues(RequestEvent.class, config.serdeConfig()), alertSerde,
                DistillguardTopology.StateStorage.ROCKSDB, null, requestPartitions(streamsConfig(config), config));
    }

    /**
     * The requests topic's partition count, which the subject path's repartition topics take; 0 when the topic
     * cannot be described (then Kafka Streams sizes them, and fails the start if the topic is missing anyway).
     */
    public static int requestPartitions(Properties props, ServiceConfig config) {
        String topic = config.detection().requestsTopic();
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(adminProps(props))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, java.util.concurrent.TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("Cannot describe {} ({}): its partition count is left to Kafka Streams", topic, e.getMessage());
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * The rules in force now: the newest version published to the rules topic that has taken effect, read from the
     * global store the processors read; the configured rules until the store can be queried (or without a rules topic).
     */
    static Supplier<DetectionRules> rulesInForce(KafkaStreams streams, DetectionConfig detection) {
        DetectionRules base = detection.rules();
        if (detection.rulesTopic() == null || detection.rulesTopic().isBlank()) {
            return () -> base;
        }
        AtomicReference<RulesBook> book = new AtomicReference<>();
        return () -> {
            try {
                if (book.get() == null) {
                    ReadOnlyKeyValueStore<String, String> versions = streams.store(StoreQueryParameters.fromNameAndType(
                            DistillguardTopology.RULES_STORE, QueryableStoreTypes.keyValueStore()));
                    book.compareAndSet(null, new RulesBook(base, versions));
                }
                return book.get().at(System.currentTimeMillis());
            } catch (InvalidStateStoreException notYet) {
                return base;
            }
        };
    }

    /** Creates missing topics (when {@code topics.create} is true), then starts processing. */
    public static DistillguardService start(ServiceConfig config) {
        LOG.info("Starting {}, rules {}", BuildVersion.line(), config.detection().rules().version());
        Properties props = streamsConfig(config);
        if (Boolean.parseBoolean(config.get(ServiceConfig.TOPICS_CREATE))) {
            createTopics(props, config);
        }
        // The global rules store reads its topic's partitions once, at start: say clearly what is missing rather
        // than let Kafka Streams fail with "no partitions available".
        awaitTopics(props, globalTopics(config), Duration.ofSeconds(30));
        ServiceMetrics metrics = new ServiceMetrics();
        KafkaStreams streams = new KafkaStreams(topology(config, metrics.measuringLatency(config.alertSerde())), props);
        DistillguardService service = new DistillguardService(streams, metrics);
        metrics.bindRules(rulesInForce(streams, config.detection()));
        streams.setStateListener((now, before) -> {
            LOG.info("Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                service.running.countDown();
            }
        });
        // A stream thread that dies (a bug, an unavailable registry) is replaced and resumes from its last commit,
        // so one failure does not stop detection; the log says what happened.
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread failed; replacing it. Cause: {}", e.toString(), e);
            metrics.threadReplaced();
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        if (Boolean.parseBoolean(config.get(ServiceConfig.HTTP_ENABLED))) {
            service.http = new ServiceHttpApi(streams, config.detection(),
                    new InetSocketAddress(config.get(ServiceConfig.HTTP_BIND), Integer.parseInt(config.get(ServiceConfig.HTTP_PORT))),
                    new HostInfo(advertisedHost(config), Integer.parseInt(config.get(ServiceConfig.HTTP_PORT))),
                    config.analysts(),
                    new RecentAlerts(clientProps(props), config.detection().alertsTopic(), config.alertSerde().deserializer()),
                    metrics, new io.distillguard.service.console.VerdictWriter(config), config.dismissalSuppression());
        }
        LOG.info("Starting Distillguard (application.id={}, bootstrap.servers={}, processing.guarantee={})",
                props.get(StreamsConfig.APPLICATION_ID_CONFIG), props.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG),
                props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        streams.start();
        return service;
    }

    /**
     * Creates the requests, alerts and dead-letter topics where missing, and the rules topic: one partition (a global
     * store reads all of it anyway) and compacted, so the latest document of every version is kept forever.
     */
    public static void createTopics(Properties kafkaProps, ServiceConfig config) {
        DetectionConfig detection = config.detection();
        createTopics(kafkaProps, config,
                List.of(detection.requestsTopic(), detection.alertsTopic(), detection.deadLetterTopic()),
                Integer.parseInt(config.get(ServiceConfig.TOPICS_PARTITIONS)));
        createRulesTopic(kafkaProps, config);
    }

    /**
     * The topics read into global stores, where missing: the rules topic and the threat-indicators topic, each one
     * partition (every instance reads all of it anyway) and compacted, so the latest record of every rules version
     * and every indicator is kept until retracted. Replays and benchmarks read the live ones.
     */
    public static void createRulesTopic(Properties kafkaProps, ServiceConfig config) {
        createTopics(kafkaProps, config, globalTopics(config), 1,
                Map.of(org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_CONFIG,
                        org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_COMPACT));
        awaitTopics(kafkaProps, globalTopics(config), Duration.ofSeconds(30));
    }

    /** A compacted topic of one partition, where missing: for records keyed by an id whose latest value is all that counts. */
    public static void createCompactedTopic(Properties kafkaProps, ServiceConfig config, String name) {
        createTopics(kafkaProps, config, List.of(name), 1,
                Map.of(org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_CONFIG,
                        org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_COMPACT));
        awaitTopics(kafkaProps, List.of(name), Duration.ofSeconds(30));
    }

    /** The rules topic, and the threat-indicators and verdicts topics unless switched off (blank). */
    static List<String> globalTopics(ServiceConfig config) {
        List<String> topics = new java.util.ArrayList<>(List.of(config.detection().rulesTopic()));
        for (String optional : new String[] {config.detection().intel().indicatorsTopic(),
                config.detection().verdictsTopic()}) {
            if (optional != null && !optional.isBlank()) {
                topics.add(optional);
            }
        }
        return topics;
    }

    /** Creates {@code names} where missing, with {@code partitions} partitions each. */
    public static void createTopics(Properties kafkaProps, ServiceConfig config, List<String> names, int partitions) {
        createTopics(kafkaProps, config, names, partitions, Map.of());
    }

    /** The admin client's settings among {@code kafkaProps}. */
    private static Properties adminProps(Properties kafkaProps) {
        Properties adminProps = new Properties();
        kafkaProps.forEach((k, v) -> {
            if (org.apache.kafka.clients.admin.AdminClientConfig.configNames().contains(k.toString())) {
                adminProps.put(k, v);
            }
        });
        return adminProps;
    }

    /**
     * Topics that hold history, where missing, with no time-based retention: their records carry the events' own
     * times, and a broker's default retention (7 days) deletes a record timestamped a week back within seconds of
     * writing it. A topic that exists already and would delete records as old as {@code oldest} is refused, with
     * the command that makes it keep them.
     */
    public static void createHistoryTopics(Properties kafkaProps, ServiceConfig config, List<String> names,
                                           int partitions, java.time.Instant oldest) {
        createTopics(kafkaProps, config, names, partitions,
                Map.of(org.apache.kafka.common.config.TopicConfig.RETENTION_MS_CONFIG, "-1"));
        Properties adminProps = adminProps(kafkaProps);
        try (Admin admin = Admin.create(adminProps)) {
            List<org.apache.kafka.common.config.ConfigResource> resources = names.stream()
                    .map(n -> new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, n)).toList();
            var described = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            for (var entry : described.entrySet()) {
                var retention = entry.getValue().get(org.apache.kafka.common.config.TopicConfig.RETENTION_MS_CONFIG);
                long ms = retention == null || retention.value() == null ? -1 : Long.parseLong(retention.value());
                if (ms >= 0 && oldest.isBefore(java.time.Instant.now().minusMillis(ms))) {
                    throw new org.apache.kafka.common.config.ConfigException("Topic " + entry.getKey().name()
                            + " keeps records for " + java.time.Duration.ofMillis(ms) + " (retention.ms=" + ms
                            + "), so events from " + oldest + " would be deleted as soon as written; make it keep "
                            + "history first: kafka-configs.sh --bootstrap-server "
                            + kafkaProps.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)
                            + " --alter --entity-type topics --entity-name " + entry.getKey().name()
                            + " --add-config retention.ms=-1");
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read the configuration of " + names + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the configuration of " + names, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("The cluster did not answer within 30 s when asked about " + names, e);
        }
    }

    private static void createTopics(Properties kafkaProps, ServiceConfig config, List<String> names, int partitions,
                                     Map<String, String> topicConfigs) {
        short replication = Short.parseShort(config.get(ServiceConfig.TOPICS_REPLICATION_FACTOR));
        List<NewTopic> wanted = new ArrayList<>();
        for (String name : names) {
            wanted.add((replication > 0 ? new NewTopic(name, partitions, replication)
                    : new NewTopic(name, java.util.Optional.of(partitions), java.util.Optional.empty()))
                    .configs(topicConfigs));
        }
        Properties adminProps = adminProps(kafkaProps);
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return;
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            LOG.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topics: " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topics: is the cluster at "
                    + kafkaProps.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + " reachable?", e);
        }
    }

    /** Waits until every topic in {@code names} has leaders for all its partitions, or fails naming what is missing. */
    public static void awaitTopics(Properties kafkaProps, List<String> names, Duration timeout) {
        Properties adminProps = adminProps(kafkaProps);
        long deadline = System.nanoTime() + timeout.toNanos();
        String problem;
        try (Admin admin = Admin.create(adminProps)) {
            while (true) {
                try {
                    var topics = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
                    boolean led = topics.values().stream().allMatch(t -> !t.partitions().isEmpty()
                            && t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                    if (led) {
                        return;
                    }
                    problem = "partitions without a leader";
                } catch (ExecutionException e) {
                    problem = e.getCause().getMessage();
                } catch (TimeoutException e) {
                    problem = "no answer from the cluster";
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Topic(s) " + names + " not usable (" + problem + "). The rules and "
                            + "threat-indicators topics must exist (compacted, one partition): create them, or set "
                            + "topics.create=true.");
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for topics " + names, e);
        }
    }

    /** Waits until Kafka Streams reaches RUNNING for the first time. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** A Distillguard counter ({@code events-in-total}, {@code duplicates-total}, ...) summed over threads and tasks. */
    public double counter(String name) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name)
                        && e.getKey().group().equals("stream-" + io.distillguard.topology.DistillguardMetrics.SCOPE + "-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    /** A gauge of {@code /metrics} by name and one tag, e.g. the rules' population share {@code share=reasoning}. */
    public double gauge(String name, String tag, String value) {
        return metrics.registry().get(name).tag(tag, value).gauge().value();
    }

    /** The HTTP API's port, or -1 when it is disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** Flushes state, commits, and leaves the group so partitions move to other instances at once. */
    @Override
    public void close() {
        LOG.info("Stopping Distillguard");
        if (http != null) {
            http.close();
        }
        boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        metrics.close();
        if (closed) {
            LOG.info("Distillguard stopped: state flushed, offsets committed, consumer group left");
        } else {
            LOG.warn("Kafka Streams did not close within 30 s; the group will drop this instance at its session timeout");
        }
    }
}
