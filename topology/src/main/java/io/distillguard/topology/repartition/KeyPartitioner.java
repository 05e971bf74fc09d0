package io.distillguard.topology.repartition;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions a repartition topic by String key exactly as Kafka's default partitioner does (murmur2 of the key's
 * UTF-8 bytes), so a batch keyed by one of its items' keys goes where each of its items would have gone alone, and a
 * topic merged with it that Kafka partitions by default (the cluster implications) stays co-partitioned. It also
 * learns the topic's partition count, which Kafka Streams tells only its partitioners, for {@link RequestBatcher}, and
 * sends a record keyed {@link #EVERY_PARTITION} to every partition.
 */
public final class KeyPartitioner<V> implements StreamPartitioner<String, V> {

    /** The key of a record every partition gets: an upstream partition's progress mark. */
    public static final String EVERY_PARTITION = "~every-partition";

    private final AtomicInteger partitions = new AtomicInteger();

    public static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
        partitions.set(numPartitions);
        if (EVERY_PARTITION.equals(key)) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
        }
        return Optional.of(Set.of(partition(key, numPartitions)));
    }

    /** The topic's partition count, or 0 until the first record has been sent to it. */
    public int known() {
        return partitions.get();
    }
}
