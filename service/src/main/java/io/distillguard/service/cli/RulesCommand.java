package io.distillguard.service.cli;

import io.distillguard.service.config.ServiceConfig;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.rules.DetectionRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distillguard rules}: check a rules file, or publish it to the rules topic for running services. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Validate or publish detection rules.",
        subcommands = {RulesCommand.Validate.class, RulesCommand.Publish.class})
public final class RulesCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return DistillguardCli.usage(spec.commandLine());
    }

    @Command(name = "validate", mixinStandardHelpOptions = true, description = "Parse and check a rules YAML file.")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            DetectionRules rules = DetectionRules.load(file);
            System.out.printf("%s: version %s is valid%n", file, rules.version());
            return 0;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Validate a rules YAML file and publish it to the compacted rules topic, keyed by its version. "
                    + "Running services apply it to requests with an event time from --effective-from on.")
    static final class Publish implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Option(names = "--effective-from", description = "ISO-8601 instant; overrides the file's effective-from.")
        Instant effectiveFrom;

        @Option(names = "--config", description = "Service configuration (cluster, topic names); DISTILLGUARD_* override it.")
        Path configFile;

        @Override
        public Integer call() throws Exception {
            String yaml = Files.readString(file, StandardCharsets.UTF_8);
            if (effectiveFrom != null) {
                yaml = yaml.replaceAll("(?m)^effective-from:.*\\n?", "") + "\neffective-from: \"" + effectiveFrom + "\"\n";
            }
            DetectionRules rules;
            try {
                rules = DetectionRules.parse(yaml);
            } catch (DetectionRules.InvalidRulesException e) {
                throw new InputError(file + ": " + e.getMessage());
            }
            ServiceConfig config = ServiceConfig.forCluster("rules publish", configFile, System.getenv(), Map.of());
            DetectionConfig detection = config.detection();
            io.distillguard.service.DistillguardService.createRulesTopic(config.kafkaProperties(), config);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config.producerProperties(), new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>(detection.rulesTopic(), rules.version(), yaml))
                        .get(30, TimeUnit.SECONDS);
            }
            System.out.printf("Published rules version %s to %s, effective from %s%n", rules.version(),
                    detection.rulesTopic(), rules.effectiveFrom() == null ? "the start of time" : rules.effectiveFrom());
            return 0;
        }
    }

}
