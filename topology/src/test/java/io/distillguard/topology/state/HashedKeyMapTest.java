package io.distillguard.topology.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashedKeyMapTest {

    /** The map by key, as its callers reach it: each key through its hash. */
    private static final class ByKey<V> {
        final HashedKeyMap<V> map;

        ByKey(int expected) {
            map = new HashedKeyMap<>(expected);
        }

        void put(String key, V value) {
            var hash = HashedKeyMap.hash(key);
            map.put(hash.getLeastSignificantBits(), hash.getMostSignificantBits(), value);
        }

        void remove(String key) {
            var hash = HashedKeyMap.hash(key);
            map.remove(hash.getLeastSignificantBits(), hash.getMostSignificantBits());
        }

        V get(String key) {
            var hash = HashedKeyMap.hash(key);
            return map.get(hash.getLeastSignificantBits(), hash.getMostSignificantBits());
        }

        int size() {
            return map.size();
        }

        void clear() {
            map.clear();
        }
    }

    @Test
    void behavesAsAHashMapThroughPutsOverwritesRemovalsAndResizes() {
        Random random = new Random(11);
        ByKey<Integer> map = new ByKey<>(4);
        Map<String, Integer> model = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            keys.add("ACCOUNT:acct-" + i);
        }
        for (int step = 0; step < 200_000; step++) {
            String key = keys.get(random.nextInt(keys.size()));
            int op = random.nextInt(10);
            if (op < 5) {
                map.put(key, step);
                model.put(key, step);
            } else if (op < 8) {
                map.remove(key);
                model.remove(key);
            } else {
                assertThat(map.get(key)).as("get %s at step %d", key, step).isEqualTo(model.get(key));
            }
        }
        assertThat(map.size()).isEqualTo(model.size());
        for (String key : keys) {
            assertThat(map.get(key)).as(key).isEqualTo(model.get(key));
        }
    }

    @Test
    void removingAKeyKeepsTheKeysProbedPastItReachable() {
        // A small table and many keys: long probe runs that wrap around the end, where deletion must shift back.
        ByKey<String> map = new ByKey<>(1);
        for (int i = 0; i < 12; i++) {
            map.put("k" + i, "v" + i);
        }
        for (int i = 0; i < 12; i += 2) {
            map.remove("k" + i);
        }
        for (int i = 0; i < 12; i++) {
            assertThat(map.get("k" + i)).isEqualTo(i % 2 == 0 ? null : "v" + i);
        }
        assertThat(map.size()).isEqualTo(6);
        map.clear();
        assertThat(map.get("k1")).isNull();
        assertThat(map.size()).isZero();
    }
}
