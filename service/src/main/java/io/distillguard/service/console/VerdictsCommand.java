package io.distillguard.service.console;

import io.distillguard.avro.CaseVerdict;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.service.cli.DistillguardCli;
import io.distillguard.service.config.ServiceConfig;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard verdicts export}: the verdicts in force (the latest of each case on the compacted verdicts
 * topic, withdrawn ones left out) as JSON Lines, one CaseVerdict per line in the contract's field names: what
 * {@code backtest --verdicts} reads as labels, and what an audit keeps.
 */
@Command(name = "verdicts", mixinStandardHelpOptions = true, description = "Analysts' verdicts on cases.",
        subcommands = {VerdictsCommand.Export.class})
public final class VerdictsCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return DistillguardCli.usage(spec.commandLine());
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the verdicts in force to a JSON Lines file (one CaseVerdict a line).")
    static final class Export implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "JSON Lines file to write.")
        Path out;

        @Option(names = "--config", description = "Service configuration (cluster, topic names); DISTILLGUARD_* override it.")
        Path configFile;

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = ServiceConfig.forCluster("verdicts export", configFile, System.getenv(), Map.of());
            Map<String, CaseVerdict> latest = read(config);
            try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                for (CaseVerdict verdict : latest.values()) {
                    writer.write(ContractJson.line(verdict));
                    writer.newLine();
                }
            }
            System.out.printf("Wrote %d verdicts in force from %s to %s%n", latest.size(),
                    config.detection().verdictsTopic(), out);
            return 0;
        }
    }

    /**
     * The alerts an analyst confirmed: those whose subject ({@code SUBJECT_TYPE:id}) a CONFIRMED verdict lists. What
     * {@code intel export --verdicts} shares with partners, so that only decided campaigns leave the lab.
     */
    public static List<io.distillguard.avro.DistillationAlert> confirmedOnly(
            List<io.distillguard.avro.DistillationAlert> alerts, java.util.Collection<CaseVerdict> verdicts) {
        java.util.Set<String> confirmed = new java.util.HashSet<>();
        verdicts.stream().filter(v -> v.getVerdict() == io.distillguard.avro.VerdictKind.CONFIRMED)
                .forEach(v -> confirmed.addAll(v.getSubjects()));
        return alerts.stream().filter(a -> confirmed.contains(a.getSubjectType().name() + ":" + a.getSubjectId()))
                .toList();
    }

    /** Reads a {@code verdicts export} file; a line that is not a CaseVerdict is an input error naming it. */
    public static List<CaseVerdict> readFile(Path file) throws java.io.IOException {
        List<CaseVerdict> verdicts = new java.util.ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                try {
                    verdicts.add(ContractJson.read(lines.get(i), CaseVerdict.class));
                } catch (RuntimeException e) {
                    throw new io.distillguard.service.cli.InputError(file + " line " + (i + 1)
                            + ": not a CaseVerdict (a verdicts export line): " + e.getMessage());
                }
            }
        }
        return verdicts;
    }

    /** The latest verdict of every case on the topic, in the order cases were first decided. */
    static Map<String, CaseVerdict> read(ServiceConfig config) {
        Properties props = new Properties();
        config.kafkaProperties().forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k.toString())) {
                props.put(k, v);
            }
        });
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, CaseVerdict> latest = new LinkedHashMap<>();
        String topic = config.detection().verdictsTopic();
        try (KafkaConsumer<String, CaseVerdict> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                SpecificAvroSerde.forValues(CaseVerdict.class, config.serdeConfig()).deserializer())) {
            io.distillguard.service.TopicToEnd.read(consumer, topic, r -> {
                if (r.value() == null) {
                    latest.remove(r.key());
                } else {
                    latest.put(r.key(), r.value());
                }
            });
        }
        return latest;
    }
}
