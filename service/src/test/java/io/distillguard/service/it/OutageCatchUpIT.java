package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.RequestEvent;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service was down while an hour of traffic piled up, most of it on one partition; started, it catches up with
 * the small partitions first. No request is dropped as late, and the alerts equal, as (alert_id, severity) pairs,
 * those of an uninterrupted run over the same events, none twice.
 */
@ExtendWith(KafkaClusterExtension.class)
class OutageCatchUpIT {

    @TempDir
    Path dir;

    @Test
    void anHourOfSkewedBacklogIsJudgedAsTheUninterruptedStreamWasWithNothingLate(KafkaCluster cluster) throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            ReliabilityRig rig = new ReliabilityRig(cluster.bootstrapServers(), registry.url(), "outage");
            rig.createRequestsTopic(4);
            List<RequestEvent> hour = rig.generate(41, 16_000, Duration.ofHours(1));
            // Seven accounts in ten on partition 0, the rest spread over 1-3: the small partitions reach the end of
            // the hour while partition 0 is still at its start.
            rig.produce(hour, event -> {
                int bucket = Math.floorMod(event.getAccountId().hashCode(), 10);
                return bucket < 7 ? 0 : bucket - 6;
            });
            try (DistillguardService service = DistillguardService.start(rig.serviceConfig(dir.resolve("state")))) {
                await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).until(rig::processedEverything);
                java.util.Map<String, Double> late = new java.util.TreeMap<>();
                service.streams().metrics().forEach((name, metric) -> {
                    if (name.name().equals("late-dropped-total")) {
                        late.merge(name.tags().toString(), ((Number) metric.metricValue()).doubleValue(), Double::sum);
                    }
                });
                assertThat(late.values().stream().mapToDouble(Double::doubleValue).sum())
                        .as("window updates dropped as late, by path: %s", late).isZero();
            }
            rig.assertSameAlertsAsAnUninterruptedRun("after an hour's skewed backlog");
        }
    }
}
