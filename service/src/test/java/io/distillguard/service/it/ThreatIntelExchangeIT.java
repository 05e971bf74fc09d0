package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.serdes.avro.SpecificAvroDeserializer;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.cli.DistillguardCli;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.demo.TrafficGenerator;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.intel.IntelHmac;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two labs on one real broker, two application ids: lab A catches a hydra and exports what it saw as STIX with
 * `intel export`; lab B, sharing only the partner group's HMAC key, imports the bundle with `intel import` while
 * running, and its own (different) accounts on the hydra's proxies or paying with its cards raise THREAT_INTEL at
 * once, without any customer data of lab A having crossed.
 */
@ExtendWith(KafkaClusterExtension.class)
class ThreatIntelExchangeIT {

    private static final String KEY = "forum-shared-hmac-key-2026-11";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EmbeddedSchemaRegistry registry;
    private final List<DistillguardService> services = new ArrayList<>();

    @AfterEach
    void stop() {
        services.forEach(DistillguardService::close);
        if (registry != null) {
            registry.close();
        }
    }

    private Map<String, String> lab(KafkaCluster cluster, String name) {
        Map<String, String> config = new HashMap<>();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(SchemaRegistryClients.URL, registry.url());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, name);
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
        config.put(DetectionConfig.REQUESTS_TOPIC, name + "-requests");
        config.put(DetectionConfig.ALERTS_TOPIC, name + "-alerts");
        config.put(DetectionConfig.DEAD_LETTER_TOPIC, name + "-dead-letter");
        config.put(DetectionConfig.RULES_TOPIC, name + "-rules");
        config.put(DetectionConfig.INDICATORS_TOPIC, name + "-threat-indicators");
        config.put(DetectionConfig.INTEL_HMAC_KEY, KEY);
        config.put(ServiceConfig.HTTP_PORT, "0");
        return config;
    }

    @Test
    void shouldMatchLabBsTrafficOnIndicatorsLabAExportedWithoutSharingCustomerData(KafkaCluster cluster) throws Exception {
        registry = EmbeddedSchemaRegistry.start();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> labA = lab(cluster, "lab-a-" + run);
        Map<String, String> labB = lab(cluster, "lab-b-" + run);
        DistillguardService a = start(labA);
        DistillguardService b = start(labB);

        // Lab A: an hour of the demo's mix, whose hydra (60 accounts, 4 proxies in 198.51.100.0/24, 4 shared cards)
        // it catches as account clusters.
        long now = System.currentTimeMillis();
        long start = now - Duration.ofMinutes(70).toMillis();
        TrafficGenerator generator = new TrafficGenerator(7);
        List<RequestEvent> traffic = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            traffic.add(generator.next(start + i * 300L).event());
        }
        produce(labA, traffic);
        try (KafkaConsumer<String, DistillationAlert> alerts = alertConsumer(labA)) {
            List<DistillationAlert> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                alerts.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
                assertThat(seen).filteredOn(x -> x.getSubjectType() == SubjectType.ACCOUNT_CLUSTER
                                && x.getSeverity().ordinal() >= Severity.HIGH.ordinal())
                        .extracting(DistillationAlert::getSubjectId)
                        .contains("IP_PREFIX:198.51.100.0/24")
                        .anyMatch(id -> id.startsWith("PAYMENT_FINGERPRINT:pm-shared-"));
            });
        }

        // Lab A done with its input: both exports below then see the same alerts.
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                    io.distillguard.service.GroupProgress.committedToEnd(admin, labA.get(StreamsConfig.APPLICATION_ID_CONFIG),
                            io.distillguard.service.GroupProgress.endOffsets(admin,
                                    List.of(labA.get(DetectionConfig.REQUESTS_TOPIC)))));
        }
        Path bundle = dir.resolve("lab-a.stix.json");
        assertThat(cli(labA, "intel", "export", "--since", Instant.ofEpochMilli(start - 3_600_000L).toString(),
                "--out", bundle.toString(), "--min-accounts", "3")).isZero();
        String exported = Files.readString(bundle);
        // Whichever of the hydra's cards lab A had flagged by now, under the group's key.
        String card = java.util.stream.IntStream.range(0, 4).mapToObj(i -> "pm-shared-" + i)
                .filter(c -> exported.contains(new IntelHmac(KEY).hex(c))).findFirst().orElseThrow();
        assertThat(exported).contains("198.51.100.0/24")
                .doesNotContain("acct-hydra", "pm-shared-", "acct-user-", "acct-scraper");
        JsonNode objects = JSON.readTree(exported).path("objects");
        assertThat(objects.size()).isGreaterThan(2);

        // The same export to a topic, one STIX object per record keyed by its id (what --follow keeps up to date).
        String stixTopic = "lab-a-" + run + "-stix";
        assertThat(cli(labA, "intel", "export", "--since", Instant.ofEpochMilli(start - 3_600_000L).toString(),
                "--out-topic", stixTopic, "--min-accounts", "3")).isZero();
        List<String> published = new ArrayList<>();
        try (KafkaConsumer<String, String> stix = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "stix-" + run, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            stix.subscribe(List.of(stixTopic));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                stix.poll(Duration.ofMillis(500)).forEach(r -> published.add(r.key()));
                assertThat(published).hasSize(objects.size());
            });
        }
        List<String> ids = new ArrayList<>();
        objects.forEach(o -> ids.add(o.path("id").asText()));
        assertThat(published).containsExactlyInAnyOrderElementsOf(ids);

        // Lab B imports it while running; once its global thread has read the indicators, its traffic meets them.
        assertThat(cli(labB, "intel", "import", "--file", bundle.toString())).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> b.counter("indicators-accepted-total") >= objects.size() - 1);
        long t = System.currentTimeMillis() - 1_000;
        produce(labB, List.of(
                quiet("acct-b-proxy-user", "198.51.100.12", null, t),
                quiet("acct-b-card-user", "203.0.113.51", card, t + 1),
                quiet("acct-b-clean", "203.0.113.50", "pm-somebody-else", t + 2)));
        List<DistillationAlert> intel = new ArrayList<>();
        try (KafkaConsumer<String, DistillationAlert> alerts = alertConsumer(labB)) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                alerts.poll(Duration.ofMillis(500)).forEach(r -> intel.add(r.value()));
                assertThat(intel).filteredOn(x -> x.getDetector().equals("THREAT_INTEL"))
                        .extracting(DistillationAlert::getSubjectId)
                        .contains("acct-b-proxy-user", "acct-b-card-user");
            });
            // The clean account's request came last on the same partition path: give it the same time to show up.
            alerts.poll(Duration.ofSeconds(2)).forEach(r -> intel.add(r.value()));
        }
        assertThat(intel).filteredOn(x -> x.getDetector().equals("THREAT_INTEL"))
                .extracting(DistillationAlert::getSubjectId).doesNotContain("acct-b-clean");
        DistillationAlert cardAlert = intel.stream().filter(x -> x.getSubjectId().equals("acct-b-card-user")).findFirst().orElseThrow();
        assertThat(cardAlert.getEvidence().get(0).getSignal())
                .isEqualTo("indicator:PAYMENT_FINGERPRINT_HASH:" + new IntelHmac(KEY).hex(card));
        assertThat(cardAlert.getEvidence()).anyMatch(e -> e.getSignal().equals("source:distillguard"));
        DistillationAlert proxy = intel.stream().filter(x -> x.getSubjectId().equals("acct-b-proxy-user")).findFirst().orElseThrow();
        assertThat(proxy.getEvidence().get(0).getSignal()).startsWith("indicator:IP");
        assertThat(a.streams().state().isRunningOrRebalancing()).isTrue();
    }

    private DistillguardService start(Map<String, String> config) throws Exception {
        DistillguardService service = DistillguardService.start(ServiceConfig.load(null, Map.of(), config));
        services.add(service);
        assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
        return service;
    }

    /** An ordinary-looking request: the account alone would never be flagged. */
    private static RequestEvent quiet(String account, String ip, String card, long time) {
        return RequestEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.ofEpochMilli(time))
                .setAccountId(account).setIp(ip).setPaymentFingerprint(card).setModel("frontier-2")
                .setEndpoint("/v1/messages").setPromptTokens(120).setCompletionTokens(300).setTurnIndex(1)
                .setStatus(200).build();
    }

    private int cli(Map<String, String> config, String... args) throws Exception {
        Path file = dir.resolve(config.get(StreamsConfig.APPLICATION_ID_CONFIG) + ".properties");
        Properties props = new Properties();
        props.putAll(config);
        try (var out = Files.newOutputStream(file)) {
            props.store(out, null);
        }
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--config");
        all.add(file.toString());
        return new CommandLine(new DistillguardCli()).execute(all.toArray(String[]::new));
    }


    private static void produce(Map<String, String> config, List<RequestEvent> events) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(Map.of(SchemaRegistryClients.URL, config.get(SchemaRegistryClients.URL)), false);
        try (KafkaProducer<byte[], RequestEvent> producer = new KafkaProducer<>(props, new ByteArraySerializer(), serializer)) {
            for (RequestEvent event : events) {
                producer.send(new ProducerRecord<>(config.get(DetectionConfig.REQUESTS_TOPIC), null, event));
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<String, DistillationAlert> alertConsumer(Map<String, String> config) {
        SpecificAvroDeserializer<DistillationAlert> deserializer = new SpecificAvroDeserializer<>(DistillationAlert.class);
        deserializer.configure(Map.of(SchemaRegistryClients.URL, config.get(SchemaRegistryClients.URL)), false);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, DistillationAlert> consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer);
        consumer.subscribe(List.of(config.get(DetectionConfig.ALERTS_TOPIC)));
        return consumer;
    }
}
