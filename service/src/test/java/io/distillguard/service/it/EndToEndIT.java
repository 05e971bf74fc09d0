package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.serdes.avro.SpecificAvroDeserializer;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.validation.DuplicateFilter;
import io.distillguard.topology.validation.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a real broker, end to end: Avro events in through the serde and the HTTP registry, alerts out,
 * read back by a plain read_committed consumer; bad records dead-lettered with their reasons while good ones go on.
 */
@ExtendWith(KafkaClusterExtension.class)
class EndToEndIT {

    @TempDir
    Path stateDir;

    private EmbeddedSchemaRegistry registry;
    private DistillguardService service;
    private ServiceConfig config;
    private DetectionConfig detection;
    private String bootstrap;

    @BeforeEach
    void start(KafkaCluster cluster) throws Exception {
        bootstrap = cluster.bootstrapServers();
        registry = EmbeddedSchemaRegistry.start();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> overrides = new HashMap<>();
        overrides.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        overrides.put(SchemaRegistryClients.URL, registry.url());
        overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, "e2e-" + run);
        overrides.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        overrides.put(DetectionConfig.REQUESTS_TOPIC, "requests-" + run);
        overrides.put(DetectionConfig.ALERTS_TOPIC, "alerts-" + run);
        overrides.put(DetectionConfig.DEAD_LETTER_TOPIC, "dead-letter-" + run);
        overrides.put(DetectionConfig.RULES_TOPIC, "rules-" + run);
        overrides.put(DetectionConfig.RULES_FILE, io.distillguard.service.RulesFiles.write(stateDir, "rules.yaml",
                "requests-1h: 1000", "requests-1h: 20", "ip-accounts-1h: 25", "ip-accounts-1h: 5").toString());
        overrides.put(ServiceConfig.HTTP_PORT, "0");
        config = ServiceConfig.load(null, Map.of(), overrides);
        detection = config.detection();
        service = DistillguardService.start(config);
        assertThat(service.awaitRunning(Duration.ofSeconds(90))).as("service reaches RUNNING").isTrue();
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        registry.close();
    }

    @Test
    void shouldEmitAlertsOfBothDetectorsReadableByAPlainReadCommittedConsumer() {
        long now = System.currentTimeMillis() - 60_000;
        List<RequestEvent> events = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            events.add(event("acct-heavy", "203.0.113." + (i % 3 + 1), now + i));
        }
        for (int i = 0; i < 6; i++) {
            events.add(event("acct-proxy-" + i, "2001:db8::beef", now + i));
        }
        produce(events);

        List<DistillationAlert> alerts = new ArrayList<>();
        try (KafkaConsumer<String, DistillationAlert> consumer = alertConsumer()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    assertThat(r.key()).isEqualTo(r.value().getSubjectType() + ":" + r.value().getSubjectId());
                    alerts.add(r.value());
                });
                assertThat(alerts).extracting(DistillationAlert::getDetector)
                        .contains("ACCOUNT_RISK", "IP_FAN_IN");
                assertThat(alerts).filteredOn(a -> a.getDetector().equals("ACCOUNT_RISK"))
                        .extracting(DistillationAlert::getSeverity).contains(Severity.MEDIUM);
            });
        }
        assertThat(alerts).filteredOn(a -> a.getDetector().equals("ACCOUNT_RISK"))
                .allSatisfy(a -> assertThat(a.getSubjectId()).isEqualTo("acct-heavy"));
        assertThat(alerts).filteredOn(a -> a.getDetector().equals("IP_FAN_IN")).singleElement().satisfies(a -> {
            assertThat(a.getSubjectId()).isEqualTo("2001:db8::beef");
            // The alert fires at the first flush past the threshold; all six may have arrived by then.
            assertThat(a.getAccountsTotal()).isBetween(5, 6);
            assertThat(a.getAccounts()).hasSize(a.getAccountsTotal()).allMatch(id -> id.startsWith("acct-proxy-"));
        });
    }

    @Test
    void shouldGiveEveryWindowChangelogATimeRetentionSoItDoesNotGrowForever() throws Exception {
        // Kafka Streams recognises a window store by its builder's class; the service's window stores are built by
        // WriteBehindWindowStore, so without their own log settings their changelogs were compact-only and kept
        // every window (every event id of the duplicate filter) for good.
        String application = config.get(StreamsConfig.APPLICATION_ID_CONFIG);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            List<String> changelogs = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(topic -> topic.startsWith(application + "-") && topic.endsWith("-changelog"))
                    .sorted().toList();
            assertThat(changelogs).as("the dedup, subject and link stores' changelogs").hasSizeGreaterThanOrEqualTo(7);
            List<ConfigResource> resources = changelogs.stream()
                    .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            String seenIds = application + "-" + DuplicateFilter.HASHED_STORE + "-changelog";
            assertThat(changelogs).contains(seenIds);
            for (ConfigResource resource : resources) {
                Config topic = configs.get(resource);
                // The duplicate filter's records each have a key of their own: deleted by time, never compacted.
                assertThat(topic.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                        .as("cleanup.policy of %s", resource.name())
                        .isEqualTo(resource.name().equals(seenIds) ? "delete" : "compact,delete");
                // Kept by when a record was written, not by its event time (ChangelogTopics); the duplicate filter
                // stamps its records with the wall clock itself.
                assertThat(topic.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value())
                        .as("message.timestamp.type of %s", resource.name())
                        .isEqualTo(resource.name().equals(seenIds) ? "CreateTime" : "LogAppendTime");
                long retention = Long.parseLong(topic.get(TopicConfig.RETENTION_MS_CONFIG).value());
                assertThat(retention).as("retention.ms of %s", resource.name())
                        .isPositive().isLessThanOrEqualTo(Duration.ofDays(16).toMillis());
            }
            String week = application + "-" + LinkRiskProcessor.WEEK_STORE + "-changelog";
            assertThat(Long.parseLong(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, week))
                    .get(TopicConfig.RETENTION_MS_CONFIG).value()))
                    .as("two weeks kept, the grace period and Kafka's extra day")
                    .isEqualTo(Duration.ofDays(14).plus(detection.grace()).plusDays(1).toMillis());
        }
    }

    @Test
    void shouldApplyRulesPublishedToTheRulesTopicWithoutARestart() throws Exception {
        long now = System.currentTimeMillis() - 60_000;
        // The service runs with requests-1h 20; a stricter version, effective an hour ago, goes out through the CLI.
        Path configFile = stateDir.resolve("publish.properties");
        Files.writeString(configFile, String.join("\n",
                "bootstrap.servers=" + bootstrap,
                "schema.registry.url=" + config.get(SchemaRegistryClients.URL),
                DetectionConfig.RULES_TOPIC + "=" + detection.rulesTopic()) + "\n");
        // What the operator's drift alert compares the live shares with: the rules in force, the started file's first.
        assertThat(service.gauge("distillguard.rules.population.share", "share", "reasoning")).isEqualTo(0.13);
        Path strict = io.distillguard.service.RulesFiles.write(stateDir, "strict.yaml",
                "version: default-2026-12-08.25", "version: strict-e2e", "requests-1h: 1000", "requests-1h: 5",
                "population-reasoning-share: 0.13", "population-reasoning-share: 0.31");
        int exit = new picocli.CommandLine(new io.distillguard.service.cli.DistillguardCli()).execute("rules", "publish",
                strict.toString(), "--effective-from", Instant.ofEpochMilli(now - 3_600_000L).toString(),
                "--config", configFile.toString());
        assertThat(exit).isZero();

        // The global store may take a moment to see the new version; requests keep coming, as live traffic would.
        // Each round is new requests (new event ids): the same ones again are duplicates, dropped before any window,
        // and a first round judged before the version arrived would then never be judged again.
        List<DistillationAlert> alerts = new ArrayList<>();
        try (KafkaConsumer<String, DistillationAlert> consumer = alertConsumer()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<RequestEvent> events = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    events.add(event("acct-strict", "203.0.113.77", now + i));
                }
                produce(events);
                consumer.poll(Duration.ofMillis(500)).forEach(r -> alerts.add(r.value()));
                assertThat(alerts).anySatisfy(a -> {
                    assertThat(a.getSubjectId()).isEqualTo("acct-strict");
                    assertThat(a.getRuleVersion()).isEqualTo("strict-e2e");
                });
            });
        }
        assertThat(service.gauge("distillguard.rules.population.share", "share", "reasoning")).isEqualTo(0.31);
        assertThat(service.gauge("distillguard.rules.population.share", "share", "first_turn")).isEqualTo(0.45);
        // Every request judged is counted in the live population; none of these asked for reasoning.
        assertThat(service.counter("population-requests-total")).isGreaterThanOrEqualTo(8);
        assertThat(service.counter("population-reasoning-total")).isZero();
    }

    @Test
    void shouldDeadLetterBadRecordsWithReasonAndSourceAndKeepProcessingGoodOnes() throws Exception {
        long now = System.currentTimeMillis() - 60_000;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(detection.requestsTopic(), 0, null, "{\"json\":true}".getBytes(StandardCharsets.UTF_8))).get();
            raw.send(new ProducerRecord<>(detection.requestsTopic(), 0, null, new byte[] {0, 0, 0, 0x30, 0x39, 1})).get();
            raw.send(new ProducerRecord<>(detection.requestsTopic(), 0, null, null)).get();
        }
        List<RequestEvent> events = new ArrayList<>();
        events.add(event("acct-x", "300.1.1.1", now));
        RequestEvent negative = event("acct-x", "198.51.100.3", now);
        negative.setCompletionTokens(-10);
        events.add(negative);
        for (int i = 0; i < 20; i++) {
            events.add(event("acct-after-bad", "198.51.100.4", now + i));
        }
        produce(events);

        List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(detection.deadLetterTopic()));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(dead::add);
                assertThat(dead).hasSize(5);
            });
        }
        assertThat(dead).extracting(r -> header(r, DeadLetterHeaders.REASON)).anySatisfy(
                        reason -> assertThat(reason).contains("magic byte 0x7b"))
                .anySatisfy(reason -> assertThat(reason).contains("Schema 12345 not found"))
                .anySatisfy(reason -> assertThat(reason).contains("null value"))
                .anySatisfy(reason -> assertThat(reason).contains("ip \"300.1.1.1\""))
                .anySatisfy(reason -> assertThat(reason).contains("completion_tokens -10"));
        assertThat(dead).allSatisfy(r -> {
            assertThat(header(r, DeadLetterHeaders.TOPIC)).isEqualTo(detection.requestsTopic());
            assertThat(header(r, DeadLetterHeaders.PARTITION)).isNotNull();
            assertThat(header(r, DeadLetterHeaders.OFFSET)).isNotNull();
        });
        assertThat(dead).filteredOn(r -> "DESERIALIZATION".equals(header(r, DeadLetterHeaders.STAGE)))
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .as("undecodable records keep their original bytes").contains("{\"json\":true}");

        try (KafkaConsumer<String, DistillationAlert> consumer = alertConsumer()) {
            List<DistillationAlert> alerts = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> alerts.add(r.value()));
                assertThat(alerts).extracting(DistillationAlert::getSubjectId).contains("acct-after-bad");
            });
        }
    }

    @Test
    void shouldRecogniseCopiesOfEventsSeenBeforeARestartThatLostTheStateDirectory() throws Exception {
        long now = System.currentTimeMillis() - 60_000;
        List<RequestEvent> first = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            first.add(withId(event("acct-retry-" + (i % 7), "203.0.113." + (i % 5 + 1), now + i * 100L), "evt-copy-" + i));
        }
        produce(first, true);
        await().atMost(Duration.ofSeconds(60)).until(() -> service.counter("events-in-total") >= 100);

        // The duplicate filter's ids live in memory and in its changelog only: a new instance must read them back.
        service.close();
        service = null;
        io.distillguard.service.TempDirectories.delete(stateDir.resolve(config.get(StreamsConfig.APPLICATION_ID_CONFIG)));
        service = DistillguardService.start(config);
        assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();

        List<RequestEvent> copiesAndNew = new ArrayList<>();
        first.forEach(event -> copiesAndNew.add(RequestEvent.newBuilder(event).build()));
        for (int i = 0; i < 10; i++) {
            copiesAndNew.add(withId(event("acct-retry-" + i, "203.0.113.9", now + 20_000 + i), "evt-fresh-" + i));
        }
        produce(copiesAndNew, true);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(service.counter("events-in-total")).isEqualTo(110);
            assertThat(service.counter("duplicates-total")).as("every copy of an event seen before the restart")
                    .isEqualTo(100);
        });
    }

    private static RequestEvent withId(RequestEvent event, String id) {
        event.setEventId(id);
        return event;
    }

    private void produce(List<RequestEvent> events) {
        produce(events, false);
    }

    /** @param byAccount keyed by account, as gateways do, so that copies of a request reach its partition */
    private void produce(List<RequestEvent> events, boolean byAccount) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(config.serdeConfig(), false);
        try (KafkaProducer<byte[], RequestEvent> producer = new KafkaProducer<>(props, new ByteArraySerializer(), serializer)) {
            for (RequestEvent event : events) {
                byte[] key = byAccount ? event.getAccountId().getBytes(StandardCharsets.UTF_8) : null;
                producer.send(new ProducerRecord<>(detection.requestsTopic(), key, event));
            }
            producer.flush();
        }
    }

    private KafkaConsumer<String, DistillationAlert> alertConsumer() {
        SpecificAvroDeserializer<DistillationAlert> deserializer = new SpecificAvroDeserializer<>(DistillationAlert.class);
        deserializer.configure(config.serdeConfig(), false);
        KafkaConsumer<String, DistillationAlert> consumer = new KafkaConsumer<>(consumerProps(), new StringDeserializer(),
                deserializer);
        consumer.subscribe(List.of(detection.alertsTopic()));
        return consumer;
    }

    private Properties consumerProps() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    static RequestEvent event(String account, String ip, long eventTime) {
        return RequestEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setAccountId(account)
                .setIp(ip)
                .setModel("frontier-2")
                .setEndpoint("/v1/messages")
                .setPromptTokens(200)
                .setCompletionTokens(900)
                .setStatus(200)
                .build();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
