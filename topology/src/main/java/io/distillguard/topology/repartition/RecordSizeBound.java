package io.distillguard.topology.repartition;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * An upper bound of a flat Avro record's binary size, from its strings' lengths: a batch must stay under the
 * producer's request size (1 MiB by default) whatever the ids in it, and encoding each record once to measure it
 * would double the batcher's work. A string counts 3 bytes a UTF-16 char (a char of the Basic Multilingual Plane is
 * at most 3 bytes of UTF-8, a surrogate pair 4 for two chars) plus its length prefix; any other field its largest
 * encoding (a 10-byte varint, an 8-byte double) plus a union index; an optional record of numbers (a progress mark)
 * each of its fields so.
 */
final class RecordSizeBound {

    private static final int STRING_PREFIX = 5;
    private static final int OTHER_FIELD = 11;

    private final int[] stringFields;
    private final int fixed;

    RecordSizeBound(Schema schema) {
        List<Integer> strings = new ArrayList<>();
        int others = 0;
        for (Schema.Field field : schema.getFields()) {
            if (isString(field.schema())) {
                strings.add(field.pos());
            } else if (isPrimitive(field.schema())) {
                others++;
            } else if (numbersIn(field.schema()) > 0) {
                others += numbersIn(field.schema());
            } else {
                throw new IllegalArgumentException("No size bound for " + schema.getName() + "." + field.name()
                        + " of type " + field.schema() + ": only flat records of strings and numbers are bounded");
            }
        }
        this.stringFields = strings.stream().mapToInt(Integer::intValue).toArray();
        this.fixed = 1 + (others + stringFields.length) * OTHER_FIELD;
    }

    int of(SpecificRecord record) {
        int size = fixed;
        for (int field : stringFields) {
            Object value = record.get(field);
            if (value != null) {
                size += STRING_PREFIX + 3 * ((CharSequence) value).length();
            }
        }
        return size;
    }

    private static boolean isString(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            return schema.getTypes().stream().anyMatch(type -> type.getType() == Schema.Type.STRING)
                    && schema.getTypes().stream().allMatch(type -> type.getType() == Schema.Type.STRING
                    || type.getType() == Schema.Type.NULL);
        }
        return schema.getType() == Schema.Type.STRING;
    }

    /** The fields of an (optional) record of numbers only, else 0. */
    private static int numbersIn(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            int most = 0;
            for (Schema type : schema.getTypes()) {
                if (type.getType() == Schema.Type.NULL) {
                    continue;
                }
                int fields = numbersIn(type);
                if (fields == 0) {
                    return 0;
                }
                most = Math.max(most, fields);
            }
            return most;
        }
        if (schema.getType() != Schema.Type.RECORD
                || !schema.getFields().stream().allMatch(field -> isPrimitive(field.schema()))) {
            return 0;
        }
        return schema.getFields().size();
    }

    private static boolean isPrimitive(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            return schema.getTypes().stream().allMatch(RecordSizeBound::isPrimitive);
        }
        return switch (schema.getType()) {
            case NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE -> true;
            default -> false;
        };
    }
}
