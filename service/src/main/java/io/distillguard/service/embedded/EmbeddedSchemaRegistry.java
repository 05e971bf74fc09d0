package io.distillguard.service.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.distillguard.serdes.registry.InMemorySchemaRegistry;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.serdes.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * An HTTP schema registry on 127.0.0.1 that speaks the subset of Confluent Schema Registry's REST API that
 * serializers use (register, look up, fetch by id, versions, compatibility, config), backed by
 * {@link InMemorySchemaRegistry}.
 *
 * <p>It exists because Confluent's registry is not obtainable here: the demo uses it so that serdes go over real
 * HTTP, and the compatibility tests point Confluent's own JavaScript client at it. It is not a production registry:
 * it keeps nothing on disk.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemorySchemaRegistry registry;
    private final String expectedAuthorization;
    private final int requestedPort;
    private final SSLContext tls;
    private HttpServer server;
    private int pausedPort;

    private EmbeddedSchemaRegistry(InMemorySchemaRegistry registry, int port, String basicAuthUserInfo, SSLContext tls) {
        this.registry = registry;
        this.requestedPort = port;
        this.tls = tls;
        this.expectedAuthorization = basicAuthUserInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
    }

    /** Starts a registry with no authentication on a free port. */
    public static EmbeddedSchemaRegistry start() {
        return start(0, null);
    }

    /**
     * @param port 0 for any free port
     * @param basicAuthUserInfo {@code user:password} that clients must present, or null for none
     */
    public static EmbeddedSchemaRegistry start(int port, String basicAuthUserInfo) {
        return start(port, basicAuthUserInfo, null);
    }

    /** As {@link #start(int, String)}, serving HTTPS with {@code tls} when it is not null. */
    public static EmbeddedSchemaRegistry start(int port, String basicAuthUserInfo, SSLContext tls) {
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(new InMemorySchemaRegistry(), port,
                basicAuthUserInfo, tls);
        registry.startServer(port);
        return registry;
    }

    public String url() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    public InMemorySchemaRegistry contents() {
        return registry;
    }

    /** Stops answering (connections are refused) while keeping every schema, to simulate an outage. */
    public void pause() {
        if (server != null) {
            int port = server.getAddress().getPort();
            server.stop(0);
            server = null;
            pausedPort = port;
        }
    }

    /** Answers again on the same port after {@link #pause()}. */
    public void resume() {
        if (server == null) {
            startServer(pausedPort);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            String url = url();
            server.stop(0);
            server = null;
            // Its ids go with it: a registry started later on the same port must not be read through their cache.
            SchemaRegistryClients.forget(url);
        }
    }

    private void startServer(int port) {
        try {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port == 0 ? requestedPort : port);
            if (tls == null) {
                server = HttpServer.create(address, 0);
            } else {
                HttpsServer https = HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the embedded schema registry", e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "embedded-schema-registry");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (expectedAuthorization != null
                    && !expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            try {
                JsonNode answer = route(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        readBody(exchange));
                reply(exchange, 200, answer);
            } catch (SchemaRegistryException e) {
                reply(exchange, e.httpStatus(), error(e.errorCode(), e.getMessage()));
            } catch (SchemaParseException e) {
                reply(exchange, 422, error(42201, "Invalid schema: " + e.getMessage()));
            } catch (IllegalArgumentException e) {
                reply(exchange, 422, error(42201, e.getMessage()));
            } catch (RuntimeException e) {
                reply(exchange, 500, error(50001, "Error in the backend data store: " + e));
            }
        }
    }

    private JsonNode route(String method, String rawPath, JsonNode body) {
        List<String> p = segments(rawPath);
        int n = p.size();
        if (n == 0) {
            return JSON.createObjectNode();
        }
        switch (p.get(0)) {
            case "subjects" -> {
                if (n == 1 && method.equals("GET")) {
                    return JSON.valueToTree(registry.subjects());
                }
                String subject = p.get(1);
                if (n == 2 && method.equals("POST")) {
                    Schema schema = schemaOf(body);
                    int id = registry.idOf(subject, schema);
                    return subjectVersion(subject, id);
                }
                if (n == 3 && p.get(2).equals("versions") && method.equals("POST")) {
                    int id = registry.register(subject, schemaOf(body));
                    ObjectNode answer = JSON.createObjectNode();
                    answer.put("id", id);
                    return answer;
                }
                if (n == 3 && p.get(2).equals("versions") && method.equals("GET")) {
                    return JSON.valueToTree(registry.versions(subject).orElseThrow(() ->
                            new SchemaRegistryException("Subject '" + subject + "' not found", 404,
                                    InMemorySchemaRegistry.SUBJECT_NOT_FOUND)));
                }
                if (n == 4 && p.get(2).equals("versions") && method.equals("GET")) {
                    return subjectVersion(subject, registry.idOfVersion(subject, version(p.get(3))));
                }
                if (n == 5 && p.get(2).equals("versions") && p.get(4).equals("schema") && method.equals("GET")) {
                    return JSON.getNodeFactory().rawValueNode(new com.fasterxml.jackson.databind.util.RawValue(
                            registry.schemaById(registry.idOfVersion(subject, version(p.get(3)))).toString()));
                }
            }
            case "schemas" -> {
                if (n >= 3 && p.get(1).equals("ids") && method.equals("GET")) {
                    int id = parseInt(p.get(2), "schema id");
                    if (n == 3) {
                        ObjectNode answer = JSON.createObjectNode();
                        answer.put("schema", registry.schemaById(id).toString());
                        return answer;
                    }
                    if (n == 4 && p.get(3).equals("schema")) {
                        return JSON.getNodeFactory().rawValueNode(
                                new com.fasterxml.jackson.databind.util.RawValue(registry.schemaById(id).toString()));
                    }
                    if (n == 4 && p.get(3).equals("subjects")) {
                        return JSON.valueToTree(registry.subjects().stream()
                                .filter(s -> registry.versionOf(s, id) > 0).toList());
                    }
                }
            }
            case "compatibility" -> {
                if (n == 5 && p.get(1).equals("subjects") && p.get(3).equals("versions") && method.equals("POST")) {
                    ObjectNode answer = JSON.createObjectNode();
                    answer.put("is_compatible", registry.isCompatible(p.get(2), schemaOf(body)));
                    return answer;
                }
            }
            case "config" -> {
                String subject = n == 2 ? p.get(1) : null;
                if (method.equals("GET")) {
                    ObjectNode answer = JSON.createObjectNode();
                    answer.put("compatibilityLevel", registry.compatibilityOf(subject == null ? "" : subject));
                    return answer;
                }
                if (method.equals("PUT")) {
                    String level = body.path("compatibility").asText();
                    if (!List.of("NONE", "BACKWARD", "FORWARD", "FULL", "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE",
                            "FULL_TRANSITIVE").contains(level)) {
                        throw new SchemaRegistryException("Invalid compatibility level " + level, 422, 42203);
                    }
                    registry.setCompatibility(subject, level);
                    ObjectNode answer = JSON.createObjectNode();
                    answer.put("compatibility", level);
                    return answer;
                }
            }
            default -> {
            }
        }
        throw new SchemaRegistryException("HTTP 404 Not Found: " + method + " " + rawPath, 404, 404);
    }

    private ObjectNode subjectVersion(String subject, int id) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("subject", subject);
        answer.put("version", registry.versionOf(subject, id));
        answer.put("id", id);
        answer.put("schema", registry.schemaById(id).toString());
        return answer;
    }

    private static Schema schemaOf(JsonNode body) {
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new IllegalArgumentException("Only AVRO schemas are supported by this registry, not " + type);
        }
        if (body.path("references").isArray() && !body.path("references").isEmpty()) {
            throw new IllegalArgumentException("Schema references are not supported by this registry");
        }
        if (!body.hasNonNull("schema")) {
            throw new IllegalArgumentException("Request body has no \"schema\"");
        }
        return new Schema.Parser().parse(body.get("schema").asText());
    }

    private static int version(String text) {
        return "latest".equals(text) ? -1 : parseInt(text, "version");
    }

    private static int parseInt(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException("Invalid " + what + " " + text, 422, 42202);
        }
    }

    private static List<String> segments(String rawPath) {
        return java.util.Arrays.stream(rawPath.split("/"))
                .filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8))
                .toList();
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                return JSON.createObjectNode();
            }
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new IllegalArgumentException("Request body is not JSON");
            }
        }
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("error_code", code);
        node.put("message", message);
        return node;
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
