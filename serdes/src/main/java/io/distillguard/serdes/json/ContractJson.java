package io.distillguard.serdes.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The topic contracts as plain JSON, one object per record, with the contract's field names: timestamps as epoch
 * milliseconds, enums as their names, fixed-size byte fields (a prompt's MinHash) as lowercase hexadecimal, optional
 * fields null or absent. This is the JSON Lines format of backtest
 * files and of alert exports.
 *
 * <p>Written by hand because Avro's own JSON encoding is a different format (unions wrapped as
 * {@code {"string": "x"}}, every field present), which gateways' logs and analysts' tools do not produce or expect.
 */
public final class ContractJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ContractJson() {
    }

    /**
     * Parses one JSON object into a record of {@code type}; the message of the exception says what is wrong.
     *
     * <p>Well-formed lines of flat records are read in one streaming pass straight into the record; anything else
     * (a wrong type, a missing field, nested values, broken JSON) is read again through the tree below, so every
     * rejection says exactly what it always said. The tree alone cost about 14 µs a line, the backtest's largest
     * single cost.
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T read(String json, Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        SpecificRecord record;
        try {
            record = streaming(JSON.getFactory().createParser(json), schema);
        } catch (java.io.IOException e) {
            record = null;
        }
        return record != null ? (T) record : readTree(json, type);
    }

    /**
     * {@link #read(String, Class)} of UTF-8 bytes, {@code length} of them from {@code offset}: parsed as they are, not
     * decoded to a String first (the decoding was a tenth of a backtest's reading). Bytes that are not UTF-8 are
     * decoded with replacement characters and read as text, as a reader of the file would.
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T read(byte[] utf8, int offset, int length, Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        SpecificRecord record;
        try {
            record = streaming(JSON.getFactory().createParser(utf8, offset, length), schema);
        } catch (java.io.IOException e) {
            record = null;
        }
        return record != null ? (T) record : readTree(new String(utf8, offset, length, StandardCharsets.UTF_8), type);
    }

    /** The record, or null when the line needs the tree's handling (including every kind of error). */
    private static SpecificRecord streaming(JsonParser json, Schema schema) {
        List<Schema.Field> fields = schema.getFields();
        FieldNames names = FIELD_NAMES.computeIfAbsent(schema, FieldNames::new);
        try (JsonParser parser = json) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            SpecificRecord record = (SpecificRecord) SpecificData.getForSchema(schema).newRecord(null, schema);
            boolean[] seen = new boolean[fields.size()];
            JsonToken token;
            int expected = 0;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                Schema.Field field = names.field(parser.currentName(), expected);
                if (field != null) {
                    expected = field.pos() + 1;
                }
                JsonToken value = parser.nextToken();
                if (field == null) {
                    parser.skipChildren();
                    continue;
                }
                if (value == JsonToken.VALUE_NULL) {
                    if (!allowsNull(field.schema())) {
                        // Null where null is not allowed counts as absent: the default, or the tree's complaint.
                        seen[field.pos()] = false;
                        continue;
                    }
                    record.put(field.pos(), null);
                } else {
                    Object converted = scalar(parser, value, field.schema());
                    if (converted == NOT_SCALAR) {
                        return null;
                    }
                    record.put(field.pos(), converted);
                }
                seen[field.pos()] = true;
            }
            if (token != JsonToken.END_OBJECT) {
                return null;
            }
            for (Schema.Field field : fields) {
                if (!seen[field.pos()]) {
                    if (!field.hasDefaultValue()) {
                        return null;
                    }
                    record.put(field.pos(), copyDefault(field));
                }
            }
            return record;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static final Object NOT_SCALAR = new Object();

    private static final java.util.Map<Schema, FieldNames> FIELD_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A record schema's fields by name, found by identity where the name is the one Jackson and Avro both intern:
     * lines list their fields in one order, so the field after the last one read is tried first, and a hash
     * lookup of the name per field was a tenth of the JSON reading.
     */
    private static final class FieldNames {
        private final Schema schema;
        private final Schema.Field[] fields;
        private final String[] interned;

        FieldNames(Schema schema) {
            this.schema = schema;
            this.fields = schema.getFields().toArray(new Schema.Field[0]);
            this.interned = new String[fields.length];
            for (int i = 0; i < fields.length; i++) {
                interned[i] = fields[i].name().intern();
            }
        }

        Schema.Field field(String name, int expected) {
            if (expected < fields.length && interned[expected] == name) {
                return fields[expected];
            }
            return schema.getField(name);
        }
    }

    /** A JSON scalar as the schema's type, or NOT_SCALAR when it is not one the schema takes as it is. */
    private static Object scalar(JsonParser parser, JsonToken token, Schema schema) throws java.io.IOException {
        if (schema.getType() == Schema.Type.UNION) {
            Schema branch = null;
            for (Schema candidate : schema.getTypes()) {
                if (candidate.getType() != Schema.Type.NULL) {
                    branch = candidate;
                    break;
                }
            }
            return branch == null ? NOT_SCALAR : scalar(parser, token, branch);
        }
        switch (schema.getType()) {
            case STRING -> {
                return token == JsonToken.VALUE_STRING ? parser.getText() : NOT_SCALAR;
            }
            case INT -> {
                return token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT
                        ? parser.getIntValue() : NOT_SCALAR;
            }
            case LONG -> {
                if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    return NOT_SCALAR;
                }
                long number = parser.getLongValue();
                return isTimestamp(schema) ? Instant.ofEpochMilli(number) : number;
            }
            case BOOLEAN -> {
                return token == JsonToken.VALUE_TRUE ? Boolean.TRUE
                        : token == JsonToken.VALUE_FALSE ? Boolean.FALSE : NOT_SCALAR;
            }
            case DOUBLE -> {
                return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT
                        ? parser.getDoubleValue() : NOT_SCALAR;
            }
            case ENUM -> {
                return token == JsonToken.VALUE_STRING && schema.hasEnumSymbol(parser.getText())
                        ? SpecificData.get().createEnum(parser.getText(), schema) : NOT_SCALAR;
            }
            case FIXED -> {
                byte[] bytes = token == JsonToken.VALUE_STRING ? hex(parser.getText(), schema.getFixedSize()) : null;
                return bytes == null ? NOT_SCALAR : SpecificData.get().createFixed(null, bytes, schema);
            }
            default -> {
                return NOT_SCALAR;
            }
        }
    }

    static <T extends SpecificRecord> T readTree(String json, Class<T> type) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return read(node, type);
    }

    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T read(JsonNode node, Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        return (T) record(node, schema, "");
    }

    /** The record as a JSON object with the contract's field names. */
    public static ObjectNode write(SpecificRecord record) {
        return (ObjectNode) toJson(record, record.getSchema());
    }

    /** The record as one line of JSON. */
    public static String line(SpecificRecord record) {
        return write(record).toString();
    }

    private static Object record(JsonNode node, Schema schema, String path) {
        SpecificRecord record = (SpecificRecord) SpecificData.getForSchema(schema).newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            String name = path + field.name();
            JsonNode value = node.get(field.name());
            if (value == null || value.isNull() && !allowsNull(field.schema())) {
                if (field.hasDefaultValue()) {
                    record.put(field.pos(), copyDefault(field));
                    continue;
                }
                throw new IllegalArgumentException("missing required field \"" + name + "\"");
            }
            record.put(field.pos(), value(value, field.schema(), name));
        }
        return record;
    }

    private static Object copyDefault(Schema.Field field) {
        Object value = SpecificData.get().getDefaultValue(field);
        if (value != null && isTimestamp(field.schema())) {
            return Instant.ofEpochMilli((Long) value);
        }
        return value instanceof List<?> list ? new ArrayList<>(list) : value;
    }

    private static Object value(JsonNode node, Schema schema, String name) {
        switch (schema.getType()) {
            case UNION -> {
                if (node.isNull()) {
                    return null;
                }
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return value(node, branch, name);
                    }
                }
                throw new IllegalArgumentException("field \"" + name + "\" has no non-null type");
            }
            case STRING -> {
                require(node.isTextual(), name, "a string", node);
                return node.textValue();
            }
            case INT -> {
                require(node.isIntegralNumber() && node.canConvertToInt(), name, "a 32-bit integer", node);
                return node.intValue();
            }
            case LONG -> {
                require(node.isIntegralNumber() && node.canConvertToLong(), name, "a 64-bit integer", node);
                return isTimestamp(schema) ? Instant.ofEpochMilli(node.longValue()) : node.longValue();
            }
            case BOOLEAN -> {
                require(node.isBoolean(), name, "true or false", node);
                return node.booleanValue();
            }
            case DOUBLE -> {
                require(node.isNumber(), name, "a number", node);
                return node.doubleValue();
            }
            case ENUM -> {
                require(node.isTextual() && schema.hasEnumSymbol(node.textValue()), name,
                        "one of " + schema.getEnumSymbols(), node);
                return SpecificData.get().createEnum(node.textValue(), schema);
            }
            case FIXED -> {
                byte[] bytes = node.isTextual() ? hex(node.textValue(), schema.getFixedSize()) : null;
                require(bytes != null, name, schema.getFixedSize() * 2 + " hexadecimal digits", node);
                return SpecificData.get().createFixed(null, bytes, schema);
            }
            case ARRAY -> {
                require(node.isArray(), name, "an array", node);
                List<Object> items = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    items.add(value(node.get(i), schema.getElementType(), name + "[" + i + "]"));
                }
                return items;
            }
            case RECORD -> {
                require(node.isObject(), name, "an object", node);
                return record(node, schema, name + ".");
            }
            default -> throw new IllegalArgumentException("field \"" + name + "\" has unsupported type " + schema.getType());
        }
    }

    private static JsonNode toJson(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case UNION -> {
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return toJson(value, branch);
                    }
                }
                return NODES.nullNode();
            }
            case RECORD -> {
                SpecificRecord record = (SpecificRecord) value;
                ObjectNode object = NODES.objectNode();
                for (Schema.Field field : schema.getFields()) {
                    object.set(field.name(), toJson(record.get(field.pos()), field.schema()));
                }
                return object;
            }
            case ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                for (Object item : (List<?>) value) {
                    array.add(toJson(item, schema.getElementType()));
                }
                return array;
            }
            case LONG -> {
                long number = value instanceof Instant instant ? instant.toEpochMilli() : (Long) value;
                return NODES.numberNode(number);
            }
            case INT -> {
                return NODES.numberNode((Integer) value);
            }
            case DOUBLE -> {
                return NODES.numberNode((Double) value);
            }
            case BOOLEAN -> {
                return NODES.booleanNode((Boolean) value);
            }
            case FIXED -> {
                return NODES.textNode(java.util.HexFormat.of().formatHex(((org.apache.avro.generic.GenericFixed) value).bytes()));
            }
            default -> {
                return NODES.textNode(value.toString());
            }
        }
    }

    /** {@code size} bytes from exactly twice as many hexadecimal digits, or null. */
    private static byte[] hex(String text, int size) {
        if (text.length() != 2 * size) {
            return null;
        }
        try {
            return java.util.HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean allowsNull(Schema schema) {
        return schema.isNullable();
    }

    private static boolean isTimestamp(Schema schema) {
        return schema.getLogicalType() instanceof LogicalTypes.TimestampMillis;
    }

    private static void require(boolean ok, String name, String expected, JsonNode actual) {
        if (!ok) {
            String shown = actual.toString();
            throw new IllegalArgumentException("field \"" + name + "\": expected " + expected + ", got "
                    + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown));
        }
    }
}
