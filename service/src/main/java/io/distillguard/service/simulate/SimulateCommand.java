package io.distillguard.service.simulate;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.cli.InputError;
import io.distillguard.service.config.ServiceConfig;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code distillguard simulate}: labelled traffic from {@link CampaignSimulator} to a JSON Lines file (gzip when the
 * name ends in .gz) or to a topic, with a labels CSV. Deterministic from the seed and start time.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Write labelled synthetic traffic (ordinary customers and look-alike traps; bulk distiller, hydra, "
                + "low-and-slow and model-pivot campaigns) as JSON Lines or to a topic, with a labels CSV.")
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static final class Target {
        @Option(names = "--out", description = "Events file (JSON Lines; gzip if it ends in .gz).")
        Path out;

        @Option(names = "--topic", description = "Topic to produce to (Avro, registry from the configuration).")
        String topic;
    }

    @ArgGroup(multiplicity = "1")
    Target target;

    @Option(names = "--labels", description = "Labels CSV to write (account_id,label,scenario).")
    Path labels;

    @Option(names = "--benign-accounts", defaultValue = "10000", description = "Default: ${DEFAULT-VALUE}.")
    int benignAccounts;

    @Option(names = "--days", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int days;

    @Option(names = "--hosted-products", description = CampaignSimulator.HOSTED_PRODUCTS_HELP)
    boolean hostedProducts;

    @Option(names = "--research-labs", description = CampaignSimulator.RESEARCH_LABS_HELP)
    boolean researchLabs;

    @Option(names = "--heavy-clients", description = CampaignSimulator.HEAVY_CLIENTS_HELP)
    boolean heavyClients;

    @Option(names = "--new-signups", description = CampaignSimulator.NEW_SIGNUPS_HELP)
    boolean newSignups;

    @Option(names = "--vpn-openers", description = CampaignSimulator.VPN_OPENERS_HELP)
    boolean vpnOpeners;

    @Option(names = "--datacenter-vpns", description = CampaignSimulator.DATACENTER_VPNS_HELP)
    boolean datacenterVpns;

    @Option(names = "--other-networks", description = CampaignSimulator.OTHER_NETWORKS_HELP)
    boolean otherNetworks;

    @Option(names = "--school-cards", description = CampaignSimulator.SCHOOL_CARDS_HELP)
    boolean schoolCards;

    @Option(names = "--students-per-school", defaultValue = "10", description = CampaignSimulator.STUDENTS_PER_SCHOOL_HELP)
    int studentsPerSchool;

    @Option(names = "--product-upgrades", description = CampaignSimulator.PRODUCT_UPGRADES_HELP)
    boolean productUpgrades;

    @Option(names = "--product-launch", description = CampaignSimulator.PRODUCT_LAUNCH_HELP)
    boolean productLaunch;

    @Option(names = "--attack-scale", defaultValue = "1.0",
            description = "Attack populations against the defaults (5, 2,000, 300, 150 and 500 evasive accounts). Default: ${DEFAULT-VALUE}.")
    double attackScale;

    @Option(names = "--start", description = "Event time the traffic starts (ISO-8601). Default: --days + 1 days ago, at midnight UTC.")
    Instant start;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--config", description = "Service configuration for --topic (cluster, registry); DISTILLGUARD_* override it.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        InputError.atLeast("--days", days, 1);
        InputError.atLeast("--attack-scale", attackScale, 0);
        Instant first = start != null ? start
                : Instant.now().minus(Duration.ofDays(days + 1L)).truncatedTo(ChronoUnit.DAYS);
        ServiceConfig config = target.topic == null ? null
                : ServiceConfig.forCluster("simulate --topic", configFile, System.getenv(), Map.of());
        CampaignSimulator simulator = new CampaignSimulator(CampaignSimulator.Settings.fromArguments(spec.commandLine(),
                seed, benignAccounts, days, first, attackScale, hostedProducts, researchLabs, heavyClients,
                newSignups, vpnOpeners, schoolCards, studentsPerSchool, productUpgrades, productLaunch,
                datacenterVpns, otherNetworks));
        long written = target.out != null ? writeJsonLines(simulator, target.out) : toTopic(simulator, config, first);
        if (labels != null) {
            List<String> rows = simulator.labels().stream().map(CampaignSimulator.Label::csvRow).toList();
            Files.writeString(labels, "account_id,label,scenario\n" + String.join("\n", rows) + "\n",
                    StandardCharsets.UTF_8);
        }
        System.out.printf("Wrote %,d events over %d days from %s to %s%s; new model %s released at %s%n", written,
                days, first, target.out != null ? target.out : "topic " + target.topic,
                labels == null ? "" : ", labels to " + labels, CampaignSimulator.NEW_MODEL,
                Instant.ofEpochMilli(simulator.settings().releaseMs()));
        return 0;
    }

    /** Writes every event of {@code simulator} to {@code out} as JSON Lines (gzip if it ends in .gz); returns how many. */
    public static long writeJsonLines(CampaignSimulator simulator, Path out) throws java.io.IOException {
        long written = 0;
        try (OutputStream file = Files.newOutputStream(out);
             OutputStream stream = out.toString().endsWith(".gz") ? new GZIPOutputStream(file, 1 << 16) : file;
             BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16)) {
            while (simulator.hasNext()) {
                writer.write(ContractJson.line(simulator.next()));
                writer.write('\n');
                written++;
            }
        }
        return written;
    }

    private long toTopic(CampaignSimulator simulator, ServiceConfig config, Instant first) {
        DistillguardService.createHistoryTopics(config.kafkaProperties(), config, List.of(target.topic),
                Integer.parseInt(config.get(ServiceConfig.TOPICS_PARTITIONS)), first);
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Serializer<RequestEvent> serializer = io.distillguard.serdes.avro.SpecificAvroSerde.forValues(RequestEvent.class,
                config.serdeConfig()).serializer();
        long written = 0;
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(filter(props), new StringSerializer(),
                serializer)) {
            while (simulator.hasNext()) {
                RequestEvent event = simulator.next();
                // Keyed by account, timestamped with the event time, as a gateway would publish it.
                producer.send(new ProducerRecord<>(target.topic, null, event.getEventTime().toEpochMilli(),
                        event.getAccountId(), event));
                written++;
            }
            producer.flush();
        }
        return written;
    }

    private static Properties filter(Properties props) {
        Properties producer = new Properties();
        props.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k.toString())) {
                producer.put(k, v);
            }
        });
        return producer;
    }
}
