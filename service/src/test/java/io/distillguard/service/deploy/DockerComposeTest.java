package io.distillguard.service.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.it.ContainerImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot run on machines without a Docker engine, so its contract is checked here: it parses,
 * its images match the integration tests' containers, each instance's environment is valid configuration, and
 * Prometheus and Grafana point at what the service serves.
 */
public class DockerComposeTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DASHBOARD = ROOT.resolve("deploy/grafana/dashboards/distillguard.json");
    private static final Pattern METRIC = Pattern.compile("\\b(?:kafka|distillguard|jvm)_[a-z_]+\\b");

    private static JsonNode compose() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldUseTheSameImagesAsTheIntegrationTests() throws Exception {
        JsonNode services = compose().path("services");
        assertThat(services.path("kafka").path("image").asText()).isEqualTo(ContainerImages.KAFKA);
        assertThat(services.path("schema-registry").path("image").asText()).isEqualTo(ContainerImages.SCHEMA_REGISTRY);
    }

    @Test
    void shouldRunTwoInstancesOfOneApplicationEachConfiguredOnlyWithKeysItKnows() throws Exception {
        List<String> instances = instances();
        assertThat(instances).containsExactly("distillguard-1", "distillguard-2");
        Set<String> groupInstanceIds = new HashSet<>();
        Set<String> volumes = new HashSet<>();
        for (String name : instances) {
            JsonNode service = compose().path("services").path(name);
            Map<String, String> env = new LinkedHashMap<>();
            service.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));

            // load() refuses any DISTILLGUARD_* variable that matches no configuration key.
            ServiceConfig config = ServiceConfig.load(null, env, Map.of());

            assertThat(config.get("bootstrap.servers")).isEqualTo("kafka:19092");
            assertThat(config.serdeConfig()).containsEntry("schema.registry.url", "http://schema-registry:8081");
            assertThat(config.get("application.id")).as("one application, its work shared").isEqualTo("distillguard");
            assertThat(config.get("http.advertised-host")).as("reachable by the other instance").isEqualTo(name);
            assertThat(config.kafkaProperties()).containsEntry("num.standby.replicas", "1");
            groupInstanceIds.add(config.kafkaProperties().getProperty("group.instance.id"));
            String stateVolume = service.path("volumes").get(0).asText();
            assertThat(stateVolume).endsWith(":" + config.get("state.dir"));
            volumes.add(stateVolume);
        }
        assertThat(groupInstanceIds).as("static membership: one id per instance").hasSize(2).doesNotContainNull();
        assertThat(volumes).as("each instance its own state").hasSize(2);
    }

    @Test
    void shouldScrapeEveryInstanceAndProvisionTheDashboardOnThatPrometheus() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode prometheus = yaml.readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile());
        List<String> targets = new ArrayList<>();
        prometheus.path("scrape_configs").get(0).path("static_configs").get(0).path("targets")
                .forEach(t -> targets.add(t.asText()));
        assertThat(targets).containsExactlyElementsOf(instances().stream()
                .map(name -> name + ":" + compose().path("services").path(name).path("environment")
                        .path("DISTILLGUARD_HTTP_PORT").asText()).toList());
        assertThat(prometheus.path("scrape_configs").get(0).path("metrics_path").asText()).isEqualTo("/metrics");

        JsonNode grafana = compose().path("services").path("grafana");
        for (JsonNode volume : grafana.path("volumes")) {
            Path mounted = ROOT.resolve(volume.asText().split(":")[0]);
            assertThat(mounted).as(volume.asText()).exists();
        }
        JsonNode datasource = yaml.readTree(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml").toFile())
                .path("datasources").get(0);
        assertThat(datasource.path("url").asText()).isEqualTo("http://prometheus:9090");
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            titles.add(panel.path("title").asText());
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo(datasource.path("uid").asText());
            assertThat(panel.path("targets")).isNotEmpty();
        }
        assertThat(String.join("|", titles).toLowerCase())
                .contains("throughput", "lag", "alerts", "latency", "state size");
        assertThat(dashboardMetricNames()).contains("distillguard_event_to_alert_latency_seconds_bucket");
    }

    /**
     * Every metric name the Grafana dashboard queries. {@code HttpApiIT} checks that a running instance's /metrics
     * serves each of them, so a renamed metric cannot leave a panel silently empty.
     */
    public static Set<String> dashboardMetricNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                // Label names in "by (...)" look like metric names; only what is selected counts.
                Matcher m = METRIC.matcher(target.path("expr").asText().replaceAll("by \\([^)]*\\)", ""));
                while (m.find()) {
                    names.add(m.group());
                }
            }
        }
        return names;
    }

    private static List<String> instances() {
        List<String> names = new ArrayList<>();
        compose().path("services").fieldNames().forEachRemaining(names::add);
        return names.stream().filter(n -> n.startsWith("distillguard-")).toList();
    }

    @Test
    void shouldBuildTheServiceImageInStagesAndRunItAsANonRootUser() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));
        assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).hasSize(2);
        assertThat(lines).anyMatch(l -> l.matches("USER\\s+distillguard"));
        assertThat(lines).anyMatch(l -> l.startsWith("VOLUME /var/lib/distillguard"));
    }
}
