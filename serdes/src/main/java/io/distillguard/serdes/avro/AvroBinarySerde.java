package io.distillguard.serdes.avro;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary with no registry framing, for state stores and their changelogs: the same application writes
 * and reads them, so a registry round trip per store would buy nothing and add a failure mode.
 *
 * <p>A record written before optional fields were appended to its schema (a store kept across an upgrade) ends where
 * those fields would begin: it is read as the shorter schema it was written with, the fields taking their defaults.
 * Without a schema id that is the one evolution plain binary can recognise, and so the one a state record may make
 * without a reset.
 */
public final class AvroBinarySerde<T extends SpecificRecord> implements Serde<T> {

    private final Schema schema;
    private final SpecificDatumWriter<T> writer;
    /**
     * One reader, with a data model of its own, per thread. State serdes are shared by every stream thread's stores
     * and by the threads answering interactive queries, and Avro 1.12's fast reader keeps its record readers in a
     * cache of the data model that publishes each reader before it is built (FastReaderBuilder.createRecordReader
     * builds only a reader still NEW and hands out one another thread is initializing as it is, with plain fields).
     * Suspected in one {@code HttpApiIT} failure, where an account's hour came back with 1 request of its 6 while its
     * day had all 6; with a model per thread no reader is shared.
     */
    private final ThreadLocal<SpecificDatumReader<T>> reader;
    /** Readers of the schema's earlier, shorter versions, longest first: see above. */
    private final ThreadLocal<List<SpecificDatumReader<T>>> earlierReaders;

    public AvroBinarySerde(Class<T> type) {
        this.schema = SpecificData.get().getSchema(type);
        this.writer = SpecificWriters.of(type, schema);
        this.reader = ThreadLocal.withInitial(() -> new SpecificDatumReader<>(schema, schema,
                new SpecificData(type.getClassLoader())));
        List<Schema> earlier = withoutTrailingDefaults(schema);
        this.earlierReaders = ThreadLocal.withInitial(() -> {
            List<SpecificDatumReader<T>> readers = new ArrayList<>();
            for (Schema writerSchema : earlier) {
                readers.add(new SpecificDatumReader<>(writerSchema, schema, new SpecificData(type.getClassLoader())));
            }
            return readers;
        });
    }

    /** The record without its last field, its last two, ... for as long as the fields dropped all have defaults. */
    static List<Schema> withoutTrailingDefaults(Schema schema) {
        List<Schema> earlier = new ArrayList<>();
        List<Schema.Field> fields = schema.getFields();
        for (int kept = fields.size() - 1; kept >= 1 && fields.get(kept).hasDefaultValue(); kept--) {
            List<Schema.Field> copies = new ArrayList<>();
            for (Schema.Field field : fields.subList(0, kept)) {
                copies.add(new Schema.Field(field, field.schema()));
            }
            earlier.add(Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, copies));
        }
        return earlier;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            EncodeBuffers buffers = EncodeBuffers.get();
            ByteArrayOutputStream out = buffers.out;
            BinaryEncoder encoder = buffers.encoder();
            try {
                writer.write(data, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new SerializationException("Cannot encode " + schema.getFullName(), e);
            }
            return out.toByteArray();
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, null);
            try {
                return reader.get().read(null, decoder);
            } catch (EOFException e) {
                for (SpecificDatumReader<T> earlier : earlierReaders.get()) {
                    BinaryDecoder again = DecoderFactory.get().binaryDecoder(data, null);
                    try {
                        T value = earlier.read(null, again);
                        if (again.isEnd()) {
                            return value;
                        }
                    } catch (IOException | RuntimeException shorter) {
                        // Not this version either: try the next shorter one.
                    }
                }
                throw new SerializationException("Cannot decode " + schema.getFullName() + " from state", e);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot decode " + schema.getFullName() + " from state", e);
            }
        };
    }
}
