package io.distillguard.topology.detect;

import com.dynatrace.hash4j.distinctcount.MartingaleEstimator;
import com.dynatrace.hash4j.distinctcount.StateChangeObserver;
import com.dynatrace.hash4j.distinctcount.UltraLogLog;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.ByteBuffer;

/**
 * Distinct counts held in state as UltraLogLog registers (hash4j): the register array is the stored bytes, updated
 * in place with no decode or re-encode, so counting distinct IPs or accounts costs a hash and a byte write. At
 * precision p the array is 2^p bytes with a relative error of about 0.78/sqrt(2^p); small counts are close to exact.
 */
public final class Sketches {

    private static final Hasher64 HASHER = Hashing.komihash5_0();
    /** An empty sketch field; never written to (a sketch's first add allocates its own registers). */
    public static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** Shared boxes for the state records' constructors, which take {@code Double}s: a boxed literal is new each time. */
    public static final Double ZERO = 0.0;
    public static final Double ONE = 1.0;
    /** One reusable estimator per thread: the offline runner's stages and the stream threads each add on their own. */
    private static final ThreadLocal<Running> RUNNING = ThreadLocal.withInitial(Running::new);

    private Sketches() {
    }

    public static long hash(String text) {
        return text == null ? 0L : HASHER.hashCharsToLong(text);
    }

    /** Hash of a number, for values that are already numbers (ASNs, SimHash bands). */
    public static long hash(long value) {
        return HASHER.hashLongLongToLong(value, 0x9E3779B97F4A7C15L);
    }

    private static byte[] registersOrNew(ByteBuffer field, int p) {
        byte[] registers = registers(field);
        return registers != null ? registers : UltraLogLog.create(p).getState();
    }

    /** {@code field} itself when it already wraps {@code registers}, else a buffer that does. */
    private static ByteBuffer asField(ByteBuffer field, byte[] registers) {
        return field != null && field.hasArray() && field.array() == registers ? field : ByteBuffer.wrap(registers);
    }

    /**
     * Adds {@code hash} to the sketch held in {@code field} (empty = none yet) and returns the field to store,
     * keeping the sketch's distinct count current: {@code running} holds the estimate and the
     * probability that a new value changes a register, both updated on each change (hash4j's martingale estimator,
     * valid because these sketches are only ever added to, never merged). Reading the count then costs nothing,
     * where an estimate from the registers scans all of them; that scan was a quarter of the subject path's time.
     */
    public static ByteBuffer add(ByteBuffer field, int p, long hash, Running running) {
        byte[] registers = registersOrNew(field, p);
        UltraLogLog.wrap(registers).add(hash, running);
        return asField(field, registers);
    }

    /** This thread's running estimator, loaded with what the state holds for one sketch. */
    public static Running running(double estimate, double stateChangeProbability) {
        return RUNNING.get().of(estimate, stateChangeProbability);
    }

    /** A sketch's running estimate and state-change probability, as held beside its registers in state. */
    public static final class Running implements StateChangeObserver {
        private final MartingaleEstimator estimator = new MartingaleEstimator();
        private double change;

        /** Loads what the state holds before an add. */
        public Running of(double estimate, double stateChangeProbability) {
            estimator.set(estimate, stateChangeProbability);
            change = stateChangeProbability;
            return this;
        }

        @Override
        public void stateChanged(double probabilityDecrement) {
            estimator.stateChanged(probabilityDecrement);
            change -= probabilityDecrement;
        }

        public double estimate() {
            return estimator.getDistinctCountEstimate();
        }

        public double change() {
            return change;
        }
    }

    /** The register array backing {@code field}, without a copy when the buffer is exactly its array. */
    private static byte[] registers(ByteBuffer field) {
        if (field == null || !field.hasRemaining()) {
            return null;
        }
        if (field.hasArray() && field.arrayOffset() == 0 && field.position() == 0
                && field.remaining() == field.array().length) {
            return field.array();
        }
        byte[] copy = new byte[field.remaining()];
        field.duplicate().get(copy);
        return copy;
    }
}
