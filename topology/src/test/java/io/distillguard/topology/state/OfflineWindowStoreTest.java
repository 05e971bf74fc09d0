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
}
