package io.distillguard.service;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether a Kafka Streams application has processed everything up to given offsets, judged by its consumer group's
 * committed offsets, not lag metrics: under exactly-once a read_committed consumer shows no lag while an upstream
 * transaction is still open, but nothing is committed before its output is.
 */
public final class GroupProgress {

    private GroupProgress() {
    }

    /**
     * True when the application's group has committed each of {@code inputTargets} and every partition of its
     * repartition topics ({@code <applicationId>-...-repartition}) up to its current end offset.
     */
    public static boolean committedToEnd(Admin admin, String applicationId, Map<TopicPartition, Long> inputTargets)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> targets = new HashMap<>(inputTargets);
        List<String> repartitions = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition")).toList();
        targets.putAll(endOffsets(admin, repartitions));
        return targets.entrySet().stream().allMatch(e -> e.getValue() == 0
                || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue());
    }

    /** The end offset of every partition of {@code topics}. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        if (!topics.isEmpty()) {
            for (var description : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                description.partitions().forEach(p -> request.put(
                        new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
            }
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (!request.isEmpty()) {
            admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        }
        return ends;
    }
}
