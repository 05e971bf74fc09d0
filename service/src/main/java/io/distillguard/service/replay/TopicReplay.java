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
 * <p>It reads each partition from its first record at or after {@code from} (less the grace period, so late
 * events of the range are seen) up to the first record at or after {@code to} plus grace, or the end offset when the
 * replay began, merges them in timestamp order into a single-partition topic of its own (see
 * {@link #inputTopic}), and runs the topology over that, limited to event times in [from, to). It stops by itself
 * once everything is processed, then removes its internal topics, consumer group and local state unless asked to
 * keep them.
 */
public final class TopicReplay {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReplay.class);

    /** What to replay; {@code alertsTopic} null when the caller only wants the alerts handed to it. */
    public record Request(String sourceTopic, Instant from, Instant to, String alertsTopic, boolean keepState,
                          Duration timeout) {
    }

    /** What a replay did. */
    public record Result(String applicationId, long recordsInRange, long alerts, Map<String, Long> alertsBySeverity,
                         List<String> warnings, Duration elapsed) {
    }

    private final ServiceConfig config;
    private final PrintStream out;

    public TopicReplay(ServiceConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** Runs the replay and hands each alert it produced to {@code alerts}, in topic order per partition. */
    public Result run(Request request, Consumer<DistillationAlert> alerts) throws Exception {
        long started = System.nanoTime();
        String applicationId = "distillguard-replay-" + Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14)
                + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
        // Without an alerts topic (alerts go to a file), a temporary one is removed with the other internals.
        String alertsTopic = request.alertsTopic() != null ? request.alertsTopic() : applicationId + "-alerts";
        DetectionConfig base = config.detection();
        long graceMs = base.grace().toMillis();
        Properties adminProps = adminProps();
        List<String> warnings = new ArrayList<>();
        Map<TopicPartition, Long> startOffsets = new HashMap<>();
        Map<TopicPartition, Long> stopOffsets = new HashMap<>();
        Map<TopicPartition, Long> alertsStart;
        long recordsInRange = 0;
        try (Admin admin = Admin.create(adminProps)) {
            TopicDescription source = describe(admin, request.sourceTopic());
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
                stopOffsets.put(tp, stop);
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
            ServiceConfig setup = replayConfig(applicationId, inputTopic(applicationId), alertsTopic, null);
            // The alerts carry the events' times: kept as history, or a replay of last month would lose them.
            DistillguardService.createHistoryTopics(DistillguardService.streamsConfig(setup), setup,
                    List.of(alertsTopic, applicationId + "-dead-letter"), source.partitions().size(), request.from());
            // The live rules topic: versions published there apply to the replay from their effective time too.
            DistillguardService.createRulesTopic(DistillguardService.streamsConfig(setup), setup);
            admin.createTopics(List.of(new NewTopic(inputTopic(applicationId), 1, (short) -1)
                    .configs(Map.of("retention.ms", "-1")))).all().get(30, TimeUnit.SECONDS);
            alertsStart = offsets(admin, partitionsOf(admin, alertsTopic), OffsetSpec.latest());
        }
        warnings.forEach(w -> out.println("WARNING: " + w));
        out.printf("Replaying %,d records of %s from %s to %s as application %s%n", recordsInRange,
                request.sourceTopic(), request.from(), request.to(), applicationId);
        long merged = new EventTimeMerge(consumerProps(), producerProps()).copy(startOffsets, stopOffsets,
                inputTopic(applicationId));
        Map<TopicPartition, Long> mergedStop = Map.of(new TopicPartition(inputTopic(applicationId), 0), merged);

        Path stateDir = TempDirectories.createForState(applicationId + "-");
        ServiceConfig replayConfig = replayConfig(applicationId, inputTopic(applicationId), alertsTopic, stateDir);
        Map<String, String> serdeConfig = replayConfig.serdeConfig();
        KafkaStreams streams = new KafkaStreams(DistillguardTopology.build(replayConfig.detection(),
                SpecificAvroSerde.forValues(RequestEvent.class, serdeConfig),
                SpecificAvroSerde.forValues(DistillationAlert.class, serdeConfig),
                DistillguardTopology.StateStorage.ROCKSDB,
                new DistillguardTopology.EventTimeRange(request.from().toEpochMilli(), request.to().toEpochMilli())),
                DistillguardService.streamsConfig(replayConfig));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Replay stream thread failed; replacing it", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        try {
            streams.start();
            awaitDone(streams, applicationId, mergedStop, request.timeout());
        } finally {
            // Leave the group on close, so that it can be deleted at once with the other internals.
            streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                    org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }
        long alertCount = 0;
        Map<String, Long> bySeverity = new TreeMap<>();
        for (DistillationAlert alert : readAlerts(alertsTopic, alertsStart, serdeConfig)) {
            alertCount++;
            bySeverity.merge(alert.getDetector() + " " + alert.getSeverity(), 1L, Long::sum);
            alerts.accept(alert);
        }
        if (!request.keepState()) {
            streams.cleanUp();
            deleteInternals(applicationId);
            TempDirectories.delete(stateDir);
        } else {
            out.println("Kept state in " + stateDir + " and internal topics of " + applicationId);
        }
        return new Result(applicationId, recordsInRange, alertCount, bySeverity, warnings,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * The replay's own single-partition copy of the range, merged in timestamp order. Kafka Streams runs the tasks of
     * different source partitions at their own pace; over a backlog one partition can run hours of event time ahead,
     * and the windows after a repartition would then drop the others' events as later than the grace period. One
     * ordered partition gives the replay the order live traffic had, and the same alerts as an offline backtest.
     */
    static String inputTopic(String applicationId) {
        return applicationId + "-input";
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
