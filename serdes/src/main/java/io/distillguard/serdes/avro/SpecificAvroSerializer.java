package io.distillguard.serdes.avro;

import io.distillguard.serdes.registry.SchemaRegistryClient;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes SpecificRecords in the Confluent wire format under the TopicNameStrategy subject
 * ({@code <topic>-value} or {@code <topic>-key}), registering the schema when {@code auto.register.schemas} is true
 * (the default) and looking it up otherwise.
 */
public class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private final Schema schema;
    private final SpecificDatumWriter<T> writer;
    // The schema is fixed per serializer, so its id per subject is asked of the registry once.
    private final Map<String, Integer> idBySubject = new ConcurrentHashMap<>();
    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;

    public SpecificAvroSerializer(Class<T> type) {
        this.schema = SpecificData.get().getSchema(type);
        this.writer = SpecificWriters.of(type, schema);
    }

    /** A serializer already bound to a registry, for callers outside Kafka's configure() lifecycle. */
    public SpecificAvroSerializer(Class<T> type, SchemaRegistryClient registry, boolean isKey, boolean autoRegister) {
        this(type);
        this.registry = registry;
        this.isKey = isKey;
        this.autoRegister = autoRegister;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistryClients.fromConfig(configs);
        this.isKey = isKey;
        Object auto = configs.get(SchemaRegistryClients.AUTO_REGISTER);
        this.autoRegister = Boolean.parseBoolean(auto == null
                ? SchemaRegistryClients.DEFAULTS.get(SchemaRegistryClients.AUTO_REGISTER) : auto.toString());
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("Serializer used before configure(): no schema registry is set");
        }
        String subject = topic + (isKey ? "-key" : "-value");
        Integer id = idBySubject.get(subject);
        if (id == null) {
            id = autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
            idBySubject.put(subject, id);
        }
        EncodeBuffers buffers = EncodeBuffers.get();
        ByteArrayOutputStream out = buffers.out;
        byte[] header = new byte[ConfluentWireFormat.HEADER_SIZE];
        ConfluentWireFormat.writeHeader(header, id);
        out.writeBytes(header);
        BinaryEncoder encoder = buffers.encoder();
        try {
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot encode " + schema.getFullName() + " for topic " + topic + ": " + e, e);
        }
        return out.toByteArray();
    }
}
