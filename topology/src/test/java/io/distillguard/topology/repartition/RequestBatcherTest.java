package io.distillguard.topology.repartition;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.topology.detect.PromptBands;
import io.distillguard.topology.detect.RequestRouting;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkRequestBatch;
import io.distillguard.topology.state.Watermark;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestBatcherTest {

    private static final PromptBands BANDS = new PromptBands(4, 4, 4);

    private static final String HOOK = "hook";

    @TempDir
    java.nio.file.Path stateDir;

    @Test
    void shouldDeliverEveryLinkKeyOnceInOrderWithItsTimestampAndSendBatchesAtTheCommit() {
        SpecificAvroSerde<RequestEvent> requestSerde = requestSerde();
        KeyPartitioner<LinkRequestBatch> partitioner = new KeyPartitioner<>();
        StreamsBuilder builder = topology(requestSerde, () -> new RequestBatcher<>(e -> RequestRouting.byLink(e, BANDS),
                BatchCodec.LINKS, partitioner, HOOK, 60_000, 1_000), partitioner);
        Properties props = props();

        List<RequestEvent> events = List.of(event("e1", "10.1.2.3", 1_000), event("e2", "10.9.9.9", 2_000),
                event("e3", "10.1.2.4", 3_000));
        List<KeyValue<String, Long>> expected = new ArrayList<>();
        for (RequestEvent event : events) {
            for (KeyValue<String, LinkRequest> link : RequestRouting.byLink(event, BANDS)) {
                expected.add(KeyValue.pair(link.key, event.getEventTime().toEpochMilli()));
            }
        }
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            Topics topics = new Topics(driver, requestSerde);
            TestInputTopic<byte[], RequestEvent> in = topics.in;
            TestOutputTopic<String, LinkRequestBatch> batchOut = topics.batchOut;
            TestOutputTopic<String, LinkRequest> out = topics.out;
            for (RequestEvent event : events) {
                in.pipeInput(null, event, event.getEventTime().toEpochMilli());
            }

            List<TestRecord<String, LinkRequest>> links = out.readRecordsToList();
            assertThat(links).extracting(r -> KeyValue.pair(r.key(), r.timestamp())).containsExactlyElementsOf(expected);
            assertThat(links).allSatisfy(r -> assertThat(r.value().getEventTime()).isEqualTo(r.timestamp()));

            // The first request's keys go one by one (the partition count is learned from the first send); every
            // later request's keys travel as one record, sent from the commit that follows it on the test driver.
            List<TestRecord<String, LinkRequestBatch>> sentBatches = batchOut.readRecordsToList();
            int firstKeys = RequestRouting.byLink(events.get(0), BANDS).size();
            assertThat(sentBatches).hasSize(firstKeys + 2);
            assertThat(sentBatches.subList(0, firstKeys)).allSatisfy(b -> assertThat(b.value().getItems()).hasSize(1));
            TestRecord<String, LinkRequestBatch> second = sentBatches.get(firstKeys);
            assertThat(second.value().getItems()).hasSize(1);
            assertThat(second.value().getItems().get(0).getKeys())
                    .containsExactlyElementsOf(RequestRouting.byLink(events.get(1), BANDS).stream().map(kv -> kv.key).toList());
            assertThat(second.timestamp()).isEqualTo(2_000);
        }
    }

    /**
     * Live, a task tells every link partition how far its input has got, behind its batches: when its stream time
     * enters a new step, and when it goes idle or comes back; the far side hands each mark on
     * after the requests that came before it.
     */
    @Test
    void shouldSendProgressMarksBehindTheBatchesAtEachStepAndWhenIdle() {
        SpecificAvroSerde<RequestEvent> requestSerde = requestSerde();
        KeyPartitioner<LinkRequestBatch> partitioner = new KeyPartitioner<>();
        long grace = 5 * 60_000L;
        long step = 15 * 60_000L;
        StreamsBuilder builder = topology(requestSerde, () -> new RequestBatcher<>(e -> RequestRouting.byLink(e, BANDS),
                BatchCodec.LINKS, partitioner, HOOK, 60_000, 1_000)
                .withProgressMarks(step, Duration.ofSeconds(10), partition -> false), partitioner);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props())) {
            Topics topics = new Topics(driver, requestSerde);
            TestInputTopic<byte[], RequestEvent> in = topics.in;
            TestOutputTopic<String, LinkRequestBatch> batchOut = topics.batchOut;
            TestOutputTopic<String, LinkRequest> out = topics.out;
            // The first two in one step, the third in the next.
            for (RequestEvent event : List.of(event("e1", "10.1.2.3", 1_000), event("e2", "10.9.9.9", 2_000),
                    event("e3", "10.1.2.4", grace + step + 1_000))) {
                in.pipeInput(null, event, event.getEventTime().toEpochMilli());
            }
            assertThat(marks(batchOut.readRecordsToList())).containsExactly(
                    new Watermark(0, 1_000L, false), new Watermark(0, grace + step + 1_000, false));
            List<TestRecord<String, LinkRequest>> links = out.readRecordsToList();
            assertThat(links.get(links.size() - 1).key()).as("the last mark comes after every request")
                    .isEqualTo(BatchUnpacker.PROGRESS);
            assertThat(links.get(links.size() - 1).value().getWatermark())
                    .isEqualTo(new Watermark(0, grace + step + 1_000, false));
            assertThat(links).filteredOn(r -> r.value().getWatermark() != null).hasSize(2);

            // Nothing to process for a whole check: idle; a request again: active, whatever its step.
            driver.advanceWallClockTime(Duration.ofSeconds(11));
            driver.advanceWallClockTime(Duration.ofSeconds(11));
            assertThat(marks(batchOut.readRecordsToList())).containsExactly(
                    new Watermark(0, grace + step + 1_000, true));
            RequestEvent again = event("e4", "10.1.2.5", grace + step + 2_000);
            in.pipeInput(null, again, again.getEventTime().toEpochMilli());
            assertThat(marks(batchOut.readRecordsToList())).containsExactly(
                    new Watermark(0, grace + step + 2_000, false));
        }
    }

    /** A replay's partition at its end says it is idle in the commit of its last request, not a while later. */
    @Test
    void shouldSayIdleInTheCommitOfTheLastRequestOfAnExhaustedPartition() {
        SpecificAvroSerde<RequestEvent> requestSerde = requestSerde();
        KeyPartitioner<LinkRequestBatch> partitioner = new KeyPartitioner<>();
        AtomicBoolean exhausted = new AtomicBoolean();
        StreamsBuilder builder = topology(requestSerde, () -> new RequestBatcher<>(e -> RequestRouting.byLink(e, BANDS),
                BatchCodec.LINKS, partitioner, HOOK, 60_000, 1_000)
                .withProgressMarks(15 * 60_000L, Duration.ofSeconds(10), partition -> exhausted.get()), partitioner);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props())) {
            Topics topics = new Topics(driver, requestSerde);
            RequestEvent first = event("e1", "10.1.2.3", 1_000);
            topics.in.pipeInput(null, first, 1_000L);
            assertThat(marks(topics.batchOut.readRecordsToList())).containsExactly(new Watermark(0, 1_000L, false));
            exhausted.set(true);
            RequestEvent last = event("e2", "10.1.2.4", 2_000);
            topics.in.pipeInput(null, last, 2_000L);
            assertThat(marks(topics.batchOut.readRecordsToList())).containsExactly(new Watermark(0, 2_000L, true));
        }
    }

    /** The test topology's topics: requests in, batches as sent, link requests as unpacked. */
    private static final class Topics {
        final TestInputTopic<byte[], RequestEvent> in;
        final TestOutputTopic<String, LinkRequestBatch> batchOut;
        final TestOutputTopic<String, LinkRequest> out;

        Topics(TopologyTestDriver driver, SpecificAvroSerde<RequestEvent> requestSerde) {
            in = driver.createInputTopic("requests", new ByteArraySerializer(), requestSerde.serializer());
            batchOut = driver.createOutputTopic("batches", Serdes.String().deserializer(),
                    requestSerde.sibling(LinkRequestBatch.class).deserializer());
            out = driver.createOutputTopic("links", Serdes.String().deserializer(),
                    requestSerde.sibling(LinkRequest.class).deserializer());
        }
    }

    private static List<Watermark> marks(List<TestRecord<String, LinkRequestBatch>> batches) {
        return batches.stream().filter(b -> b.value().getWatermark() != null).peek(b -> {
            assertThat(b.key()).isEqualTo(KeyPartitioner.EVERY_PARTITION);
            assertThat(b.value().getItems()).isEmpty();
        }).map(b -> b.value().getWatermark()).toList();
    }

    private static SpecificAvroSerde<RequestEvent> requestSerde() {
        Map<String, String> serdeConfig = Map.of(SchemaRegistryClients.URL, "mock://batcher-" + UUID.randomUUID());
        return SpecificAvroSerde.forValues(RequestEvent.class, serdeConfig);
    }

    /** requests -> batcher -> "batches" (as sent) and, through the by-link repartition and the unpacker, "links". */
    private static StreamsBuilder topology(SpecificAvroSerde<RequestEvent> requestSerde,
                                           Supplier<RequestBatcher<LinkRequest, LinkRequestBatch>> batcher,
                                           KeyPartitioner<LinkRequestBatch> partitioner) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(CommitHookStore.builder(HOOK));
        var batches = builder.stream("requests", Consumed.with(Serdes.ByteArray(), requestSerde))
                .process(batcher::get, Named.as("batch"), HOOK);
        batches.to("batches", Produced.with(Serdes.String(), requestSerde.sibling(LinkRequestBatch.class)));
        batches.repartition(Repartitioned.with(Serdes.String(), requestSerde.sibling(LinkRequestBatch.class))
                        .withStreamPartitioner(partitioner).withName("by-link"))
                .process(() -> new BatchUnpacker<>(BatchCodec.LINKS), Named.as("unbatch"))
                .to("links", Produced.with(Serdes.String(), requestSerde.sibling(LinkRequest.class)));
        return builder;
    }

    private Properties props() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "batcher-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }

    private static RequestEvent event(String id, String ip, long time) {
        return RequestEvent.newBuilder()
                .setEventId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setAccountId("acct-" + id)
                .setApiKeyId("key-" + id)
                .setIp(ip)
                .setAsn(64_500)
                .setModel("frontier-2")
                .setEndpoint("/v1/messages")
                .setPromptTokens(100)
                .setCompletionTokens(200)
                .setPaymentFingerprint("card-" + id)
                .setPromptSimhash(0x5A5A_1234_0F0F_7777L ^ id.hashCode())
                .setStatus(200)
                .build();
    }
}
