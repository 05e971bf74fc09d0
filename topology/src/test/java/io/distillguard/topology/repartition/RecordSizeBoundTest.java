package io.distillguard.topology.repartition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkRequestBatch;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.Watermark;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordSizeBoundTest {

    private final Random random = new Random(12);

    @Test
    void shouldNeverBoundARequestBelowItsEncodedSize() {
        AvroBinarySerde<LinkRequest> links = new AvroBinarySerde<>(LinkRequest.class);
        AvroBinarySerde<SubjectRequest> subjects = new AvroBinarySerde<>(SubjectRequest.class);
        for (int i = 0; i < 2_000; i++) {
            LinkRequest link = new LinkRequest(random.nextLong(), text(), random.nextBoolean(), random.nextBoolean(),
                    random.nextBoolean() ? null : random.nextLong(), text(), random.nextBoolean() ? null : random.nextLong(),
                    random.nextBoolean() ? null : random.nextInt(), random.nextBoolean() ? null
                    : new Watermark(random.nextInt(), random.nextLong(), random.nextBoolean()), random.nextBoolean(),
                    random.nextInt(), random.nextInt());
            assertThat(BatchCodec.LINKS.sizeBound(link))
                    .isGreaterThanOrEqualTo(links.serializer().serialize("t", link).length);
            SubjectRequest subject = SubjectRequest.newBuilder()
                    .setEventTime(random.nextLong()).setAccountId(text()).setPromptTokens(random.nextInt())
                    .setCompletionTokens(random.nextInt()).setTurnIndex(random.nextInt())
                    .setConversationHash(random.nextLong()).setCapability(text()).setPromptSimhash(random.nextLong())
                    .setIpHash(random.nextLong()).setPrefixHash(random.nextLong()).setAsn(random.nextInt())
                    .setCountry(text()).setCluster(text()).setClusterRisk(random.nextDouble())
                    .setIntelIndicator(text()).setIntelSource(text()).setIntelConfidence(random.nextInt())
                    .setApiKeyId(text()).build();
            assertThat(BatchCodec.SUBJECTS.sizeBound(subject))
                    .isGreaterThanOrEqualTo(subjects.serializer().serialize("t", subject).length);
        }
    }

    @Test
    void shouldRefuseARecordItCannotBound() {
        assertThatThrownBy(() -> new RecordSizeBound(LinkRequestBatch.getClassSchema()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("items");
    }

    /** Up to 256 chars (the validator's id limit) of ASCII, accented Latin, CJK and emoji (surrogate pairs). */
    private String text() {
        List<String> alphabet = List.of("a", "Z", "7", "é", "ß", "漢", "字", "😀", "🚀");
        int length = random.nextInt(257);
        StringBuilder out = new StringBuilder();
        while (out.length() < length) {
            out.append(alphabet.get(random.nextInt(alphabet.size())));
        }
        return out.toString();
    }
}
