package io.distillguard.topology.detect;

import java.nio.ByteBuffer;

/**
 * A small count of distinct values kept exactly, in the bytes a sketch would take later: four zero bytes, then each
 * value's 64-bit hash. The thresholds read from these counts are small (four countries, four or five networks in a
 * day, eight ASNs), and a 64-register sketch reads four distinct networks as three about once in sixteen (two of
 * them in one register, which the second does not change); the evidence would say three where there were four. A
 * list's length is 8k + 4, never a sketch's 2^p, so a field written before lists existed still reads as a sketch.
 */
final class ExactDistinct {

    /** Values kept exactly: fifteen hashes take 124 bytes, against a sketch's 64. */
    static final int MAX = 15;
    private static final int HEADER = 4;

    private ExactDistinct() {
    }

    static boolean holds(ByteBuffer field) {
        return field.remaining() % Long.BYTES == HEADER;
    }

    static int count(ByteBuffer field) {
        return (field.remaining() - HEADER) / Long.BYTES;
    }

    static long get(ByteBuffer field, int i) {
        return field.getLong(field.position() + HEADER + i * Long.BYTES);
    }

    static boolean contains(ByteBuffer field, long hash) {
        for (int i = count(field) - 1; i >= 0; i--) {
            if (get(field, i) == hash) {
                return true;
            }
        }
        return false;
    }

    static ByteBuffer of(long first, long second) {
        ByteBuffer list = ByteBuffer.allocate(HEADER + 2 * Long.BYTES);
        list.putLong(HEADER, first).putLong(HEADER + Long.BYTES, second);
        return list;
    }

    /** A new list of {@code field}'s values and {@code hash}. */
    static ByteBuffer with(ByteBuffer field, long hash) {
        int count = count(field);
        ByteBuffer list = ByteBuffer.allocate(HEADER + (count + 1) * Long.BYTES);
        for (int i = 0; i < count; i++) {
            list.putLong(HEADER + i * Long.BYTES, get(field, i));
        }
        list.putLong(HEADER + count * Long.BYTES, hash);
        return list;
    }
}
