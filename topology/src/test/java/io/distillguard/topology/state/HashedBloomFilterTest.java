package io.distillguard.topology.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HashedBloomFilterTest {

    private static long hash(String key) {
        return WriteBehindWindowStore.KeyFilter.HASHER.hashCharsToLong(key);
    }

    @Test
    void holdsEveryKeyItWasGivenAndFewOthersAtItsSize() {
        HashedBloomFilter filter = new HashedBloomFilter(100_000, 0.01);
        int changed = 0;
        for (int i = 0; i < 100_000; i++) {
            changed += filter.put(hash("key-" + i)) ? 1 : 0;
        }
        assertThat(changed).as("nearly every new key sets a bit").isGreaterThan(99_000);
        for (int i = 0; i < 100_000; i++) {
            assertThat(filter.mightContain(hash("key-" + i))).isTrue();
        }
        long strangers = java.util.stream.IntStream.range(0, 100_000)
                .filter(i -> filter.mightContain(hash("other-" + i))).count();
        // Sized up to a power of two of bits, so at or under the rate asked for.
        assertThat(strangers).isBetween(1L, 1_000L);
        assertThat(filter.put(hash("key-7"))).as("a key already held changes nothing").isFalse();
    }

    @Test
    void anEmptyFilterHoldsNothing() {
        HashedBloomFilter filter = new HashedBloomFilter(16, 0.001);
        assertThat(filter.mightContain(hash("a"))).isFalse();
        assertThat(filter.mightContain(0L)).isFalse();
    }
}
