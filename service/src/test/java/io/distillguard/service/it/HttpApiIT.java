package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.detect.SubjectRiskProcessor;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import io.distillguard.service.deploy.DockerComposeTest;
import org.apache.kafka.streams.processor.TaskId;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of two instances sharing one application id on a real broker: health, readiness, metrics, the
 * token, bad input, windows of a key read through the instance that does not own it, the latency histogram and
 * every metric the Grafana dashboard uses, and standby replicas.
 */
@ExtendWith(KafkaClusterExtension.class)
class HttpApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token";
    private static final String LATENCY_COUNT = "distillguard_event_to_alert_latency_seconds_count{detector=\"ACCOUNT_RISK\"";

    @TempDir
    Path dir;

    private EmbeddedSchemaRegistry registry;
    private final HttpClient http = HttpClient.newHttpClient();
    private DistillguardService first;
    private DistillguardService second;
    private Map<String, String> base;
    private String topic;

    @BeforeEach
    void start(KafkaCluster cluster) throws Exception {
        registry = EmbeddedSchemaRegistry.start();
        String run = UUID.randomUUID().toString().substring(0, 8);
        topic = "requests-" + run;
        base = new HashMap<>();
        base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        base.put(SchemaRegistryClients.URL, registry.url());
        base.put(StreamsConfig.APPLICATION_ID_CONFIG, "http-" + run);
        base.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        base.put(DetectionConfig.REQUESTS_TOPIC, topic);
        base.put(DetectionConfig.ALERTS_TOPIC, "alerts-" + run);
        base.put(DetectionConfig.DEAD_LETTER_TOPIC, "dead-letter-" + run);
        base.put(DetectionConfig.RULES_TOPIC, "rules-" + run);
        base.put(DetectionConfig.RULES_FILE, io.distillguard.service.RulesFiles.write(dir, "rules.yaml",
                "requests-1h: 1000", "requests-1h: 5").toString());
        base.put(ServiceConfig.HTTP_TOKEN, TOKEN);
        base.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
        first = instance("a");
        second = instance("b");
        await().atMost(Duration.ofSeconds(90)).until(() -> first.streams().state() == KafkaStreams.State.RUNNING
                && second.streams().state() == KafkaStreams.State.RUNNING
                && !first.streams().metadataForAllStreamsClients().isEmpty()
                && first.streams().metadataForAllStreamsClients().size() == 2);
    }

    private DistillguardService instance(String name) throws Exception {
        Map<String, String> config = new HashMap<>(base);
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
        config.put(ServiceConfig.HTTP_PORT, Integer.toString(freePort()));
        return DistillguardService.start(ServiceConfig.load(null, Map.of(), config));
    }

    @AfterEach
    void stop() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        registry.close();
    }

    @Test
    void shouldAnswerForEveryKeyFromEitherInstanceWithWindowsAndAlertState() throws Exception {
        long now = System.currentTimeMillis() - 60_000;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, base.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(Map.of(SchemaRegistryClients.URL, registry.url()), false);
        List<String> accounts = List.of("acct-a", "acct-b", "acct-c", "acct-d", "acct-e", "acct-f");
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            for (String account : accounts) {
                for (int i = 0; i < 6; i++) {
                    producer.send(new ProducerRecord<>(topic, account, event(account, now + i)));
                }
            }
        }

        // Every account asked of both instances; at least one of them is owned by the other instance.
        boolean sawForwarded = false;
        for (String account : accounts) {
            KeyQueryMetadata owner = first.streams().queryMetadataForKey(SubjectRiskProcessor.DAY_STORE,
                    "ACCOUNT:" + account, Serdes.String().serializer());
            for (DistillguardService asked : List.of(first, second)) {
                JsonNode answer = await().atMost(Duration.ofSeconds(60)).until(
                        () -> getJson(asked, "/accounts/" + account),
                        a -> a.path("days").size() == 1 && a.path("days").get(0).path("requests").asInt() == 6);
                JsonNode window = answer.path("days").get(0);
                assertThat(window.path("alert_severity").asText()).as("ratio 1.2 scores 0.58").isEqualTo("LOW");
                assertThat(answer.path("hours").get(0).path("requests").asInt()).as(answer::toString).isEqualTo(6);
                assertThat(answer.path("hours").get(0).path("distinct_ips").asInt()).isEqualTo(1);
                assertThat(window.has("distinct_ips")).as("addresses are counted per hour only").isFalse();
                assertThat(window.path("distinct_countries").isInt()).as("countries per day").isTrue();
                assertThat(answer.path("served_by").asText()).isEqualTo(owner.activeHost().host() + ":"
                        + owner.activeHost().port());
                sawForwarded |= asked.httpPort() != owner.activeHost().port();
            }
        }
        assertThat(sawForwarded).as("some key was answered through the instance that does not own it").isTrue();

        JsonNode ip = getJson(first, "/ips/198.51.100.77");
        assertThat(ip.path("windows").get(0).path("distinct_accounts").asInt()).isEqualTo(6);

        // Each account crossed the volume threshold once (LOW); every instance lists every alert.
        for (DistillguardService asked : List.of(first, second)) {
            JsonNode recent = await().atMost(Duration.ofSeconds(30)).until(
                    () -> getJson(asked, "/alerts?since=2020-01-01T00:00:00Z&severity=low"),
                    a -> a.path("alerts").size() == accounts.size());
            assertThat(recent.path("alerts").get(0).path("detector").asText()).isEqualTo("ACCOUNT_RISK");
        }
        assertThat(getJson(first, "/alerts?severity=HIGH").path("alerts").size()).isZero();
        assertThat(get(first, "/alerts?since=yesterday", TOKEN).statusCode()).isEqualTo(400);

        // Each alert's latency is in the histogram of the instance that wrote it, exactly once across the two.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                metricSum(first, LATENCY_COUNT) + metricSum(second, LATENCY_COUNT)).isEqualTo(accounts.size()));
        String scrapes = get(first, "/metrics", TOKEN).body() + get(second, "/metrics", TOKEN).body();
        for (String name : DockerComposeTest.dashboardMetricNames()) {
            assertThat(scrapes).as("the Grafana dashboard's %s is served", name).contains("\n" + name);
        }
    }

    @Test
    void shouldKeepAStandbyOfEveryTaskOnTheOtherInstance() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (DistillguardService instance : List.of(first, second)) {
                Set<TaskId> active = new HashSet<>();
                Set<TaskId> standby = new HashSet<>();
                instance.streams().metadataForLocalThreads().forEach(thread -> {
                    thread.activeTasks().forEach(t -> active.add(t.taskId()));
                    thread.standbyTasks().forEach(t -> standby.add(t.taskId()));
                });
                assertThat(standby).as("num.standby.replicas=1 with two instances").isNotEmpty();
                assertThat(standby).doesNotContainAnyElementsOf(active);
            }
        });
    }

    @Test
    void shouldReportHealthReadinessMetricsAndRefuseBadRequestsClearly() throws Exception {
        assertThat(get(first, "/health", null).statusCode()).isEqualTo(200);
        assertThat(get(first, "/ready", null).statusCode()).isEqualTo(200);
        assertThat(get(first, "/metrics", null).statusCode()).as("no token").isEqualTo(401);
        HttpResponse<String> metrics = get(first, "/metrics", TOKEN);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("kafka_stream", "events_in_total", "distillguard_undecodable_dead_lettered_total");
        HttpResponse<String> badIp = get(first, "/ips/not-an-ip", TOKEN);
        assertThat(badIp.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badIp.body()).path("error").asText()).contains("not a single IPv4 or IPv6 address");
        HttpResponse<String> unknown = get(first, "/nope", TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("{").doesNotContain("Exception");
    }

    private double metricSum(DistillguardService instance, String prefix) throws Exception {
        return get(instance, "/metrics", TOKEN).body().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private JsonNode getJson(DistillguardService instance, String path) throws Exception {
        HttpResponse<String> response = get(instance, path, TOKEN);
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
    }

    private HttpResponse<String> get(DistillguardService instance, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + instance.httpPort() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RequestEvent event(String account, long time) {
        return RequestEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.ofEpochMilli(time))
                .setAccountId(account).setIp("198.51.100.77").setModel("m").setEndpoint("/v1/messages")
                .setPromptTokens(10).setCompletionTokens(10).setStatus(200).build();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
