package io.distillguard.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads every partition of a topic from its start to the end it had when the read began. */
public final class TopicToEnd {

    private TopicToEnd() {
    }

    /** Assigns {@code consumer} every partition of {@code topic} and hands each record to {@code each}. */
    public static <K, V> void read(KafkaConsumer<K, V> consumer, String topic, Consumer<ConsumerRecord<K, V>> each) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
            consumer.poll(Duration.ofMillis(500)).forEach(each);
        }
    }
}
