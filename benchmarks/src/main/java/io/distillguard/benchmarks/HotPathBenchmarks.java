package io.distillguard.benchmarks;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.detect.PromptBands;
import io.distillguard.topology.detect.RequestRouting;
import io.distillguard.topology.repartition.BatchCodec;
import io.distillguard.topology.state.LinkRequestBatch;
import io.distillguard.topology.DistillguardTopology;
import io.distillguard.topology.detect.SubjectProfile;
import io.distillguard.topology.detect.SubjectSignals;
import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkWindowStats;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectWindowStats;
import io.distillguard.topology.validation.IpAddresses;
import io.distillguard.topology.validation.PromptFingerprint;
import io.distillguard.topology.validation.RequestValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-event steps of the detection path, one by one, so the end-to-end figure of {@code distillguard bench
 * throughput} can be explained: decode, validate, parse the address, SimHash a prompt, and each detector's
 * read-modify-write of its window aggregate (including the state serde it costs on every update).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmarks {

    private SpecificAvroSerde<RequestEvent> serde;
    private RequestEvent event;
    private byte[] encoded;
    private RequestValidator validator;
    private DetectionRules rules;
    private AvroBinarySerde<SubjectWindowStats> subjectStatsSerde;
    private AvroBinarySerde<LinkWindowStats> linkStatsSerde;
    private byte[] subjectStats;
    private byte[] linkStats;
    private int counter;

    @Setup
    public void setUp() {
        serde = SpecificAvroSerde.forValues(RequestEvent.class, Map.of(SchemaRegistryClients.URL, "mock://jmh"));
        event = RequestEvent.newBuilder()
                .setEventId("evt-0000000000000001").setEventTime(Instant.now()).setAccountId("acct-hydra-042")
                .setIp("2001:db8:77::2").setModel("frontier-2").setEndpoint("/v1/messages").setUserAgent("client/1.0")
                .setCapability("coding").setReasoningRequested(true).setCountry("SG").setAsn(64500)
                .setPromptText("Solve the following competitive programming problem 4711 and explain your reasoning "
                        + "step by step before giving the final code")
                .setPromptSimhash(0x0123_4567_89ab_cdefL)
                .setPromptTokens(420).setCompletionTokens(2600).setStatus(200).build();
        encoded = serde.serializer().serialize("requests", event);
        DetectionConfig config = DetectionConfig.defaultConfig();
        rules = config.rules();
        bands = config.promptBands();
        validator = new RequestValidator(config);
        subjectStatsSerde = new AvroBinarySerde<>(SubjectWindowStats.class);
        linkStatsSerde = new AvroBinarySerde<>(LinkWindowStats.class);
        SubjectWindowStats subject = SubjectProfile.empty();
        SubjectRequest projected = SubjectProfile.project(event);
        for (int i = 0; i < 200; i++) {
            projected.setPromptSimhash((long) i * 0x9E3779B97F4A7C15L);
            projected.setEventTime(projected.getEventTime() + 1000);
            SubjectProfile.add(projected, subject, SubjectProfile.Span.DAY);
        }
        subjectStats = subjectStatsSerde.serializer().serialize("s", subject);
        LinkWindowStats link = LinkRiskProcessor.empty();
        for (int i = 0; i < 60; i++) {
            LinkRequest request = LinkRiskProcessor.project(event);
            request.setAccountId("acct-" + i);
            link = LinkRiskProcessor.add(rules, 50, request, link);
        }
        linkStats = linkStatsSerde.serializer().serialize("s", link);
        linkBatchSerde = SpecificAvroSerde.forValues(LinkRequestBatch.class, Map.of(SchemaRegistryClients.URL, "mock://jmh"));
        List<BatchCodec.Item<LinkRequest>> items = new ArrayList<>();
        for (int i = 0; i < BATCH_REQUESTS; i++) {
            RequestEvent each = RequestEvent.newBuilder(event).setAccountId("acct-hydra-" + i)
                    .setIp("198.51." + (i % 250) + "." + (i % 200)).setPromptSimhash(i * 0x9E3779B97F4A7C15L).build();
            List<String> keys = new ArrayList<>();
            for (var keyed : RequestRouting.byLink(each, bands)) {
                if (Math.floorMod(keyed.key.hashCode(), 4) == 0) {
                    keys.add(keyed.key);
                }
            }
            if (!keys.isEmpty()) {
                items.add(new BatchCodec.Item<>(i, keys, LinkRiskProcessor.project(each)));
            }
        }
        linkBatch = BatchCodec.LINKS.batch(items);
    }

    private static final int BATCH_REQUESTS = 500;
    private PromptBands bands;
    private SpecificAvroSerde<LinkRequestBatch> linkBatchSerde;
    private LinkRequestBatch linkBatch;

    @Benchmark
    public RequestEvent decodeRequest() {
        return serde.deserializer().deserialize("requests", encoded);
    }

    @Benchmark
    public byte[] encodeRequest() {
        return serde.serializer().serialize("requests", event);
    }

    @Benchmark
    public String validateRequest() {
        return validator.problemWith(event, System.currentTimeMillis());
    }

    @Benchmark
    public String normaliseIpv6Address() {
        return IpAddresses.normalise("2001:db8:77::2");
    }

    @Benchmark
    public Long simHashPrompt() {
        return PromptFingerprint.simHash(event.getPromptText());
    }

    /**
     * One subject window update as a store sees it, on a window of 200 requests: deserialize, add (five in-place
     * UltraLogLog sketches), serialize, then assess every per-subject signal.
     */
    @Benchmark
    public double subjectUpdateAndAssess() {
        SubjectWindowStats stats = subjectStatsSerde.deserializer().deserialize("s", subjectStats);
        SubjectRequest request = SubjectProfile.project(event);
        request.setPromptSimhash((long) (counter++) * 0x9E3779B97F4A7C15L);
        SubjectProfile.add(request, stats, SubjectProfile.Span.DAY);
        subjectStatsSerde.serializer().serialize("s", stats);
        return SubjectSignals.assess(rules, stats, stats, null).risk();
    }

    /** One shared-attribute update on a group of 60 accounts: deserialize, add, serialize. */
    /** A request's link keys and projection: the work per request before the by-link batches are encoded. */
    @Benchmark
    public int routeByLink() {
        return RequestRouting.byLink(event, bands).size();
    }

    @Benchmark
    public String ipv6Prefix() {
        return IpAddresses.prefixOf("2001:db8:77::2");
    }

    /**
     * One by-link batch as {@link DistillguardTopology} sends it to one partition: a quarter of the keys of
     * {@link #BATCH_REQUESTS} requests, encoded in the registry's wire format. Divide by the request count for a
     * request's share.
     */
    @Benchmark
    public byte[] encodeLinkBatch() {
        return linkBatchSerde.serializer().serialize("requests-by-link-batched", linkBatch);
    }

    @Benchmark
    public byte[] linkUpdate() {
        LinkWindowStats stats = linkStatsSerde.deserializer().deserialize("s", linkStats);
        LinkRequest request = LinkRiskProcessor.project(event);
        request.setAccountId("acct-" + (counter++ % 100));
        LinkRiskProcessor.add(rules, 50, request, stats);
        return linkStatsSerde.serializer().serialize("s", stats);
    }
}
