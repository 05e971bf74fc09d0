package io.distillguard.topology.state;

/**
 * A Bloom filter of keys that arrive already hashed to 64 bits: the probes are taken from the hash itself (Kirsch and
 * Mitzenmacher's double hashing, its two halves), with no hashing of its own.
 *
 * <p>Written by hand because the library filters hash their input again: Guava's {@code BloomFilter<Long>} boxes the
 * key and runs Murmur3 over its eight bytes on every call, once for each filter of a {@link WriteBehindWindowStore}
 * window's cascade (up to seven), which was about a twentieth of the live detector's CPU, sampled; the store hashes
 * each key once (XXH3 or komihash, hash4j) and looks it up in several windows.
 */
final class HashedBloomFilter {

    private final long[] words;
    private final long mask;
    private final int probes;

    /**
     * @param expected       the keys it is sized for
     * @param falsePositives the false-positive rate at that many keys
     */
    HashedBloomFilter(long expected, double falsePositives) {
        double optimalBits = -expected * Math.log(falsePositives) / (Math.log(2) * Math.log(2));
        // A power of two, so a probe is a mask, not a division: up to twice the optimal bits, fewer false positives.
        long bits = Long.highestOneBit(Math.max(64, (long) Math.ceil(optimalBits)) - 1) << 1;
        words = new long[(int) (bits >>> 6)];
        mask = bits - 1;
        probes = Math.max(1, (int) Math.round(optimalBits / expected * Math.log(2)));
    }

    /** @return whether the filter changed: false when every bit was set already (the key, or a false positive) */
    boolean put(long hash) {
        long step = (hash >>> 32) | 1;
        long probe = hash;
        boolean changed = false;
        for (int i = 0; i < probes; i++, probe += step) {
            long bit = probe & mask;
            int word = (int) (bit >>> 6);
            long before = words[word];
            words[word] = before | (1L << bit);
            changed |= words[word] != before;
        }
        return changed;
    }

    boolean mightContain(long hash) {
        long step = (hash >>> 32) | 1;
        long probe = hash;
        for (int i = 0; i < probes; i++, probe += step) {
            long bit = probe & mask;
            if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }
}
