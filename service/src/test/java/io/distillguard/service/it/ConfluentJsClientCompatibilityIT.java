package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.serdes.avro.SpecificAvroDeserializer;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * Checks the wire format and the registry protocol against Confluent's own JavaScript client
 * ({@code @confluentinc/schemaregistry} from npm, installed by {@code .ci/run}): it registers and serializes a
 * RequestEvent that our deserializer reads, and reads an alert that our serializer wrote, both through the same
 * HTTP registry. Confluent's Java client and registry are not obtainable here; this is the independent check.
 *
 * <p>Where a Docker engine answers, the same tests also run against Confluent Schema Registry itself
 * ({@link ContainerImages#SCHEMA_REGISTRY}, backed by an {@code apache/kafka} container). The project's CI machines
 * have no Docker engine, so there only the embedded registry runs; the test output names the registries used.
 */
class ConfluentJsClientCompatibilityIT {

    /** A registry the tests run against. */
    record RegistryUnderTest(String name, String url, Runnable stop) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<RegistryUnderTest> CONFLUENT = new java.util.ArrayList<>();

    static java.util.stream.Stream<String> registries() {
        return dockerAvailable() ? java.util.stream.Stream.of("embedded", "confluent") : java.util.stream.Stream.of("embedded");
    }

    private static boolean dockerAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** Confluent Schema Registry in a container, started once and kept for both tests. */
    private static synchronized String confluentRegistryUrl() {
        if (CONFLUENT.isEmpty()) {
            org.testcontainers.containers.Network network = org.testcontainers.containers.Network.newNetwork();
            org.testcontainers.kafka.KafkaContainer kafka = new org.testcontainers.kafka.KafkaContainer(ContainerImages.KAFKA)
                    .withNetwork(network).withListener("kafka:19092");
            kafka.start();
            org.testcontainers.containers.GenericContainer<?> registry =
                    new org.testcontainers.containers.GenericContainer<>(ContainerImages.SCHEMA_REGISTRY)
                            .withNetwork(network)
                            .withExposedPorts(8081)
                            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
                            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
                            .waitingFor(org.testcontainers.containers.wait.strategy.Wait.forHttp("/subjects")
                                    .forStatusCode(200));
            registry.start();
            CONFLUENT.add(new RegistryUnderTest("confluent", "http://" + registry.getHost() + ":"
                    + registry.getMappedPort(8081), () -> {
                        registry.stop();
                        kafka.stop();
                        network.close();
                    }));
        }
        return CONFLUENT.get(0).url();
    }

    @org.junit.jupiter.api.AfterAll
    static void stopConfluent() {
        CONFLUENT.forEach(r -> r.stop().run());
    }

    private static final Path JS_DIR = Path.of("src", "test", "js").toAbsolutePath();
    private static final Path REQUEST_SCHEMA = Path.of("..", "avro", "src", "main", "avro", "RequestEvent.avsc")
            .toAbsolutePath().normalize();

    private EmbeddedSchemaRegistry embedded;
    private String url;
    private Map<String, String> serdeConfig;

    private void use(String registryName) {
        assertThat(JS_DIR.resolve("node_modules/@confluentinc/schemaregistry"))
                .as("Confluent's JS client is installed (npm ci --prefix service/src/test/js; .ci/run does it)")
                .exists();
        if (registryName.equals("embedded")) {
            embedded = EmbeddedSchemaRegistry.start();
            url = embedded.url();
        } else {
            url = confluentRegistryUrl();
        }
        System.out.println("[distillguard-it] Confluent JS client against the " + registryName + " registry at " + url);
        serdeConfig = Map.of(SchemaRegistryClients.URL, url);
    }

    @AfterEach
    void stop() {
        if (embedded != null) {
            embedded.close();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} registry")
    @org.junit.jupiter.params.provider.MethodSource("registries")
    void shouldReadARequestEventThatConfluentsJsClientRegisteredAndSerialized(String registryName) throws Exception {
        use(registryName);
        String topic = "gateway-requests-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String hex = node("serialize-request", topic, REQUEST_SCHEMA.toString()).trim();
        byte[] bytes = HexFormat.of().parseHex(hex);

        assertThat(bytes[0]).as("magic byte").isZero();
        if (embedded != null) {
            assertThat(embedded.contents().subjects()).containsExactly(topic + "-value");
        }

        SpecificAvroDeserializer<RequestEvent> deserializer = new SpecificAvroDeserializer<>(RequestEvent.class);
        deserializer.configure(serdeConfig, false);
        RequestEvent event = deserializer.deserialize(topic, bytes);

        assertThat(event.getEventId()).isEqualTo("js-evt-1");
        assertThat(event.getEventTime()).isEqualTo(Instant.ofEpochMilli(1764300000000L));
        assertThat(event.getAccountId()).isEqualTo("acct-from-js");
        assertThat(event.getOrgId()).isEqualTo("org-js");
        assertThat(event.getApiKeyId()).isNull();
        assertThat(event.getIp()).isEqualTo("2001:db8::42");
        assertThat(event.getAsn()).isEqualTo(64500);
        assertThat(event.getAccountCreatedAt()).isEqualTo(Instant.ofEpochMilli(1700000000000L));
        assertThat(event.getPromptTokens()).isEqualTo(321);
        assertThat(event.getCompletionTokens()).isEqualTo(4321);
        assertThat(event.getReasoningRequested()).isTrue();
        assertThat(event.getCapability()).isEqualTo("coding");
        assertThat(event.getPromptSimhash()).isEqualTo(123456789L);
        assertThat(event.getStatus()).isEqualTo(200);
        // A fixed in a union, written by another Avro implementation: the MinHash's 32 bytes arrive as they were sent.
        byte[] sevens = new byte[32];
        java.util.Arrays.fill(sevens, (byte) 7);
        assertThat(event.getPromptMinhash().bytes()).isEqualTo(sevens);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} registry")
    @org.junit.jupiter.params.provider.MethodSource("registries")
    void shouldLetConfluentsJsClientReadAnAlertThatOurSerializerWrote(String registryName) throws Exception {
        use(registryName);
        DistillationAlert alert = DistillationAlert.newBuilder()
                .setAlertId("a-1")
                .setDetector("IP_FAN_IN")
                .setSeverity(Severity.HIGH)
                .setScore(0.85)
                .setSubjectType(SubjectType.IP)
                .setSubjectId("198.51.100.10")
                .setWindowStart(Instant.ofEpochMilli(1764298800000L))
                .setWindowEnd(Instant.ofEpochMilli(1764302400000L))
                .setTriggerEventTime(Instant.ofEpochMilli(1764300000000L))
                .setAccounts(List.of("acct-1", "acct-2"))
                .setAccountsTotal(84)
                .setEvidence(List.of(new Evidence("distinct_accounts", 84.0, 25.0)))
                .setRuleVersion("foundation-1")
                .setEmittedAt(Instant.ofEpochMilli(1764300000100L))
                .build();
        SpecificAvroSerializer<DistillationAlert> serializer = new SpecificAvroSerializer<>(DistillationAlert.class);
        serializer.configure(serdeConfig, false);
        byte[] bytes = serializer.serialize("alerts", alert);

        JsonNode decoded = new ObjectMapper().readTree(node("deserialize", "alerts", HexFormat.of().formatHex(bytes)));

        assertThat(decoded.path("alert_id").asText()).isEqualTo("a-1");
        assertThat(decoded.path("severity").asText()).isEqualTo("HIGH");
        assertThat(decoded.path("subject_type").asText()).isEqualTo("IP");
        assertThat(decoded.path("score").asDouble()).isEqualTo(0.85);
        assertThat(decoded.path("accounts_total").asInt()).isEqualTo(84);
        assertThat(decoded.path("accounts").get(1).asText()).isEqualTo("acct-2");
        assertThat(decoded.path("evidence").get(0).path("signal").asText()).isEqualTo("distinct_accounts");
        assertThat(decoded.path("evidence").get(0).path("threshold").asDouble()).isEqualTo(25.0);
        assertThat(decoded.path("window_start").asLong()).isEqualTo(1764298800000L);
    }

    private String node(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("node", JS_DIR.resolve("compat.mjs").toString(), url));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("compat", ".out");
        try {
            Process process = new ProcessBuilder(command).directory(JS_DIR.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("node exit code; output:\n" + output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
