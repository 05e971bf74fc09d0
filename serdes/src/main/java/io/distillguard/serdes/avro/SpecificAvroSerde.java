package io.distillguard.serdes.avro;

import io.distillguard.serdes.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A registry-backed Avro serde for one SpecificRecord type, in the Confluent wire format. */
public class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final SpecificAvroSerializer<T> serializer;
    private final SpecificAvroDeserializer<T> deserializer;
    // How this serde was set up, so that sibling() can set up another one alike.
    private Map<String, ?> configs;
    private boolean isKey;
    private SchemaRegistryClient registry;
    private boolean autoRegister;

    public SpecificAvroSerde(Class<T> type) {
        this.serializer = new SpecificAvroSerializer<>(type);
        this.deserializer = new SpecificAvroDeserializer<>(type);
    }

    /** A serde for record values already bound to {@code registry}. */
    public SpecificAvroSerde(Class<T> type, SchemaRegistryClient registry, boolean autoRegister) {
        this.serializer = new SpecificAvroSerializer<>(type, registry, false, autoRegister);
        this.deserializer = new SpecificAvroDeserializer<>(type, registry);
        this.registry = registry;
        this.autoRegister = autoRegister;
    }

    /** A serde for another record type, set up exactly like this one (same registry, same settings). */
    public <S extends SpecificRecord> SpecificAvroSerde<S> sibling(Class<S> type) {
        if (registry != null) {
            return new SpecificAvroSerde<>(type, registry, autoRegister);
        }
        if (configs == null) {
            throw new IllegalStateException("Serde used before configure(): no schema registry is set");
        }
        SpecificAvroSerde<S> sibling = new SpecificAvroSerde<>(type);
        sibling.configure(configs, isKey);
        return sibling;
    }

    /** A value serde configured from Confluent-style serde properties. */
    public static <T extends SpecificRecord> SpecificAvroSerde<T> forValues(Class<T> type, Map<String, ?> configs) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(configs, false);
        return serde;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.configs = Map.copyOf(configs);
        this.isKey = isKey;
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
