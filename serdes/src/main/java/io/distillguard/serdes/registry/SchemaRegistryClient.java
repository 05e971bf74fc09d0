package io.distillguard.serdes.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry protocol that Avro serdes need.
 *
 * <p>Implementations cache in both directions: a serde asks for the same schema or id on every record,
 * and the registry must see one request per schema, not one per record.
 */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (or finds it if already there) and returns its global id. */
    int register(String subject, Schema schema);

    /** Returns the id of {@code schema} already registered under {@code subject}; fails if it is not registered. */
    int idOf(String subject, Schema schema);

    /** Returns the schema with the global id {@code id}; fails if no such id exists. */
    Schema schemaById(int id);

    /** Returns true when {@code schema} may be registered under {@code subject} by the subject's compatibility rule. */
    boolean isCompatible(String subject, Schema schema);
}
