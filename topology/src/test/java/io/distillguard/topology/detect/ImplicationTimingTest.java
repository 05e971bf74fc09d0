package io.distillguard.topology.detect;

import static io.distillguard.topology.TopologyHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.Severity;
import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectWindowStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/**
 * A cluster member's alerts against when its implication reaches the subject path: at its own event time, as a
 * backtest delivers it, or after the member's later requests, as the live link path does behind a backlog.
 */
class ImplicationTimingTest {

    private static final long NINE = Instant.parse("2026-11-30T09:00:00Z").toEpochMilli();
    private static final String ACCOUNT = "acct-member";
    private static final String CLUSTER = "PAYMENT_FINGERPRINT:card-1";

    /**
     * Six requests two minutes apart, each from another network (ROTATION: every quick pair switched), then ten from
     * the last of them (ROTATION stops: five switches in fifteen quick pairs); no reasoning, so proxy use alone.
     */
    private static List<SubjectRequest> memberDay() {
        List<SubjectRequest> requests = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int asn = 7_400 + Math.min(i, 5);
            requests.add(SubjectProfile.project(request(ACCOUNT, "100." + (asn % 200) + "." + i + ".9",
                    NINE + i * 120_000L).setAsn(asn).setTurnIndex(0).setCapability("chat")
                    .setPromptSimhash(31L * i + 7).build()));
        }
        return requests;
    }

    /** A plain implication in a cluster whose member risk is 2.5: HIGH on its own word. */
    private static SubjectRequest implication(long time) {
        Assessment cluster = new Assessment().fire("ACCOUNT_CLUSTER", 2.5, 1, 5, true);
        return SubjectRiskProcessor.implication(time, ACCOUNT, CLUSTER, cluster);
    }

    /** Runs the subject path over the day with the implication handed over after {@code before} requests. */
    private static List<DistillationAlert> run(int before) {
        MockProcessorContext<String, DistillationAlert> context = new MockProcessorContext<>();
        Serde<SubjectWindowStats> stats = new AvroBinarySerde<>(SubjectWindowStats.class);
        WindowStore<String, SubjectWindowStats> days = Stores.windowStoreBuilder(
                        Stores.inMemoryWindowStore(SubjectRiskProcessor.DAY_STORE, Duration.ofDays(3),
                                Duration.ofDays(1), false), Serdes.String(), stats)
                .withLoggingDisabled().withCachingDisabled().build();
        WindowStore<String, Integer> emitted = Stores.windowStoreBuilder(
                        Stores.inMemoryWindowStore(SubjectRiskProcessor.EMITTED_STORE, Duration.ofDays(3),
                                Duration.ofDays(1), false), Serdes.String(), Serdes.Integer())
                .withLoggingDisabled().withCachingDisabled().build();
        days.init(context.getStateStoreContext(), days);
        emitted.init(context.getStateStoreContext(), emitted);
        context.addStateStore(days);
        context.addStateStore(emitted);
        SubjectRiskProcessor processor = new SubjectRiskProcessor(DetectionConfig.defaultConfig(), null);
        processor.init(context);

        List<SubjectRequest> requests = memberDay();
        // The implication's own event time is that of the member's sixth request, the last that rotated.
        long implicatedAt = requests.get(5).getEventTime() + 1;
        for (int i = 0; i <= requests.size(); i++) {
            context.setCurrentStreamTimeMs(requests.get(Math.max(0, Math.min(i, requests.size()) - 1)).getEventTime());
            if (i == before) {
                processor.process(new Record<>(Subjects.key(io.distillguard.avro.SubjectType.ACCOUNT, ACCOUNT), implication(implicatedAt), implicatedAt));
            }
            if (i < requests.size()) {
                processor.process(new Record<>(Subjects.key(io.distillguard.avro.SubjectType.ACCOUNT, ACCOUNT), requests.get(i), requests.get(i).getEventTime()));
            }
        }
        List<DistillationAlert> alerts = new ArrayList<>();
        context.forwarded().forEach(forward -> alerts.add(forward.record().value()));
        return alerts;
    }

    private static Set<String> pairs(List<DistillationAlert> alerts) {
        Set<String> pairs = new TreeSet<>();
        alerts.forEach(alert -> pairs.add(alert.getAlertId() + " " + alert.getSeverity()));
        return pairs;
    }

    @Test
    void aMemberIsJudgedOnItsDaysOwnPeakWhetherItsImplicationCameOnTimeOrAfterItsLaterRequests() {
        List<DistillationAlert> onTime = run(6);
        List<DistillationAlert> late = run(16);

        // On time, the cluster's 2.5 meets the rotation's 2.9: CRITICAL.
        assertThat(onTime).extracting(DistillationAlert::getSeverity).contains(Severity.CRITICAL);
        // Read after the member settled on one network, the rotation no longer fires, yet the day showed it.
        DistillationAlert lateCritical = late.stream().filter(a -> a.getSeverity() == Severity.CRITICAL)
                .findFirst().orElseThrow();
        assertThat(lateCritical.getEvidence()).extracting(Evidence::getSignal)
                .contains("own_risk_peak_24h:ROTATION", "fired:CLUSTER_MEMBER").doesNotContain("fired:ROTATION");
        assertThat(pairs(late)).isEqualTo(pairs(onTime));
        // Anywhere in between, the same.
        for (int before = 0; before <= 16; before++) {
            assertThat(pairs(run(before))).as("implication after %d requests", before).isEqualTo(pairs(onTime));
        }
    }
}
