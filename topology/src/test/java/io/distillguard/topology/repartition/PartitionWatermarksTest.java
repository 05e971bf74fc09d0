package io.distillguard.topology.repartition;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.topology.state.Watermark;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionWatermarksTest {

    private static final long HOUR = 3_600_000L;
    private static final long BOUND = 2 * HOUR;

    private final Map<String, Long> kept = new HashMap<>();
    private final PartitionWatermarks.Store store = new PartitionWatermarks.Store() {
        @Override
        public long get(String key) {
            return kept.getOrDefault(key, Long.MIN_VALUE);
        }

        @Override
        public void put(String key, long value) {
            kept.put(key, value);
        }
    };

    @Test
    void theSlowestPartitionHoldsTheOthersBackAndOneNeverHeardFromHoldsEveryoneBack() {
        PartitionWatermarks marks = new PartitionWatermarks("p|", 3, BOUND, store);
        marks.update(new Watermark(0, 10 * HOUR, false));
        marks.update(new Watermark(1, 10 * HOUR + 60_000, false));
        assertThat(marks.watermark()).as("partition 2 not heard from: the lateness bound only")
                .isEqualTo(8 * HOUR + 60_000);
        marks.update(new Watermark(2, 9 * HOUR, false));
        assertThat(marks.watermark()).isEqualTo(9 * HOUR);
        marks.update(new Watermark(2, 11 * HOUR, false));
        assertThat(marks.watermark()).isEqualTo(10 * HOUR);
    }

    @Test
    void aPartitionFurtherBehindThanTheBoundHoldsBackOnlyToTheBound() {
        PartitionWatermarks marks = new PartitionWatermarks("p|", 2, BOUND, store);
        marks.update(new Watermark(0, 10 * HOUR, false));
        marks.update(new Watermark(1, 5 * HOUR, false));
        assertThat(marks.watermark()).isEqualTo(8 * HOUR);
    }

    @Test
    void anIdlePartitionHoldsNoOneBackAndWhenAllAreIdleTheFurthestCounts() {
        PartitionWatermarks marks = new PartitionWatermarks("p|", 2, BOUND, store);
        marks.update(new Watermark(0, 10 * HOUR, false));
        marks.update(new Watermark(1, Long.MIN_VALUE, true));
        assertThat(marks.watermark()).as("an empty partition, idle from the start").isEqualTo(10 * HOUR);
        assertThat(marks.allIdle()).isFalse();
        marks.update(new Watermark(1, 9 * HOUR + 30 * 60_000, false));
        assertThat(marks.watermark()).as("back, and behind").isEqualTo(9 * HOUR + 30 * 60_000);
        marks.update(new Watermark(0, 10 * HOUR, true));
        marks.update(new Watermark(1, 9 * HOUR + 30 * 60_000, true));
        assertThat(marks.allIdle()).isTrue();
        assertThat(marks.watermark()).isEqualTo(10 * HOUR);
    }

    @Test
    void aPartitionsTimeNeverGoesBackAndWhatWasHeardIsRestoredFromTheStore() {
        PartitionWatermarks marks = new PartitionWatermarks("p|", 2, BOUND, store);
        marks.update(new Watermark(0, 10 * HOUR, false));
        marks.update(new Watermark(1, 10 * HOUR, false));
        // A task moved to another instance starts its stream time again from its first record.
        marks.update(new Watermark(1, 9 * HOUR, false));
        assertThat(marks.watermark()).isEqualTo(10 * HOUR);
        marks.update(new Watermark(1, Long.MIN_VALUE, true));
        PartitionWatermarks restored = new PartitionWatermarks("p|", 2, BOUND, store);
        assertThat(restored.watermark()).isEqualTo(marks.watermark()).isEqualTo(10 * HOUR);
        assertThat(restored.allIdle()).isFalse();
    }

    @Test
    void aPartitionBeyondTheCountGivenIsTakenWhenHeardFrom() {
        PartitionWatermarks marks = new PartitionWatermarks("p|", 1, BOUND, store);
        marks.update(new Watermark(0, 10 * HOUR, false));
        marks.update(new Watermark(1, 9 * HOUR, false));
        assertThat(marks.watermark()).isEqualTo(9 * HOUR);
    }
}
