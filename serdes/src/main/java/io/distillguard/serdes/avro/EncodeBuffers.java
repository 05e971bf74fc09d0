package io.distillguard.serdes.avro;

import java.io.ByteArrayOutputStream;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * A thread's reusable output buffer and buffered Avro encoder. Every store write and repartition record is encoded,
 * several per request; a fresh growing stream and an unbuffered encoder each time made every field a separate write
 * and every sketch a few array copies. Serializers are shared by a topology's stream threads, hence per thread.
 */
final class EncodeBuffers {

    private static final ThreadLocal<EncodeBuffers> BUFFERS = ThreadLocal.withInitial(EncodeBuffers::new);

    final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    private BinaryEncoder encoder;

    private EncodeBuffers() {
    }

    /** This thread's buffers, emptied; an encode must be finished (flushed, copied out) before the next starts. */
    static EncodeBuffers get() {
        EncodeBuffers buffers = BUFFERS.get();
        // Reconfiguring the encoder flushes what a failed encode left in its buffer into the stream; the stream is
        // emptied after that, so nothing of an earlier record can reach the next.
        buffers.encoder = EncoderFactory.get().binaryEncoder(buffers.out, buffers.encoder);
        buffers.out.reset();
        return buffers;
    }

    BinaryEncoder encoder() {
        return encoder;
    }
}
