package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.embedded.EmbeddedKafkaBroker;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.service.replay.TopicReplay;
import io.distillguard.topology.DetectionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay of history older than its changelogs' retention, on a broker that enforces retention every second instead
 * of every five minutes. The planning instance stops eight seconds in; the instance that joined restores the
 * planner's tasks from their changelogs and finishes, and its alerts equal a backtest's. The changelogs hold every
 * record written, though each carries a month-old event time: they are kept by when they were written.
 *
 * <p>A broker of its own: the shared one keeps Kafka's default retention check, and this test needs the broker to
 * delete what it would delete in production within the seconds the replay runs.
 */
class OldHistoryReplayIT {

    @TempDir
    Path dir;

    private EmbeddedKafkaBroker broker;
    private EmbeddedSchemaRegistry registry;
    private Map<String, String> base;

    @BeforeEach
    void start() {
        broker = EmbeddedKafkaBroker.start(Map.of("log.retention.check.interval.ms", "1000"));
        registry = EmbeddedSchemaRegistry.start();
        String run = UUID.randomUUID().toString().substring(0, 8);
        base = new HashMap<>();
        base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        base.put(SchemaRegistryClients.URL, registry.url());
        base.put(DetectionConfig.ALERTS_TOPIC, "live-alerts-" + run);
        base.put(DetectionConfig.DEAD_LETTER_TOPIC, "live-dead-letter-" + run);
        base.put(DetectionConfig.RULES_TOPIC, "rules-" + run);
    }

    @AfterEach
    void stop() {
        registry.close();
        broker.close();
    }

    @Test
    void aReplayOfMonthOldHistoryRestoredMidRunKeepsItsState() throws Exception {
        Path config = ReplayRuns.settingsFile(dir, base);
        Instant from = Instant.now().minus(Duration.ofDays(31)).truncatedTo(ChronoUnit.DAYS);
        List<String> simulation = List.of("--benign-accounts", "300", "--days", "1", "--start",
                from.toString().substring(0, 10), "--attack-scale", "0.1", "--seed", "5");
        Path events = dir.resolve("month-old.jsonl");
        assertThat(ReplayRuns.cli("simulate", simulation, "--out", events.toString())).isZero();
        String history = "month-old-history";
        assertThat(ReplayRuns.cli("simulate", simulation, "--topic", history, "--config", config.toString()))
                .isZero();

        Instant to = from.plus(Duration.ofDays(2));
        String id = "old-history-takeover";
        List<DistillationAlert> plannerAlerts = Collections.synchronizedList(new ArrayList<>());
        List<DistillationAlert> joinerAlerts = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // The planner gives up eight seconds in, as a crash would stop it, with part of the day in its changelogs.
            Future<TopicReplay.Result> planner = pool.submit(() -> ReplayRuns.replay(base,
                    new TopicReplay.Request(history, from, to, null, false, Duration.ofSeconds(8), id), plannerAlerts));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    (Object) broker.bootstrapServers()))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.listTopics().names()
                        .get(30, TimeUnit.SECONDS).contains(id + "-progress"));
            }
            Future<TopicReplay.Result> joiner = pool.submit(() -> ReplayRuns.replay(base,
                    new TopicReplay.Request(history, from, to, null, false, Duration.ofMinutes(5), id,
                            Duration.ofSeconds(5)), joinerAlerts));
            assertThatThrownBy(() -> planner.get(2, TimeUnit.MINUTES)).as("the planner gave up")
                    .hasCauseInstanceOf(TopicReplay.ReplayException.class);
            // A retention check every second since the planner wrote its first windows, every one a month old.
            assertThat(changelogStartOffsets(id)).as("log start offsets of the replay's changelogs")
                    .isNotEmpty().allSatisfy((partition, start) -> assertThat(start).as("%s", partition).isZero());
            TopicReplay.Result result = joiner.get(6, TimeUnit.MINUTES);
            assertThat(result.tookOver()).as("the joiner finished the replay").isTrue();
            assertThat(plannerAlerts).isEmpty();
        } finally {
            pool.shutdownNow();
        }

        List<DistillationAlert> offline = ReplayRuns.backtest(base, events);
        assertThat(offline).isNotEmpty();
        assertThat(ReplayRuns.pairs(joinerAlerts))
                .as("the replay and the backtest agree on (alert_id, severity); differing: %s",
                        ReplayRuns.explain(joinerAlerts, offline))
                .isEqualTo(ReplayRuns.pairs(offline));
    }

    /** Each changelog partition of application {@code id} and the first offset the broker still holds. */
    private Map<TopicPartition, Long> changelogStartOffsets(String id) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                (Object) broker.bootstrapServers()))) {
            List<String> changelogs = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(topic -> topic.startsWith(id + "-") && topic.endsWith("-changelog")).toList();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            admin.describeTopics(changelogs).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, description) ->
                    description.partitions().forEach(p -> earliest.put(new TopicPartition(topic, p.partition()),
                            OffsetSpec.earliest())));
            Map<TopicPartition, Long> starts = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
            admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS)
                    .forEach((partition, info) -> starts.put(partition, info.offset()));
            return starts;
        }
    }
}
