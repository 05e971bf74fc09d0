package io.distillguard.service.it;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroDeserializer;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.GroupProgress;
import io.distillguard.service.bench.AlertPairs;
import io.distillguard.service.backtest.OfflineBacktest;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.demo.TrafficGenerator;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What the fault tests share: one deterministic stream of the demo's traffic (benign users, a NAT, two scrapers, a
 * hydra, malformed events), the alerts an uninterrupted run gives over it (the offline backtest, which the replay
 * tests hold equal to a run on a broker), the topics and configuration of a run, and the read-back of what a faulty
 * run wrote, as (alert_id, severity) pairs.
 */
final class ReliabilityRig {

    final String bootstrap;
    final String registryUrl;
    final String run = UUID.randomUUID().toString().substring(0, 8);
    final Map<String, String> config = new HashMap<>();
    final List<RequestEvent> events = new ArrayList<>();

    ReliabilityRig(String bootstrap, String registryUrl, String name) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(SchemaRegistryClients.URL, registryUrl);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, name + "-" + run);
        config.put(DetectionConfig.REQUESTS_TOPIC, name + "-requests-" + run);
        config.put(DetectionConfig.ALERTS_TOPIC, name + "-alerts-" + run);
        config.put(DetectionConfig.DEAD_LETTER_TOPIC, name + "-dead-letter-" + run);
        config.put(DetectionConfig.RULES_TOPIC, name + "-rules-" + run);
        config.put(DetectionConfig.INDICATORS_TOPIC, name + "-indicators-" + run);
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        config.put(ServiceConfig.HTTP_ENABLED, "false");
    }

    String applicationId() {
        return config.get(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    String requestsTopic() {
        return config.get(DetectionConfig.REQUESTS_TOPIC);
    }

    /** {@code count} events of the demo's mix, spread over the last {@code span} of event time. */
    List<RequestEvent> generate(long seed, int count, Duration span) {
        TrafficGenerator generator = new TrafficGenerator(seed);
        long start = System.currentTimeMillis() - span.toMillis() - 60_000;
        long step = span.toMillis() / count;
        List<RequestEvent> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RequestEvent event = generator.next(start + i * step).event();
            // Stable ids: the same input must give the same alert ids in every run.
            event.setEventId("evt-" + seed + "-" + i);
            batch.add(event);
        }
        events.addAll(batch);
        return batch;
    }

    ServiceConfig serviceConfig(Path stateDir) {
        Map<String, String> values = new HashMap<>(config);
        values.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return ServiceConfig.load(null, Map.of(), values);
    }

    /**
     * The alerts written, read with read_committed, equal as (alert_id, severity) pairs those of an uninterrupted
     * run over every event generated so far, and none is written twice. A difference is shown as what is missing and
     * what is extra, not as two lists of hundreds.
     */
    void assertSameAlertsAsAnUninterruptedRun(String what) {
        List<String> written = writtenAlerts();
        TreeSet<String> expected = reference();
        org.assertj.core.api.Assertions.assertThat(expected).as("the stream raises alerts at all").hasSizeGreaterThan(20);
        org.assertj.core.api.Assertions.assertThat(written).as("none twice").doesNotHaveDuplicates();
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(written);
        TreeSet<String> extra = new TreeSet<>(written);
        extra.removeAll(expected);
        org.assertj.core.api.Assertions.assertThat(missing)
                .as("%s: alerts of an uninterrupted run not written (of %d)", what, expected.size()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(extra)
                .as("%s: alerts written that an uninterrupted run does not give", what).isEmpty();
    }

    /** The alerts of an uninterrupted single-instance run over every event generated so far. */
    TreeSet<String> reference() {
        return AlertPairs.offline(ServiceConfig.load(null, Map.of(), config).detection(), events.iterator());
    }

    void createRequestsTopic(int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(requestsTopic(), partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Produces {@code batch} keyed by account, as gateways do, so one account's requests keep their order. */
    void produce(List<RequestEvent> batch) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(Map.of(SchemaRegistryClients.URL, registryUrl), false);
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            batch.forEach(e -> producer.send(new ProducerRecord<>(requestsTopic(), e.getAccountId(), e)));
            producer.flush();
        }
    }

    /** Share of the input the group has committed, 0 to 1. */
    double progress() throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, Long> ends = GroupProgress.endOffsets(admin, List.of(requestsTopic()));
            var committed = admin.listConsumerGroupOffsets(applicationId()).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            long total = ends.values().stream().mapToLong(Long::longValue).sum();
            long done = ends.keySet().stream().mapToLong(tp -> committed.containsKey(tp) ? committed.get(tp).offset() : 0).sum();
            return total == 0 ? 0 : (double) done / total;
        }
    }

    boolean processedEverything() throws Exception {
        try (Admin admin = admin()) {
            return GroupProgress.committedToEnd(admin, applicationId(),
                    GroupProgress.endOffsets(admin, List.of(requestsTopic())));
        }
    }

    /** Every alert record on the alerts topic, read_committed, as "alert_id SEVERITY" in arrival order. */
    List<String> writtenAlerts() {
        return AlertPairs.readCommitted(bootstrap, Map.of(SchemaRegistryClients.URL, registryUrl),
                config.get(DetectionConfig.ALERTS_TOPIC));
    }

    /** A properties file of this run's configuration with {@code stateDir}, for a service in its own JVM. */
    Path configFile(Path dir, String name, Path stateDir) throws Exception {
        Properties props = new Properties();
        props.putAll(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        Path file = dir.resolve(name + ".properties");
        try (var out = Files.newOutputStream(file)) {
            props.store(out, null);
        }
        return file;
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** `distillguard run` in a JVM of its own, so that it can be killed like a pod. */
    static final class ServiceProcess {
        final Process process;
        final Path log;

        ServiceProcess(Path configFile, Path log) throws Exception {
            this.log = log;
            ProcessBuilder builder = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), io.distillguard.service.cli.DistillguardCli.class.getName(),
                    "run", "--config", configFile.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // The child reads DISTILLGUARD_* variables as configuration and refuses unknown ones (the tests' own).
            builder.environment().keySet().removeIf(k -> k.startsWith("DISTILLGUARD_"));
            this.process = builder.start();
        }

        /** SIGKILL: no shutdown hook, no commit, no leaving the group; what a crash or an OOM kill does. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** SIGTERM: the graceful path. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        String output() throws Exception {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        }
    }
}
