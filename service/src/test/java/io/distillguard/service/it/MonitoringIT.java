package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.demo.TrafficGenerator;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped monitoring checked by the real engine: Debian's {@code promtool} checks the Prometheus configuration and
 * the operators' alerting rules, and Debian's {@code prometheus} scrapes a running instance on the broker (with the
 * analysts' token, as a deployment must) and evaluates every query of the Grafana dashboard and every alerting rule.
 * A query that does not parse, or that names a metric the service does not export, fails here rather than on an
 * operator's empty panel. The instance uses the default topic names, as docker-compose.yml does: the dashboard's
 * lag panel and the lag rule select the requests topic by that name.
 */
@ExtendWith(KafkaClusterExtension.class)
class MonitoringIT {

    static final String PROMETHEUS = "/usr/bin/prometheus";
    static final String PROMTOOL = "/usr/bin/promtool";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path RULES = ROOT.resolve("deploy/prometheus/alerts.yml");
    private static final Path RULE_TESTS = ROOT.resolve("deploy/prometheus/alerts.test.yml");
    private static final Path CONFIG = ROOT.resolve("deploy/prometheus/prometheus.yml");
    private static final Path DASHBOARD = ROOT.resolve("deploy/grafana/dashboards/distillguard.json");
    private static final String TOKEN = "monitoring-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRIC = Pattern.compile("\\b((?:kafka|distillguard|jvm)_[a-z0-9_]+)");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void promtoolAcceptsTheConfigurationAndRulesAndPrometheusEvaluatesEveryQueryAgainstARunningInstance(
            KafkaCluster cluster) throws Exception {
        assertThat(Path.of(PROMETHEUS)).as("Debian's prometheus (.ci/run installs it)").isExecutable();
        assertThat(Path.of(PROMTOOL)).as("Debian's promtool (.ci/run installs it)").isExecutable();
        assertThat(run(PROMTOOL, "check", "rules", RULES.toString())).contains("SUCCESS");
        assertThat(run(PROMTOOL, "check", "config", CONFIG.toString())).contains("SUCCESS");
        // Series written out by hand, and the alerts a rule must and must not raise from them.
        assertThat(run(PROMTOOL, "test", "rules", RULE_TESTS.toString())).contains("SUCCESS");

        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> overrides = new HashMap<>();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            overrides.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            overrides.put(SchemaRegistryClients.URL, registry.url());
            overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, "monitoring-" + run);
            overrides.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            overrides.put(ServiceConfig.HTTP_PORT, Integer.toString(freePort()));
            overrides.put(ServiceConfig.HTTP_ANALYSTS, "prometheus:" + TOKEN);
            ServiceConfig config = ServiceConfig.load(null, Map.of(), overrides);
            try (DistillguardService service = DistillguardService.start(config)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                // The demo's traffic: scrapers that raise alerts (the latency histogram), malformed records (dead
                // letters), ordinary users.
                TrafficGenerator generator = new TrafficGenerator(7);
                long start = System.currentTimeMillis() - 10 * 60_000L;
                List<RequestEvent> events = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    events.add(generator.next(start + i * 300L).event());
                }
                ServiceClients.produce(config, config.detection().requestsTopic(), events.iterator(), e -> { });

                Path prometheusDir = Files.createDirectories(dir.resolve("prometheus"));
                int prometheusPort = freePort();
                Path scrape = prometheusDir.resolve("prometheus.yml");
                Files.writeString(scrape, String.join("\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "  evaluation_interval: 1s",
                        "rule_files: [\"" + RULES + "\"]",
                        "scrape_configs:",
                        "  - job_name: distillguard",
                        "    authorization:",
                        "      credentials: " + TOKEN,
                        "    static_configs:",
                        "      - targets: [\"127.0.0.1:" + service.httpPort() + "\"]", ""));
                Process prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + scrape,
                        "--storage.tsdb.path=" + prometheusDir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + prometheusPort)
                        .redirectErrorStream(true).redirectOutput(prometheusDir.resolve("prometheus.log").toFile())
                        .start();
                try {
                    String api = "http://127.0.0.1:" + prometheusPort;
                    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                            .until(() -> get(api + "/-/ready").statusCode() == 200);
                    // Rates need two samples in their range; five scrapes of the instance are plenty.
                    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                            query(api, "count_over_time(up{job=\"distillguard\"}[1m])").path(0).path("value").path(1)
                                    .asDouble() >= 5
                            && query(api, "up{job=\"distillguard\"}").path(0).path("value").path(1).asText().equals("1"));
                    // Alerts raised and dead letters counted before the queries are judged.
                    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !query(api,
                            "distillguard_event_to_alert_latency_seconds_bucket").isEmpty()
                            && query(api, "sum(kafka_stream_distillguard_dead_lettered_total)").path(0).path("value")
                            .path(1).asDouble() > 0);

                    List<String> dashboardQueries = dashboardQueries();
                    assertThat(dashboardQueries).hasSizeGreaterThanOrEqualTo(10);
                    for (String expr : dashboardQueries) {
                        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                                assertThat(query(api, expr)).as("dashboard query %s returns series", expr).isNotEmpty());
                    }

                    List<JsonNode> rules = rules();
                    Set<String> names = new LinkedHashSet<>();
                    for (JsonNode rule : rules) {
                        names.add(rule.path("alert").asText());
                        for (String metric : metrics(rule.path("expr").asText())) {
                            assertThat(query(api, metric)).as("metric %s of rule %s has series", metric,
                                    rule.path("alert").asText()).isNotEmpty();
                        }
                    }
                    assertThat(names).contains("DistillguardConsumerLagGrowing", "DistillguardDeadLettersHigh",
                            "DistillguardNoAlertsWhileRequestsFlow", "DistillguardStreamThreadsReplaced",
                            "DistillguardRocksDbMemoryNearCap", "DistillguardLateDrops", "DistillguardPopulationDrift");
                    // Prometheus evaluated each rule (every second here) without an error.
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        JsonNode groups = JSON.readTree(get(api + "/api/v1/rules").body()).path("data").path("groups");
                        List<String> healthy = new ArrayList<>();
                        for (JsonNode group : groups) {
                            for (JsonNode rule : group.path("rules")) {
                                assertThat(rule.path("lastError").asText()).as(rule.path("name").asText()).isEmpty();
                                if (rule.path("health").asText().equals("ok")) {
                                    healthy.add(rule.path("name").asText());
                                }
                            }
                        }
                        assertThat(healthy).containsExactlyInAnyOrderElementsOf(names);
                    });
                } finally {
                    prometheus.destroy();
                    if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                        prometheus.destroyForcibly();
                    }
                }
            }
        }
    }

    /** Every query of the dashboard's panels. */
    static List<String> dashboardQueries() throws Exception {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    queries.add(target.path("expr").asText());
                }
            }
        }
        return queries;
    }

    /** The alerting rules of the shipped rules file. */
    private static List<JsonNode> rules() throws Exception {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : new YAMLMapper().readTree(RULES.toFile()).path("groups")) {
            group.path("rules").forEach(rules::add);
        }
        return rules;
    }

    /** The metric names an expression reads. */
    private static Set<String> metrics(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private JsonNode query(String api, String expr) throws Exception {
        HttpResponse<String> response = get(api + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).as("%s: %s", expr, response.body()).isEqualTo("success");
        return body.path("data").path("result");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
        return output;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
