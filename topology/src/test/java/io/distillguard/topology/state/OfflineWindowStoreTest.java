package io.distillguard.topology.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.Test;

class OfflineWindowStoreTest {

    private final WindowStore<String, String> store = OfflineWindowStore.<String, String>builder("w", 100).build();

    @Test
    void keepsOneValuePerKeyAndWindowAndForgetsWindowsPastRetention() {
        store.put("a", "a@0", 0);
        store.put("a", "a@50", 50);
        store.put("b", "b@50", 50);
        assertThat(store.fetch("a", 0)).isEqualTo("a@0");
        assertThat(store.fetch("a", 50)).isEqualTo("a@50");
        assertThat(store.fetch("c", 50)).isNull();

        store.put("a", "a@100", 100);
        // Stream time 100, retention 100: the window at 0 has expired, like Kafka's stores.
        assertThat(store.fetch("a", 0)).isNull();
        store.put("a", "late", 0);
        assertThat(store.fetch("a", 0)).as("a write to an expired window is dropped").isNull();
        assertThat(store.fetch("b", 50)).isEqualTo("b@50");

        store.put("b", null, 50);
        assertThat(store.fetch("b", 50)).isNull();
    }

    @Test
    void fetchesOneKeyOverATimeRangeInWindowOrder() {
        store.put("a", "1", 10);
        store.put("a", "2", 20);
        store.put("b", "x", 20);
        store.put("a", "3", 30);
        List<KeyValue<Long, String>> found = new ArrayList<>();
        try (WindowStoreIterator<String> it = store.fetch("a", 15, 30)) {
            it.forEachRemaining(found::add);
        }
        assertThat(found).containsExactly(KeyValue.pair(20L, "2"), KeyValue.pair(30L, "3"));
        assertThatThrownBy(() -> store.fetchAll(0, 100)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void findsWindowsWrittenOutOfOrderAmongMoreThanItStartsWithUntilTheyExpire() {
        WindowStore<String, String> wide = OfflineWindowStore.<String, String>builder("wide", 1_000).build();
        // Twelve windows, every other one written first and the gaps filled later: each must land in its own place.
        for (long start = 0; start < 120; start += 20) {
            wide.put("k", "v" + start, start);
        }
        for (long start = 110; start > 0; start -= 20) {
            wide.put("k", "v" + start, start);
        }
        for (long start = 0; start < 120; start += 10) {
            assertThat(wide.fetch("k", start)).as("window %d", start).isEqualTo("v" + start);
        }
        assertThat(wide.fetch("k", 5)).isNull();
        assertThat(wide.fetch("k", 130)).isNull();
        List<KeyValue<Long, String>> found = new ArrayList<>();
        try (WindowStoreIterator<String> it = wide.fetch("k", 35, 75)) {
            it.forEachRemaining(found::add);
        }
        assertThat(found).extracting(kv -> kv.key).containsExactly(40L, 50L, 60L, 70L);

        wide.put("k", "v1050", 1_050);
        // Stream time 1050, retention 1000: windows up to 50 are gone, 60 onward stay.
        assertThat(wide.fetch("k", 50)).isNull();
        assertThat(wide.fetch("k", 60)).isEqualTo("v60");
        assertThat(wide.fetch("k", 1_050)).isEqualTo("v1050");
        wide.put("k", "v45", 45);
        assertThat(wide.fetch("k", 45)).as("a write to an expired window is dropped").isNull();
        wide.put("k", "v1000", 1_000);
        assertThat(wide.fetch("k", 1_000)).isEqualTo("v1000");
        assertThat(wide.fetch("k", 1_050)).isEqualTo("v1050");
    }
}
