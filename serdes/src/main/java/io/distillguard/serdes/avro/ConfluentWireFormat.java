package io.distillguard.serdes.avro;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's framing of a registry-encoded record: magic byte 0, a 4-byte big-endian schema id, then the body.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0x0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {
    }

    /** Writes the 5-byte header into the start of {@code target}. */
    public static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        ByteBuffer.wrap(target, 1, 4).putInt(schemaId);
    }

    /** Checks the header of {@code data} and returns the schema id it names. */
    public static int readSchemaId(byte[] data) {
        if (data.length < HEADER_SIZE) {
            throw new SerializationException("Record of " + data.length
                    + " bytes is too short for the Confluent wire format (magic byte + 4-byte schema id + body)");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "Unknown magic byte 0x%02x: not in the Confluent Schema Registry wire format (expected 0x00)", data[0]));
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }
}
