package io.distillguard.service.replay;

import io.distillguard.serdes.json.ContractJson;
import io.distillguard.service.cli.DurationConverter;
import io.distillguard.service.cli.InputError;
import io.distillguard.service.config.ServiceConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillguard replay}: part of a requests topic through the live topology, without touching the live service. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay events of a topic with event_time in [--from, --to) through the detection topology "
                + "under an application id of its own; stops by itself at the end of the range.")
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--topic", required = true, description = "Topic of RequestEvents to replay.")
    String topic;

    @Option(names = "--from", required = true, description = "Start of the event-time range, inclusive (ISO-8601).")
    Instant from;

    @Option(names = "--to", required = true, description = "End of the event-time range, exclusive (ISO-8601).")
    Instant to;

    @Option(names = "--alerts-topic", description = "Topic for the alerts (created if missing).")
    String alertsTopic;

    @Option(names = "--alerts-out", description = "Write the alerts as JSON Lines to this file instead of a topic.")
    Path alertsOut;

    @Option(names = "--rules", description = "Rules YAML for this replay (default: the service's rules.file, or the "
            + "bundled rules). Versions published to the rules topic still apply from their effective time.")
    Path rules;

    @Option(names = "--config", description = "Service configuration (cluster, registry); DISTILLGUARD_* override it.")
    Path configFile;

    @Option(names = "--id", description = "Application id of the replay: instances given the same id (and the same "
            + "--topic, --from and --to) share its partitions; the first plans it, writes the alerts and removes the "
            + "internals (if it stops before the end, one of the others does, see --takeover-after). Default: a new "
            + "id, a replay of its own.")
    String applicationId;

    @Option(names = "--takeover-after", defaultValue = "60s", converter = DurationConverter.class,
            description = "With --id: once every instance has left the replay, how long one that joined it waits for "
                    + "the planning instance to claim the end before it writes the alerts and removes the internals "
                    + "itself. Default: ${DEFAULT-VALUE}.")
    Duration takeoverAfter;

    @Option(names = "--keep-state", description = "Keep the replay's internal topics, consumer group and local state.")
    boolean keepState;

    @Option(names = "--timeout", defaultValue = "6h", converter = DurationConverter.class,
            description = "Give up after this long. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (!from.isBefore(to)) {
            throw new InputError("--from (" + from + ") must be before --to (" + to + ")");
        }
        if (takeoverAfter.isNegative()) {
            throw new InputError("--takeover-after must not be negative: " + takeoverAfter);
        }
        if (applicationId != null && !applicationId.matches("[a-zA-Z0-9._-]{1,200}")) {
            throw new InputError("--id must be letters, digits, '.', '_' or '-' (it names the replay's topics and group): "
                    + applicationId);
        }
        if ((alertsTopic == null) == (alertsOut == null)) {
            throw new InputError("Give exactly one of --alerts-topic and --alerts-out");
        }
        Map<String, String> overrides = new HashMap<>();
        if (rules != null) {
            overrides.put(io.distillguard.topology.DetectionConfig.RULES_FILE, rules.toString());
        }
        ServiceConfig config = ServiceConfig.forCluster("replay", configFile, System.getenv(), overrides);
        TopicReplay.Result result;
        // Opened at the first alert: an instance that joins another's replay writes none, and must not truncate the
        // file the first instance may be writing on the same machine.
        BufferedWriter[] file = new BufferedWriter[1];
        try {
            result = new TopicReplay(config, System.out).run(
                    new TopicReplay.Request(topic, from, to, alertsTopic, keepState, timeout, applicationId,
                            takeoverAfter), alert -> {
                        if (alertsOut != null) {
                            try {
                                if (file[0] == null) {
                                    file[0] = Files.newBufferedWriter(alertsOut, StandardCharsets.UTF_8);
                                }
                                file[0].write(ContractJson.line(alert));
                                file[0].write('\n');
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                    });
            if (alertsOut != null && file[0] == null && (!result.joined() || result.tookOver())) {
                Files.write(alertsOut, new byte[0]);
            }
        } catch (TopicReplay.ReplayException e) {
            System.err.println(e.getMessage());
            return 1;
        } finally {
            if (file[0] != null) {
                file[0].close();
            }
        }
        if (result.joined() && !result.tookOver()) {
            System.out.printf("Replay %s: this instance's share (%,d records) done in %s; the instance that started "
                    + "the replay writes its alerts%n", result.applicationId(), result.recordsHere(), result.elapsed());
            return 0;
        }
        System.out.printf("Replay %s: %,d records in range (%,d taken in by this instance), %,d alerts (-> %s) in %s%n",
                result.applicationId(), result.recordsInRange(), result.recordsHere(), result.alerts(),
                alertsOut != null ? alertsOut : alertsTopic, result.elapsed());
        result.alertsBySeverity().forEach((k, v) -> System.out.printf("  %8d  %s%n", v, k));
        return 0;
    }
}
