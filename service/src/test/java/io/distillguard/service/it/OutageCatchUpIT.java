package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.bench.OutageBench;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outage at a scale the test suite can afford (`bench outage` runs it at full size): an hour of the demo's traffic
 * piles up while the service is down, seven tenths of the accounts on one of four partitions, then the service
 * starts and catches up. The partitions catch up at their own pace, the small ones first, pushing each task's stream
 * time an hour ahead of the big one's requests: none may be dropped as late, and the alerts, read back committed,
 * must be exactly an uninterrupted run's (alert_id, severity) pairs, none written twice (a campaign included: the
 * account graph waits for the slowest partition before it judges an epoch, so it names a campaign by the same link).
 */
@ExtendWith(KafkaClusterExtension.class)
class OutageCatchUpIT {

    @TempDir
    Path dir;

    @Test
    void anHoursBacklogSkewedOntoOnePartitionIsJudgedWholeAndEveryAlertWrittenOnce(KafkaCluster cluster)
            throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            Map<String, String> overrides = new HashMap<>();
            overrides.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            overrides.put(SchemaRegistryClients.URL, registry.url());
            ServiceConfig base = ServiceConfig.load(null, Map.of(), overrides);
            OutageBench.Result result = new OutageBench(base, new PrintStream(System.out, true))
                    .run(20_000, Duration.ofHours(1), 4, 0.7, dir);

            assertThat(result.lateDropped()).as("window updates dropped as late").isZero();
            assertThat(result.pairs()).as("the uninterrupted run raises alerts").isGreaterThan(10);
            assertThat(result.missing()).as("pairs of the uninterrupted run missing").isZero();
            assertThat(result.extra()).as("pairs the uninterrupted run does not have").isZero();
            assertThat(result.writtenTwice()).as("pairs written twice").isZero();
        }
    }
}
