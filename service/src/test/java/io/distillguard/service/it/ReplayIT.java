package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.demo.TrafficGenerator;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.service.replay.TopicReplay;
import io.distillguard.topology.DetectionConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day of history on a real broker, processed by a live application; then half of it replayed. The replay's
 * alerts equal an offline backtest of the same half as (alert_id, severity) pairs, and the live application's
 * offsets and state do not move.
 */
@ExtendWith(KafkaClusterExtension.class)
class ReplayIT {

    private static final Instant DAY_START = Instant.now().minus(Duration.ofHours(26)).truncatedTo(ChronoUnit.HOURS);

    @TempDir
    Path dir;

    private EmbeddedSchemaRegistry registry;
    private String bootstrap;
    private String topic;
    private Map<String, String> base;

    @BeforeEach
    void start(KafkaCluster cluster) {
        bootstrap = cluster.bootstrapServers();
        registry = EmbeddedSchemaRegistry.start();
        String run = UUID.randomUUID().toString().substring(0, 8);
        topic = "history-" + run;
        base = new HashMap<>();
        base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        base.put(SchemaRegistryClients.URL, registry.url());
        base.put(DetectionConfig.REQUESTS_TOPIC, topic);
        base.put(DetectionConfig.ALERTS_TOPIC, "live-alerts-" + run);
        base.put(DetectionConfig.DEAD_LETTER_TOPIC, "live-dead-letter-" + run);
        base.put(DetectionConfig.RULES_TOPIC, "rules-" + run);
        base.put(DetectionConfig.RULES_FILE, io.distillguard.service.RulesFiles.write(dir, "rules.yaml",
                "ip-accounts-1h: 25", "ip-accounts-1h: 10").toString());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void shouldReplayHalfADayLikeABacktestWithoutMovingTheLiveApplication() throws Exception {
        List<RequestEvent> day = produceADay();

        Map<String, String> live = new HashMap<>(base);
        live.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-" + topic);
        live.put(ServiceConfig.HTTP_PORT, "0");
        Path liveState = dir.resolve("live-state");
        live.put(StreamsConfig.STATE_DIR_CONFIG, liveState.toString());
        try (DistillguardService service = DistillguardService.start(ServiceConfig.load(null, Map.of(), live))) {
            await().atMost(Duration.ofSeconds(120)).until(() -> caughtUp("live-" + topic));
        }
        Map<TopicPartition, OffsetAndMetadata> liveOffsetsBefore = committed("live-" + topic);
        Map<String, String> liveStateBefore = fingerprint(liveState);

        Instant from = DAY_START.plus(Duration.ofHours(12));
        Instant to = DAY_START.plus(Duration.ofHours(24));
        List<DistillationAlert> replayed = new ArrayList<>();
        TopicReplay.Result result = new TopicReplay(ServiceConfig.load(null, Map.of(), base), new PrintStream(System.out))
                .run(new TopicReplay.Request(topic, from, to, null, false, Duration.ofMinutes(5)), replayed::add);

        assertThat(result.warnings()).isEmpty();
        assertThat(replayed).extracting(DistillationAlert::getDetector)
                .contains("ACCOUNT_RISK", "IP_FAN_IN", "ACCOUNT_CLUSTER");
        assertThat(replayed).allSatisfy(a -> {
            assertThat(a.getTriggerEventTime()).isBetween(from, to.minusMillis(1));
            // Day and week windows may start before the range; only events inside it were counted.
            assertThat(a.getWindowEnd()).isAfter(from);
        });
        List<DistillationAlert> offline = backtest(day, from, to);
        assertThat(pairs(replayed)).as("replay and backtest agree on (alert_id, severity); differing: %s",
                        ReplayRuns.explain(replayed, offline))
                .isEqualTo(pairs(offline));

        assertThat(committed("live-" + topic)).as("live offsets untouched").isEqualTo(liveOffsetsBefore);
        assertThat(fingerprint(liveState)).as("live state untouched").isEqualTo(liveStateBefore);
        assertInternalsRemoved(result.applicationId());
    }

    /**
     * Two instances given one replay id share its partitions, over history whose partitions are far apart in size
     * (70 % of the accounts on one of four): the replay's alerts are still the backtest's, and each instance took in
     * part of the records.
     */
    @Test
    void twoInstancesShareOneReplayOfSkewedPartitionsAndGiveTheBacktestsAlerts() throws Exception {
        List<RequestEvent> day = produceADay(0.7);
        Instant from = DAY_START.plus(Duration.ofHours(6));
        Instant to = DAY_START.plus(Duration.ofHours(24));
        String id = "replay-shared-" + topic;
        List<DistillationAlert> first = Collections.synchronizedList(new ArrayList<>());
        List<DistillationAlert> second = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<TopicReplay.Result> a = pool.submit(() -> sharedReplay(id, from, to, first));
            Future<TopicReplay.Result> b = pool.submit(() -> sharedReplay(id, from, to, second));
            TopicReplay.Result ra = a.get(6, TimeUnit.MINUTES);
            TopicReplay.Result rb = b.get(6, TimeUnit.MINUTES);
            assertThat(List.of(ra.joined(), rb.joined())).as("one plans, one joins").containsExactlyInAnyOrder(true, false);
            TopicReplay.Result planner = ra.joined() ? rb : ra;
            TopicReplay.Result joiner = ra.joined() ? ra : rb;
            assertThat(joiner.recordsHere()).as("the joining instance took in records").isPositive();
            assertThat(planner.recordsHere()).as("the planning instance took in records").isPositive();
            assertThat(planner.recordsHere() + joiner.recordsHere()).isGreaterThanOrEqualTo(planner.recordsInRange());
            List<DistillationAlert> replayed = ra.joined() ? second : first;
            assertThat(ra.joined() ? first : second).as("only the planner reads the alerts").isEmpty();
            assertBacktestsPairs(replayed, day, from, to, "two instances");
            assertInternalsRemoved(id);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The planning instance stops early (its timeout passes a few seconds in, as a crash would stop it): the
     * instance that joined finishes the replay, reads its alerts from where the plan says they start, and removes
     * the internals; the alerts are still the backtest's.
     */
    @Test
    void anInstanceThatJoinedFinishesAReplayWhosePlannerStoppedEarly() throws Exception {
        List<RequestEvent> day = produceADay(0.7);
        Instant from = DAY_START.plus(Duration.ofHours(6));
        Instant to = DAY_START.plus(Duration.ofHours(24));
        String id = "replay-takeover-" + topic;
        List<DistillationAlert> plannerAlerts = Collections.synchronizedList(new ArrayList<>());
        List<DistillationAlert> joinerAlerts = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<TopicReplay.Result> planner = pool.submit(() -> replayInstance(
                    new TopicReplay.Request(topic, from, to, null, false, Duration.ofSeconds(3), id), plannerAlerts));
            try (Admin admin = Admin.create(adminProps())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.listTopics().names()
                        .get(30, TimeUnit.SECONDS).contains(id + "-progress"));
            }
            Future<TopicReplay.Result> joiner = pool.submit(() -> replayInstance(new TopicReplay.Request(topic, from,
                    to, null, false, Duration.ofMinutes(5), id, Duration.ofSeconds(5)), joinerAlerts));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> planner.get(2, TimeUnit.MINUTES))
                    .as("the planner gave up").hasCauseInstanceOf(TopicReplay.ReplayException.class);
            TopicReplay.Result result = joiner.get(6, TimeUnit.MINUTES);
            assertThat(result.joined()).isTrue();
            assertThat(result.tookOver()).as("the joiner finished the replay").isTrue();
            assertThat(plannerAlerts).isEmpty();
            assertBacktestsPairs(joinerAlerts, day, from, to, "the finished replay");
            assertThat(joinerAlerts).as("none written twice across the takeover").hasSize(pairs(joinerAlerts).size());
            assertThat(result.alerts()).isEqualTo(joinerAlerts.size());
            assertInternalsRemoved(id);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldSayWhenTheRangeHoldsNoRecords() throws Exception {
        produceADay();
        Instant from = DAY_START.minus(Duration.ofDays(10));
        TopicReplay replay = new TopicReplay(ServiceConfig.load(null, Map.of(), base), new PrintStream(System.out));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> replay.run(new TopicReplay.Request(topic, from,
                        from.plus(Duration.ofDays(1)), null, false, Duration.ofMinutes(1)), a -> { }))
                .isInstanceOf(TopicReplay.ReplayException.class).hasMessageContaining("No records");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> replay.run(new TopicReplay.Request("no-such-topic",
                        from, from.plus(Duration.ofDays(1)), null, false, Duration.ofMinutes(1)), a -> { }))
                .isInstanceOf(TopicReplay.ReplayException.class).hasMessageContaining("does not exist");
    }

    /**
     * History a month old, written by the project's own command into a topic it creates, stays there (the broker's
     * default retention would delete it within minutes) and replays to the alerts a backtest of the same events
     * gives. An existing topic that would delete it is refused, with the command that fixes it.
     */
    @Test
    void shouldReplayAMonthOldSimulationAsItsBacktest() throws Exception {
        Path config = ReplayRuns.settingsFile(dir, base);
        String start = DAY_START.minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.DAYS).toString().substring(0, 10);
        List<String> simulation = List.of("--benign-accounts", "300", "--days", "1", "--start", start,
                "--attack-scale", "0.1", "--seed", "5");
        Path events = dir.resolve("month-old.jsonl");
        assertThat(cli("simulate", simulation, "--out", events.toString())).isZero();
        String history = "month-old-" + topic;
        assertThat(cli("simulate", simulation, "--topic", history, "--config", config.toString())).isZero();
        Path alerts = dir.resolve("replayed.jsonl");
        Instant from = Instant.parse(start + "T00:00:00Z");
        assertThat(cli("replay", List.of("--topic", history, "--from", start, "--to",
                from.plus(Duration.ofDays(2)).toString(), "--alerts-out", alerts.toString(), "--config",
                config.toString()))).isZero();

        List<DistillationAlert> replayed = Files.readAllLines(alerts).stream()
                .map(line -> ContractJson.read(line, DistillationAlert.class)).toList();
        List<DistillationAlert> offline = backtest(events);
        assertThat(offline).isNotEmpty();
        assertThat(pairs(replayed)).as("differing: %s", ReplayRuns.explain(replayed, offline))
                .isEqualTo(pairs(offline));

        String weekLong = "week-long-" + topic;
        try (Admin admin = Admin.create(adminProps())) {
            admin.createTopics(List.of(new NewTopic(weekLong, 1, (short) 1).configs(Map.of("retention.ms", "604800000"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine refused = io.distillguard.service.cli.DistillguardCli.commandLine(false);
        refused.setErr(new java.io.PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("simulate", "--topic", weekLong, "--config", config.toString()));
        args.addAll(simulation);
        assertThat(refused.execute(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains(weekLong).contains("--add-config retention.ms=-1");
    }

    /** The replay's (alert_id, severity) pairs are those of a backtest of the same range of {@code day}. */
    private void assertBacktestsPairs(List<DistillationAlert> replayed, List<RequestEvent> day, Instant from,
                                      Instant to, String who) throws Exception {
        List<DistillationAlert> offline = backtest(day, from, to);
        assertThat(offline).isNotEmpty();
        assertThat(pairs(replayed)).as("%s and the backtest agree on (alert_id, severity); differing: %s", who,
                ReplayRuns.explain(replayed, offline)).isEqualTo(pairs(offline));
    }

    private void assertInternalsRemoved(String id) throws Exception {
        try (Admin admin = Admin.create(adminProps())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .as("replay internals removed").noneMatch(t -> t.startsWith(id));
        }
    }

    /** One instance of the replay {@code id}, its alerts (if it planned the replay) added to {@code alerts}. */
    private TopicReplay.Result sharedReplay(String id, Instant from, Instant to, List<DistillationAlert> alerts)
            throws Exception {
        return replayInstance(new TopicReplay.Request(topic, from, to, null, false, Duration.ofMinutes(5), id), alerts);
    }

    private TopicReplay.Result replayInstance(TopicReplay.Request request, List<DistillationAlert> alerts)
            throws Exception {
        return ReplayRuns.replay(base, request, alerts);
    }

    private static int cli(String command, List<String> shared, String... more) {
        return ReplayRuns.cli(command, shared, more);
    }

    private List<RequestEvent> produceADay() throws Exception {
        return produceADay(-1);
    }

    /**
     * A day of the demo's traffic in four partitions, keyed by account; with {@code skew} in [0, 1], that share of the
     * accounts goes to partition 0 and the rest to the other three (else the producer's own partitioner).
     */
    private List<RequestEvent> produceADay(double skew) throws Exception {
        try (Admin admin = Admin.create(adminProps())) {
            // History is judged by retention on its (old) timestamps: keep it forever, or it is gone in minutes.
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1).configs(Map.of("retention.ms", "-1"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        TrafficGenerator generator = new TrafficGenerator(11);
        List<RequestEvent> events = new ArrayList<>();
        for (long t = DAY_START.toEpochMilli(); t < DAY_START.plus(Duration.ofHours(24)).toEpochMilli(); t += 15_000) {
            events.add(generator.next(t).event());
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(Map.of(SchemaRegistryClients.URL, registry.url()), false);
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            for (RequestEvent event : events) {
                int h = Math.floorMod(event.getAccountId().hashCode(), 1000);
                Integer partition = skew < 0 ? null : h < skew * 1000 ? 0 : 1 + h % 3;
                producer.send(new ProducerRecord<>(topic, partition, event.getEventTime().toEpochMilli(),
                        event.getAccountId(), event));
            }
            producer.flush();
        }
        return events;
    }

    private List<DistillationAlert> backtest(List<RequestEvent> events, Instant from, Instant to) throws Exception {
        Path file = dir.resolve("half.jsonl");
        Files.write(file, events.stream()
                .filter(e -> !e.getEventTime().isBefore(from) && e.getEventTime().isBefore(to))
                .map(ContractJson::line).toList());
        return backtest(file);
    }

    private List<DistillationAlert> backtest(Path file) throws Exception {
        return ReplayRuns.backtest(base, file);
    }

    private static Set<String> pairs(List<DistillationAlert> alerts) {
        return ReplayRuns.pairs(alerts);
    }

    private boolean caughtUp(String group) throws Exception {
        try (Admin admin = Admin.create(adminProps())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 4; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends.entrySet().stream().allMatch(e -> committed.containsKey(e.getKey())
                    && committed.get(e.getKey()).offset() >= e.getValue());
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        try (Admin admin = Admin.create(adminProps())) {
            return new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString)) {{
                putAll(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS));
            }};
        }
    }

    private static Map<String, String> fingerprint(Path root) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p));
            }
        }
        return files;
    }

    private Properties adminProps() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return props;
    }
}
