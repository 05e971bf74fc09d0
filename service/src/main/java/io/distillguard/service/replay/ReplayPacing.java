package io.distillguard.service.replay;

import io.distillguard.topology.DistillguardTopology;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the partitions of a replayed history topic within {@code slack} of event time of each other, across every
 * instance that shares the replay.
 *
 * <p>Kafka Streams runs each input partition's task at its own pace; over history that is all there at once, a
 * partition with fewer records races ahead, and what it pushes into the link windows' stream time makes the other
 * partitions' requests late. Live traffic never gets far apart (the partitions are written as time passes), which is
 * why the service itself needs no pacing. Here each instance publishes, to a compacted topic of the replay's own
 * ({@code <application id>-progress}), how far in event time its tasks have taken in each of its partitions; every
 * instance reads them all, and the slowest partition's progress is the low watermark. {@link PacedConsumer} hands
 * Kafka Streams a partition's records only up to the watermark plus the slack, and never past the partition's stop
 * offset. The same topic carries the replay's plan (each partition's stop offset), so that instances joining it stop
 * where the first one decided.
 */
final class ReplayPacing implements AutoCloseable, DistillguardTopology.SourceProgress {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayPacing.class);
    private static final String STOP = "stop|";
    private static final String ALERTS_FROM = "alerts-from|";
    private static final String PROGRESS = "progress|";
    /** Progress of a partition with nothing (more) to replay: it holds no one back. */
    private static final long DONE = Long.MAX_VALUE;

    private final String sourceTopic;
    private final String progressTopic;
    private final long slackMs;
    private final long startMs;
    private final Map<TopicPartition, Long> stops;
    /** What this instance's tasks took in, per partition. */
    private final Map<Integer, Long> local = new ConcurrentHashMap<>();
    /** What every instance published, this one included. */
    private final Map<Integer, Long> shared = new ConcurrentHashMap<>();
    /** Records handed to Kafka Streams and not yet taken in by their task, per partition: {offset, timestamp}. */
    private final Map<Integer, ArrayDeque<long[]>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder tookIn = new LongAdder();
    private volatile long watermark;
    private final Thread exchange;
    private volatile boolean running = true;
    private final Properties producerProps;
    private final Properties consumerProps;

    /**
     * @param startMs where every partition starts in event time (the range's start less the grace period): the
     *                progress of a partition no instance has reported yet
     */
    ReplayPacing(String sourceTopic, String progressTopic, Map<TopicPartition, Long> stops, long startMs, Duration slack,
                 Properties producerProps, Properties consumerProps) {
        this.sourceTopic = sourceTopic;
        this.progressTopic = progressTopic;
        this.stops = Map.copyOf(stops);
        this.startMs = startMs;
        this.slackMs = slack.toMillis();
        this.producerProps = producerProps;
        this.consumerProps = consumerProps;
        this.watermark = startMs;
        this.exchange = new Thread(this::exchange, "replay-progress-exchange");
        this.exchange.setDaemon(true);
    }

    void start() {
        exchange.start();
    }

    /** The partition's stop offset: records at or after it are not part of the replay. */
    long stopOf(TopicPartition tp) {
        Long stop = stops.get(tp);
        return stop == null ? Long.MAX_VALUE : stop;
    }

    boolean isSource(TopicPartition tp) {
        return tp.topic().equals(sourceTopic);
    }

    /** The latest event time a partition's records may have to be handed to Kafka Streams now. */
    long limit() {
        long w = watermark;
        return w >= DONE - slackMs ? DONE : w + slackMs;
    }

    /** Whether {@code partition} is the one (or one of those) holding the watermark back: its records always go. */
    boolean isSlowest(int partition) {
        return progressOf(partition) <= watermark;
    }

    /** How many records this instance's tasks took in. */
    long recordsTakenIn() {
        return tookIn.sum();
    }

    /** A record of {@code partition} handed to Kafka Streams. */
    void handedOn(int partition, long offset, long timestamp) {
        inFlight.computeIfAbsent(partition, p -> new ArrayDeque<>()).add(new long[] {offset, timestamp});
    }

    /**
     * Called on the task's thread, which is the thread that polls the partition: the partition's progress is the
     * timestamp of the latest record handed on at or before this offset.
     */
    @Override
    public void tookIn(int partition, long offset) {
        tookIn.increment();
        ArrayDeque<long[]> queue = inFlight.get(partition);
        if (queue == null) {
            return;
        }
        long reached = Long.MIN_VALUE;
        while (!queue.isEmpty() && queue.peek()[0] <= offset) {
            reached = Math.max(reached, queue.poll()[1]);
        }
        if (reached != Long.MIN_VALUE) {
            local.merge(partition, reached, Math::max);
        }
    }

    /** The partition has nothing left before its stop offset. */
    void finished(int partition) {
        local.put(partition, DONE);
    }

    /**
     * Called on the task's thread: the partition has nothing left before its stop offset, and its task has taken in
     * every record handed to it (one that never reached it, unreadable, keeps this false until the task idles).
     */
    @Override
    public boolean exhausted(int partition) {
        if (local.getOrDefault(partition, Long.MIN_VALUE) != DONE) {
            return false;
        }
        ArrayDeque<long[]> queue = inFlight.get(partition);
        return queue == null || queue.isEmpty();
    }

    /** Forgets what was handed on of a partition this instance no longer owns. */
    void revoked(int partition) {
        inFlight.remove(partition);
    }

    private long progressOf(int partition) {
        long mine = local.getOrDefault(partition, Long.MIN_VALUE);
        long published = shared.getOrDefault(partition, Long.MIN_VALUE);
        long best = Math.max(mine, published);
        return best == Long.MIN_VALUE ? startMs : best;
    }

    /** The slowest partition's progress, from this instance's and the others' reports. */
    void recompute() {
        long min = DONE;
        for (Map.Entry<TopicPartition, Long> stop : stops.entrySet()) {
            min = Math.min(min, progressOf(stop.getKey().partition()));
        }
        watermark = min;
    }

    /** Publishes this instance's progress and reads everyone's, as often as the broker answers. */
    private void exchange() {
        Properties c = new Properties();
        c.putAll(consumerProps);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        // Every exchange is a step of the whole replay: the broker answers at once rather than waiting for more.
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        Properties p = new Properties();
        p.putAll(producerProps);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (Producer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
             Consumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(progressTopic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Map<Integer, Long> sent = new HashMap<>();
            while (running) {
                for (Map.Entry<Integer, Long> e : local.entrySet()) {
                    if (!e.getValue().equals(sent.get(e.getKey()))) {
                        producer.send(new ProducerRecord<>(progressTopic, 0, PROGRESS + e.getKey(),
                                Long.toString(e.getValue())));
                        sent.put(e.getKey(), e.getValue());
                    }
                }
                producer.flush();
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    if (record.key() != null && record.key().startsWith(PROGRESS) && record.value() != null) {
                        shared.merge(Integer.parseInt(record.key().substring(PROGRESS.length())),
                                Long.parseLong(record.value()), Math::max);
                    }
                }
                recompute();
            }
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("Replay progress exchange failed; partitions are paced on this instance's progress only", e);
                while (running) {
                    recompute();
                    try {
                        TimeUnit.MILLISECONDS.sleep(200);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** Kafka Streams' clients as it would make them itself, with the main consumer paced. */
    KafkaClientSupplier clients() {
        return new KafkaClientSupplier() {
            @Override
            public Admin getAdmin(Map<String, Object> config) {
                return Admin.create(config);
            }

            @Override
            public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
                return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
            }

            @Override
            public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
                return PacedConsumer.wrap(new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer()), ReplayPacing.this);
            }

            @Override
            public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
                return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }

            @Override
            public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
                return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }
        };
    }

    /** Writes the replay's plan: each partition's stop offset. */
    static void publishPlan(String progressTopic, Map<TopicPartition, Long> stops, Map<TopicPartition, Long> alertsStart,
                            Properties producerProps) throws Exception {
        try (Producer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new StringSerializer())) {
            // Where the replay's alerts start, first: whoever finishes the replay reads them from there, the planner
            // or, when it stopped early, an instance that joined (it reads the plan only once the stops are all in).
            for (Map.Entry<TopicPartition, Long> start : alertsStart.entrySet()) {
                producer.send(new ProducerRecord<>(progressTopic, 0, ALERTS_FROM + start.getKey().partition(),
                        Long.toString(start.getValue())));
            }
            for (Map.Entry<TopicPartition, Long> stop : stops.entrySet()) {
                producer.send(new ProducerRecord<>(progressTopic, 0, STOP + stop.getKey().partition(),
                        Long.toString(stop.getValue())));
            }
            producer.flush();
        }
    }

    /** Where the replay's alerts start in {@code alertsTopic}, as its plan says. */
    static Map<TopicPartition, Long> readAlertsStart(String alertsTopic, String progressTopic, Properties consumerProps,
                                                     Duration wait) {
        // Written with the plan, before its stop offsets: all there once the topic is read to its end.
        return readOffsets(progressTopic, ALERTS_FROM, alertsTopic, consumerProps, wait, -1);
    }

    /** Reads the plan the replay's first instance wrote: {@code partitions} stop offsets, waiting up to {@code wait}. */
    static Map<TopicPartition, Long> readPlan(String sourceTopic, String progressTopic, int partitions,
                                              Properties consumerProps, Duration wait) {
        Map<TopicPartition, Long> stops = readOffsets(progressTopic, STOP, sourceTopic, consumerProps, wait, partitions);
        if (stops.size() < partitions) {
            throw new TopicReplay.ReplayException("The replay's plan (" + progressTopic + ") names " + stops.size()
                    + " of " + partitions + " partitions' stop offsets after " + wait + ": has its first instance failed?");
        }
        return stops;
    }

    /**
     * The offsets the progress topic holds under {@code prefix} + partition, as partitions of {@code topic}: until
     * {@code partitions} of them are read (waiting for a plan still being written), or with {@code partitions} -1
     * until the topic's end as it was when reading began; at most {@code wait}.
     */
    private static Map<TopicPartition, Long> readOffsets(String progressTopic, String prefix, String topic,
                                                         Properties consumerProps, Duration wait, int partitions) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (Consumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(progressTopic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = partitions < 0 ? consumer.endOffsets(List.of(tp)).get(tp) : Long.MAX_VALUE;
            long deadline = System.nanoTime() + wait.toNanos();
            while ((partitions < 0 ? consumer.position(tp) < end : offsets.size() < partitions)
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && record.key().startsWith(prefix)) {
                        offsets.put(new TopicPartition(topic, Integer.parseInt(record.key().substring(prefix.length()))),
                                Long.parseLong(record.value()));
                    }
                }
            }
        }
        return offsets;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        exchange.join(5_000);
    }
}
