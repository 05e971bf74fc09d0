package io.distillguard.service.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PacedConsumerTest {

    private static final long T0 = 1_795_000_000_000L;
    private static final long MINUTE = 60_000L;
    private static final TopicPartition FAST = new TopicPartition("history", 0);
    private static final TopicPartition SLOW = new TopicPartition("history", 1);
    private static final TopicPartition REPARTITION = new TopicPartition("app-link-repartition", 0);

    private MockConsumer<byte[], byte[]> mock;
    private ReplayPacing pacing;
    private Consumer<byte[], byte[]> paced;

    @BeforeEach
    void setUp() {
        mock = new MockConsumer<>("earliest");
        mock.assign(List.of(FAST, SLOW, REPARTITION));
        mock.updateBeginningOffsets(Map.of(FAST, 0L, SLOW, 0L, REPARTITION, 0L));
        // History partitions stop at offsets 8 and 3; two minutes of event time apart at most.
        pacing = new ReplayPacing("history", "app-progress", Map.of(FAST, 8L, SLOW, 3L), T0, Duration.ofMinutes(2),
                new Properties(), new Properties());
        paced = PacedConsumer.wrap(mock, pacing);
        for (int i = 0; i < 10; i++) {
            mock.addRecord(record(FAST, i, T0 + i * MINUTE));
        }
        for (int i = 0; i < 3; i++) {
            mock.addRecord(record(SLOW, i, T0 + i * 2 * MINUTE));
        }
        mock.addRecord(record(REPARTITION, 0, T0 + 60 * MINUTE));
    }

    @Test
    void aPartitionGoesOnlyUpToTheSlowestsProgressPlusTheSlackAndNeverPastItsStopOffset() {
        ConsumerRecords<byte[], byte[]> first = paced.poll(Duration.ZERO);
        // Nothing taken in yet: every partition is at the start, so records up to T0 + 2 min go.
        assertThat(offsets(first, FAST)).containsExactly(0L, 1L, 2L);
        assertThat(offsets(first, SLOW)).containsExactly(0L, 1L);
        assertThat(offsets(first, REPARTITION)).as("other topics pass untouched").containsExactly(0L);
        assertThat(first.nextOffsets().get(FAST).offset()).as("commits stop at the first record held back").isEqualTo(3L);
        assertThat(mock.paused()).as("a partition with records held back is paused").contains(FAST, SLOW);
        assertThat(paused()).as("what Kafka Streams paused, not what the pacing did").isEmpty();

        // The tasks take in what they were given: the slowest (SLOW, at T0 + 2 min) lets the others to T0 + 4 min.
        pacing.tookIn(0, 2);
        pacing.tookIn(1, 1);
        ConsumerRecords<byte[], byte[]> second = paced.poll(Duration.ZERO);
        assertThat(offsets(second, FAST)).containsExactly(3L, 4L);
        assertThat(offsets(second, SLOW)).containsExactly(2L);

        // SLOW reaches its stop offset and is done; FAST goes on, up to its own stop offset and not beyond.
        mock.addRecord(record(SLOW, 3, T0 + 90 * MINUTE));
        pacing.tookIn(1, 2);
        pacing.tookIn(0, 4);
        List<Long> fast = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fast.addAll(offsets(paced.poll(Duration.ZERO), FAST));
            pacing.tookIn(0, fast.isEmpty() ? 4 : fast.get(fast.size() - 1));
        }
        assertThat(fast).containsExactly(5L, 6L, 7L);
        assertThat(mock.paused()).as("a partition at its stop offset stays paused").contains(FAST, SLOW);
    }

    @Test
    void aPartitionKafkaStreamsPausedStaysPausedWhenThePacingLetsItGo() {
        paced.poll(Duration.ZERO);
        paced.pause(List.of(SLOW));
        pacing.tookIn(0, 2);
        pacing.tookIn(1, 1);
        ConsumerRecords<byte[], byte[]> whilePaused = paced.poll(Duration.ZERO);
        assertThat(offsets(whilePaused, SLOW)).as("nothing for a partition Kafka Streams paused").isEmpty();
        assertThat(mock.paused()).contains(SLOW);
        assertThat(paused()).containsExactly(SLOW);
        paced.resume(List.of(SLOW, FAST));
        assertThat(mock.paused()).as("FAST still has records held back").contains(FAST);
        assertThat(paused()).isEmpty();
        assertThat(offsets(paced.poll(Duration.ZERO), SLOW)).as("its held record once resumed").containsExactly(2L);
    }

    @Test
    void theSlowestPartitionPassesTheLimitOneRecordAtATimeAcrossAGapInItsTraffic() {
        MockConsumer<byte[], byte[]> gap = new MockConsumer<>("earliest");
        gap.assign(List.of(FAST, SLOW));
        gap.updateBeginningOffsets(Map.of(FAST, 0L, SLOW, 0L));
        ReplayPacing p = new ReplayPacing("history", "app-progress", Map.of(FAST, 100L, SLOW, 100L), T0,
                Duration.ofMinutes(2), new Properties(), new Properties());
        Consumer<byte[], byte[]> c = PacedConsumer.wrap(gap, p);
        gap.addRecord(record(SLOW, 0, T0 + 60 * MINUTE));
        gap.addRecord(record(SLOW, 1, T0 + 61 * MINUTE));
        gap.addRecord(record(FAST, 0, T0 + 59 * MINUTE));
        // Both partitions are at the start; SLOW's next record is an hour ahead. The slowest goes on, one record a poll.
        ConsumerRecords<byte[], byte[]> first = c.poll(Duration.ZERO);
        assertThat(first.count()).isEqualTo(2);
        assertThat(offsets(first, SLOW)).containsExactly(0L);
        assertThat(offsets(first, FAST)).containsExactly(0L);
    }

    @SuppressWarnings("unchecked")
    private java.util.Set<TopicPartition> paused() {
        return paced.paused();
    }

    private static List<Long> offsets(ConsumerRecords<byte[], byte[]> records, TopicPartition tp) {
        return records.records(tp).stream().map(ConsumerRecord::offset).toList();
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, long timestamp) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, timestamp,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, new byte[0], new byte[0],
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
    }
}
