package io.distillguard.serdes.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The registry answered, and refused: an unknown id, an unknown subject, an incompatible schema, bad credentials.
 * Retrying will not help, so a record that hits this is bad input.
 */
public class SchemaRegistryException extends SerializationException {

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        super(message + " (HTTP " + httpStatus + ", error_code " + errorCode + ")");
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent's error code, e.g. 40403 schema not found, 40401 subject not found, 409 incompatible. */
    public int errorCode() {
        return errorCode;
    }
}
