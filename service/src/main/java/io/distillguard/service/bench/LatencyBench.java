package io.distillguard.service.bench;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.demo.TrafficGenerator;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Event-to-alert latency at a fixed input rate: a producer sends the demo's mix, each event stamped with the wall
 * clock when it is produced, and a read_committed consumer of the alerts topic takes, for every alert, the time it
 * became visible minus its trigger event's time. That is the whole path an operator cares about: produce, the
 * broker, every repartition hop, the state updates, the transaction commit that makes the alert visible.
 * The first {@code warmUp} of alerts (startup, the first rebalance) are left out.
 *
 * <p>Alerts fire once per subject, window and tier, so a steady mix soon raises none: the latency is measured on
 * probes instead. A partner indicator names one address; one request in a hundred comes from a new account at that
 * address, and its THREAT_INTEL alert fires on that very request, through the whole subject path (triage,
 * repartition, state, alert, commit). The rest of the mix loads the detector as usual.
 */
public final class LatencyBench {

    /** Latency figures at one rate, in milliseconds. */
    public record Result(int rate, long sent, int alerts, long p50, long p99, long max, double achievedRate) {
    }

    static final String PROBE_IP = "203.0.113.250";
    private static final int PROBE_EVERY = 100;

    private final PrintStream out;
    private volatile boolean reading = true;

    public LatencyBench(PrintStream out) {
        this.out = out;
    }

    public Result run(ServiceConfig config, int rate, Duration duration, Duration warmUp) throws Exception {
        String topic = config.detection().requestsTopic();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong sent = new AtomicLong();
        long measureFrom = System.currentTimeMillis() + warmUp.toMillis();
        reading = true;
        try (DistillguardService service = DistillguardService.start(config)) {
            if (!service.awaitRunning(Duration.ofSeconds(120))) {
                throw new IllegalStateException("the service did not reach RUNNING");
            }
            publishProbeIndicator(config);
            // Probes sent before the global thread has read the indicator would raise nothing.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (service.counter("indicators-accepted-total") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread reader = new Thread(() -> read(config, latencies, measureFrom), "latency-reader");
            reader.setDaemon(true);
            reader.start();
            long start = System.nanoTime();
            produce(config, topic, rate, duration, sent);
            double achieved = sent.get() / ((System.nanoTime() - start) / 1e9);
            // Alerts of the last events still in flight: give them a few commit intervals to show up.
            Thread.sleep(5_000);
            reading = false;
            reader.join(30_000);
            List<Long> sorted;
            synchronized (latencies) {
                sorted = new ArrayList<>(latencies);
            }
            Collections.sort(sorted);
            Result result = new Result(rate, sent.get(), sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                    sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1), achieved);
            out.printf("  %,d events/s asked (%,.0f sent per second): %,d alerts, p50 %,d ms, p99 %,d ms, max %,d ms%n",
                    rate, achieved, result.alerts(), result.p50(), result.p99(), result.max());
            return result;
        }
    }

    private static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static void produce(ServiceConfig config, String topic, int rate, Duration duration, AtomicLong sent) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(config.serdeConfig(), false);
        TrafficGenerator generator = new TrafficGenerator(7);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            while (System.nanoTime() < end) {
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                while (sent.get() < due) {
                    RequestEvent event = generator.next(System.currentTimeMillis()).event();
                    if (sent.get() % PROBE_EVERY == 0) {
                        event.setAccountId("probe-" + sent.get());
                        event.setIp(PROBE_IP);
                    }
                    producer.send(new ProducerRecord<>(topic, event.getAccountId(), event));
                    sent.incrementAndGet();
                }
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void publishProbeIndicator(ServiceConfig config) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        SpecificAvroSerializer<io.distillguard.avro.ThreatIndicator> serializer =
                new SpecificAvroSerializer<>(io.distillguard.avro.ThreatIndicator.class);
        serializer.configure(config.serdeConfig(), false);
        java.time.Instant now = java.time.Instant.now().minus(Duration.ofDays(1));
        try (KafkaProducer<String, io.distillguard.avro.ThreatIndicator> producer =
                     new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>(config.detection().intel().indicatorsTopic(), "latency-probe",
                    io.distillguard.avro.ThreatIndicator.newBuilder().setKind(io.distillguard.avro.IndicatorKind.IP)
                            .setValue(PROBE_IP).setConfidence(90).setSource("bench").setValidFrom(now)
                            .setFirstSeen(now).build())).get();
        }
    }

    private void read(ServiceConfig config, List<Long> latencies, long measureFrom) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Deserializer<DistillationAlert> alerts = config.alertSerde().deserializer();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.detection().alertsTopic()));
            while (reading) {
                for (var record : consumer.poll(Duration.ofMillis(20))) {
                    long visible = System.currentTimeMillis();
                    DistillationAlert alert = alerts.deserialize(record.topic(), record.value());
                    long trigger = alert.getTriggerEventTime().toEpochMilli();
                    // A probe's first alert (LOW): the one its very first request raised.
                    if (trigger >= measureFrom && alert.getSubjectId().startsWith("probe-")
                            && alert.getSeverity() == io.distillguard.avro.Severity.LOW) {
                        latencies.add(visible - trigger);
                    }
                }
            }
        }
    }



}
