package io.distillguard.service.http;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most recent alerts, read back from the alerts topic (every partition, read_committed, starting a day back),
 * kept in a bounded buffer for {@code GET /alerts} and the console's cases. Every instance keeps the same buffer, so any one answers.
 */
public final class RecentAlerts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecentAlerts.class);
    static final int CAPACITY = 10_000;

    private final Deque<DistillationAlert> buffer = new ArrayDeque<>();
    private final List<java.util.function.Consumer<DistillationAlert>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, DistillationAlert> consumer;
    private final Thread reader;
    private volatile boolean running = true;

    public RecentAlerts(Properties clientProps, String topic, Deserializer<DistillationAlert> deserializer) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer);
        this.reader = new Thread(() -> read(topic), "recent-alerts");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(String topic) {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> dayAgo = new HashMap<>();
            long since = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
            partitions.forEach(tp -> dayAgo.put(tp, since));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(dayAgo);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp offset = offsets.get(tp);
                consumer.seek(tp, offset == null ? ends.get(tp) : offset.offset());
            }
            while (running) {
                for (ConsumerRecord<String, DistillationAlert> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {
                        add(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (RuntimeException e) {
            LOG.error("Reading recent alerts stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void add(DistillationAlert alert) {
        synchronized (this) {
            if (buffer.size() == CAPACITY) {
                buffer.removeFirst();
            }
            buffer.addLast(alert);
        }
        for (java.util.function.Consumer<DistillationAlert> listener : listeners) {
            try {
                listener.accept(alert);
            } catch (RuntimeException e) {
                LOG.warn("An alert listener failed: {}", e.toString());
            }
        }
    }

    /** Called on the reader's thread for every alert read, after it is in the buffer. */
    public void onAlert(java.util.function.Consumer<DistillationAlert> listener) {
        listeners.add(listener);
    }

    /** Every alert held, oldest first. */
    public synchronized List<DistillationAlert> all() {
        return new ArrayList<>(buffer);
    }

    /** Alerts emitted at or after {@code since} with at least {@code severity}, newest first, at most {@code limit}. */
    synchronized List<DistillationAlert> query(Instant since, Severity severity, int limit) {
        List<DistillationAlert> result = new ArrayList<>();
        var it = buffer.descendingIterator();
        while (it.hasNext() && result.size() < limit) {
            DistillationAlert alert = it.next();
            if (!alert.getEmittedAt().isBefore(since) && alert.getSeverity().compareTo(severity) >= 0) {
                result.add(alert);
            }
        }
        return result;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
