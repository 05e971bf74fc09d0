package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.service.DistillguardService;
import io.distillguard.service.embedded.EmbeddedKafkaBroker;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through a broker restart and through a rebalance storm: the alerts read with read_committed equal,
 * as (alert_id, severity) pairs, those of an uninterrupted run over the same input, none twice, with nobody acting.
 */
@ExtendWith(KafkaClusterExtension.class)
class BrokerAndRebalanceFaultsIT {

    @TempDir
    Path dir;

    @Test
    void shouldRecoverByItselfWhenTheBrokerRestartsMidStream() throws Exception {
        // A broker of its own: the shared one must not go away under the other tests.
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            ReliabilityRig rig = new ReliabilityRig(broker.bootstrapServers(), registry.url(), "broker-restart");
            rig.createRequestsTopic(4);
            // Enough input that the broker stops under a stream still being processed: 8,000 events were once
            // processed from three tenths to the end between two checks of the progress, 200 ms apart.
            rig.produce(rig.generate(21, 24_000, Duration.ofMinutes(3)));
            try (DistillguardService service = DistillguardService.start(rig.serviceConfig(dir.resolve("state")))) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> rig.progress() >= 0.3);
                double atStop = rig.progress();
                broker.stop();
                assertThat(atStop).as("stopped mid-stream").isLessThan(1.0);
                // Five seconds without a broker, through which the service must not give up.
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                        .until(() -> service.streams().state().isRunningOrRebalancing());
                broker.restart();
                await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).until(rig::processedEverything);
                assertThat(service.streams().state().isRunningOrRebalancing()).isTrue();
            }
            rig.assertSameAlertsAsAnUninterruptedRun("through a broker restart");
        }
    }

    @Test
    void shouldGiveTheSameAlertsWhileInstancesJoinAndLeaveRepeatedly(KafkaCluster cluster) throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            ReliabilityRig rig = new ReliabilityRig(cluster.bootstrapServers(), registry.url(), "rebalance");
            rig.createRequestsTopic(4);
            // Enough input that the membership changes meet a stream still being processed: an instance's start or
            // close takes seconds, in which 8,000 events were once processed to the end before the fourth change, and
            // the second half of 12,000 before the third.
            rig.produce(rig.generate(31, 24_000, Duration.ofMinutes(3)));
            List<DistillguardService> running = new ArrayList<>();
            try {
                running.add(DistillguardService.start(rig.serviceConfig(dir.resolve("i0"))));
                // Join, join, leave, join, leave, leave: six membership changes while the stream is processed.
                double[] at = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
                List<Double> progressAtChange = new ArrayList<>();
                for (int i = 0; i < at.length; i++) {
                    double target = at[i];
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                            .until(() -> rig.progress() >= target || rig.processedEverything());
                    progressAtChange.add(rig.progress());
                    if (i == 2 || i == 4 || i == 5) {
                        running.remove(0).close();
                    } else {
                        running.add(DistillguardService.start(rig.serviceConfig(dir.resolve("i" + (i + 1)))));
                    }
                }
                assertThat(running).isNotEmpty();
                System.out.println("Membership changes at input progress " + progressAtChange);
                // At least a join, a second join and a leave must meet the stream mid-way; later changes may come
                // after the end on a fast run (they still rebalance the group, with nothing left to process).
                assertThat(progressAtChange.subList(0, 3)).as("changes while the stream was being processed")
                        .allMatch(p -> p < 1.0);
                await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).until(rig::processedEverything);
            } finally {
                running.forEach(DistillguardService::close);
            }
            rig.assertSameAlertsAsAnUninterruptedRun("through six membership changes");
        }
    }
}
