package io.distillguard.serdes.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A registry held in memory, with the semantics of Confluent Schema Registry that serdes rely on: one global
 * id per distinct schema, versions per subject, and BACKWARD compatibility checked on registration.
 *
 * <p>It backs {@code mock://<scope>} URLs (Confluent's convention for tests and embedded runs) and the embedded
 * HTTP registry of the demo. Scopes are process-wide so that a serializer and a deserializer configured with the
 * same URL share one registry.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    /** Confluent's "schema not found". */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** Confluent's "subject not found". */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Confluent's "version not found". */
    public static final int VERSION_NOT_FOUND = 40402;
    /** Confluent's "incompatible schema". */
    public static final int INCOMPATIBLE = 409;

    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
    private final Map<String, Integer> idBySchemaText = new HashMap<>();
    private final Map<Integer, Schema> schemaById = new HashMap<>();
    private final Map<String, String> compatibilityBySubject = new HashMap<>();
    private String globalCompatibility = "BACKWARD";

    /** The registry of one {@code mock://} scope, created on first use. */
    public static InMemorySchemaRegistry scope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry());
    }

    /** Forgets a scope, so tests that reuse a name start empty. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        String text = schema.toString();
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer existing = idBySchemaText.get(text);
        if (existing != null && versions.contains(existing)) {
            return existing;
        }
        if (!isCompatibleLocked(subject, schema)) {
            if (versions.isEmpty()) {
                versionsBySubject.remove(subject);
            }
            throw new SchemaRegistryException("Schema being registered is incompatible with an earlier schema for subject \""
                    + subject + "\" under " + compatibilityOf(subject) + " compatibility", 409, INCOMPATIBLE);
        }
        int id = existing != null ? existing : schemaById.size() + 1;
        idBySchemaText.put(text, id);
        schemaById.put(id, schema);
        versions.add(id);
        return id;
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null) {
            throw new SchemaRegistryException("Subject '" + subject + "' not found", 404, SUBJECT_NOT_FOUND);
        }
        Integer id = idBySchemaText.get(schema.toString());
        if (id == null || !versions.contains(id)) {
            throw new SchemaRegistryException("Schema not found under subject '" + subject + "'", 404, SCHEMA_NOT_FOUND);
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemaById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("Schema " + id + " not found", 404, SCHEMA_NOT_FOUND);
        }
        return schema;
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        return isCompatibleLocked(subject, schema);
    }

    /** Subjects in name order. */
    public synchronized List<String> subjects() {
        return new ArrayList<>(new TreeSet<>(versionsBySubject.keySet()));
    }

    /** Version numbers of a subject, 1-based, or empty if the subject does not exist. */
    public synchronized Optional<List<Integer>> versions(String subject) {
        List<Integer> ids = versionsBySubject.get(subject);
        if (ids == null) {
            return Optional.empty();
        }
        List<Integer> numbers = new ArrayList<>();
        for (int i = 1; i <= ids.size(); i++) {
            numbers.add(i);
        }
        return Optional.of(numbers);
    }

    /** The id registered as {@code version} (1-based; -1 for the latest) of a subject. */
    public synchronized int idOfVersion(String subject, int version) {
        List<Integer> ids = versionsBySubject.get(subject);
        if (ids == null) {
            throw new SchemaRegistryException("Subject '" + subject + "' not found", 404, SUBJECT_NOT_FOUND);
        }
        int index = version == -1 ? ids.size() - 1 : version - 1;
        if (index < 0 || index >= ids.size()) {
            throw new SchemaRegistryException("Version " + version + " not found", 404, VERSION_NOT_FOUND);
        }
        return ids.get(index);
    }

    /** The version number under which {@code id} was registered in {@code subject}. */
    public synchronized int versionOf(String subject, int id) {
        List<Integer> ids = versionsBySubject.getOrDefault(subject, List.of());
        return ids.indexOf(id) + 1;
    }

    public synchronized String compatibilityOf(String subject) {
        return compatibilityBySubject.getOrDefault(subject, globalCompatibility);
    }

    /** Sets a subject's compatibility level, or the global one when {@code subject} is null. */
    public synchronized void setCompatibility(String subject, String level) {
        if (subject == null) {
            globalCompatibility = level;
        } else {
            compatibilityBySubject.put(subject, level);
        }
    }

    private boolean isCompatibleLocked(String subject, Schema candidate) {
        List<Integer> ids = versionsBySubject.getOrDefault(subject, List.of());
        if (ids.isEmpty()) {
            return true;
        }
        String level = compatibilityOf(subject);
        boolean transitive = level.endsWith("_TRANSITIVE");
        List<Integer> against = transitive ? ids : List.of(ids.get(ids.size() - 1));
        for (int id : against) {
            Schema earlier = schemaById.get(id);
            boolean ok = switch (level.replace("_TRANSITIVE", "")) {
                case "NONE" -> true;
                case "BACKWARD" -> canRead(candidate, earlier);
                case "FORWARD" -> canRead(earlier, candidate);
                case "FULL" -> canRead(candidate, earlier) && canRead(earlier, candidate);
                default -> throw new IllegalStateException("Unknown compatibility level " + level);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean canRead(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }
}
