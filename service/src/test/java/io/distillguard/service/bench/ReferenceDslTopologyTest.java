package io.distillguard.service.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's reference topology does what it claims: its thresholds raise one alert each, once. */
class ReferenceDslTopologyTest {

    @TempDir
    Path dir;

    @Test
    void aBusyAccountAndAnAddressSharedByManyAccountsEachRaiseOneAlert() {
        Map<String, String> serde = Map.of(SchemaRegistryClients.URL, "mock://reference-" + UUID.randomUUID());
        SpecificAvroSerde<RequestEvent> requests = SpecificAvroSerde.forValues(RequestEvent.class, serde);
        SpecificAvroSerde<DistillationAlert> alerts = SpecificAvroSerde.forValues(DistillationAlert.class, serde);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reference-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        long hour = Instant.now().toEpochMilli() / 3_600_000L * 3_600_000L - 3_600_000L;
        try (TopologyTestDriver driver = new TopologyTestDriver(
                ReferenceDslTopology.build("requests", "alerts", requests, alerts), props)) {
            TestInputTopic<byte[], RequestEvent> in = driver.createInputTopic("requests", new ByteArraySerializer(),
                    requests.serializer());
            for (int i = 0; i < 400; i++) {
                in.pipeInput(event("busy", "198.51.100." + (i % 200), hour + i * 1_000L));
            }
            for (int i = 0; i < 30; i++) {
                in.pipeInput(event("shared-" + i, "203.0.113.9", hour + 500_000L + i * 1_000L));
            }
            List<DistillationAlert> raised = driver.createOutputTopic("alerts", Serdes.String().deserializer(),
                    alerts.deserializer()).readValuesToList();
            assertThat(raised).extracting(DistillationAlert::getDetector)
                    .containsExactlyInAnyOrder("REFERENCE_ACCOUNT_HOURLY", "REFERENCE_IP_FAN_IN");
            assertThat(raised).filteredOn(a -> a.getDetector().equals("REFERENCE_IP_FAN_IN"))
                    .singleElement().satisfies(a -> assertThat(a.getAccounts()).hasSize(25));
        }
    }

    private static RequestEvent event(String account, String ip, long time) {
        return RequestEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setEventTime(Instant.ofEpochMilli(time))
                .setAccountId(account)
                .setIp(ip)
                .setModel("frontier-1")
                .setEndpoint("/v1/messages")
                .setPromptTokens(100)
                .setCompletionTokens(400)
                .setStatus(200)
                .build();
    }
}
