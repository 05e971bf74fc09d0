package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.serdes.registry.SchemaRegistryException;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The schema registry as a dependency: an outage, and gateways on two versions of the request schema. */
@ExtendWith(KafkaClusterExtension.class)
class SchemaRegistryFaultsIT {

    @TempDir
    Path dir;

    private EmbeddedSchemaRegistry registry;
    private DistillguardService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void shouldRetryRecordsWhileTheRegistryIsDownAndDeadLetterNone(KafkaCluster cluster) throws Exception {
        registry = EmbeddedSchemaRegistry.start();
        ReliabilityRig rig = new ReliabilityRig(cluster.bootstrapServers(), registry.url(), "registry-down");
        rig.createRequestsTopic(2);
        // Serialized while the registry is up, by a client of its own (as a gateway, another process, would): the
        // service has never seen the schema id, so it must ask the registry, which is then down.
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(Map.of(SchemaRegistryClients.URL, registry.url(),
                SchemaRegistryClients.REQUEST_TIMEOUT_MS, "9999"), false);
        List<byte[]> records = new ArrayList<>();
        for (RequestEvent event : rig.generate(3, 600, Duration.ofMinutes(1))) {
            records.add(serializer.serialize(rig.requestsTopic(), event));
        }
        service = DistillguardService.start(rig.serviceConfig(dir));
        assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();

        registry.pause();
        produceRaw(rig, records);
        // An outage of 8 s, held to: throughout it nothing is decoded and the service stays up.
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12)).until(() ->
                service.counter("events-in-total") == 0 && service.streams().state().isRunningOrRebalancing());
        assertThat(deadLetters(rig, Duration.ofSeconds(2))).as("nothing dead-lettered as bad").isZero();

        registry.resume();
        long malformed = rig.events.stream().filter(e -> e.getIp().startsWith("999.") || e.getPromptTokens() < 0).count();
        await().atMost(Duration.ofSeconds(120)).until(() -> service.counter("events-in-total") >= records.size());
        await().atMost(Duration.ofSeconds(60)).until(rig::processedEverything);
        assertThat(deadLetters(rig, Duration.ofSeconds(3))).as("only the stream's own malformed events").isEqualTo(malformed);
        assertThat(rig.writtenAlerts()).as("detection resumed").isNotEmpty();
    }

    @Test
    void shouldDecodeGatewaysOnTheOldAndTheNewSchemaAndRefuseARemovedRequiredField(KafkaCluster cluster) throws Exception {
        registry = EmbeddedSchemaRegistry.start();
        ReliabilityRig rig = new ReliabilityRig(cluster.bootstrapServers(), registry.url(), "evolution");
        rig.createRequestsTopic(2);
        String subject = rig.requestsTopic() + "-value";
        // Consumers on the old schema must read what new gateways write: FULL (forward and backward).
        registry.contents().setCompatibility(subject, "FULL");
        service = DistillguardService.start(rig.serviceConfig(dir));
        assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();

        List<RequestEvent> events = rig.generate(4, 200, Duration.ofMinutes(1));
        rig.produce(events.subList(0, 100)); // old gateways: the schema this build has
        Schema v2 = AvroRecords.withOptionalField(RequestEvent.getClassSchema(), "client_fingerprint");
        int v2Id = registry.contents().register(subject, v2);
        List<byte[]> newer = new ArrayList<>();
        for (RequestEvent event : events.subList(100, 200)) {
            GenericRecord record = new GenericData.Record(v2);
            for (Schema.Field f : RequestEvent.getClassSchema().getFields()) {
                record.put(f.name(), event.get(f.name()));
            }
            record.put("client_fingerprint", "ja4:t13d1516h2_8daaf6152771");
            newer.add(AvroRecords.framed(v2Id, v2, record));
        }
        produceRaw(rig, newer);

        long malformed = events.stream().filter(e -> e.getIp().startsWith("999.") || e.getPromptTokens() < 0).count();
        await().atMost(Duration.ofSeconds(60)).until(() -> service.counter("events-in-total") >= events.size());
        assertThat(deadLetters(rig, Duration.ofSeconds(3))).as("both versions decode").isEqualTo(malformed);

        Schema withoutAccount = AvroRecords.withoutField(v2, "account_id");
        assertThatThrownBy(() -> registry.contents().register(subject, withoutAccount))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));
    }


    private static void produceRaw(ReliabilityRig rig, List<byte[]> records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rig.bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            records.forEach(r -> producer.send(new ProducerRecord<>(rig.requestsTopic(), r)));
            producer.flush();
        }
    }

    private static long deadLetters(ReliabilityRig rig, Duration wait) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, rig.bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(rig.config.get(io.distillguard.topology.DetectionConfig.DEAD_LETTER_TOPIC)));
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(300)).count();
            }
        }
        return count;
    }




}
