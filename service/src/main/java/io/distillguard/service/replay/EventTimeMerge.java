package io.distillguard.service.replay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Copies offset ranges of several partitions into one partition, merged in timestamp order (a k-way merge with a
 * bounded buffer per partition: a partition whose buffer is full is paused until the merge drains it). Keys,
 * values, timestamps and headers are copied as they are.
 */
final class EventTimeMerge {

    private static final int MAX_BUFFERED_PER_PARTITION = 20_000;

    private final Properties consumerProps;
    private final Properties producerProps;

    EventTimeMerge(Properties consumerProps, Properties producerProps) {
        this.consumerProps = consumerProps;
        this.producerProps = producerProps;
    }

    /** Copies [start, stop) of each partition to partition 0 of {@code target}; returns how many records it copied. */
    long copy(Map<TopicPartition, Long> start, Map<TopicPartition, Long> stop, String target) throws Exception {
        Properties props = new Properties();
        props.putAll(consumerProps);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers = new HashMap<>();
        Set<TopicPartition> finished = new HashSet<>();
        long copied = 0;
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (TopicPartition tp : start.keySet()) {
                buffers.put(tp, new ArrayDeque<>());
                if (start.get(tp) >= stop.get(tp)) {
                    finished.add(tp);
                } else {
                    partitions.add(tp);
                }
            }
            consumer.assign(partitions);
            partitions.forEach(tp -> consumer.seek(tp, start.get(tp)));
            while (true) {
                // Refill: a partition that is still reading and has nothing buffered blocks the merge.
                boolean blocked = buffers.entrySet().stream()
                        .anyMatch(e -> e.getValue().isEmpty() && !finished.contains(e.getKey()));
                if (blocked) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                        if (record.offset() < stop.get(tp)) {
                            buffers.get(tp).add(record);
                        }
                    }
                    for (TopicPartition tp : partitions) {
                        if (!finished.contains(tp) && consumer.position(tp) >= stop.get(tp)) {
                            finished.add(tp);
                            consumer.pause(List.of(tp));
                        } else if (!finished.contains(tp)) {
                            boolean full = buffers.get(tp).size() >= MAX_BUFFERED_PER_PARTITION;
                            if (full) {
                                consumer.pause(List.of(tp));
                            } else {
                                consumer.resume(List.of(tp));
                            }
                        }
                    }
                    continue;
                }
                ConsumerRecord<byte[], byte[]> earliest = null;
                TopicPartition from = null;
                for (Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> e : buffers.entrySet()) {
                    ConsumerRecord<byte[], byte[]> head = e.getValue().peek();
                    if (head != null && (earliest == null || head.timestamp() < earliest.timestamp())) {
                        earliest = head;
                        from = e.getKey();
                    }
                }
                if (earliest == null) {
                    break;
                }
                buffers.get(from).poll();
                producer.send(new ProducerRecord<>(target, 0, earliest.timestamp(), earliest.key(), earliest.value(),
                        earliest.headers()), (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                copied++;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("Copying the replay range to " + target + " failed: "
                    + failure.get().getMessage(), failure.get());
        }
        return copied;
    }

}
