package io.distillguard.topology.state;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.util.Arrays;

/**
 * One window of the offline store: values by key, the key held as its 128-bit hash (XXH3, hash4j) in an open
 * addressing table with linear probing, not as the key itself.
 *
 * <p>Written by hand because no library map does this. A {@code HashMap<String, V>} lookup that hits compares the
 * request's key with the stored one, touching the table, its node, the stored String and its bytes: four cache misses
 * on a cold window before the value's own, and the test-driver benchmark spent a sixth of its time in them (async
 * sampling). Here a lookup touches one pair of hash words and the value slot. Two keys are taken for one only if
 * their 128-bit hashes are equal: with a billion keys in a window, a chance of about 10^-21.
 */
final class HashedKeyMap<V> {

    private static final Hasher128 HASHER = Hashing.xxh3_128();
    private static final int MIN_CAPACITY = 16;

    // Slot i's key hash is at hashes[2i] and hashes[2i + 1], side by side so one cache line holds both; a null value
    // marks an empty slot.
    private long[] hashes;
    private Object[] values;
    private int size;
    private int mask;

    /** @param expected the number of keys to size for without a resize */
    HashedKeyMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(MIN_CAPACITY, expected * 2 - 1)) << 1;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        hashes = new long[2 * capacity];
        values = new Object[capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /** The 128-bit hash a key is held as: its text's, so that equal keys of any type are one key. */
    static HashValue128 hash(Object key) {
        return HASHER.hashCharsTo128Bits(key.toString());
    }

    /**
     * The value of the key whose {@link #hash} is {@code low} and {@code high}: by the hash, not the key, so that a
     * caller looking one key up in several windows hashes it once.
     */
    @SuppressWarnings("unchecked")
    V get(long low, long high) {
        for (int slot = (int) low & mask; ; slot = (slot + 1) & mask) {
            Object value = values[slot];
            if (value == null) {
                return null;
            }
            if (hashes[2 * slot] == low && hashes[2 * slot + 1] == high) {
                return (V) value;
            }
        }
    }

    void put(long low, long high, V value) {
        if (insert(low, high, value) && ++size * 2 > values.length) {
            resize();
        }
    }

    /** @return whether the key was new */
    private boolean insert(long low, long high, Object value) {
        for (int slot = (int) low & mask; ; slot = (slot + 1) & mask) {
            if (values[slot] == null) {
                hashes[2 * slot] = low;
                hashes[2 * slot + 1] = high;
                values[slot] = value;
                return true;
            }
            if (hashes[2 * slot] == low && hashes[2 * slot + 1] == high) {
                values[slot] = value;
                return false;
            }
        }
    }

    void remove(long low, long high) {
        int slot = (int) low & mask;
        while (true) {
            if (values[slot] == null) {
                return;
            }
            if (hashes[2 * slot] == low && hashes[2 * slot + 1] == high) {
                break;
            }
            slot = (slot + 1) & mask;
        }
        // Backward-shift deletion: every later key of the run that could sit in the hole moves into it, so that no
        // lookup stops at an empty slot before reaching its key (no tombstones to pile up).
        int hole = slot;
        for (int next = (hole + 1) & mask; values[next] != null; next = (next + 1) & mask) {
            int home = (int) hashes[2 * next] & mask;
            // The key at next may move to the hole unless its home lies cyclically in (hole, next].
            boolean stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
            if (!stays) {
                hashes[2 * hole] = hashes[2 * next];
                hashes[2 * hole + 1] = hashes[2 * next + 1];
                values[hole] = values[next];
                hole = next;
            }
        }
        values[hole] = null;
        size--;
    }

    private void resize() {
        long[] oldHashes = hashes;
        Object[] oldValues = values;
        allocate(oldValues.length * 2);
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                insert(oldHashes[2 * i], oldHashes[2 * i + 1], oldValues[i]);
            }
        }
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }
}
