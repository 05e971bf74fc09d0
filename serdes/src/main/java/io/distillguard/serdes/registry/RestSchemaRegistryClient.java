package io.distillguard.serdes.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API (also spoken by Redpanda, Karapace and Apicurio's
 * Confluent-compatible endpoint). Answers are cached: ids and schemas never change once assigned.
 *
 * <p>Written by hand because Confluent's Java client is not published on Maven Central; the protocol is small and
 * is checked against Confluent's own JavaScript client in the integration tests.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> baseUrls;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String authorization;
    private final Map<String, Map<Schema, Integer>> idBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

    /**
     * @param baseUrls one or more registry URLs, tried in order until one answers
     * @param basicAuthUserInfo {@code user:password}, or null for no authentication
     * @param sslContext TLS context for https URLs, or null for the JVM default
     */
    public RestSchemaRegistryClient(List<URI> baseUrls, String basicAuthUserInfo, SSLContext sslContext,
                                    Duration connectTimeout, Duration requestTimeout) {
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("At least one schema registry URL is required");
        }
        this.baseUrls = List.copyOf(baseUrls);
        this.requestTimeout = requestTimeout;
        this.authorization = basicAuthUserInfo == null || basicAuthUserInfo.isBlank() ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
        if (sslContext != null) {
            builder.sslContext(sslContext);
        }
        this.http = builder.build();
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        return remember(subject, schema, answer.path("id").asInt());
    }

    @Override
    public int idOf(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        return remember(subject, schema, answer.path("id").asInt());
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null);
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException("Schema " + id + " is of type " + type + ", not AVRO", 200, 0);
        }
        Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
        schemaById.put(id, schema);
        return schema;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode answer = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                    schemaBody(schema));
            return answer.path("is_compatible").asBoolean(false);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == InMemorySchemaRegistry.SUBJECT_NOT_FOUND
                    || e.errorCode() == InMemorySchemaRegistry.VERSION_NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    private Integer cachedId(String subject, Schema schema) {
        // Keyed by the Schema itself (its hash is cached), not its JSON text, which is costly to render.
        Map<Schema, Integer> ids = idBySubjectAndSchema.get(subject);
        return ids == null ? null : ids.get(schema);
    }

    private int remember(String subject, Schema schema, int id) {
        idBySubjectAndSchema.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body) {
        SchemaRegistryUnavailableException lastFailure = null;
        for (URI base : baseUrls) {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(stripTrailingSlash(base) + path))
                    .timeout(requestTimeout)
                    .header("Accept", CONTENT_TYPE + ", application/json");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            if (body == null) {
                request.GET();
            } else {
                request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (javax.net.ssl.SSLException e) {
                // Kept retriable: a record must not be dead-lettered for a TLS setting, and the log says what to fix.
                lastFailure = new SchemaRegistryUnavailableException("TLS with schema registry " + base + " failed ("
                        + e.getMessage() + "): check schema.registry.ssl.truststore.* and keystore.*", e);
                continue;
            } catch (IOException e) {
                lastFailure = new SchemaRegistryUnavailableException(
                        "Schema registry " + base + " unreachable: " + e, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("Interrupted while calling schema registry " + base, e);
            }
            int status = response.statusCode();
            if (status >= 500) {
                lastFailure = new SchemaRegistryUnavailableException(
                        "Schema registry " + base + " answered HTTP " + status + ": " + response.body());
                continue;
            }
            JsonNode json = parse(response.body(), base, status);
            if (status >= 400) {
                throw new SchemaRegistryException("Schema registry " + base + " refused " + method + " " + path + ": "
                        + json.path("message").asText(response.body()), status, json.path("error_code").asInt(status));
            }
            return json;
        }
        throw lastFailure;
    }

    private static String stripTrailingSlash(URI base) {
        String text = base.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    private static JsonNode parse(String body, URI base, int status) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            throw new SchemaRegistryException("Schema registry " + base + " answered with a body that is not JSON: "
                    + body.substring(0, Math.min(200, body.length())), status, 0);
        }
    }
}
