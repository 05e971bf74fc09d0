package io.distillguard.topology.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(LinkRiskProcessor.linkKeys(event, 6, 4)).extracting(LinkKind::of).containsExactly(LinkKind.IP,
                LinkKind.IP_PREFIX, LinkKind.ASN, LinkKind.PAYMENT_FINGERPRINT, LinkKind.PROMPT_CLUSTER,
                LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER,
                LinkKind.PROMPT_CLUSTER);
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
