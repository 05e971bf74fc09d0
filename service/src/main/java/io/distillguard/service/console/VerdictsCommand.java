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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
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
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), r.value());
                    }
                });
            }
        }
        return latest;
    }
}
