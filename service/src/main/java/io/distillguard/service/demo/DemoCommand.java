package io.distillguard.service.demo;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.registry.SchemaRegistryClients;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.cli.DurationConverter;
import io.distillguard.service.cli.InputError;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.TempDirectories;
import io.distillguard.service.embedded.LocalInfrastructure;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.validation.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard demo}: a real broker (embedded unless one is configured), a schema registry, the service,
 * and a generator of benign and attack traffic; prints alerts as they arrive and a summary at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the detector against generated benign and attack traffic on a real Kafka broker "
                + "(started here in KRaft mode unless bootstrap.servers is configured).")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to generate traffic (e.g. 60s, 5m). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--rate", defaultValue = "200", description = "Events per second. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the traffic generator. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--config", description = "Properties file; environment variables DISTILLGUARD_* override it.")
    Path configFile;

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        InputError.atLeast("--rate", rate, 1);
        if (duration.isNegative() || duration.isZero()) {
            throw new InputError("--duration must be positive, got " + duration);
        }
        ServiceConfig.load(configFile, System.getenv(), Map.of());
        Thread hook = new Thread(() -> {
            stopping.set(true);
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runDemoLoggingToAFile();
        } finally {
            finished.countDown();
        }
    }

    private int runDemoLoggingToAFile() throws Exception {
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path log = java.nio.file.Files.createDirectories(TempDirectories.cacheRoot()).resolve("demo-"
                + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + ".log");
        System.out.printf("The service's log goes to %s%n", log);
        try (AutoCloseable logging = DemoLog.toFile(log)) {
            return runDemo(configured);
        }
    }

    private int runDemo(ServiceConfig configured) throws Exception {
        Path stateDir = TempDirectories.createForState("demo-state-");
        DistillguardService service = null;
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            try {
                Map<String, String> overrides = new HashMap<>(local.overrides());
                overrides.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
                overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, "distillguard-demo-" + ProcessHandle.current().pid());
                // Any free port: the demo is one instance, so every key is answered locally.
                overrides.put(ServiceConfig.HTTP_PORT, "0");
                // The console and the data routes want an analyst's token: one for this run, unless configured.
                String token = null;
                if (configured.analysts().isEmpty()) {
                    byte[] bytes = new byte[18];
                    new java.security.SecureRandom().nextBytes(bytes);
                    token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                    overrides.put(ServiceConfig.HTTP_ANALYSTS, "demo:" + token);
                }
                ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), overrides);
                DetectionConfig detection = config.detection();
                System.out.printf("Kafka at %s, schema registry at %s%n", config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG),
                        config.get(SchemaRegistryClients.URL));

                service = DistillguardService.start(config);
                if (!service.awaitRunning(Duration.ofSeconds(90))) {
                    System.err.println("The service did not reach RUNNING within 90 s");
                    return 1;
                }
                System.out.printf("Distillguard is running.%nConsole: http://127.0.0.1:%d/ (sign in with %s)%n"
                        + "HTTP API: curl -H 'Authorization: Bearer %s' http://127.0.0.1:%d/accounts/acct-scraper-1 "
                        + "(also /ips/198.51.100.10, /alerts, /metrics)%nGenerating %d events/s for %s; alerts follow.%n%n",
                        service.httpPort(), token == null ? "a token from http.analysts" : "the token " + token,
                        token == null ? "<token>" : token, service.httpPort(), rate, duration);

                Summary summary = new Summary();
                Thread alertReader = startReader("alerts", () -> readAlerts(config, detection, summary));
                Thread deadLetterReader = startReader("dead-letters", () -> readDeadLetters(config, detection, summary));
                generate(config, detection, summary);
                awaitDrain(summary);
                stopping.set(true);
                alertReader.join(10_000);
                deadLetterReader.join(10_000);
                summary.print(System.out);
                return 0;
            } finally {
                // The service goes before the broker it commits to.
                if (service != null) {
                    service.close();
                }
            }
        } finally {
            TempDirectories.delete(stateDir);
        }
    }

    private void generate(ServiceConfig config, DetectionConfig detection, Summary summary) {
        TrafficGenerator generator = new TrafficGenerator(seed);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(config.serdeConfig(), false);
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer);
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            long total = duration.toSeconds() * rate;
            long intervalNanos = 1_000_000_000L / rate;
            for (long i = 0; i < total && !stopping.get(); i++) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                TrafficGenerator.Generated generated = generator.next(System.currentTimeMillis());
                producer.send(new ProducerRecord<>(detection.requestsTopic(), null,
                        generated.event().getEventTime().toEpochMilli(), generated.event().getAccountId(),
                        generated.event()));
                summary.produced(generated.kind().name());
                // Now and then a record that is not Avro at all: a misconfigured gateway.
                if (i % 5000 == 2500) {
                    raw.send(new ProducerRecord<>(detection.requestsTopic(),
                            "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
                    summary.produced("UNDECODABLE");
                }
            }
            producer.flush();
            raw.flush();
        }
    }

    private void readAlerts(ServiceConfig config, DetectionConfig detection, Summary summary) {
        try (KafkaConsumer<String, DistillationAlert> consumer = new KafkaConsumer<>(
                consumerProps(config, "alerts"), new StringDeserializer(), config.alertSerde().deserializer())) {
            consumer.subscribe(List.of(detection.alertsTopic()));
            while (!stopping.get()) {
                // One request that crosses several tiers yields one alert per tier (same alert_id); the screen shows
                // the highest of each batch, the summary counts them all.
                Map<String, DistillationAlert> highest = new java.util.LinkedHashMap<>();
                for (ConsumerRecord<String, DistillationAlert> record : consumer.poll(Duration.ofMillis(200))) {
                    summary.alert(record.value());
                    highest.merge(record.value().getAlertId(), record.value(),
                            (a, b) -> a.getSeverity().compareTo(b.getSeverity()) >= 0 ? a : b);
                }
                highest.values().forEach(alert -> System.out.println("ALERT " + AlertFormatter.line(alert)));
            }
        }
    }

    private void readDeadLetters(ServiceConfig config, DetectionConfig detection, Summary summary) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                consumerProps(config, "dead-letters"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(detection.deadLetterTopic()));
            while (!stopping.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Header reason = record.headers().lastHeader(DeadLetterHeaders.REASON);
                    summary.deadLetter(reason == null ? "(no reason header)"
                            : new String(reason.value(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static Properties consumerProps(ServiceConfig config, String name) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "distillguard-demo-" + name + "-" + ProcessHandle.current().pid());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Only what the service committed: under exactly-once, aborted output must never reach a consumer.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    /** Gives the service time to process the tail of the traffic: until nothing new has arrived for 5 s (max 60 s). */
    private void awaitDrain(Summary summary) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long lastCount = -1;
        long quietSince = System.nanoTime();
        while (!stopping.get() && System.nanoTime() < deadline) {
            long count = summary.outputs();
            if (count != lastCount) {
                lastCount = count;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > Duration.ofSeconds(5).toNanos()) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
    }

    private static Thread startReader(String name, Runnable body) {
        Thread thread = new Thread(body, "demo-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** What the demo sent and saw, for the closing summary. */
    static final class Summary {
        private final Map<String, AtomicLong> produced = new ConcurrentHashMap<>();
        private final io.distillguard.service.DeadLetterReasons deadLetters = new io.distillguard.service.DeadLetterReasons();
        private final Map<String, AtomicLong> alerts = new ConcurrentHashMap<>();
        private final AtomicLong outputs = new AtomicLong();

        void produced(String kind) {
            produced.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        }

        void deadLetter(String reason) {
            deadLetters.add(reason);
            outputs.incrementAndGet();
        }

        void alert(DistillationAlert alert) {
            alerts.computeIfAbsent(alert.getDetector() + " " + alert.getSeverity(), k -> new AtomicLong()).incrementAndGet();
            outputs.incrementAndGet();
        }

        long outputs() {
            return outputs.get();
        }

        void print(java.io.PrintStream out) {
            long in = produced.values().stream().mapToLong(AtomicLong::get).sum();
            long dead = deadLetters.total();
            long alertCount = alerts.values().stream().mapToLong(AtomicLong::get).sum();
            out.println();
            out.println("=== Distillguard demo summary ===");
            out.printf("Events in:       %d %s%n", in, new TreeMap<>(snapshot(produced)));
            out.printf("Dead-lettered:   %d%n", dead);
            deadLetters.shown().forEach((k, v) -> out.printf("  %6d  %s%n", v, k));
            out.printf("Alerts:          %d%n", alertCount);
            new TreeMap<>(snapshot(alerts)).forEach((k, v) -> out.printf("  %6d  %s%n", v, k));
        }

        private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
            Map<String, Long> copy = new HashMap<>();
            counts.forEach((k, v) -> copy.put(k, v.get()));
            return copy;
        }
    }
}
