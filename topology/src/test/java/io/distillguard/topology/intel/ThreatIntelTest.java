package io.distillguard.topology.intel;

import static io.distillguard.topology.TopologyHarness.BASE;
import static io.distillguard.topology.TopologyHarness.byDetector;
import static io.distillguard.topology.TopologyHarness.evidence;
import static io.distillguard.topology.TopologyHarness.harvest;
import static io.distillguard.topology.TopologyHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.IndicatorKind;
import io.distillguard.avro.Severity;
import io.distillguard.avro.ThreatIndicator;
import io.distillguard.topology.HarnessTest;
import io.distillguard.topology.TopologyHarness;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Partner indicators from the threat-indicators topic, matched against requests by event time. */
class ThreatIntelTest extends HarnessTest {

    private static final long HOUR = 3_600_000L;

    static ThreatIndicator indicator(IndicatorKind kind, String value, int confidence, long from, Long until) {
        return ThreatIndicator.newBuilder().setKind(kind).setValue(value).setConfidence(confidence)
                .setSource("lab-b").setValidFrom(Instant.ofEpochMilli(from))
                .setValidUntil(until == null ? null : Instant.ofEpochMilli(until))
                .setFirstSeen(Instant.ofEpochMilli(from)).build();
    }

    private static void publish(TopologyHarness h, String id, ThreatIndicator indicator) {
        h.indicators.pipeInput(id, indicator, BASE);
    }

    @Test
    void shouldRaiseThreatIntelForAnAccountOnAPartnersAddressPrefixAsnAndUserAgent() {
        TopologyHarness h = start();
        publish(h, "i-ip", indicator(IndicatorKind.IP, "203.0.113.7", 90, BASE, null));
        publish(h, "i-prefix", indicator(IndicatorKind.IP_PREFIX, "2001:db8:77::/48", 60, BASE, null));
        publish(h, "i-asn", indicator(IndicatorKind.ASN, "AS64666", 40, BASE, null));
        publish(h, "i-ua", indicator(IndicatorKind.USER_AGENT, "harvester/2.1", 85, BASE, null));

        h.send(request("acct-ip", "203.0.113.7", BASE + HOUR).build());
        h.send(request("acct-prefix", "2001:db8:77:1::5", BASE + HOUR).build());
        h.send(request("acct-asn", "198.51.100.1", BASE + HOUR).setAsn(64666).build());
        h.send(request("acct-ua", "198.51.100.2", BASE + HOUR).setUserAgent("harvester/2.1").build());
        h.send(request("acct-clean", "198.51.100.3", BASE + HOUR).setAsn(64500).setUserAgent("curl/8").build());

        List<DistillationAlert> intel = byDetector(h.alerts(), "THREAT_INTEL");
        assertThat(intel).extracting(a -> a.getSubjectId() + " " + a.getSeverity()).containsExactlyInAnyOrder(
                // 90 and 85 at high-confidence 80: HIGH on their own, one alert per tier crossed.
                "acct-ip LOW", "acct-ip MEDIUM", "acct-ip HIGH",
                "acct-prefix LOW", "acct-prefix MEDIUM",
                "acct-asn LOW",
                "acct-ua LOW", "acct-ua MEDIUM", "acct-ua HIGH");
        DistillationAlert prefix = intel.stream().filter(a -> a.getSubjectId().equals("acct-prefix")).findFirst().orElseThrow();
        assertThat(prefix.getEvidence().get(0).getSignal())
                .isEqualTo("indicator:IP_PREFIX:2001:db8:77::/48 (matched 2001:db8:77:1::5)");
        assertThat(evidence(prefix, "source:lab-b")).isPresent();
        assertThat(h.metric("matches-total")).isEqualTo(4);
    }

    @Test
    void shouldMatchOnlyWhileAnIndicatorIsValidAndStopOnceItIsRetracted() {
        TopologyHarness h = start();
        publish(h, "i-window", indicator(IndicatorKind.IP, "203.0.113.8", 90, BASE + HOUR, BASE + 3 * HOUR));
        publish(h, "i-retracted", indicator(IndicatorKind.IP, "203.0.113.9", 90, BASE, null));

        h.send(request("acct-before", "203.0.113.8", BASE + HOUR - 1).build());
        h.send(request("acct-after", "203.0.113.8", BASE + 3 * HOUR).build());
        h.indicators.pipeInput("i-retracted", null, BASE);
        h.send(request("acct-retracted", "203.0.113.9", BASE + HOUR).build());
        h.send(request("acct-during", "203.0.113.8", BASE + 2 * HOUR).build());

        assertThat(byDetector(h.alerts(), "THREAT_INTEL")).extracting(DistillationAlert::getSubjectId)
                .containsOnly("acct-during");
        assertThat(h.metric("indicators-retracted-total")).isEqualTo(1);
    }

    @Test
    void shouldMatchAPaymentFingerprintByTheGroupsHmacAndAPromptWithinTheHammingDistance() {
        TopologyHarness h = start();
        IntelHmac hmac = new IntelHmac(TopologyHarness.HMAC_KEY);
        publish(h, "i-card", indicator(IndicatorKind.PAYMENT_FINGERPRINT_HASH, hmac.hex("card-4242"), 95, BASE, null));
        long template = 0x5a5a_1234_9876_f00dL;
        publish(h, "i-prompt", indicator(IndicatorKind.PROMPT_SIMHASH, String.format("%016x", template), 70, BASE, null));

        h.send(request("acct-card", "198.51.100.4", BASE + HOUR).setPaymentFingerprint("card-4242").build());
        h.send(request("acct-other-card", "198.51.100.5", BASE + HOUR).setPaymentFingerprint("card-4243").build());
        h.send(request("acct-near", "198.51.100.6", BASE + HOUR).setPromptSimhash(template ^ 0b1011L).build());
        h.send(request("acct-far", "198.51.100.7", BASE + HOUR).setPromptSimhash(template ^ 0b1111L).build());

        List<DistillationAlert> intel = byDetector(h.alerts(), "THREAT_INTEL");
        assertThat(intel).extracting(DistillationAlert::getSubjectId).containsOnly("acct-card", "acct-near");
        String cardEvidence = intel.stream().filter(a -> a.getSubjectId().equals("acct-card")).findFirst().orElseThrow()
                .getEvidence().get(0).getSignal();
        assertThat(cardEvidence).startsWith("indicator:PAYMENT_FINGERPRINT_HASH:" + hmac.hex("card-4242"))
                .doesNotContain("card-4242");
        assertThat(intel.stream().filter(a -> a.getSubjectId().equals("acct-near")).findFirst().orElseThrow()
                .getEvidence().get(0).getSignal()).endsWith("(3 bits off))");
    }

    @Test
    void shouldLiftAnExtractionShapedAccountToCriticalWhenAPartnerFlaggedIt() {
        TopologyHarness h = start();
        publish(h, "i-ip", indicator(IndicatorKind.IP, "203.0.113.20", 90, BASE, null));
        // Extraction-shaped, but only just: alone it stays HIGH at most.
        for (int i = 0; i < 40; i++) {
            h.send(harvest("acct-flagged", "203.0.113.20", BASE + i * 60_000L, 0x1000_0000_0000L * i + i).build());
            h.send(harvest("acct-alone", "198.51.100.20", BASE + i * 60_000L, 0x2000_0000_0000L * i + i).build());
        }
        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");
        Severity flagged = highest(risk, "acct-flagged");
        Severity alone = highest(risk, "acct-alone");
        assertThat(flagged).isEqualTo(Severity.CRITICAL);
        assertThat(alone.ordinal()).isLessThan(flagged.ordinal());
        DistillationAlert top = risk.stream().filter(a -> a.getSubjectId().equals("acct-flagged")
                && a.getSeverity() == Severity.CRITICAL).findFirst().orElseThrow();
        assertThat(evidence(top, "fired:THREAT_INTEL")).isPresent();
        assertThat(evidence(top, "fired:EXTRACTION")).isPresent();
    }

    @Test
    void shouldRefuseUnusableIndicatorsAndKeepMatchingTheOthers() {
        TopologyHarness h = start();
        publish(h, "i-bad-ip", indicator(IndicatorKind.IP, "not-an-ip", 90, BASE, null));
        publish(h, "i-bad-confidence", indicator(IndicatorKind.IP, "203.0.113.30", 140, BASE, null));
        publish(h, "i-too-wide", indicator(IndicatorKind.IP_PREFIX, "10.0.0.0/4", 90, BASE, null));
        publish(h, "i-unknown", indicator(IndicatorKind.UNKNOWN, "x", 90, BASE, null));
        h.indicators.pipeInput(null, indicator(IndicatorKind.IP, "203.0.113.31", 90, BASE, null), BASE);
        publish(h, "i-good", indicator(IndicatorKind.IP, "203.0.113.32", 90, BASE, null));

        h.send(request("acct-a", "203.0.113.30", BASE + HOUR).build());
        h.send(request("acct-b", "203.0.113.31", BASE + HOUR).build());
        h.send(request("acct-c", "203.0.113.32", BASE + HOUR).build());

        assertThat(byDetector(h.alerts(), "THREAT_INTEL")).extracting(DistillationAlert::getSubjectId).containsOnly("acct-c");
        assertThat(h.metric("indicators-rejected-total")).isEqualTo(5);
        assertThat(h.metric("indicators-accepted-total")).isEqualTo(1);
    }

    private static Severity highest(List<DistillationAlert> alerts, String account) {
        return alerts.stream().filter(a -> a.getSubjectId().equals(account)).map(DistillationAlert::getSeverity)
                .max(Enum::compareTo).orElse(null);
    }
}
