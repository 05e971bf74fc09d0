package io.distillguard.serdes.avro;

import io.distillguard.serdes.registry.SchemaRegistryClient;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format records into SpecificRecords, resolving each writer schema (fetched by id) against
 * this class's reader schema, so that records written with an older or newer compatible schema decode.
 *
 * <p>Failures are split by what a caller should do: {@link SerializationException} for a record that will never
 * decode (bad framing, unknown id, truncated or incompatible body), and
 * {@link io.distillguard.serdes.registry.SchemaRegistryUnavailableException} when the registry cannot be asked and
 * the record may be fine.
 */
public class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final Schema readerSchema;
    private final SpecificData model;
    private final Map<Integer, SpecificDatumReader<T>> readerByWriterId = new ConcurrentHashMap<>();
    private SchemaRegistryClient registry;

    public SpecificAvroDeserializer(Class<T> type) {
        this.readerSchema = SpecificData.get().getSchema(type);
        this.model = SpecificData.getForClass(type);
    }

    /** A deserializer already bound to a registry, for callers outside Kafka's configure() lifecycle. */
    public SpecificAvroDeserializer(Class<T> type, SchemaRegistryClient registry) {
        this(type);
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistryClients.fromConfig(configs);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("Deserializer used before configure(): no schema registry is set");
        }
        int writerId = ConfluentWireFormat.readSchemaId(data);
        SpecificDatumReader<T> reader = readerByWriterId.computeIfAbsent(writerId, this::readerFor);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE,
                data.length - ConfluentWireFormat.HEADER_SIZE, null);
        try {
            return reader.read(null, decoder);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                 | ClassCastException e) {
            throw new SerializationException("Cannot decode Avro body of " + data.length + " bytes with writer schema id "
                    + writerId + " into " + readerSchema.getFullName() + ": " + e, e);
        }
    }

    private SpecificDatumReader<T> readerFor(int writerId) {
        Schema writerSchema = registry.schemaById(writerId);
        try {
            return new SpecificDatumReader<>(writerSchema, readerSchema, model);
        } catch (AvroRuntimeException e) {
            throw new SerializationException("Writer schema id " + writerId + " cannot be read as "
                    + readerSchema.getFullName() + ": " + e.getMessage(), e);
        }
    }
}
