package io.distillguard.topology.repartition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitionedBatchesTest {

    private final List<PartitionedBatches.Batch<String>> sent = new ArrayList<>();

    @Test
    void shouldPartitionEveryKeyAsKafkasDefaultPartitionerDoes() {
        // The implications topic is partitioned by Kafka's default and merged with the by-subject batches: a key must
        // land on the same partition either way, or an account's windows would be split between two tasks.
        for (int partitions = 1; partitions <= 24; partitions++) {
            for (int i = 0; i < 500; i++) {
                String key = "A|acct-" + i + (i % 3 == 0 ? "-é" : "");
                assertThat(KeyPartitioner.partition(key, partitions))
                        .as("%s over %d partitions", key, partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions));
            }
        }
    }

    @Test
    void shouldHoldARequestsKeysInOneItemPerPartitionUntilAsked() {
        PartitionedBatches<String> batches = new PartitionedBatches<>(2, 60_000, 100, 1 << 20, request -> 10,
                sent::add);
        String first = "request-1";
        String second = "request-2";
        batches.add(0, 1_000, "ip|a", first);
        batches.add(0, 1_000, "asn|a", first);
        batches.add(1, 1_000, "card|a", first);
        batches.add(0, 2_000, "ip|b", second);

        assertThat(sent).isEmpty();
        assertThat(batches.held()).isEqualTo(2);
        batches.sendAll();

        assertThat(batches.held()).isZero();
        assertThat(sent).hasSize(2);
        PartitionedBatches.Batch<String> zero = sent.get(0);
        assertThat(zero.key()).isEqualTo("ip|a");
        assertThat(zero.timestamp()).isEqualTo(1_000);
        assertThat(zero.items()).containsExactly(
                new BatchCodec.Item<>(1_000, List.of("ip|a", "asn|a"), first),
                new BatchCodec.Item<>(2_000, List.of("ip|b"), second));
        assertThat(sent.get(1).items()).containsExactly(new BatchCodec.Item<>(1_000, List.of("card|a"), first));

        batches.sendAll();
        assertThat(sent).as("nothing is sent twice").hasSize(2);
    }

    @Test
    void shouldSendABatchEarlyAtItsKeyLimit() {
        PartitionedBatches<String> batches = new PartitionedBatches<>(1, 60_000, 3, 1 << 20, request -> 10, sent::add);
        for (int i = 0; i < 7; i++) {
            batches.add(0, 1_000 + i, "key-" + i, "request-" + i);
        }
        assertThat(sent).hasSize(2);
        assertThat(sent).allSatisfy(batch -> assertThat(batch.items()).hasSize(3));
        assertThat(sent.get(1).key()).isEqualTo("key-3");
        assertThat(sent.get(1).timestamp()).isEqualTo(1_003);
        assertThat(batches.held()).isEqualTo(1);
    }

    @Test
    void shouldNotLetABatchSpanMoreEventTimeThanAllowedEitherWay() {
        PartitionedBatches<String> batches = new PartitionedBatches<>(1, 10_000, 1_000, 1 << 20, request -> 10,
                sent::add);
        batches.add(0, 50_000, "a", "r1");
        batches.add(0, 60_000, "b", "r2");
        assertThat(sent).isEmpty();
        batches.add(0, 60_001, "c", "r3");
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).items()).extracting(BatchCodec.Item::request).containsExactly("r1", "r2");
        // An older request than the batch's oldest stretches it too (records are not always in event-time order).
        batches.add(0, 50_000, "d", "r4");
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).items()).extracting(BatchCodec.Item::request).containsExactly("r3");
        batches.sendAll();
        assertThat(sent.get(2).timestamp()).isEqualTo(50_000);
    }

    @Test
    void shouldSendABatchBeforeItsSizeBoundPassesTheLimit() {
        // Long ids fill a batch's bytes long before its key count: 200 chars a key count 605 bytes, a request 100.
        PartitionedBatches<String> batches = new PartitionedBatches<>(1, 60_000, 1_000, 4_000, request -> 100,
                sent::add);
        for (int i = 0; i < 12; i++) {
            batches.add(0, 1_000, ("k" + i).repeat(100).substring(0, 200), "request-" + i);
        }
        assertThat(sent).hasSize(2);
        assertThat(sent).allSatisfy(batch -> assertThat(batch.items()).hasSize(6));
    }

    @Test
    void shouldDropWhatItHoldsWhenCleared() {
        PartitionedBatches<String> batches = new PartitionedBatches<>(3, 60_000, 100, 1 << 20, request -> 10,
                sent::add);
        batches.add(2, 1_000, "a", "r1");
        batches.clear();
        assertThat(batches.held()).isZero();
        batches.sendAll();
        assertThat(sent).isEmpty();
    }
}
