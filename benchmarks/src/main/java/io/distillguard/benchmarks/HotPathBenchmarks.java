package io.distillguard.benchmarks;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.detect.AccountVolumeDetector;
import io.distillguard.topology.detect.IpFanInDetector;
import io.distillguard.topology.state.AccountWindowStats;
import io.distillguard.topology.state.IpRequest;
import io.distillguard.topology.state.IpWindowStats;
import io.distillguard.topology.validation.IpAddresses;
import io.distillguard.topology.validation.PromptFingerprint;
import io.distillguard.topology.validation.RequestValidator;
import java.time.Instant;
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
    private IpFanInDetector ipFanIn;
    private AvroBinarySerde<AccountWindowStats> accountStatsSerde;
    private AvroBinarySerde<IpWindowStats> ipStatsSerde;
    private byte[] accountStats;
    private byte[] ipStats;
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
                .setPromptTokens(420).setCompletionTokens(2600).setStatus(200).build();
        encoded = serde.serializer().serialize("requests", event);
        DetectionConfig config = DetectionConfig.defaultConfig();
        validator = new RequestValidator(config);
        ipFanIn = new IpFanInDetector(config);
        accountStatsSerde = new AvroBinarySerde<>(AccountWindowStats.class);
        ipStatsSerde = new AvroBinarySerde<>(IpWindowStats.class);
        accountStats = accountStatsSerde.serializer().serialize("s", AccountVolumeDetector.empty());
        IpWindowStats ip = IpFanInDetector.empty();
        for (int i = 0; i < 60; i++) {
            ip = ipFanIn.add(new IpRequest(0L, "acct-" + i), ip);
        }
        ipStats = ipStatsSerde.serializer().serialize("s", ip);
    }

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

    /** One account-volume update as the window store sees it: deserialize, add, serialize. */
    @Benchmark
    public byte[] accountVolumeUpdate() {
        AccountWindowStats stats = accountStatsSerde.deserializer().deserialize("s", accountStats);
        AccountVolumeDetector.add(AccountVolumeDetector.project(event), stats);
        return accountStatsSerde.serializer().serialize("s", stats);
    }

    /** One IP fan-in update on an address with 60 accounts: deserialize, HLL update, serialize. */
    @Benchmark
    public byte[] ipFanInUpdate() {
        IpWindowStats stats = ipStatsSerde.deserializer().deserialize("s", ipStats);
        ipFanIn.add(new IpRequest(0L, "acct-" + (counter++ % 100)), stats);
        return ipStatsSerde.serializer().serialize("s", stats);
    }
}
