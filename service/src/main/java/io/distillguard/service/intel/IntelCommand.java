package io.distillguard.service.intel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.ThreatIndicator;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.cli.DurationConverter;
import io.distillguard.service.cli.InputError;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.topology.intel.IntelHmac;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillguard intel}: share indicators with partner labs (STIX 2.1 out) and take in theirs (STIX in). */
@Command(name = "intel", mixinStandardHelpOptions = true,
        description = "Exchange threat indicators with partner labs as STIX 2.1.",
        subcommands = {IntelCommand.Export.class, IntelCommand.Import.class})
public final class IntelCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return io.distillguard.service.cli.DistillguardCli.usage(spec.commandLine());
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Indicators from HIGH and CRITICAL alerts as a STIX 2.1 bundle, with no customer data in clear: "
                    + "no account ids; payment fingerprints as HMAC under intel.hmac-key; an address or prefix only "
                    + "when it served at least intel.export.min-accounts accounts, each flagged in two distinct alerts.")
    static final class Export implements Callable<Integer> {

        static final class From {
            @Option(names = "--since", description = "Read the alerts topic from this ISO-8601 instant up to its current end.")
            Instant since;

            @Option(names = "--alerts", arity = "1..*", description = "Alerts as JSON Lines (a backtest's --alerts-out).")
            List<Path> files;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        From from;

        @Option(names = "--out", description = "Write the bundle to this file.")
        Path out;

        @Option(names = "--out-topic", description = "Also publish each indicator (STIX JSON, keyed by its id) to this topic.")
        String outTopic;

        @Option(names = "--follow", description = "With --since and --out-topic: keep reading alerts and re-export every --every.")
        boolean follow;

        @Option(names = "--every", defaultValue = "1m", converter = DurationConverter.class,
                description = "How often --follow re-exports. Default: ${DEFAULT-VALUE}.")
        Duration every;

        @Option(names = "--valid-for", defaultValue = "30d", converter = DurationConverter.class,
                description = "valid_until = first seen + this. Default: ${DEFAULT-VALUE}.")
        Duration validFor;

        @Option(names = "--min-accounts", description = "k: overrides intel.export.min-accounts.")
        Integer minAccounts;

        @Option(names = "--verdicts", description = "Export only what analysts confirmed: the alerts whose subject a "
                + "CONFIRMED verdict in this `verdicts export` file lists.")
        Path verdicts;

        @Option(names = "--config", description = "Service configuration (cluster, topics, intel.hmac-key); DISTILLGUARD_* override it.")
        Path configFile;

        @Override
        public Integer call() throws Exception {
            if (out == null && outTopic == null) {
                throw new InputError("Say where the bundle goes: --out FILE and/or --out-topic TOPIC");
            }
            if (follow && (from.since == null || outTopic == null)) {
                throw new InputError("--follow reads the alerts topic (--since) and publishes to --out-topic");
            }
            if (minAccounts != null) {
                InputError.atLeast("--min-accounts", minAccounts, 1);
            }
            ServiceConfig config = from.since != null || outTopic != null
                    ? ServiceConfig.forCluster("intel export --since/--out-topic", configFile, System.getenv(), Map.of())
                    : ServiceConfig.load(configFile, System.getenv(), Map.of());
            String key = config.detection().intel().hmacKey();
            StixExport.Options options = new StixExport.Options(config.get(ServiceConfig.INTEL_EXPORT_PRODUCER),
                    key == null ? null : new IntelHmac(key),
                    minAccounts != null ? minAccounts : Integer.parseInt(config.get(ServiceConfig.INTEL_EXPORT_MIN_ACCOUNTS)),
                    validFor, Instant.now());
            if (key == null) {
                System.err.println("No intel.hmac-key: payment fingerprints are left out of the export.");
            }
            List<DistillationAlert> alerts = from.files != null ? readFiles(from.files) : new ArrayList<>();
            if (verdicts != null && follow) {
                throw new InputError("--verdicts is a file of decisions at one time; it does not go with --follow");
            }
            if (!follow) {
                if (from.since != null) {
                    try (AlertReader reader = new AlertReader(config, from.since)) {
                        reader.readToEnd(alerts);
                    }
                }
                if (verdicts != null) {
                    int read = alerts.size();
                    alerts = new ArrayList<>(io.distillguard.service.console.VerdictsCommand.confirmedOnly(alerts,
                            io.distillguard.service.console.VerdictsCommand.readFile(verdicts)));
                    System.out.printf("%d of %d alerts are on subjects analysts confirmed%n", alerts.size(), read);
                }
                publish(config, alerts, options);
                return 0;
            }
            try (AlertReader reader = new AlertReader(config, from.since)) {
                while (!Thread.currentThread().isInterrupted()) {
                    reader.poll(alerts, every);
                    Instant now = Instant.now();
                    // Only alerts still within the indicators' validity can support one; older ones are let go.
                    alerts.removeIf(a -> a.getTriggerEventTime().plus(validFor).isBefore(now));
                    publish(config, alerts, new StixExport.Options(options.producer(), options.hmac(),
                            options.minAccounts(), validFor, now));
                }
            }
            return 0;
        }

        private void publish(ServiceConfig config, List<DistillationAlert> alerts, StixExport.Options options)
                throws Exception {
            StixExport.Result result = StixExport.export(alerts, options);
            if (out != null) {
                Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result.bundle()));
            }
            if (outTopic != null) {
                // Compacted: each indicator's latest version stays, keyed by its STIX id, for partners to read.
                DistillguardService.createCompactedTopic(config.kafkaProperties(), config, outTopic);
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(config),
                        new StringSerializer(), new StringSerializer())) {
                    for (var object : result.bundle().path("objects")) {
                        producer.send(new ProducerRecord<>(outTopic, object.path("id").asText(), JSON.writeValueAsString(object)));
                    }
                    producer.flush();
                }
            }
            System.out.printf("%d alerts read; %d indicators exported%s; %d addresses or prefixes held back "
                            + "(fewer than %d repeatedly flagged accounts); %d payment fingerprints left out (no key)%n",
                    alerts.size(), result.indicators(), out != null ? " to " + out : "", result.heldBackBelowK(),
                    options.minAccounts(), result.paymentsWithoutKey());
        }

        private static List<DistillationAlert> readFiles(List<Path> files) throws IOException {
            List<DistillationAlert> alerts = new ArrayList<>();
            for (Path file : files) {
                try (BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                        StandardCharsets.UTF_8.newDecoder()
                                .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)))) {
                    String line;
                    int number = 0;
                    while ((line = reader.readLine()) != null) {
                        number++;
                        if (!line.isBlank()) {
                            try {
                                alerts.add(ContractJson.read(line, DistillationAlert.class));
                            } catch (RuntimeException e) {
                                throw new InputError(file + ":" + number + ": not a DistillationAlert (one JSON "
                                        + "alert a line, as backtest --alerts-out writes): " + e.getMessage(), e);
                            }
                        }
                    }
                }
            }
            return alerts;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Publish a partner's STIX 2.1 bundle to the threat-indicators topic (revoked indicators as "
                    + "tombstones); running services match requests against them at once.")
    static final class Import implements Callable<Integer> {

        @Option(names = "--file", required = true, description = "STIX 2.1 bundle (JSON).")
        Path file;

        @Option(names = "--source", description = "Partner name on every indicator (default: the creating identity's name).")
        String source;

        @Option(names = "--config", description = "Service configuration (cluster, registry, topic.threat-indicators).")
        Path configFile;

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = ServiceConfig.forCluster("intel import", configFile, System.getenv(), Map.of());
            StixImport.Result result;
            try {
                com.fasterxml.jackson.databind.JsonNode bundle = JSON.readTree(file.toFile());
                if (bundle == null || bundle.isMissingNode()) {
                    throw new InputError(file + ": empty, not a STIX 2.1 bundle");
                }
                result = StixImport.read(bundle, source);
            } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
                throw new InputError(file + ": no such file");
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new InputError(file + ": not JSON, so not a STIX 2.1 bundle (" + e.getOriginalMessage() + ")");
            } catch (IllegalArgumentException e) {
                throw new InputError(file + ": " + e.getMessage());
            }
            String topic = config.detection().intel().indicatorsTopic();
            DistillguardService.createRulesTopic(config.kafkaProperties(), config);
            SpecificAvroSerializer<ThreatIndicator> serializer = new SpecificAvroSerializer<>(ThreatIndicator.class);
            serializer.configure(config.serdeConfig(), false);
            int published = 0;
            int retracted = 0;
            try (KafkaProducer<String, ThreatIndicator> producer = new KafkaProducer<>(producerProps(config),
                    new StringSerializer(), serializer)) {
                for (StixImport.Entry entry : result.entries()) {
                    producer.send(new ProducerRecord<>(topic, entry.id(), entry.indicator())).get(30, TimeUnit.SECONDS);
                    if (entry.indicator() == null) {
                        retracted++;
                    } else {
                        published++;
                    }
                }
            }
            result.skipped().forEach(s -> System.err.println("Skipped " + s));
            System.out.printf("Published %d indicators and %d retractions to %s; skipped %d%n", published, retracted,
                    topic, result.skipped().size());
            return 0;
        }
    }

    static Properties producerProps(ServiceConfig config) {
        Properties props = config.producerProperties();
        // A topic that is missing or unreachable is an error within seconds, not a minute's block per record.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        return props;
    }

    /** Reads the alerts topic (read_committed) from a point in time: up to its end, or on and on. */
    static final class AlertReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final org.apache.kafka.common.serialization.Deserializer<DistillationAlert> alerts;
        private final String topic;

        AlertReader(ServiceConfig config, Instant since) {
            Properties props = DistillguardService.clientProps(config.kafkaProperties());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.alerts = config.alertSerde().deserializer();
            this.topic = config.detection().alertsTopic();
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("alerts topic " + topic + " does not exist");
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> at = new HashMap<>();
            partitions.forEach(p -> at.put(p, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(at, Duration.ofSeconds(30));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp offset = offsets.get(p);
                consumer.seek(p, offset == null ? ends.get(p) : offset.offset());
            }
        }

        void readToEnd(List<DistillationAlert> into) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                poll(into, Duration.ofMillis(500));
            }
        }

        void poll(List<DistillationAlert> into, Duration timeout) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
                if (record.value() != null) {
                    into.add(alerts.deserialize(topic, record.value()));
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

}
