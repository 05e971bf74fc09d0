package io.distillguard.service.embedded;

import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.config.ServiceConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The embedded default: whatever the configuration lacks, a broker or a registry, is started here, and its address
 * is handed back as configuration overrides. Closing stops what was started.
 */
public final class LocalInfrastructure implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private final Map<String, String> overrides = new HashMap<>();

    private LocalInfrastructure(ServiceConfig configured) {
        if (configured.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            System.out.println("Starting an embedded Apache Kafka broker (KRaft, single node)...");
            broker = EmbeddedKafkaBroker.start();
            overrides.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        } else {
            broker = null;
        }
        if (configured.get(SchemaRegistryClients.URL) == null) {
            registry = EmbeddedSchemaRegistry.start();
            overrides.put(SchemaRegistryClients.URL, registry.url());
        } else {
            registry = null;
        }
    }

    /** Starts a broker unless {@code bootstrap.servers} is configured, and a registry unless its URL is. */
    public static LocalInfrastructure startMissing(ServiceConfig configured) {
        return new LocalInfrastructure(configured);
    }

    /** Configuration that points at what was started here. */
    public Map<String, String> overrides() {
        return Map.copyOf(overrides);
    }

    public boolean brokerEmbedded() {
        return broker != null;
    }

    /** CPU time the embedded broker has used so far; empty when the broker is not embedded or the OS does not say. */
    public Optional<Duration> brokerCpuTime() {
        return broker == null ? Optional.empty() : broker.cpuTime();
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            System.out.println("Stopping the embedded broker...");
            broker.close();
        }
    }
}
