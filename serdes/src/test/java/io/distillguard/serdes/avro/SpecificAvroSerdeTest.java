package io.distillguard.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.registry.InMemorySchemaRegistry;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.serdes.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpecificAvroSerdeTest {

    private final String scope = "serde-test-" + UUID.randomUUID();
    private final Map<String, String> config = Map.of(SchemaRegistryClients.URL, "mock://" + scope);

    @AfterEach
    void dropScope() {
        InMemorySchemaRegistry.dropScope(scope);
    }

    static RequestEvent event() {
        return RequestEvent.newBuilder()
                .setEventId("e-1")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setAccountId("acct-1")
                .setIp("203.0.113.7")
                .setModel("frontier-1")
                .setEndpoint("/v1/messages")
                .setPromptTokens(120)
                .setCompletionTokens(800)
                .setStatus(200)
                .build();
    }

    @Test
    void shouldRoundTripInConfluentWireFormat() {
        SpecificAvroSerde<RequestEvent> serde = SpecificAvroSerde.forValues(RequestEvent.class, config);
        byte[] bytes = serde.serializer().serialize("requests", event());

        assertThat(bytes[0]).isEqualTo((byte) 0);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(InMemorySchemaRegistry.scope(scope).schemaById(id)).isEqualTo(RequestEvent.getClassSchema());
        assertThat(InMemorySchemaRegistry.scope(scope).subjects()).containsExactly("requests-value");
        assertThat(serde.deserializer().deserialize("requests", bytes)).isEqualTo(event());
    }

    @Test
    void shouldEncodeEachRecordAloneAfterAFailedEncodeOnTheSameThread() {
        SpecificAvroSerde<RequestEvent> serde = SpecificAvroSerde.forValues(RequestEvent.class, config);
        AvroBinarySerde<RequestEvent> plain = new AvroBinarySerde<>(RequestEvent.class);
        byte[] framed = serde.serializer().serialize("requests", event());
        byte[] unframed = plain.serializer().serialize("state", event());
        // Fails after the leading fields are in the thread's encoder buffer: a long id, then a null required field.
        RequestEvent broken = event();
        broken.setEventId("x".repeat(3000));
        broken.setModel(null);

        assertThatThrownBy(() -> serde.serializer().serialize("requests", broken))
                .isInstanceOf(SerializationException.class);
        assertThat(serde.serializer().serialize("requests", event())).isEqualTo(framed);
        assertThatThrownBy(() -> plain.serializer().serialize("state", broken)).isInstanceOf(RuntimeException.class);
        assertThat(plain.serializer().serialize("state", event())).isEqualTo(unframed);
        assertThat(plain.deserializer().deserialize("state", unframed)).isEqualTo(event());
    }

    @Test
    void shouldRefuseWrongMagicByteWithClearMessage() {
        SpecificAvroSerde<RequestEvent> serde = SpecificAvroSerde.forValues(RequestEvent.class, config);
        byte[] bytes = serde.serializer().serialize("requests", event());
        bytes[0] = 0x7;
        assertThatThrownBy(() -> serde.deserializer().deserialize("requests", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("magic byte 0x07");
    }

    @Test
    void shouldRefuseRecordTooShortForHeader() {
        SpecificAvroSerde<RequestEvent> serde = SpecificAvroSerde.forValues(RequestEvent.class, config);
        assertThatThrownBy(() -> serde.deserializer().deserialize("requests", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("too short");
    }

    @Test
    void shouldRefuseUnknownSchemaId() {
        SpecificAvroSerde<RequestEvent> serde = SpecificAvroSerde.forValues(RequestEvent.class, config);
        byte[] bytes = serde.serializer().serialize("requests", event());
        ByteBuffer.wrap(bytes, 1, 4).putInt(4242);
        assertThatThrownBy(() -> serde.deserializer().deserialize("requests", bytes))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("4242");
    }

    @Test
    void shouldRefuseTruncatedBody() {
        SpecificAvroSerde<RequestEvent> serde = SpecificAvroSerde.forValues(RequestEvent.class, config);
        byte[] bytes = serde.serializer().serialize("requests", event());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);
        assertThatThrownBy(() -> serde.deserializer().deserialize("requests", truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Cannot decode Avro body");
    }

    @Test
    void shouldDecodeEventsWrittenWithAnOlderSchemaUsingDefaults() throws Exception {
        // An older gateway that knows only the required fields.
        Schema older = SchemaBuilder.record("RequestEvent").namespace("io.distillguard.avro").fields()
                .requiredString("event_id")
                .name("event_time").type(timestampMillis()).noDefault()
                .requiredString("account_id")
                .requiredString("ip")
                .requiredString("model")
                .requiredString("endpoint")
                .requiredInt("prompt_tokens")
                .requiredInt("completion_tokens")
                .requiredInt("status")
                .endRecord();
        GenericRecord record = new GenericData.Record(older);
        record.put("event_id", "old-1");
        record.put("event_time", 1_700_000_000_000L);
        record.put("account_id", "acct-old");
        record.put("ip", "2001:db8::1");
        record.put("model", "m");
        record.put("endpoint", "/v1/chat");
        record.put("prompt_tokens", 5);
        record.put("completion_tokens", 6);
        record.put("status", 200);
        int id = InMemorySchemaRegistry.scope(scope).register("requests-value", older);

        RequestEvent decoded = SpecificAvroSerde.forValues(RequestEvent.class, config).deserializer()
                .deserialize("requests", frame(id, older, record));

        assertThat(decoded.getAccountId()).isEqualTo("acct-old");
        assertThat(decoded.getTurnIndex()).isZero();
        assertThat(decoded.getReasoningRequested()).isFalse();
        assertThat(decoded.getOrgId()).isNull();
    }

    @Test
    void shouldDecodeEventsWrittenWithANewerSchemaIgnoringAddedField() throws Exception {
        Schema newer = new Schema.Parser().parse(RequestEvent.getClassSchema().toString()
                .replace("{\"name\":\"status\"", "{\"name\":\"region\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"status\""));
        assertThat(newer.getField("region")).isNotNull();
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
        registry.register("requests-value", RequestEvent.getClassSchema());
        int id = registry.register("requests-value", newer);
        GenericRecord record = new GenericData.Record(newer);
        RequestEvent base = event();
        for (Schema.Field field : RequestEvent.getClassSchema().getFields()) {
            Object value = base.get(field.pos());
            record.put(field.name(), value instanceof Instant instant ? instant.toEpochMilli() : value);
        }
        record.put("region", "eu");

        RequestEvent decoded = SpecificAvroSerde.forValues(RequestEvent.class, config).deserializer()
                .deserialize("requests", frame(id, newer, record));

        assertThat(decoded).isEqualTo(base);
    }

    @Test
    void shouldRefuseRegisteringSchemaThatRemovesARequiredFieldUnderBackwardCompatibility() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
        registry.register("requests-value", RequestEvent.getClassSchema());
        Schema withNewRequired = new Schema.Parser().parse(RequestEvent.getClassSchema().toString()
                .replace("{\"name\":\"status\"", "{\"name\":\"tenant\",\"type\":\"string\"},{\"name\":\"status\""));

        assertThat(registry.isCompatible("requests-value", withNewRequired)).isFalse();
        assertThatThrownBy(() -> registry.register("requests-value", withNewRequired))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
    }

    @Test
    void shouldNotRegisterWhenAutoRegistrationIsOff() {
        SpecificAvroSerde<RequestEvent> serde = SpecificAvroSerde.forValues(RequestEvent.class,
                Map.of(SchemaRegistryClients.URL, "mock://" + scope, SchemaRegistryClients.AUTO_REGISTER, "false"));
        assertThatThrownBy(() -> serde.serializer().serialize("requests", event()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("requests-value");
    }

    private static Schema timestampMillis() {
        Schema schema = Schema.create(Schema.Type.LONG);
        schema.addProp("logicalType", "timestamp-millis");
        return schema;
    }

    private static byte[] frame(int id, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[5];
        ConfluentWireFormat.writeHeader(header, id);
        out.write(header);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
