package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroDeserializer;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.validation.DeadLetterHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of hostile or broken record the reliability issue lists, mixed with good ones, through the service on
 * a real broker. The service stays up; each record is processed, dead-lettered with a reason, or handled by a
 * documented rule (duplicates counted once, late requests counted); and records in = processed + dead-lettered,
 * with late-dropped and duplicates counted among the processed.
 */
@ExtendWith(KafkaClusterExtension.class)
class HostileInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();

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
    void shouldStayUpAndAccountForEveryRecord(KafkaCluster cluster) throws Exception {
        registry = EmbeddedSchemaRegistry.start();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "requests-" + run;
        // Room for a request with megabytes of prompt; the gateway's own producer would need the same.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "10485760"))))
                    .all().get();
        }
        Map<String, String> config = new HashMap<>();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(SchemaRegistryClients.URL, registry.url());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "hostile-" + run);
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        config.put(DetectionConfig.REQUESTS_TOPIC, topic);
        config.put(DetectionConfig.ALERTS_TOPIC, "alerts-" + run);
        config.put(DetectionConfig.DEAD_LETTER_TOPIC, "dead-letter-" + run);
        config.put(DetectionConfig.RULES_TOPIC, "rules-" + run);
        config.put(DetectionConfig.INDICATORS_TOPIC, "indicators-" + run);
        config.put(DetectionConfig.RULES_FILE, io.distillguard.service.RulesFiles.write(dir, "rules.yaml",
                "requests-1h: 1000", "requests-1h: 20").toString());
        config.put(DetectionConfig.VERDICTS_TOPIC, "verdicts-" + run);
        config.put(ServiceConfig.HTTP_PORT, "0");
        // Records nobody can read on the global topics every instance loads at start: they are skipped with a
        // log line, and the service still starts (Kafka Streams' own handling of them killed the global thread).
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("indicators-" + run, 1, (short) 1),
                    new NewTopic("verdicts-" + run, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(), new ByteArraySerializer())) {
            for (String global : List.of("indicators-" + run, "verdicts-" + run)) {
                producer.send(new ProducerRecord<>(global, "unreadable", new byte[] {0, 0, 0, 0, 42, 1, 2})).get();
                producer.send(new ProducerRecord<>(global, "not-avro", "{\"json\": true}".getBytes())).get();
            }
        }
        service = DistillguardService.start(ServiceConfig.load(null, Map.of(), config));
        assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();

        // Ten minutes into the previous hour: the good requests (spread over a minute) share one hour window whatever
        // the time of day the test runs at.
        long now = (System.currentTimeMillis() - 3_600_000L) / 3_600_000L * 3_600_000L + 600_000L;
        SpecificAvroSerializer<RequestEvent> avro = new SpecificAvroSerializer<>(RequestEvent.class);
        avro.configure(Map.of(SchemaRegistryClients.URL, registry.url()), false);
        List<byte[]> records = new ArrayList<>();
        int deserializationDeadLetters = 0;
        int contractDeadLetters = 0;
        int valid = 0;

        // Good traffic before, between and after the bad: one account that must still be alerted on.
        for (int i = 0; i < 10; i++) {
            records.add(avro.serialize(topic, good("acct-good", now + i)));
            valid++;
        }
        // Undecodable: wrong magic byte, unknown schema id, truncated Avro, an incompatible writer schema, a writer
        // schema without a required field.
        byte[] sample = avro.serialize(topic, good("acct-sample", now));
        records.add(concat(new byte[] {1}, Arrays.copyOfRange(sample, 1, sample.length)));
        records.add(concat(new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, Arrays.copyOfRange(sample, 5, sample.length)));
        records.add(Arrays.copyOf(sample, sample.length / 2));
        Schema unrelated = SchemaBuilder.record("RequestEvent").namespace("io.distillguard.avro").fields()
                .requiredString("x").endRecord();
        GenericRecord unrelatedRecord = new GenericData.Record(unrelated);
        unrelatedRecord.put("x", "y");
        records.add(AvroRecords.framed(registry.contents().register("unrelated-value", unrelated), unrelated, unrelatedRecord));
        Schema withoutAccount = AvroRecords.withoutField(RequestEvent.getClassSchema(), "account_id");
        records.add(AvroRecords.framed(registry.contents().register("old-gateway-value", withoutAccount), withoutAccount,
                copyWithout(good("acct-x", now), withoutAccount)));
        deserializationDeadLetters += 5;
        // Decodable but breaking the contract.
        records.add(null); // tombstone
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-neg", now)).setPromptTokens(-5).build()));
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-absurd", now)).setCompletionTokens(2_000_000_000).build()));
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-badip", now)).setIp("10.0.0.300").build()));
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-epoch", now)).setEventTime(Instant.EPOCH).build()));
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-future", now))
                .setEventTime(Instant.ofEpochMilli(now + Duration.ofDays(2).toMillis())).build()));
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-past", now))
                .setEventTime(Instant.parse("2015-06-01T00:00:00Z")).build()));
        records.add(avro.serialize(topic, good("acct-\u0001control", now)));
        records.add(avro.serialize(topic, good("a".repeat(10_000), now)));
        contractDeadLetters += 9;
        // Valid, by documented rules: IPv6 and IPv4-mapped IPv6, a megabytes-long prompt (hashed, then dropped),
        // invalid UTF-8 (decoded with replacement characters), a duplicate (counted once), a late request.
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-v6", now)).setIp("2001:db8::1").build()));
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-mapped", now)).setIp("::ffff:198.51.100.77").build()));
        records.add(avro.serialize(topic, RequestEvent.newBuilder(good("acct-huge", now)).setPromptSimhash(null)
                .setPromptText("distil me ".repeat(300_000)).build()));
        byte[] utf8 = avro.serialize(topic, good("acct-utf8-XX", now));
        records.add(replace(utf8, "XX".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xc3, 0x28}));
        RequestEvent original = good("acct-dup", now);
        records.add(avro.serialize(topic, original));
        records.add(avro.serialize(topic, original));
        valid += 6;
        for (int i = 10; i < 25; i++) {
            records.add(avro.serialize(topic, good("acct-good", now + 60_000 + i)));
            valid++;
        }
        // Three hours behind the stream: its hour window closed long ago.
        records.add(avro.serialize(topic, good("acct-good", now - Duration.ofHours(3).toMillis())));
        valid++;

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "10485760");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records.size(); i++) {
                // Null keys and keys alike: the topology reads keys as raw bytes and re-keys itself.
                byte[] key = i % 2 == 0 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, 0, key, records.get(i))).get();
            }
        }

        int deadLetters = deserializationDeadLetters + contractDeadLetters;
        int undecodable = deserializationDeadLetters;
        List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster)) {
            consumer.subscribe(List.of("dead-letter-" + run));
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(300)).forEach(dead::add);
                assertThat(dead).hasSize(deadLetters);
                assertThat(service.counter("events-in-total")).isEqualTo(records.size() - undecodable);
            });
        }
        assertThat(service.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(dead).filteredOn(r -> "DESERIALIZATION".equals(header(r, DeadLetterHeaders.STAGE))).hasSize(deserializationDeadLetters);
        assertThat(dead).allSatisfy(r -> assertThat(header(r, DeadLetterHeaders.REASON)).isNotBlank());
        assertThat(dead).extracting(r -> header(r, DeadLetterHeaders.REASON))
                .anyMatch(r -> r.contains("magic byte"))
                .anyMatch(r -> r.contains("not found"))
                .anyMatch(r -> r.contains("null value"))
                .anyMatch(r -> r.contains("prompt_tokens -5"))
                .anyMatch(r -> r.contains("completion_tokens 2000000000"))
                .anyMatch(r -> r.contains("10.0.0.300"))
                .anyMatch(r -> r.contains("account_id") && r.contains("256"));

        // The invariant: every record in is either decoded (events-in) or dead-lettered undecoded; every decoded one is
        // either dead-lettered for the contract or valid; of the valid, duplicates are counted once.
        assertThat(service.counter("dead-lettered-total")).isEqualTo(contractDeadLetters);
        assertThat(service.counter("events-in-total") - service.counter("dead-lettered-total")).isEqualTo(valid);
        assertThat(service.counter("duplicates-total")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> service.counter("late-dropped-total") >= 1);

        // And detection went on around the bad records: acct-good crossed 20 requests in the hour.
        try (KafkaConsumer<String, DistillationAlert> alerts = alertConsumer(cluster, "alerts-" + run)) {
            List<DistillationAlert> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                alerts.poll(Duration.ofMillis(300)).forEach(r -> seen.add(r.value()));
                assertThat(seen).extracting(DistillationAlert::getSubjectId).contains("acct-good");
            });
        }
        // IPv4-mapped IPv6 is folded into the IPv4 address it carries.
        JsonNode ip = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.httpPort() + "/ips/198.51.100.77")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(ip.path("windows").get(0).path("sample_accounts").toString()).contains("acct-mapped");
    }


    private static RequestEvent good(String account, long time) {
        return RequestEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.ofEpochMilli(time))
                .setAccountId(account).setIp("198.51.100.9").setModel("m").setEndpoint("/v1/messages")
                .setPromptTokens(10).setCompletionTokens(10).setStatus(200).setPromptSimhash(0x1234L).build();
    }


    private static GenericRecord copyWithout(RequestEvent event, Schema schema) {
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            record.put(f.name(), event.get(f.name()));
        }
        return record;
    }


    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] replace(byte[] bytes, byte[] find, byte[] with) {
        for (int i = 0; i + find.length <= bytes.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(bytes, i, i + find.length), find)) {
                byte[] out = bytes.clone();
                System.arraycopy(with, 0, out, i, with.length);
                return out;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(KafkaCluster cluster) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaConsumer<String, DistillationAlert> alertConsumer(KafkaCluster cluster, String topic) {
        SpecificAvroDeserializer<DistillationAlert> deserializer = new SpecificAvroDeserializer<>(DistillationAlert.class);
        deserializer.configure(Map.of(SchemaRegistryClients.URL, registry.url()), false);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, DistillationAlert> consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer);
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}
