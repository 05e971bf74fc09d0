package io.distillguard.topology.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.PromptMinHash;
import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.validation.HostedNetworks;
import io.distillguard.topology.validation.KnownTemplates;
import io.distillguard.topology.validation.ListedProducts;
import io.distillguard.topology.validation.PromptFingerprint;
import java.util.List;
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
                LinkKind.IP_PREFIX, LinkKind.ASN, LinkKind.HOSTED_CLIENT, LinkKind.PAYMENT_FINGERPRINT, LinkKind.PROMPT_CLUSTER,
                LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER, LinkKind.PROMPT_CLUSTER,
                LinkKind.PROMPT_CLUSTER);
    }

    @Test
    void aRequestFromAListedHostedProductIsGroupedOnlyByItsCardAndSignupCohort() {
        RequestEvent event = RequestEvent.newBuilder().setEventId("e-1").setEventTime(Instant.EPOCH)
                .setAccountId("acct-1").setIp("203.0.113.9").setAsn(16509).setPaymentFingerprint("card-1")
                .setAccountCreatedAt(Instant.EPOCH).setUserAgent("writer/1.8")
                .setPromptSimhash(0x0123_4567_89ab_cdefL).setPromptMinhash(new PromptMinHash(new byte[32]))
                .setModel("m").setEndpoint("/v1/chat").setPromptTokens(1).setCompletionTokens(1).setStatus(200).build();
        ListedProducts hosted = new ListedProducts(HostedNetworks.parse("198.51.100.0/24, 203.0.113.8/29"),
                KnownTemplates.NONE);

        assertThat(LinkRiskProcessor.linkKeys(event, new PromptBands(4, 4, 0), hosted)).extracting(LinkKind::of)
                .containsExactly(LinkKind.PAYMENT_FINGERPRINT, LinkKind.SIGNUP_COHORT);
        // One address outside the listed networks: every link again.
        RequestEvent outside = RequestEvent.newBuilder(event).setIp("203.0.113.16").build();
        assertThat(LinkRiskProcessor.linkKeys(outside, new PromptBands(4, 4, 0), hosted)).extracting(LinkKind::of)
                .contains(LinkKind.IP, LinkKind.IP_PREFIX, LinkKind.ASN, LinkKind.HOSTED_CLIENT, LinkKind.PROMPT_CLUSTER)
                .hasSize(10);
    }

    @Test
    void aRequestWhosePromptIsMostlyAListedToolsTemplateIsNotGroupedByItsPromptButByEverythingElse() {
        String tool = "You are a careful research assistant. Break the question into the sub-questions that must be "
                + "answered first, answer each with its evidence, then write a structured report with sources. Question: ";
        ListedProducts listed = new ListedProducts(HostedNetworks.NONE, KnownTemplates.of(List.of(tool), "test"));
        RequestEvent viaTool = withPrompt(tool + "why did the bronze age collapse in the eastern mediterranean");

        assertThat(LinkRiskProcessor.linkKeys(viaTool, new PromptBands(4, 4, 0), listed)).extracting(LinkKind::of)
                .containsExactly(LinkKind.IP, LinkKind.IP_PREFIX, LinkKind.ASN, LinkKind.PAYMENT_FINGERPRINT,
                        LinkKind.SIGNUP_COHORT);
        // Nor by its client on its provider: a listed tool's deployments are the tool's.
        assertThat(LinkRiskProcessor.linkKeys(viaTool, new PromptBands(4, 4, 0), ListedProducts.NONE))
                .contains("HOSTED_CLIENT:16509|research-assistant/0.9");
        // Another template, and the same request with nothing listed: grouped by its prompt.
        RequestEvent other = withPrompt("Translate the following customer email into formal German and keep its "
                + "paragraphs and greeting as they are: thanks for the quick delivery of the order");
        assertThat(LinkRiskProcessor.linkKeys(other, new PromptBands(4, 4, 0), listed)).extracting(LinkKind::of)
                .contains(LinkKind.PROMPT_CLUSTER);
        assertThat(LinkRiskProcessor.linkKeys(viaTool, new PromptBands(4, 4, 0), ListedProducts.NONE))
                .extracting(LinkKind::of).contains(LinkKind.PROMPT_CLUSTER);
        // A gateway that sends only the SimHash: matched within a few bits of the template's.
        RequestEvent simHashOnly = RequestEvent.newBuilder(viaTool).setPromptMinhash(null)
                .setPromptSimhash(PromptFingerprint.simHash(tool) ^ 0b1011).build();
        assertThat(LinkRiskProcessor.linkKeys(simHashOnly, new PromptBands(4, 4, 0), listed)).extracting(LinkKind::of)
                .doesNotContain(LinkKind.PROMPT_CLUSTER);
    }

    private static RequestEvent withPrompt(String text) {
        PromptFingerprint.Fingerprints prompt = PromptFingerprint.of(text);
        return RequestEvent.newBuilder().setEventId("e-1").setEventTime(Instant.EPOCH)
                .setAccountId("acct-1").setIp("52.14.9.20").setAsn(16509).setPaymentFingerprint("card-1")
                .setAccountCreatedAt(Instant.EPOCH).setUserAgent("research-assistant/0.9")
                .setPromptSimhash(prompt.simHash()).setPromptMinhash(new PromptMinHash(prompt.minHash()))
                .setModel("m").setEndpoint("/v1/chat").setPromptTokens(1).setCompletionTokens(1).setStatus(200).build();
    }

    @Test
    void aRequestIsKeyedByItsClientOnItsNetworkAndWithoutAClientByADash() {
        RequestEvent event = withPrompt("Summarise the attached quarterly report in five bullet points for the board");
        assertThat(LinkRiskProcessor.linkKeys(event, new PromptBands(4, 4, 0)))
                .contains("HOSTED_CLIENT:16509|research-assistant/0.9");
        assertThat(LinkRiskProcessor.linkKeys(RequestEvent.newBuilder(event).setUserAgent(" ").build(),
                new PromptBands(4, 4, 0))).contains("HOSTED_CLIENT:16509|-");
        assertThat(LinkRiskProcessor.linkKeys(RequestEvent.newBuilder(event).setAsn(null).build(),
                new PromptBands(4, 4, 0))).noneMatch(k -> LinkKind.of(k) == LinkKind.HOSTED_CLIENT);
    }

    @Test
    void hostedProductNetworksAreRefusedByTheEntryThatIsNoNetwork() {
        assertThat(HostedNetworks.parse(" ").isEmpty()).isTrue();
        assertThat(HostedNetworks.parse("2001:db8::/48").contains("2001:db8::7")).isTrue();
        assertThat(HostedNetworks.parse("2001:db8::/48").contains("2001:db9::7")).isFalse();
        assertThatThrownBy(() -> HostedNetworks.parse("198.51.100.0/24, example.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'example.com'");
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
                "ACCOUNT:a", "ip:1.2.3.4", "IP_PREFIX", "HOSTED:1"}) {
            assertThatThrownBy(() -> LinkKind.of(key)).as(key).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key);
        }
    }
}
