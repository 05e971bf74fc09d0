package io.distillguard.service.it;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroDeserializer;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.service.config.ServiceConfig;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/** A gateway's producer and a downstream reader of alerts, configured as the service under test is. */
final class ServiceClients {

    private ServiceClients() {
    }

    /**
     * The settings each test's instance needs to run beside the others on the shared broker: the broker and registry,
     * an application id, state directory and topics of its own ({@code requests-<run>}, {@code alerts-<run>}, ...).
     */
    static Map<String, String> isolated(KafkaCluster cluster, String registryUrl, String applicationId, String run,
                                        java.nio.file.Path stateDir) {
        Map<String, String> overrides = new java.util.HashMap<>();
        overrides.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        overrides.put(io.distillguard.serdes.registry.SchemaRegistryClients.URL, registryUrl);
        overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        overrides.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        overrides.put(io.distillguard.topology.DetectionConfig.REQUESTS_TOPIC, "requests-" + run);
        overrides.put(io.distillguard.topology.DetectionConfig.ALERTS_TOPIC, "alerts-" + run);
        overrides.put(io.distillguard.topology.DetectionConfig.DEAD_LETTER_TOPIC, "dead-letter-" + run);
        overrides.put(io.distillguard.topology.DetectionConfig.RULES_TOPIC, "rules-" + run);
        return overrides;
    }

    /** Publishes each request keyed by its account, stamped with its event time; returns how many. */
    static long produce(ServiceConfig config, String topic, Iterator<RequestEvent> events, Consumer<RequestEvent> seen) {
        return produce(config, topic, null, events, seen);
    }

    /** As above, every event to {@code partition} (null: by the account's key). */
    static long produce(ServiceConfig config, String topic, Integer partition, Iterator<RequestEvent> events,
                        Consumer<RequestEvent> seen) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(config.serdeConfig(), false);
        long produced = 0;
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            while (events.hasNext()) {
                RequestEvent event = events.next();
                seen.accept(event);
                producer.send(new ProducerRecord<>(topic, partition, event.getEventTime().toEpochMilli(),
                        event.getAccountId(), event));
                produced++;
            }
            producer.flush();
        }
        return produced;
    }

    /** A read_committed reader of the alerts topic from its start, in a group of its own. */
    static KafkaConsumer<String, DistillationAlert> alerts(ServiceConfig config, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "alerts-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        SpecificAvroDeserializer<DistillationAlert> deserializer = new SpecificAvroDeserializer<>(DistillationAlert.class);
        deserializer.configure(config.serdeConfig(), false);
        KafkaConsumer<String, DistillationAlert> consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer);
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}
