package io.distillguard.serdes.json;

import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A contract record as one UTF-8 JSON object with the contract's field names ({@link ContractJson}), for consumers
 * that have no schema registry client: {@code alerts.format=json}.
 */
public final class ContractJsonSerde<T extends SpecificRecord> implements Serde<T> {

    private final Class<T> type;

    public ContractJsonSerde(Class<T> type) {
        this.type = type;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> data == null ? null : ContractJson.line(data).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return ContractJson.read(data, 0, data.length, type);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("Cannot read " + type.getSimpleName() + " JSON from " + topic + ": "
                        + e.getMessage(), e);
            }
        };
    }
}
