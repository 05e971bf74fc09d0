package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.service.demo.TrafficGenerator;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology.StateStorage;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineBacktestTest {

    private static final long START = 1_790_000_000_000L;
    private static final int EVENTS = 10_000;

    @TempDir
    static Path dir;

    private static Path plain;
    private static Path gzip;
    private static Path avro;
    private static DetectionConfig config;

    @BeforeAll
    static void writeFiles() throws Exception {
        config = DetectionConfig.defaultConfig();
        List<RequestEvent> events = new ArrayList<>();
        TrafficGenerator generator = new TrafficGenerator(7);
        for (int i = 0; i < EVENTS; i++) {
            events.add(generator.next(START + i * 50L).event());
        }
        plain = dir.resolve("events.jsonl");
        gzip = dir.resolve("events.jsonl.gz");
        avro = dir.resolve("events.avro");
        try (BufferedWriter out = Files.newBufferedWriter(plain);
             BufferedWriter gz = new BufferedWriter(new OutputStreamWriter(
                     new GZIPOutputStream(Files.newOutputStream(gzip)), StandardCharsets.UTF_8));
             DataFileWriter<RequestEvent> container = new DataFileWriter<>(new SpecificDatumWriter<>(RequestEvent.class))) {
            container.create(RequestEvent.getClassSchema(), avro.toFile());
            for (RequestEvent event : events) {
                String line = ContractJson.line(event);
                out.write(line + "\n");
                gz.write(line + "\n");
                container.append(event);
            }
        }
    }

    private static List<String> alertsOf(Path file) {
        return alertsOf(file, StateStorage.OFFLINE_IN_MEMORY);
    }

    private static List<String> alertsOf(Path file, StateStorage storage) {
        return alertsOf(file, storage, OfflineBacktest.Driver.PIPELINED);
    }

    private static List<String> alertsOf(Path file, StateStorage storage, OfflineBacktest.Driver driver) {
        List<String> alerts = new ArrayList<>();
        try (EventFiles events = EventFiles.open(List.of(file))) {
            new OfflineBacktest(config, storage, java.util.Map.of(), driver).run(events, new OfflineBacktest.Listener() {
                @Override
                public void onAlert(DistillationAlert alert) {
                    alert.setEmittedAt(java.time.Instant.EPOCH);
                    alerts.add(ContractJson.line(alert));
                }
            });
        }
        return alerts;
    }

    @Test
    void shouldGiveTheSameAlertsOnEveryRunAndFromEveryFileFormat() {
        List<String> first = alertsOf(plain);

        assertThat(first).isNotEmpty();
        assertThat(first).anyMatch(a -> a.contains("\"detector\":\"ACCOUNT_RISK\""))
                .anyMatch(a -> a.contains("\"detector\":\"ACCOUNT_CLUSTER\""));
        assertThat(alertsOf(plain)).as("a second run").isEqualTo(first);
        assertThat(alertsOf(gzip)).as("gzip").isEqualTo(first);
        assertThat(alertsOf(avro)).as("Avro container").isEqualTo(first);
    }

    @Test
    void shouldGiveTheSameAlertsOnRocksDbState() {
        List<String> inMemory = alertsOf(plain);
        List<String> rocks = alertsOf(plain, StateStorage.OFFLINE_ROCKSDB);
        assertThat(rocks).isEqualTo(inMemory);
    }

    @Test
    void shouldGiveTheTopologyTestDriversAlertsInItsOrderOnThePipelinedRunner() {
        List<String> pipelined = alertsOf(plain, StateStorage.OFFLINE_IN_MEMORY, OfflineBacktest.Driver.PIPELINED);
        List<String> testDriver = alertsOf(plain, StateStorage.OFFLINE_IN_MEMORY,
                OfflineBacktest.Driver.TOPOLOGY_TEST_DRIVER);

        assertThat(pipelined).hasSizeGreaterThan(10).isEqualTo(testDriver);
    }

    @Test
    void shouldRejectBadLinesWithFileLineAndReasonAndGoOn() throws Exception {
        Path mixed = dir.resolve("mixed.jsonl");
        List<String> lines = Files.readAllLines(plain).subList(0, 100);
        List<String> withBad = new ArrayList<>(lines);
        withBad.add(3, "this is not json");
        withBad.add(10, "{\"event_id\":\"x\",\"event_time\":\"yesterday\"}");
        withBad.add(20, "{\"event_id\":\"y\"}");
        Files.write(mixed, withBad);
        List<EventFiles.Entry> rejected = new ArrayList<>();

        OfflineBacktest.Result result;
        try (EventFiles events = EventFiles.open(List.of(mixed))) {
            result = new OfflineBacktest(config, StateStorage.OFFLINE_IN_MEMORY).run(events, new OfflineBacktest.Listener() {
                @Override
                public void onRejected(EventFiles.Entry entry) {
                    rejected.add(entry);
                }
            });
        }

        assertThat(result.read()).isEqualTo(103);
        assertThat(result.rejected()).isEqualTo(3);
        assertThat(rejected).extracting(EventFiles.Entry::line).containsExactly(4L, 11L, 21L);
        assertThat(rejected.get(0).rejectReason()).startsWith("not JSON");
        assertThat(rejected.get(1).rejectReason()).isEqualTo("field \"event_time\": expected a 64-bit integer, got \"yesterday\"");
        assertThat(rejected.get(2).rejectReason()).isEqualTo("missing required field \"event_time\"");
        assertThat(rejected).allSatisfy(e -> assertThat(e.file()).isEqualTo(mixed));
    }

    @Test
    void shouldCountContractViolationsAsDeadLettersWithReasons() {
        OfflineBacktest.Result result;
        try (EventFiles events = EventFiles.open(List.of(plain))) {
            result = new OfflineBacktest(config, StateStorage.OFFLINE_IN_MEMORY).run(events, new OfflineBacktest.Listener() { });
        }
        // The generator makes about 0.5% malformed events: an unparsable ip or negative prompt tokens.
        assertThat(result.deadLettered()).isBetween(25L, 80L);
        assertThat(result.deadLetterReasons().keySet()).anyMatch(r -> r.startsWith("ip "))
                .anyMatch(r -> r.startsWith("prompt_tokens"));
        assertThat(result.read() - result.rejected()).isEqualTo(EVENTS);
    }

    @Test
    void shouldNameAnUnreadableFileBeforeAnyWork() {
        Path missing = dir.resolve("nope.jsonl");
        assertThatThrownBy(() -> EventFiles.open(List.of(plain, missing)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope.jsonl").hasMessageContaining("no such file");
    }
}
