package io.distillguard.topology.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.detect.SubjectProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The serdes write the state and the re-keyed batches through Avro's generated coders: the bytes must be exactly
 * those of Avro's generic writer, which every reader (and every earlier build's changelog) expects.
 */
class GeneratedCodersTest {

    private final Random random = new Random(5);

    @Test
    void batchesAndWindowsAreWrittenByteForByteAsTheGenericWriterWritesThem() throws IOException {
        for (int n = 0; n < 200; n++) {
            List<LinkRequestBatchItem> links = new ArrayList<>();
            List<SubjectRequestBatchItem> subjects = new ArrayList<>();
            LinkWindowStats link = LinkRiskProcessor.empty();
            SubjectWindowStats subject = SubjectProfile.empty();
            for (int i = 0; i < random.nextInt(20); i++) {
                LinkRequest linkRequest = new LinkRequest(random.nextLong(), text(), random.nextBoolean(),
                        random.nextBoolean(), random.nextBoolean() ? null : random.nextLong(), text(),
                        random.nextBoolean() ? null : random.nextLong(), random.nextBoolean() ? null : random.nextInt(),
                        random.nextBoolean() ? null : new Watermark(random.nextInt(), random.nextLong(), random.nextBoolean()),
                        random.nextBoolean(), random.nextInt(), random.nextInt());
                links.add(new LinkRequestBatchItem(random.nextLong(), List.of(text(), text()), linkRequest));
                link = LinkRiskProcessor.add(DetectionConfig.defaultConfig().rules(), 50, linkRequest, link);
                SubjectRequest subjectRequest = SubjectRequest.newBuilder().setEventTime(1_700_000_000_000L + i * 1_000L)
                        .setAccountId(text()).setPromptTokens(random.nextInt(1000)).setCompletionTokens(random.nextInt())
                        .setReasoning(random.nextBoolean()).setTurnIndex(random.nextInt(5))
                        .setConversationHash(random.nextLong()).setCapability(random.nextBoolean() ? null : text())
                        .setPromptSimhash(random.nextBoolean() ? null : random.nextLong()).setIpHash(random.nextLong())
                        .setPrefixHash(random.nextLong()).setAsn(random.nextBoolean() ? null : random.nextInt())
                        .setCountry(random.nextBoolean() ? null : text()).setCluster(random.nextBoolean() ? null : text())
                        .setClusterRisk(random.nextDouble()).setApiKeyId(random.nextBoolean() ? null : text()).build();
                subjects.add(new SubjectRequestBatchItem(random.nextLong(), List.of(text()), subjectRequest));
                subject = SubjectProfile.add(subjectRequest, subject, SubjectProfile.Span.DAY);
            }
            assertSameBytes(LinkRequestBatch.class, new LinkRequestBatch(links, random.nextBoolean() ? null
                    : new Watermark(random.nextInt(), random.nextLong(), random.nextBoolean())));
            assertSameBytes(SubjectRequestBatch.class, new SubjectRequestBatch(subjects));
            assertSameBytes(LinkWindowStats.class, link);
            assertSameBytes(SubjectWindowStats.class, subject);
        }
    }

    private <T extends SpecificRecord> void assertSameBytes(Class<T> type, T record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<T>(record.getSchema(), SpecificData.get()).write(record, encoder);
        encoder.flush();
        assertThat(SpecificData.get().useCustomCoders()).as("the reference is the generic writer").isFalse();
        assertThat(new AvroBinarySerde<>(type).serializer().serialize("t", record)).isEqualTo(out.toByteArray());
    }

    private String text() {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            text.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : 0x400 + random.nextInt(0x200)));
        }
        return text.toString();
    }
}
