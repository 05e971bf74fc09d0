package io.distillguard.topology.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.detect.SubjectRiskProcessor;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.validation.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class OfflineTopologyRunnerTest {

    private static final long START = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli();

    @Test
    void shouldDeadLetterARequestAProcessorThrowsOnAndGoOnWithTheRest() {
        DetectionConfig config = DetectionConfig.defaultConfig();
        Map<String, Integer> subjectCalls = new ConcurrentHashMap<>();
        List<RequestEvent> deadEvents = new ArrayList<>();
        List<Headers> deadHeaders = new ArrayList<>();
        List<DistillationAlert> alerts = new ArrayList<>();
        Processor<String, LinkRequest, String, Object> links = new Failing<>(new LinkRiskProcessor(config, null),
                request -> request.getAccountId().equals("acct-link-boom"), "link exploded", null);
        Processor<String, SubjectRequest, String, DistillationAlert> subjects = new Failing<>(
                new SubjectRiskProcessor(config, null),
                request -> request.getAccountId().equals("acct-subject-boom"), "subject exploded", subjectCalls);

        try (OfflineTopologyRunner runner = new OfflineTopologyRunner(config, null,
                new OfflineTopologyRunner.Output() {
                    @Override
                    public void alert(DistillationAlert alert) {
                        alerts.add(alert);
                    }

                    @Override
                    public void deadLetter(RequestEvent event, Headers headers) {
                        deadEvents.add(event);
                        deadHeaders.add(headers);
                    }
                }, links, subjects)) {
            for (int i = 0; i < 3_000; i++) {
                String account = i == 1_000 ? "acct-link-boom" : i == 2_000 ? "acct-subject-boom" : "acct-" + i % 300;
                runner.process(event("e-" + i, account, START + i * 100L));
            }
            runner.finish();
        }

        assertThat(deadEvents).extracting(RequestEvent::getEventId).containsExactly("e-1000", "e-2000");
        assertThat(header(deadHeaders.get(0), DeadLetterHeaders.STAGE)).isEqualTo("PROCESSING");
        assertThat(header(deadHeaders.get(0), DeadLetterHeaders.REASON))
                .isEqualTo("processing failed at link-risk: IllegalStateException: link exploded");
        assertThat(header(deadHeaders.get(1), DeadLetterHeaders.REASON))
                .isEqualTo("processing failed at subject-risk: IllegalStateException: subject exploded");
        assertThat(header(deadHeaders.get(1), DeadLetterHeaders.EXCEPTION)).isEqualTo(IllegalStateException.class.getName());
        // A request the link stage refused never reaches the subject stage; the rest all do, on every subject.
        assertThat(subjectCalls).doesNotContainKey("acct-link-boom");
        assertThat(subjectCalls.get("acct-subject-boom")).isEqualTo(1);
        assertThat(subjectCalls.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(2_999);
        // The 300 accounts behind one address go on to make it a fan-in alert after both failures.
        assertThat(alerts).extracting(DistillationAlert::getDetector).contains("IP_FAN_IN");
    }

    @Test
    void shouldHandTheDetectorsOneInstanceOfEachAccountIdWhateverInstanceEachRequestCarries() {
        DetectionConfig config = DetectionConfig.defaultConfig();
        Map<String, List<String>> seen = new ConcurrentHashMap<>();
        Processor<String, LinkRequest, String, Object> links = new Failing<>(new LinkRiskProcessor(config, null),
                request -> {
                    seen.computeIfAbsent(request.getAccountId(), id -> new ArrayList<>()).add(request.getAccountId());
                    return false;
                }, "never", null);
        try (OfflineTopologyRunner runner = new OfflineTopologyRunner(config, null, new OfflineTopologyRunner.Output() {
            @Override
            public void alert(DistillationAlert alert) {
            }

            @Override
            public void deadLetter(RequestEvent event, Headers headers) {
            }
        }, links, new SubjectRiskProcessor(config, null))) {
            for (int i = 0; i < 200; i++) {
                // A new String per request, as a parser makes one per line.
                runner.process(event("e-" + i, new String("acct-" + i % 7), START + i * 100L));
            }
            runner.finish();
        }

        assertThat(seen).hasSize(7);
        for (List<String> instances : seen.values()) {
            assertThat(instances).hasSizeGreaterThan(20).allSatisfy(id -> assertThat(id).isSameAs(instances.get(0)));
        }
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static RequestEvent event(String id, String account, long time) {
        return RequestEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(time)).setAccountId(account)
                .setIp("198.51.100.7").setModel("m").setEndpoint("/v1/messages").setPromptTokens(10)
                .setCompletionTokens(10).setStatus(200).build();
    }

    /** A real processor that throws on the requests {@code fails} picks, after counting the calls per account. */
    private static final class Failing<V, KO, VO> implements Processor<String, V, KO, VO> {
        private final Processor<String, V, KO, VO> real;
        private final java.util.function.Predicate<V> fails;
        private final String message;
        private final Map<String, Integer> calls;

        Failing(Processor<String, V, KO, VO> real, java.util.function.Predicate<V> fails, String message,
                Map<String, Integer> calls) {
            this.real = real;
            this.fails = fails;
            this.message = message;
            this.calls = calls;
        }

        @Override
        public void init(ProcessorContext<KO, VO> context) {
            real.init(context);
        }

        @Override
        public void process(Record<String, V> record) {
            if (calls != null && record.value() instanceof SubjectRequest request && request.getCluster() == null) {
                calls.merge(request.getAccountId(), 1, Integer::sum);
            }
            if (fails.test(record.value())) {
                throw new IllegalStateException(message);
            }
            real.process(record);
        }
    }
}
