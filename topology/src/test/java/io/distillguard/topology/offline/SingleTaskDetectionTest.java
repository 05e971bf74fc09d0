package io.distillguard.topology.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.detect.PromptBands;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.SubjectRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class SingleTaskDetectionTest {

    private static final long TIME = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli();

    private final List<String> calls = new ArrayList<>();
    private final MockProcessorContext<String, DistillationAlert> context = new MockProcessorContext<>();

    @Test
    void runsTheLinksThenTheSubjectsWithEachImplicationHandedOverAsItIsMade() {
        SingleTaskDetection detection = new SingleTaskDetection(new Links(null), new NoCampaigns(), new Subjects(), true, null, new PromptBands(6, 4, 6));
        detection.init(context);

        detection.process(new Record<>(null, request("acct-1"), TIME));

        // The depth-first order of the two-node graph: each link, an implication the moment the IP link makes it,
        // then the request's own subjects (the API key rides on the account's record).
        assertThat(calls).containsExactly(
                "link IP:198.51.100.7",
                "subject ACCOUNT:acct-1 implicated by IP:198.51.100.7",
                "link IP_PREFIX:198.51.100.0/24",
                "link ASN:64500",
                "link HOSTED_CLIENT:64500|-",
                "link PAYMENT_FINGERPRINT:card-9",
                "link PROMPT_CLUSTER:0-9abcdef0",
                "link PROMPT_CLUSTER:1-12345678",
                "link PROMPT_CLUSTER:2-5678def0",
                "link PROMPT_CLUSTER:3-12349abc",
                "link PROMPT_CLUSTER:4-1234def0",
                "link PROMPT_CLUSTER:5-56789abc",
                "subject ACCOUNT:acct-1 with key-1",
                "subject ORG:org-1 with key-1");
        // Alerts of both paths reach the node's output, in the order they were raised; implications do not.
        assertThat(context.forwarded()).extracting(f -> f.record().value().getDetector())
                .containsExactly("IP_FAN_IN", "ACCOUNT_RISK", "ACCOUNT_RISK", "ORG_RISK");
        assertThat(context.forwarded()).extracting(f -> f.record().timestamp()).containsOnly(TIME);
    }

    @Test
    void aRequestThatMakesAProcessorThrowGoesToTheHandlerWholeAndSkipsItsSubjects() {
        SingleTaskDetection detection = new SingleTaskDetection(new Links("ASN:64500"), new NoCampaigns(), new Subjects(), true, null, new PromptBands(6, 4, 6));
        detection.init(context);

        // Kafka's processing-exception handler takes it from here (the dead letters), as for any node.
        assertThatThrownBy(() -> detection.process(new Record<>(null, request("acct-1"), TIME)))
                .isInstanceOf(IllegalStateException.class).hasMessage("boom at ASN:64500");
        assertThat(calls).noneMatch(call -> call.startsWith("subject ORG") || call.equals("subject ACCOUNT:acct-1"));
    }

    private static RequestEvent request(String account) {
        return RequestEvent.newBuilder().setEventId("e-1").setEventTime(Instant.ofEpochMilli(TIME))
                .setAccountId(account).setOrgId("org-1").setApiKeyId("key-1").setIp("198.51.100.7").setAsn(64500)
                .setPaymentFingerprint("card-9").setPromptSimhash(0x123456789abcdef0L).setModel("m")
                .setEndpoint("/v1/messages").setPromptTokens(10).setCompletionTokens(10).setStatus(200).build();
    }

    private static DistillationAlert alert(String detector) {
        DistillationAlert alert = new DistillationAlert();
        alert.setDetector(detector);
        return alert;
    }

    /** Stands in for the link processor: the IP link raises a fan-in alert and implicates the account. */
    private final class Links implements Processor<String, LinkRequest, String, Object> {
        private final String failOn;
        private ProcessorContext<String, Object> downstream;

        Links(String failOn) {
            this.failOn = failOn;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.downstream = context;
        }

        @Override
        public void process(Record<String, LinkRequest> record) {
            if (record.key().equals(failOn)) {
                throw new IllegalStateException("boom at " + failOn);
            }
            calls.add("link " + record.key());
            if (record.key().startsWith("IP:")) {
                downstream.forward(record.withValue((Object) alert("IP_FAN_IN")));
                SubjectRequest implication = SubjectRequest.newBuilder().setEventTime(record.timestamp())
                        .setAccountId(record.value().getAccountId()).setCluster(record.key()).setClusterRisk(3.0)
                        .build();
                downstream.forward(new Record<>("ACCOUNT:" + implication.getAccountId(), implication,
                        record.timestamp()));
            }
        }
    }

    /** Stands in for the subject processor: one alert per call, named for the subject's type. */
    private final class Subjects implements Processor<String, SubjectRequest, String, DistillationAlert> {
        private ProcessorContext<String, DistillationAlert> downstream;

        @Override
        public void init(ProcessorContext<String, DistillationAlert> context) {
            this.downstream = context;
        }

        @Override
        public void process(Record<String, SubjectRequest> record) {
            String cluster = record.value().getCluster();
            String apiKey = record.value().getApiKeyId();
            calls.add("subject " + record.key() + (cluster == null ? "" : " implicated by " + cluster)
                    + (apiKey == null ? "" : " with " + apiKey));
            String type = record.key().substring(0, record.key().indexOf(':'));
            downstream.forward(record.withValue(alert(type + "_RISK")));
        }
    }

    /** The account graph, left out: these tests are about the order of the two paths. */
    private static final class NoCampaigns implements org.apache.kafka.streams.processor.api.Processor<String,
            io.distillguard.topology.state.CampaignEdge, String, Object> {
        @Override
        public void process(org.apache.kafka.streams.processor.api.Record<String,
                io.distillguard.topology.state.CampaignEdge> record) {
            throw new AssertionError("no edge expected");
        }
    }
}
