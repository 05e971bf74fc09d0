package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distillguard run} as an orchestrator stops it: a separate JVM gets SIGTERM while it is processing. It must
 * flush its state (every RocksDB segment on disk as SST files), commit what it processed, leave the consumer group at once even
 * with static membership (no wait for the session timeout), and say so in its log. Started again on the same
 * disk, it must use that state rather than wipe it.
 */
@ExtendWith(KafkaClusterExtension.class)
class GracefulShutdownIT {

    private static final int EVENTS = 200;

    @TempDir
    Path dir;

    @Test
    void shouldFlushStateCommitAndLeaveTheGroupOnSigterm(KafkaCluster cluster) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String applicationId = "shutdown-" + run;
        String topic = "requests-" + run;
        int httpPort = freePort();
        Path stateDir = dir.resolve("state");
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            Properties config = new Properties();
            config.put("bootstrap.servers", cluster.bootstrapServers());
            config.put("schema.registry.url", registry.url());
            config.put("application.id", applicationId);
            config.put("group.instance.id", applicationId + "-instance-1");
            config.put("state.dir", stateDir.toString());
            config.put("num.stream.threads", "1");
            config.put("topic.requests", topic);
            config.put("topic.alerts", "alerts-" + run);
            config.put("topic.dead-letter", "dead-letter-" + run);
            config.put("topic.rules", "rules-" + run);
            config.put("http.port", Integer.toString(httpPort));
            Path configFile = dir.resolve("distillguard.properties");
            try (var out = Files.newOutputStream(configFile)) {
                config.store(out, null);
            }
            Path log = dir.resolve("service.log");
            Process service = new ReliabilityRig.ServiceProcess(configFile, log).process;
            try {
                HttpClient http = awaitReady(service, log, httpPort);
                produce(cluster, registry, topic);
                await().atMost(Duration.ofSeconds(60)).until(() -> processed(http, httpPort) >= EVENTS);

                service.destroy(); // SIGTERM
                assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s; log:%n%s", read(log)).isTrue();
            } finally {
                service.destroyForcibly();
            }
            String output = read(log);
            // 143 = ended by SIGTERM once the shutdown hooks had run (a JVM killed without them would not log below).
            assertThat(service.exitValue()).as(output).isEqualTo(143);
            assertThat(output).contains("Stopping Distillguard", "PENDING_SHUTDOWN -> NOT_RUNNING",
                    "Distillguard stopped: state flushed, offsets committed, consumer group left");
            List<String> files;
            try (Stream<Path> walk = Files.walk(stateDir)) {
                files = walk.map(p -> stateDir.relativize(p).toString()).toList();
            }
            // Kafka Streams disables RocksDB's write-ahead log: what is only in a memtable is gone when the process
            // ends, so every store segment must have been flushed to SST files by the close.
            List<String> segments = files.stream().filter(f -> f.endsWith("/CURRENT"))
                    .map(f -> f.substring(0, f.lastIndexOf('/'))).toList();
            assertThat(segments).as("RocksDB segments written; files: %s", files).isNotEmpty();
            for (String segment : segments) {
                assertThat(files).as("state of %s flushed to SST files", segment)
                        .anyMatch(f -> f.startsWith(segment + "/") && f.endsWith(".sst"));
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
                        .all().get(30, TimeUnit.SECONDS).get(applicationId);
                assertThat(group.members()).as("static member left at once, no session timeout to wait").isEmpty();
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                long committed = offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                        .mapToLong(e -> e.getValue().offset()).sum();
                assertThat(committed).as("every request processed before the stop is committed").isEqualTo(EVENTS);
            }

            // Started again on the same disk, it must take its state as it left it. Under exactly-once Kafka Streams
            // wipes and restores a task when one of its stores has no committed offset; a store nothing was written
            // to (no alert emitted from that partition) is one unless it says otherwise.
            List<String> sstBefore = files.stream().filter(f -> f.endsWith(".sst")).toList();
            Path restartLog = dir.resolve("restart.log");
            Process restarted = new ReliabilityRig.ServiceProcess(configFile, restartLog).process;
            try {
                awaitReady(restarted, restartLog, httpPort);
                restarted.destroy();
                assertThat(restarted.waitFor(60, TimeUnit.SECONDS)).as("stopped again").isTrue();
            } finally {
                restarted.destroyForcibly();
            }
            String again = read(restartLog);
            assertThat(again).as("no task taken for corrupted on a clean restart")
                    .doesNotContain("TaskCorruptedException").doesNotContain("did not find checkpoint offsets");
            for (String sst : sstBefore) {
                assertThat(stateDir.resolve(sst)).as("state kept, not wiped and restored: %s", sst).exists();
            }
        }
    }

    /** Waits until the service answers /ready, failing with its log if it ends first. */
    private static HttpClient awaitReady(Process service, Path log, int port) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(service.isAlive()).as("service running; log:%n%s", read(log)).isTrue();
            return ready(http, port);
        });
        return http;
    }

    private static boolean ready(HttpClient http, int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Events the service counted in, read from its own /metrics. */
    private static double processed(HttpClient http, int port) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("kafka_stream_distillguard_events_in_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void produce(KafkaCluster cluster, EmbeddedSchemaRegistry registry, String topic) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(Map.of(SchemaRegistryClients.URL, registry.url()), false);
        long now = System.currentTimeMillis() - 60_000;
        List<RequestEvent> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(RequestEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setEventTime(Instant.ofEpochMilli(now + i)).setAccountId("acct-" + (i % 20))
                    .setIp("198.51.100." + (i % 7)).setModel("m").setEndpoint("/v1/messages")
                    .setPromptTokens(10).setCompletionTokens(10).setStatus(200).build());
        }
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            events.forEach(e -> producer.send(new ProducerRecord<>(topic, e.getAccountId(), e)));
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
