package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.RulesFiles;
import io.distillguard.service.backtest.LabelledReport;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.service.simulate.CampaignSimulator;
import io.distillguard.topology.DetectionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two small simulated days (every benign kind and every campaign, scaled down) through the service on a real broker:
 * each campaign must be caught and no benign account implicated.
 */
@ExtendWith(KafkaClusterExtension.class)
class SimulatedMixIT {

    /** The campaigns the detection issue sets targets for. */
    private static final List<String> CAMPAIGNS = List.of("bulk_distiller", "hydra", "low_and_slow", "model_pivot");

    @TempDir
    Path dir;

    @Test
    void shouldCatchEveryCampaignAndImplicateNoBenignAccount(KafkaCluster cluster) throws Exception {
        // A quarter of each campaign (500 hydra accounts, ...) over two days: groups must reach the rules' minimum
        // sizes, which a smaller campaign would not.
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(99, 300, 2,
                Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.DAYS), 0.25));
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, LabelledReport.Label> labels = new HashMap<>();
        simulator.labels().forEach(l -> labels.put(l.accountId(), new LabelledReport.Label(l.attack(), l.scenario())));
        LabelledReport report = new LabelledReport(labels);

        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            Map<String, String> overrides = new HashMap<>();
            overrides.putAll(ServiceClients.isolated(cluster, registry.url(), "mix-" + run, run,
                    dir.resolve("state")));
            // A day of history produced at once: one partition keeps it in event-time order through the re-keys.
            overrides.put(ServiceConfig.TOPICS_PARTITIONS, "1");
            overrides.put(DetectionConfig.RULES_FILE, RulesFiles.write(dir, "rules.yaml", "model-releases: {}",
                    "model-releases: {" + CampaignSimulator.NEW_MODEL + ": \""
                            + Instant.ofEpochMilli(simulator.settings().releaseMs()) + "\"}").toString());
            overrides.put(ServiceConfig.HTTP_PORT, "0");
            ServiceConfig config = ServiceConfig.load(null, Map.of(), overrides);
            DetectionConfig detection = config.detection();
            try (DistillguardService service = DistillguardService.start(config)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                long produced = ServiceClients.produce(config, detection.requestsTopic(), simulator, report::onEvent);
                assertThat(produced).isGreaterThan(10_000);

                try (KafkaConsumer<String, DistillationAlert> consumer = ServiceClients.alerts(config, detection.alertsTopic())) {
                    // Done when every campaign is found, or when alerts stop coming.
                    long[] lastAlertAt = {System.currentTimeMillis()};
                    await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(100)).until(() -> {
                        consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                            report.onAlert(r.value());
                            lastAlertAt[0] = System.currentTimeMillis();
                        });
                        boolean allFound = report.scenarios().stream()
                                .filter(f -> CAMPAIGNS.contains(f.scenario())).allMatch(f -> f.share() >= 0.95);
                        return allFound || System.currentTimeMillis() - lastAlertAt[0] > 45_000;
                    });
                    consumer.poll(Duration.ofSeconds(3)).forEach(r -> report.onAlert(r.value()));
                }
            }
        }
        System.out.println(report.table());
        List<LabelledReport.ScenarioFigures> figures = report.scenarios();
        assertThat(figures.stream().filter(LabelledReport.ScenarioFigures::attack).map(LabelledReport.ScenarioFigures::scenario))
                .containsAll(CAMPAIGNS);
        // evasive_hydra is built to slip past these rules; the quality report shows how far it gets.
        assertThat(figures).filteredOn(f -> CAMPAIGNS.contains(f.scenario()))
                // A regression check at a quarter of the campaigns' size (the hydra measured 0.906 at seed 99); the
                // figures to judge the engine by come from `distillguard quality` at full scale.
                .allSatisfy(f -> assertThat(f.share()).as(f.scenario() + " recall").isGreaterThanOrEqualTo(0.85));
        assertThat(figures).filteredOn(f -> !f.attack())
                .allSatisfy(f -> assertThat(f.implicated()).as(f.scenario() + " benign implicated").isZero());
    }
}
