package io.distillguard.service.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.registry.RestSchemaRegistryClient;
import io.distillguard.serdes.registry.SchemaRegistryException;
import io.distillguard.serdes.registry.SchemaRegistryUnavailableException;
import io.distillguard.serdes.registry.SchemaRegistryClient;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.io.TempDir;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hand-written REST client against a registry over real HTTP on loopback. */
class RestSchemaRegistryClientTest {

    private EmbeddedSchemaRegistry registry;

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static RestSchemaRegistryClient client(String url, String userInfo) {
        return new RestSchemaRegistryClient(List.of(URI.create(url)), userInfo, null, Duration.ofSeconds(2),
                Duration.ofSeconds(5));
    }

    @Test
    void shouldRegisterLookUpAndFetchSchemasById() {
        registry = EmbeddedSchemaRegistry.start();
        RestSchemaRegistryClient client = client(registry.url(), null);

        int id = client.register("requests-value", RequestEvent.getClassSchema());
        int again = client.register("requests-value", RequestEvent.getClassSchema());
        int alertId = client.register("alerts-value", DistillationAlert.getClassSchema());

        assertThat(again).isEqualTo(id);
        assertThat(alertId).isNotEqualTo(id);
        assertThat(client(registry.url(), null).idOf("requests-value", RequestEvent.getClassSchema())).isEqualTo(id);
        assertThat(client(registry.url(), null).schemaById(alertId)).isEqualTo(DistillationAlert.getClassSchema());
    }

    @Test
    void shouldReadARegistryStartedOnAClosedOnesPortThroughNoneOfItsIds() {
        registry = EmbeddedSchemaRegistry.start();
        int port = Integer.parseInt(registry.url().substring(registry.url().lastIndexOf(':') + 1));
        SchemaRegistryClient before = SchemaRegistryClients.fromConfig(Map.of(SchemaRegistryClients.URL, registry.url()));
        int alertId = before.register("alerts-value", DistillationAlert.getClassSchema());
        assertThat(before.schemaById(alertId)).isEqualTo(DistillationAlert.getClassSchema());
        registry.close();

        // The same address, new contents: the first id it assigns is the one the closed registry gave the alerts.
        registry = EmbeddedSchemaRegistry.start(port, null);
        SchemaRegistryClient after = SchemaRegistryClients.fromConfig(Map.of(SchemaRegistryClients.URL, registry.url()));
        int requestId = after.register("requests-value", RequestEvent.getClassSchema());
        assertThat(requestId).isEqualTo(alertId);
        assertThat(after.schemaById(requestId)).isEqualTo(RequestEvent.getClassSchema());
    }

    @Test
    void shouldReportUnknownIdsAndSubjectsWithConfluentErrorCodes() {
        registry = EmbeddedSchemaRegistry.start();
        RestSchemaRegistryClient client = client(registry.url(), null);

        assertThatThrownBy(() -> client.schemaById(999)).isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40403));
        assertThatThrownBy(() -> client.idOf("nope-value", RequestEvent.getClassSchema()))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaWith409() {
        registry = EmbeddedSchemaRegistry.start();
        RestSchemaRegistryClient client = client(registry.url(), null);
        client.register("requests-value", RequestEvent.getClassSchema());
        Schema withNewRequiredField = new Schema.Parser().parse(RequestEvent.getClassSchema().toString()
                .replace("{\"name\":\"status\"", "{\"name\":\"tenant\",\"type\":\"string\"},{\"name\":\"status\""));

        assertThat(client.isCompatible("requests-value", withNewRequiredField)).isFalse();
        assertThatThrownBy(() -> client.register("requests-value", withNewRequiredField))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));
    }

    @Test
    void shouldSendBasicAuthAndReportRefusal() {
        registry = EmbeddedSchemaRegistry.start(0, "svc:secret");

        assertThat(client(registry.url(), "svc:secret").register("r-value", RequestEvent.getClassSchema())).isPositive();
        assertThatThrownBy(() -> client(registry.url(), "svc:wrong").schemaById(1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
    }

    @Test
    void shouldTalkTlsWhenTheTruststoreIsConfiguredAndRefuseAnUntrustedRegistry(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("registry.p12");
        Path truststore = dir.resolve("trust.p12");
        Path cert = dir.resolve("registry.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "registry", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-file", cert.toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", "changeit");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        registry = EmbeddedSchemaRegistry.start(0, null, serverTls);
        assertThat(registry.url()).startsWith("https://");

        SchemaRegistryClient trusted = SchemaRegistryClients.fromConfig(Map.of(
                SchemaRegistryClients.URL, registry.url(),
                SchemaRegistryClients.TRUSTSTORE_LOCATION, truststore.toString(),
                SchemaRegistryClients.TRUSTSTORE_PASSWORD, "changeit"));
        assertThat(trusted.register("tls-value", RequestEvent.getClassSchema())).isPositive();

        RestSchemaRegistryClient untrusted = client(registry.url(), null);
        assertThatThrownBy(() -> untrusted.schemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("TLS").hasMessageContaining("truststore");
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
    }

    @Test
    void shouldReportAnUnreachableRegistryAsRetriableAndRecoverWhenItReturns() {
        registry = EmbeddedSchemaRegistry.start();
        int id = client(registry.url(), null).register("r-value", RequestEvent.getClassSchema());
        RestSchemaRegistryClient fresh = client(registry.url(), null);
        registry.pause();

        assertThatThrownBy(() -> fresh.schemaById(id)).isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("unreachable");

        registry.resume();
        assertThat(fresh.schemaById(id)).isEqualTo(RequestEvent.getClassSchema());
    }
}
