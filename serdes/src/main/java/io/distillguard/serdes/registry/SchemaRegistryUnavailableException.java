package io.distillguard.serdes.registry;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The registry could not be reached, timed out, or answered with a server error. The record itself may be
 * perfectly good, so callers must retry or stop rather than dead-letter it.
 */
public class SchemaRegistryUnavailableException extends RetriableException {

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public SchemaRegistryUnavailableException(String message) {
        super(message);
    }
}
