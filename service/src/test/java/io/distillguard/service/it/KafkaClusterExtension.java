package io.distillguard.service.it;

import io.distillguard.service.embedded.EmbeddedKafkaBroker;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The one fixture every integration test gets its broker from, started once per test JVM:
 * <ol>
 *   <li>an external cluster, when {@code DISTILLGUARD_TEST_BOOTSTRAP_SERVERS} is set;</li>
 *   <li>else the {@code apache/kafka} image at the client's own version through Testcontainers, when a Docker
 *       engine answers;</li>
 *   <li>else a real single-node KRaft broker from the {@code kafka_2.13} jars in a child JVM
 *       ({@link EmbeddedKafkaBroker}).</li>
 * </ol>
 * Never skipped: one of the three always runs. The choice is printed, so the test output says what ran.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return cluster(context);
    }

    private static KafkaCluster cluster(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("cluster", k -> start(), StartedCluster.class);
    }

    private static StartedCluster start() {
        String external = System.getenv("DISTILLGUARD_TEST_BOOTSTRAP_SERVERS");
        StartedCluster cluster;
        if (external != null && !external.isBlank()) {
            cluster = new StartedCluster(external, "external cluster at " + external, () -> { });
        } else if (dockerAvailable()) {
            KafkaContainer container = new KafkaContainer(ContainerImages.KAFKA);
            container.start();
            cluster = new StartedCluster(container.getBootstrapServers(),
                    "Testcontainers " + ContainerImages.KAFKA, container::stop);
        } else {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
            cluster = new StartedCluster(broker.bootstrapServers(), "embedded Apache Kafka "
                    + AppInfoParser.getVersion() + " broker (KRaft, child JVM) at " + broker.bootstrapServers()
                    + " [no Docker engine answered]", broker::close);
        }
        System.out.println("[distillguard-it] Integration tests run against: " + cluster.description());
        return cluster;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** Closed by JUnit when the root context closes, after the last test class. */
    private record StartedCluster(String bootstrapServers, String description, Runnable stopper)
            implements KafkaCluster, ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            stopper.run();
        }
    }
}
