package io.distillguard.service.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.it.ContainerImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot run on machines without a Docker engine, so its contract is checked here: it parses,
 * its images match the integration tests' containers, and the service's environment is valid configuration.
 */
class DockerComposeTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
    }

    @Test
    void shouldUseTheSameImagesAsTheIntegrationTests() throws Exception {
        JsonNode services = compose().path("services");
        assertThat(services.path("kafka").path("image").asText()).isEqualTo(ContainerImages.KAFKA);
        assertThat(services.path("schema-registry").path("image").asText()).isEqualTo(ContainerImages.SCHEMA_REGISTRY);
    }

    @Test
    void shouldConfigureTheServiceOnlyWithKeysItKnows() throws Exception {
        JsonNode environment = compose().path("services").path("distillguard").path("environment");
        Map<String, String> env = new LinkedHashMap<>();
        environment.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));

        // load() refuses any DISTILLGUARD_* variable that matches no configuration key.
        ServiceConfig config = ServiceConfig.load(null, env, Map.of());

        assertThat(config.get("bootstrap.servers")).isEqualTo("kafka:19092");
        assertThat(config.serdeConfig()).containsEntry("schema.registry.url", "http://schema-registry:8081");
        assertThat(config.get("state.dir")).isEqualTo("/var/lib/distillguard");
        String stateVolume = compose().path("services").path("distillguard").path("volumes").get(0).asText();
        assertThat(stateVolume).endsWith(":" + config.get("state.dir"));
    }

    @Test
    void shouldBuildTheServiceImageInStagesAndRunItAsANonRootUser() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));
        assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).hasSize(2);
        assertThat(lines).anyMatch(l -> l.matches("USER\\s+distillguard"));
        assertThat(lines).anyMatch(l -> l.startsWith("VOLUME /var/lib/distillguard"));
    }
}
