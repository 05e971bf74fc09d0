package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.service.TempDirectories;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through a crash and a lost disk, on a real broker with each instance in a JVM of its own:
 * <ol>
 *   <li>two instances process a deterministic stream; one is killed with SIGKILL mid-stream and started again;</li>
 *   <li>then every instance stops, one instance's state directory is deleted, and it restores from the changelogs
 *       before a second batch arrives.</li>
 * </ol>
 * The alerts read with read_committed must equal, as (alert_id, severity) pairs, those of an uninterrupted run
 * over the same input: none missing, none twice.
 */
@ExtendWith(KafkaClusterExtension.class)
class CrashRecoveryIT {

    @TempDir
    Path dir;

    @Test
    void shouldLoseNothingAndDoubleNothingThroughAKillAndALostStateDirectory(KafkaCluster cluster) throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            ReliabilityRig rig = new ReliabilityRig(cluster.bootstrapServers(), registry.url(), "crash");
            rig.createRequestsTopic(4);
            rig.produce(rig.generate(11, 8_000, Duration.ofMinutes(3)));
            Path stateA = dir.resolve("state-a");
            Path stateB = dir.resolve("state-b");
            ReliabilityRig.ServiceProcess a = new ReliabilityRig.ServiceProcess(rig.configFile(dir, "a", stateA), dir.resolve("a.log"));
            ReliabilityRig.ServiceProcess b = new ReliabilityRig.ServiceProcess(rig.configFile(dir, "b", stateB), dir.resolve("b.log"));
            try {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> rig.progress() >= 0.3);
                a.kill();
                double atKill = rig.progress();
                a = new ReliabilityRig.ServiceProcess(rig.configFile(dir, "a", stateA), dir.resolve("a.log"));
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(rig::processedEverything);
                assertThat(atKill).as("killed mid-stream").isLessThan(1.0);

                rig.assertSameAlertsAsAnUninterruptedRun("after a kill -9");

                // Lose one instance's disk: stop both, delete a's state, start both, and send more.
                a.stop();
                b.stop();
                TempDirectories.delete(stateA);
                a = new ReliabilityRig.ServiceProcess(rig.configFile(dir, "a", stateA), dir.resolve("a.log"));
                b = new ReliabilityRig.ServiceProcess(rig.configFile(dir, "b", stateB), dir.resolve("b.log"));
                rig.produce(rig.generate(12, 4_000, Duration.ofMinutes(1)));
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(rig::processedEverything);
                rig.assertSameAlertsAsAnUninterruptedRun("state restored from the changelogs");
            } finally {
                String logs = a.output() + b.output();
                a.kill();
                b.kill();
                System.out.println(logs.lines().filter(l -> l.contains("ERROR") || l.contains("state")).limit(60)
                        .reduce("", (x, y) -> x + y + "\n"));
            }
        }
    }
}
