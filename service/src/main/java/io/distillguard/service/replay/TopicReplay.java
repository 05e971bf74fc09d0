package io.distillguard.service.replay;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroDeserializer;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.GroupProgress;
import io.distillguard.service.TempDirectories;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays part of a requests topic through the live topology under an application id and state directory of its
 * own, so the live service's offsets and state are never touched, and two replays can run side by side.
 *
 * <p>It reads the history topic's partitions directly, from each partition's first record at or after {@code from}
 * (less the grace period, so late events of the range are seen) up to its first record at or after {@code to} plus
 * grace, or the end offset when the replay began, and runs the topology over them, limited to event times in
 * [from, to). Any number of instances given the same application id share the partitions, as instances of the
 * service do: the first one plans the replay (its start offsets, committed for the group before anyone starts, and
 * its stop offsets, written to the replay's progress topic) and the others join it. {@link ReplayPacing} keeps the
 * partitions within a few minutes of event time of each other across all of them, which is what keeps a partition
 * that races ahead from making the others' requests late. Each instance stops by itself once the group has
 * committed every partition to its stop offset and every repartition topic to its end; the first then removes the
 * replay's internal topics, consumer group and local state unless asked to keep them, and reads the alerts.
 */
public final class TopicReplay {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReplay.class);

    /**
     * What to replay; {@code alertsTopic} null when the caller only wants the alerts handed to it; {@code
     * applicationId} null for a replay of its own, or the id of a replay to start or join with other instances.
     */
    public record Request(String sourceTopic, Instant from, Instant to, String alertsTopic, boolean keepState,
                          Duration timeout, String applicationId, Duration takeoverAfter) {
        public Request(String sourceTopic, Instant from, Instant to, String alertsTopic, boolean keepState,
                       Duration timeout, String applicationId) {
            this(sourceTopic, from, to, alertsTopic, keepState, timeout, applicationId, DEFAULT_TAKEOVER_AFTER);
        }

        public Request(String sourceTopic, Instant from, Instant to, String alertsTopic, boolean keepState,
                       Duration timeout) {
            this(sourceTopic, from, to, alertsTopic, keepState, timeout, null);
        }
    }

    /**
     * How long an instance that joined a replay waits, once every instance has left the replay's group, for the
     * planning instance to claim the end of it (read the alerts, remove the internals) before it takes that over.
     */
    public static final Duration DEFAULT_TAKEOVER_AFTER = Duration.ofSeconds(60);

    /**
     * What a replay did; {@code joined} when this instance joined a replay another instance planned, and
     * {@code tookOver} when it then finished the replay for a planner that stopped before the end.
     */
    public record Result(String applicationId, long recordsInRange, long alerts, Map<String, Long> alertsBySeverity,
                         List<String> warnings, Duration elapsed, boolean joined, long recordsHere, boolean tookOver) {
    }

    private final ServiceConfig config;
    private final PrintStream out;

    public TopicReplay(ServiceConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /**
     * Runs the replay (or this instance's share of it) and, on the instance that planned it, hands each alert it
     * produced to {@code alerts}, in topic order per partition.
     */
    public Result run(Request request, Consumer<DistillationAlert> alerts) throws Exception {
        long started = System.nanoTime();
        String applicationId = request.applicationId() != null ? request.applicationId()
                : "distillguard-replay-" + Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14)
                + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
        // Without an alerts topic (alerts go to a file), a temporary one is removed with the other internals.
        String alertsTopic = request.alertsTopic() != null ? request.alertsTopic() : applicationId + "-alerts";
        DetectionConfig base = config.detection();
        long graceMs = base.grace().toMillis();
        List<String> warnings = new ArrayList<>();
        Map<TopicPartition, Long> startOffsets = new HashMap<>();
        Map<TopicPartition, Long> stopOffsets = new HashMap<>();
        Map<TopicPartition, Long> alertsStart = Map.of();
        long recordsInRange = 0;
        boolean joined;
        int partitionCount;
        try (Admin admin = Admin.create(adminProps())) {
            TopicDescription source = describe(admin, request.sourceTopic());
            partitionCount = source.partitions().size();
            List<TopicPartition> partitions = source.partitions().stream()
                    .map(p -> new TopicPartition(request.sourceTopic(), p.partition())).toList();
            Map<TopicPartition, Long> earliest = offsets(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> latest = offsets(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> fromOffsets = offsets(admin, partitions,
                    OffsetSpec.forTimestamp(request.from().toEpochMilli() - graceMs));
            Map<TopicPartition, Long> toOffsets = offsets(admin, partitions,
                    OffsetSpec.forTimestamp(request.to().toEpochMilli() + graceMs));
            Map<TopicPartition, Long> firstTimestamps = firstTimestamps(partitions, earliest, latest);
            for (TopicPartition tp : partitions) {
                long end = latest.get(tp);
                long start = fromOffsets.get(tp) < 0 ? end : fromOffsets.get(tp);
                long stop = toOffsets.get(tp) < 0 ? end : Math.min(end, toOffsets.get(tp));
                startOffsets.put(tp, start);
                stopOffsets.put(tp, Math.max(start, stop));
                recordsInRange += Math.max(0, stop - start);
                Long first = firstTimestamps.get(tp);
                // Only a log whose start has moved (earliest offset above 0) has lost records; a complete
                // partition's first event is simply a little after --from.
                if (first != null && earliest.get(tp) > 0 && first > request.from().toEpochMilli()) {
                    warnings.add(String.format("partition %d: its earliest retained record is at %s, after --from %s: "
                                    + "the events before it are missing (deleted by retention?)", tp.partition(),
                            Instant.ofEpochMilli(first), request.from()));
                }
            }
            if (recordsInRange == 0) {
                throw new ReplayException("No records in " + request.sourceTopic() + " between " + request.from()
                        + " and " + request.to());
            }
            // The replay's progress topic is also its lock: the instance that creates it plans the replay.
            joined = !createOnce(admin, progressTopic(applicationId));
            if (!joined) {
                ServiceConfig setup = replayConfig(applicationId, request.sourceTopic(), alertsTopic, null);
                // The alerts carry the events' times: kept as history, or a replay of last month would lose them.
                DistillguardService.createHistoryTopics(DistillguardService.streamsConfig(setup), setup,
                        List.of(alertsTopic, applicationId + "-dead-letter"), partitionCount, request.from());
                // The live rules topic: versions published there apply to the replay from their effective time too.
                DistillguardService.createRulesTopic(DistillguardService.streamsConfig(setup), setup);
                alertsStart = offsets(admin, partitionsOf(admin, alertsTopic), OffsetSpec.latest());
                // Where the group starts, committed before any instance joins it (the plan below is what the
                // others wait for), so that no consumer of the group ever falls back to its reset policy.
                Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
                startOffsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
                admin.alterConsumerGroupOffsets(applicationId, commits).all().get(30, TimeUnit.SECONDS);
                ReplayPacing.publishPlan(progressTopic(applicationId), stopOffsets, alertsStart, producerProps());
            }
        }
        if (joined) {
            // Stop where the first instance decided: the topic may have grown since.
            stopOffsets = ReplayPacing.readPlan(request.sourceTopic(), progressTopic(applicationId), partitionCount,
                    consumerProps(), Duration.ofSeconds(60));
            out.printf("Joining replay %s of %s from %s to %s%n", applicationId, request.sourceTopic(), request.from(),
                    request.to());
        } else {
            warnings.forEach(w -> out.println("WARNING: " + w));
            out.printf("Replaying %,d records of %s from %s to %s as application %s%n", recordsInRange,
                    request.sourceTopic(), request.from(), request.to(), applicationId);
        }

        Path stateDir = TempDirectories.createForState(applicationId + "-");
        ServiceConfig replayConfig = replayConfig(applicationId, request.sourceTopic(), alertsTopic, stateDir);
        Map<String, String> serdeConfig = replayConfig.serdeConfig();
        // A few minutes of event time apart at most: well inside the hour windows' retention, and about the grace
        // period the account graph waits for its late edges.
        Duration slack = Duration.ofMillis(Math.max(1_000, graceMs / 2));
        KafkaStreams streams;
        long recordsHere;
        try (ReplayPacing pacing = new ReplayPacing(request.sourceTopic(), progressTopic(applicationId), stopOffsets,
                request.from().toEpochMilli() - graceMs, slack, producerProps(), consumerProps())) {
            for (Map.Entry<TopicPartition, Long> stop : stopOffsets.entrySet()) {
                if (startOffsets.getOrDefault(stop.getKey(), 0L) >= stop.getValue()) {
                    pacing.finished(stop.getKey().partition());
                }
            }
            pacing.start();
            streams = new KafkaStreams(DistillguardTopology.build(replayConfig.detection(),
                    SpecificAvroSerde.forValues(RequestEvent.class, serdeConfig),
                    SpecificAvroSerde.forValues(DistillationAlert.class, serdeConfig),
                    DistillguardTopology.StateStorage.ROCKSDB,
                    new DistillguardTopology.EventTimeRange(request.from().toEpochMilli(), request.to().toEpochMilli(),
                            pacing), partitionCount),
                    DistillguardService.streamsConfig(replayConfig), pacing.clients());
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("Replay stream thread failed; replacing it", e);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            try {
                streams.start();
                awaitDone(streams, applicationId, stopOffsets, request.timeout());
            } finally {
                // Leave the group on close, so that it can be deleted at once with the other internals.
                streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                        org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
            }
            recordsHere = pacing.recordsTakenIn();
        }
        long alertCount = 0;
        Map<String, Long> bySeverity = new TreeMap<>();
        boolean tookOver = false;
        if (joined) {
            streams.cleanUp();
            TempDirectories.delete(stateDir);
            if (!plannerGone(applicationId, request)) {
                return new Result(applicationId, recordsInRange, 0, bySeverity, warnings,
                        Duration.ofNanos(System.nanoTime() - started), true, recordsHere, false);
            }
            out.printf("Replay %s: its planning instance stopped before the end; this instance reads its alerts and "
                    + "removes its internals%n", applicationId);
            alertsStart = ReplayPacing.readAlertsStart(alertsTopic, progressTopic(applicationId), consumerProps(),
                    Duration.ofSeconds(60));
            tookOver = true;
        } else if (!claimEnd(applicationId)) {
            // Only when this instance was taken for stopped (paused longer than the others' takeover wait).
            out.printf("Replay %s: another instance took its end over and writes its alerts%n", applicationId);
            streams.cleanUp();
            TempDirectories.delete(stateDir);
            // As a share of the work only: no alerts written here, and no empty alerts file either.
            return new Result(applicationId, recordsInRange, 0, bySeverity, warnings,
                    Duration.ofNanos(System.nanoTime() - started), true, recordsHere, false);
        }
        for (DistillationAlert alert : readAlerts(alertsTopic, alertsStart, serdeConfig)) {
            alertCount++;
            bySeverity.merge(alert.getDetector() + " " + alert.getSeverity(), 1L, Long::sum);
            alerts.accept(alert);
        }
        if (!request.keepState()) {
            streams.cleanUp();
            awaitGroupEmpty(applicationId, Duration.ofSeconds(60));
            deleteInternals(applicationId);
            TempDirectories.delete(stateDir);
        } else {
            out.println((tookOver ? "Kept" : "Kept state in " + stateDir + " and") + " internal topics of " + applicationId);
        }
        return new Result(applicationId, recordsInRange, alertCount, bySeverity, warnings,
                Duration.ofNanos(System.nanoTime() - started), joined, recordsHere, tookOver);
    }

    /** The replay's compacted topic of its plan and its instances' progress. */
    static String progressTopic(String applicationId) {
        return applicationId + "-progress";
    }

    /** Creates a one-partition compacted topic; false when it exists already: the broker's create is the lock. */
    private static boolean createOnce(Admin admin, String topic) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException) {
                return false;
            }
            throw e;
        }
    }

    /** The topic whose creation claims a replay's end: reading its alerts and removing its internals. */
    static String endTopic(String applicationId) {
        return applicationId + "-end";
    }

    /** Claims the replay's end; false when another instance has claimed it. */
    private boolean claimEnd(String applicationId) throws Exception {
        try (Admin admin = Admin.create(adminProps())) {
            return createOnce(admin, endTopic(applicationId));
        }
    }

    /**
     * Whether a joining instance should finish the replay: every instance has left the group, the planner has not
     * claimed the end within the takeover wait after that (it claims it as soon as its own streams close, so only a
     * planner that stopped early has not), and this instance won the claim over the other joiners.
     */
    private boolean plannerGone(String applicationId, Request request) throws Exception {
        if (!awaitGroupEmpty(applicationId, request.timeout())) {
            return false;
        }
        long deadline = System.nanoTime() + request.takeoverAfter().toNanos();
        try (Admin admin = Admin.create(adminProps())) {
            while (true) {
                // Claimed, or already finished: a fast planner may have removed the internals, its claim with them.
                if (endedOrClaimed(admin, applicationId)) {
                    return false;
                }
                if (System.nanoTime() >= deadline) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
            if (!createOnce(admin, endTopic(applicationId))) {
                return false;
            }
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(progressTopic(applicationId))) {
                // Finished between the last look and the claim: the claim is this instance's to remove.
                admin.deleteTopics(List.of(endTopic(applicationId))).all().get(30, TimeUnit.SECONDS);
                return false;
            }
            return true;
        }
    }

    private static boolean endedOrClaimed(Admin admin, String applicationId) throws Exception {
        Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        return topics.contains(endTopic(applicationId)) || !topics.contains(progressTopic(applicationId));
    }

    /**
     * Waits until every instance of the replay has left its group (the others finish within a poll of this one);
     * false when it did not within {@code wait}.
     */
    private boolean awaitGroupEmpty(String applicationId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try (Admin admin = Admin.create(adminProps())) {
            while (System.nanoTime() < deadline) {
                var group = admin.describeConsumerGroups(List.of(applicationId)).all().get(30, TimeUnit.SECONDS)
                        .get(applicationId);
                if (group == null || group.members().isEmpty()) {
                    return true;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        } catch (Exception e) {
            LOG.warn("Could not see replay {}'s group empty: {}", applicationId, e.getMessage());
        }
        return false;
    }

    private Properties producerProps() {
        Properties props = new Properties();
        config.kafkaProperties().forEach((k, v) -> {
            if (org.apache.kafka.clients.producer.ProducerConfig.configNames().contains(k.toString())) {
                props.put(k, v);
            }
        });
        props.put(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
        props.put(org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, 20);
        return props;
    }

    private ServiceConfig replayConfig(String applicationId, String sourceTopic, String alertsTopic, Path stateDir) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        overrides.put(ServiceConfig.HTTP_ENABLED, "false");
        overrides.put(DetectionConfig.REQUESTS_TOPIC, sourceTopic);
        overrides.put(DetectionConfig.ALERTS_TOPIC, alertsTopic);
        overrides.put(DetectionConfig.DEAD_LETTER_TOPIC, applicationId + "-dead-letter");
        if (stateDir != null) {
            overrides.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        }
        Map<String, String> values = new HashMap<>(config.asMap());
        values.putAll(overrides);
        return ServiceConfig.load(null, Map.of(), values);
    }

    /**
     * Done when every source partition's committed offset has reached its stop offset and every partition of the
     * replay's repartition topics is committed up to its end offset, twice in a row. Offsets, not lag metrics:
     * under exactly-once a read_committed consumer shows no lag while an upstream transaction is still open.
     */
    private void awaitDone(KafkaStreams streams, String applicationId, Map<TopicPartition, Long> stopOffsets,
                           Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quietChecks = 0;
        try (Admin admin = Admin.create(adminProps())) {
            while (System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(500);
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new ReplayException("Replay " + applicationId + " stopped unexpectedly (state "
                            + streams.state() + "); see the log");
                }
                boolean done = GroupProgress.committedToEnd(admin, applicationId, stopOffsets);
                quietChecks = done ? quietChecks + 1 : 0;
                if (quietChecks >= 2) {
                    return;
                }
            }
        }
        throw new ReplayException("Replay " + applicationId + " did not finish within " + timeout);
    }

    private List<DistillationAlert> readAlerts(String topic, Map<TopicPartition, Long> from, Map<String, String> serdeConfig) {
        Properties props = consumerProps();
        SpecificAvroDeserializer<DistillationAlert> deserializer = new SpecificAvroDeserializer<>(DistillationAlert.class);
        deserializer.configure(serdeConfig, false);
        List<DistillationAlert> alerts = new ArrayList<>();
        try (KafkaConsumer<String, DistillationAlert> consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer)) {
            List<TopicPartition> partitions = new ArrayList<>(consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList());
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, from.getOrDefault(tp, 0L));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, DistillationAlert> record : consumer.poll(Duration.ofMillis(500))) {
                    alerts.add(record.value());
                }
            }
        }
        return alerts;
    }

    private void deleteInternals(String applicationId) {
        try (Admin admin = Admin.create(adminProps())) {
            Set<String> internal = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(applicationId + "-")).collect(Collectors.toSet());
            admin.deleteTopics(internal).all().get(60, TimeUnit.SECONDS);
            admin.deleteConsumerGroups(List.of(applicationId)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Could not remove all of replay {}'s internal topics or its group: {}", applicationId, e.getMessage());
        }
    }

    private Map<TopicPartition, Long> firstTimestamps(List<TopicPartition> partitions, Map<TopicPartition, Long> earliest,
                                                      Map<TopicPartition, Long> latest) {
        Map<TopicPartition, Long> first = new HashMap<>();
        Properties props = consumerProps();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            for (TopicPartition tp : partitions) {
                if (earliest.get(tp) >= latest.get(tp)) {
                    continue;
                }
                consumer.assign(List.of(tp));
                consumer.seek(tp, earliest.get(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!first.containsKey(tp) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        first.putIfAbsent(tp, record.timestamp());
                    }
                }
            }
        }
        return first;
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new ReplayException("Topic " + topic + " does not exist");
            }
            throw e;
        }
    }

    private static List<TopicPartition> partitionsOf(Admin admin, String topic) {
        try {
            return describe(admin, topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        } catch (Exception e) {
            throw new ReplayException("Cannot describe topic " + topic + ": " + e.getMessage());
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> result = new HashMap<>();
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }

    private Properties adminProps() {
        Properties props = new Properties();
        config.kafkaProperties().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k.toString())) {
                props.put(k, v);
            }
        });
        return props;
    }

    private Properties consumerProps() {
        Properties props = new Properties();
        config.kafkaProperties().forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k.toString()) && !k.equals(ConsumerConfig.GROUP_ID_CONFIG)) {
                props.put(k, v);
            }
        });
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    /** A replay that cannot run as asked; the message says why. */
    public static final class ReplayException extends RuntimeException {
        public ReplayException(String message) {
            super(message);
        }
    }
}
