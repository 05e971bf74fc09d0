package io.distillguard.service.bench;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.GroupProgress;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.demo.TrafficGenerator;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * End-to-end throughput against the machine's own limit: N events preloaded into a topic, then, one after the other
 * on the same broker, (a) a passthrough Kafka Streams application with the same serdes and processing guarantee
 * that decodes each event and writes it back out, and (b) the detection topology. Each is timed from start until
 * its consumer group has committed every input partition (and, for the detector, every repartition partition) to
 * its end. The ratio b/a says what the detection costs on top of reading and writing the events at all.
 */
public final class ThroughputBench {

    /**
     * One timed run, with the CPU time this process and the embedded broker used during it (null when unknown: a
     * broker elsewhere, or an OS that does not say).
     */
    public record Run(String what, long events, Duration elapsed, Duration processCpu, Duration brokerCpu) {
        public Run(String what, long events, Duration elapsed) {
            this(what, events, elapsed, null, null);
        }

        public double eventsPerSecond() {
            return events * 1e9 / elapsed.toNanos();
        }

        /** Microseconds of CPU per event, or NaN when unknown. */
        static double microsPerEvent(Duration cpu, long events) {
            return cpu == null ? Double.NaN : cpu.toNanos() / 1e3 / events;
        }
    }

    private final ServiceConfig base;
    private final PrintStream out;
    private final Supplier<Optional<Duration>> brokerCpu;

    public ThroughputBench(ServiceConfig base, PrintStream out) {
        this(base, out, Optional::empty);
    }

    /**
     * @param brokerCpu the CPU time the broker has used so far, when it runs on this machine: with the process's
     *                  own, what a run costs per event on the whole machine, which is what a ratio of two rates on
     *                  shared cores comes from
     */
    public ThroughputBench(ServiceConfig base, PrintStream out, Supplier<Optional<Duration>> brokerCpu) {
        this.base = base;
        this.out = out;
        this.brokerCpu = brokerCpu;
    }

    /** Creates the input topic and loads {@code events} generated events into it; returns the topic name. */
    public String preload(long events, int partitions, long seed) throws Exception {
        String topic = "bench-requests-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(adminProps())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1)
                    .configs(Map.of("retention.ms", "-1")))).all().get(60, TimeUnit.SECONDS);
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, base.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(base.serdeConfig(), false);
        TrafficGenerator generator = new TrafficGenerator(seed);
        // All events inside one recent half hour: one window per subject, valid event times, no late drops.
        long start = System.currentTimeMillis() / 3_600_000L * 3_600_000L - 3_600_000L;
        double step = 1_800_000.0 / events;
        AtomicReference<Exception> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            for (long i = 0; i < events; i++) {
                RequestEvent event = generator.next(start + (long) (i * step)).event();
                producer.send(new ProducerRecord<>(topic, null, event.getEventTime().toEpochMilli(), event.getAccountId(),
                        event), (m, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("Preloading failed: " + failure.get().getMessage(), failure.get());
        }
        out.printf("Preloaded %,d events into %s (%d partitions) in %.1f s%n", events, topic, partitions,
                (System.nanoTime() - t0) / 1e9);
        return topic;
    }

    /** The passthrough: decode each event with the same serde and write it out again. */
    public Run passthrough(String topic, long events, Path stateDir) throws Exception {
        String app = "bench-passthrough-" + UUID.randomUUID().toString().substring(0, 8);
        SpecificAvroSerde<RequestEvent> serde = SpecificAvroSerde.forValues(RequestEvent.class, base.serdeConfig());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topic, Consumed.with(Serdes.ByteArray(), serde))
                .to(app + "-out", Produced.with(Serdes.ByteArray(), serde));
        createOutput(app + "-out", topic);
        return time("passthrough", app, builder.build(), topic, events, stateDir, 0, 1, Map.of());
    }

    /**
     * The reference: the design card's shape as a user would write it first in the DSL ({@link ReferenceDslTopology}),
     * under the same processing guarantee, RocksDB settings and threads, with Kafka's default record cache (the
     * detector turns Kafka's off because it caches objects itself; a DSL aggregate wants it).
     */
    public Run reference(String topic, long events, Path stateDir) throws Exception {
        String app = "bench-reference-" + UUID.randomUUID().toString().substring(0, 8);
        createOutput(app + "-alerts", topic);
        Topology topology = ReferenceDslTopology.build(topic, app + "-alerts",
                SpecificAvroSerde.forValues(RequestEvent.class, base.serdeConfig()),
                SpecificAvroSerde.forValues(DistillationAlert.class, base.serdeConfig()));
        return time("reference DSL", app, topology, topic, events, stateDir, 0, 1,
                Map.of(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(10L << 20)));
    }

    /** The detection topology, exactly as the service builds it, on one instance with the configured threads. */
    public Run detector(String topic, long events, Path stateDir) throws Exception {
        return detector(topic, events, stateDir, 0, 1);
    }

    /**
     * The detection topology on {@code instances} Kafka Streams instances of one application (same application id,
     * own state directories, in this JVM), each with {@code threads} stream threads (0 = as configured): how it
     * scales on this machine.
     */
    public Run detector(String topic, long events, Path stateDir, int threads, int instances) throws Exception {
        String app = "bench-detector-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> overrides = new HashMap<>(base.asMap());
        overrides.put(DetectionConfig.REQUESTS_TOPIC, topic);
        overrides.put(DetectionConfig.ALERTS_TOPIC, app + "-alerts");
        overrides.put(DetectionConfig.DEAD_LETTER_TOPIC, app + "-dead-letter");
        ServiceConfig config = ServiceConfig.load(null, Map.of(), overrides);
        createOutput(app + "-alerts", topic);
        createOutput(app + "-dead-letter", topic);
        DistillguardService.createRulesTopic(DistillguardService.streamsConfig(config), config);
        Topology topology = DistillguardTopology.build(config.detection(),
                SpecificAvroSerde.forValues(RequestEvent.class, config.serdeConfig()),
                SpecificAvroSerde.forValues(DistillationAlert.class, config.serdeConfig()),
                DistillguardTopology.StateStorage.ROCKSDB, null,
                DistillguardService.requestPartitions(DistillguardService.streamsConfig(config), config));
        String what = threads == 0 && instances == 1 ? "detector"
                : "detector " + instances + "x" + (threads == 0 ? "" : threads + "t");
        Run run = time(what, app, topology, topic, events, stateDir, threads, instances, Map.of());
        printRepartitionRecords(app, events);
        return run;
    }

    /**
     * Records each repartition topic took per input event: how far a request fans out, and how much reaches the
     * account graph's single partition, the one stage that does not split across instances.
     */
    private void printRepartitionRecords(String app, long events) throws Exception {
        try (Admin admin = Admin.create(adminProps())) {
            List<String> repartitions = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(app + "-") && t.endsWith("-repartition")).sorted().toList();
            Map<String, Long> byTopic = new java.util.TreeMap<>();
            GroupProgress.endOffsets(admin, repartitions).forEach((tp, end) -> byTopic.merge(
                    tp.topic().substring(app.length() + 1), end, Long::sum));
            StringBuilder line = new StringBuilder("    records per input event:");
            byTopic.forEach((name, records) -> line.append(String.format(" %s %.5f;", name, (double) records / events)));
            out.println(line);
        }
    }

    private Run time(String what, String app, Topology topology, String topic, long events, Path stateDir,
                     int threads, int instances, Map<String, String> streamsOverrides) throws Exception {
        List<KafkaStreams> running = new ArrayList<>();
        try (Admin admin = Admin.create(adminProps())) {
            for (int i = 0; i < instances; i++) {
                Map<String, String> overrides = new HashMap<>(base.asMap());
                overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
                overrides.put(ServiceConfig.HTTP_ENABLED, "false");
                overrides.put(StreamsConfig.STATE_DIR_CONFIG,
                        Files.createDirectories(stateDir.resolve(app).resolve("instance-" + i)).toString());
                if (threads > 0) {
                    overrides.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
                }
                Properties props = DistillguardService.streamsConfig(ServiceConfig.load(null, Map.of(), overrides));
                props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
                props.putAll(streamsOverrides);
                running.add(new KafkaStreams(topology, props));
            }
            Map<TopicPartition, Long> inputEnds = GroupProgress.endOffsets(admin, List.of(topic));
            Optional<Duration> processCpu0 = processCpu();
            Optional<Duration> brokerCpu0 = brokerCpu.get();
            long t0 = System.nanoTime();
            running.forEach(KafkaStreams::start);
            while (true) {
                TimeUnit.MILLISECONDS.sleep(250);
                if (running.stream().anyMatch(streams -> streams.state() == KafkaStreams.State.ERROR)) {
                    throw new IllegalStateException(what + " failed; see the log");
                }
                boolean done = GroupProgress.committedToEnd(admin, app, inputEnds);
                if (done) {
                    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
                    Run run = new Run(what, events, elapsed, since(processCpu0, processCpu()),
                            since(brokerCpu0, brokerCpu.get()));
                    out.printf("  %-16s %,10.0f events/s (%s; CPU per event: this process %.1f us, broker %.1f us)%n",
                            what, run.eventsPerSecond(), run.elapsed(),
                            Run.microsPerEvent(run.processCpu(), events), Run.microsPerEvent(run.brokerCpu(), events));
                    return run;
                }
            }
        } finally {
            // Closed together: a member closing alone would hand its tasks to the other for nothing.
            running.forEach(streams -> streams.close(Duration.ofSeconds(0)));
            running.forEach(streams -> streams.close(Duration.ofSeconds(60)));
        }
    }

    private void createOutput(String name, String like) throws Exception {
        try (Admin admin = Admin.create(adminProps())) {
            int partitions = admin.describeTopics(List.of(like)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(like).partitions().size();
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) -1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private Properties adminProps() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, base.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        return props;
    }

    private static Optional<Duration> processCpu() {
        return ProcessHandle.current().info().totalCpuDuration();
    }

    private static Duration since(Optional<Duration> before, Optional<Duration> now) {
        return before.isPresent() && now.isPresent() ? now.get().minus(before.get()) : null;
    }

    /** The median of the runs' CPU per event, by {@code cpu}; NaN when any run's is unknown. */
    public static double medianMicrosPerEvent(List<Run> runs, Function<Run, Duration> cpu) {
        List<Double> values = new ArrayList<>();
        for (Run run : runs) {
            double micros = Run.microsPerEvent(cpu.apply(run), run.events());
            if (Double.isNaN(micros)) {
                return Double.NaN;
            }
            values.add(micros);
        }
        return medianOf(values);
    }

    /** The median of the runs' rates. */
    public static double median(List<Run> runs) {
        return medianOf(new ArrayList<>(runs.stream().map(Run::eventsPerSecond).toList()));
    }

    private static double medianOf(List<Double> values) {
        values.sort(null);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }
}
