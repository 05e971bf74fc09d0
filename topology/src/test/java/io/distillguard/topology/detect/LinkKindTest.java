package io.distillguard.topology.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.PromptMinHash;
import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LinkKindTest {

    @Test
    void everyKindIsReadBackFromItsKeysWhateverTheValue() {
        for (LinkKind kind : LinkKind.values()) {
            for (String value : new String[] {"", "x", "IP:1.2.3.4", "PROMPT_CLUSTER:0-ff", ":", "2001:db8::1"}) {
                assertThat(LinkKind.of(kind.name() + ':' + value)).as(kind + " " + value).isEqualTo(kind);
            }
        }
    }

    @Test
    void theKeysARequestIsLinkedUnderNameTheirKinds() {
        RequestEvent event = RequestEvent.newBuilder().setEventId("e-1").setEventTime(Instant.EPOCH)
                .setAccountId("acct-1").setIp("2001:db8::1").setAsn(64500).setPaymentFingerprint("card-1")
                .setPromptSimhash(0x0123_4567_89ab_cdefL).setModel("m").setEndpoint("/v1/chat")
                .setPromptTokens(1).setCompletionTokens(1).setStatus(200).build();
        assertThat(LinkRiskProcessor.linkKeys(event, new PromptBands(6, 4, 6))).extracting(LinkKind::of).containsExactly(LinkKind.IP,
                LinkKind.IP_PREFIX, LinkKind.ASN, LinkKind.PAYMENT_FINGERPRINT, LinkKind.PROMPT_CLUSTER,
                LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER,
                LinkKind.PROMPT_CLUSTER);
    }

    @Test
    void aPromptWithWordBandsIsGroupedUnderThemAndOnlyAsManySimHashTablesAsConfiguredBesideThem() {
        RequestEvent withText = RequestEvent.newBuilder().setEventId("e-1").setEventTime(Instant.EPOCH)
                .setAccountId("acct-1").setIp("192.0.2.1").setPromptSimhash(0x0123_4567_89ab_cdefL)
                .setPromptMinhash(new PromptMinHash(new byte[32])).setModel("m").setEndpoint("/v1/chat")
                .setPromptTokens(1).setCompletionTokens(1).setStatus(200).build();
        RequestEvent simHashOnly = RequestEvent.newBuilder(withText).setPromptMinhash(null).build();

        assertThat(promptKeys(withText, new PromptBands(4, 4, 0))).allMatch(LinkRiskProcessor::isWordBand).hasSize(4);
        assertThat(promptKeys(withText, new PromptBands(4, 4, 2))).filteredOn(k -> !LinkRiskProcessor.isWordBand(k))
                .containsExactly("PROMPT_CLUSTER:0-" + Long.toHexString(LinkRiskProcessor.templateBand(0x0123_4567_89ab_cdefL, 0)),
                        "PROMPT_CLUSTER:1-" + Long.toHexString(LinkRiskProcessor.templateBand(0x0123_4567_89ab_cdefL, 1)));
        // Never more SimHash tables beside the words than without them.
        assertThat(promptKeys(withText, new PromptBands(2, 4, 6))).filteredOn(k -> !LinkRiskProcessor.isWordBand(k)).hasSize(2);
        // Without a MinHash, or with word bands off, the SimHash tables are all the prompt has.
        assertThat(promptKeys(simHashOnly, new PromptBands(4, 4, 0))).noneMatch(LinkRiskProcessor::isWordBand).hasSize(4);
        assertThat(promptKeys(withText, new PromptBands(4, 0, 0))).noneMatch(LinkRiskProcessor::isWordBand).hasSize(4);
    }

    private static java.util.List<String> promptKeys(RequestEvent event, PromptBands bands) {
        return LinkRiskProcessor.linkKeys(event, bands).stream()
                .filter(k -> LinkKind.of(k) == LinkKind.PROMPT_CLUSTER).toList();
    }

    @Test
    void aKeyOfNoKindIsRefusedByName() {
        for (String key : new String[] {"", "IP", "IPX:1", "IP_PREFIXES:1", "ASN", "AS:1", "PAYMENT:1", "PROMPT:1",
                "ACCOUNT:a", "ip:1.2.3.4", "IP_PREFIX"}) {
            assertThatThrownBy(() -> LinkKind.of(key)).as(key).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key);
        }
    }
}
