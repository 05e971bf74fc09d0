package io.distillguard.topology.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

class OfflineKeyValueStoreTest {

    private static OfflineKeyValueStore<String, Integer> store(String... keys) {
        OfflineKeyValueStore<String, Integer> store =
                (OfflineKeyValueStore<String, Integer>) OfflineKeyValueStore.<String, Integer>builder("test").build();
        store.openDetached();
        for (int i = 0; i < keys.length; i++) {
            store.put(keys[i], i);
        }
        return store;
    }

    private static List<String> keys(KeyValueIterator<String, Integer> it) {
        List<String> keys = new ArrayList<>();
        while (it.hasNext()) {
            keys.add(it.next().key);
        }
        return keys;
    }

    @Test
    void aRangeHoldsBothEndsInKeyOrderAndNothingOutside() {
        OfflineKeyValueStore<String, Integer> store = store("d", "a", "c", "b", "e");
        assertThat(keys(store.range("b", "d"))).containsExactly("b", "c", "d");
        assertThat(keys(store.range("bb", "dd"))).containsExactly("c", "d");
        assertThat(keys(store.range("f", "z"))).isEmpty();
        assertThat(keys(store.range("d", "b"))).isEmpty();
        assertThat(keys(store.all())).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void entriesCanBeDeletedWhileTheirRangeIsRead() {
        OfflineKeyValueStore<String, Integer> store = store("a", "b", "c", "d");
        List<String> read = new ArrayList<>();
        try (KeyValueIterator<String, Integer> it = store.range("a", "c")) {
            while (it.hasNext()) {
                KeyValue<String, Integer> entry = it.next();
                read.add(entry.key);
                store.delete(entry.key);
                store.delete("b");
            }
        }
        // "b" was deleted before the cursor reached it; "d" is outside the range.
        assertThat(read).containsExactly("a", "c");
        assertThat(keys(store.all())).containsExactly("d");
    }

    @Test
    void anExhaustedCursorSaysSo() {
        KeyValueIterator<String, Integer> it = store("a").range("a", "a");
        assertThat(it.peekNextKey()).isEqualTo("a");
        assertThat(it.next().value).isZero();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }
}
