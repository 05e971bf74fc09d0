package io.distillguard.topology.repartition;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkRequestBatch;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectRequestBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchCodecTest {

    @Test
    void shouldGiveBackEveryItemOfALinkBatchThroughItsBytes() {
        LinkRequest first = new LinkRequest(1_000L, "acct-1", true, false, null, "frontier-2", 42L, 16509, null, true, 7, 9);
        LinkRequest second = new LinkRequest(2_000L, "acct-2", false, true, 5L, "frontier-3", null, null, null, false, 0, 0);
        List<BatchCodec.Item<LinkRequest>> items = List.of(new BatchCodec.Item<>(1_000, List.of("a", "b"), first),
                new BatchCodec.Item<>(2_000, List.of("c"), second));
        AvroBinarySerde<LinkRequestBatch> serde = new AvroBinarySerde<>(LinkRequestBatch.class);
        LinkRequestBatch read = serde.deserializer().deserialize("t",
                serde.serializer().serialize("t", BatchCodec.LINKS.batch(items)));
        assertThat(BatchCodec.LINKS.items(read)).isEqualTo(items);
    }

    @Test
    void shouldGiveBackEveryItemOfASubjectBatchThroughItsBytes() {
        SubjectRequest request = SubjectRequest.newBuilder().setEventTime(3_000L).setAccountId("acct-3")
                .setConversationHash(7L).setIpHash(8L).setPrefixHash(9L).setCapability("coding")
                .setApiKeyId("key-3").build();
        List<BatchCodec.Item<SubjectRequest>> items = List.of(
                new BatchCodec.Item<>(3_000, List.of("A|acct-3", "O|org-1"), request));
        AvroBinarySerde<SubjectRequestBatch> serde = new AvroBinarySerde<>(SubjectRequestBatch.class);
        SubjectRequestBatch read = serde.deserializer().deserialize("t",
                serde.serializer().serialize("t", BatchCodec.SUBJECTS.batch(items)));
        assertThat(BatchCodec.SUBJECTS.items(read)).isEqualTo(items);
    }
}
