package io.distillguard.service.backtest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.service.cli.InputError;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillguard backtest}: the live topology over event files, offline, with an optional quality report. */
@Command(name = "backtest", mixinStandardHelpOptions = true,
        description = "Run the detection topology over event files (JSON Lines, gzip or not, or Avro container files) "
                + "without a broker; write the alerts as JSON Lines; with --labels, report quality.")
public final class BacktestCommand implements Callable<Integer> {

    @Option(names = "--events", required = true, arity = "1..*", description = "Event files, read in the order given.")
    List<Path> eventFiles;

    @Option(names = "--alerts-out", required = true, description = "Where to write the alerts (JSON Lines).")
    Path alertsOut;

    @Option(names = "--rules", description = "Rules YAML to run (default: the bundled rules).")
    Path rules;

    @Option(names = "--config", description = "Properties file of service settings (topic names, grace, validation).")
    Path configFile;

    @Option(names = "--labels", description = "CSV account_id,label,scenario (label attack or benign).")
    Path labels;

    @Option(names = "--verdicts", description = "Analysts' verdicts as labels (a `verdicts export` file): confirmed "
            + "cases' accounts are attacks, dismissed ones benign. Instead of --labels.")
    Path verdicts;

    @Option(names = "--report", description = "With --labels: write a self-contained HTML report here.")
    Path report;

    /** The offline storage choices, by the names users type. */
    enum State {
        IN_MEMORY(DistillguardTopology.StateStorage.OFFLINE_IN_MEMORY),
        ROCKSDB(DistillguardTopology.StateStorage.OFFLINE_ROCKSDB);

        final DistillguardTopology.StateStorage storage;

        State(DistillguardTopology.StateStorage storage) {
            this.storage = storage;
        }
    }

    @Option(names = "--state", defaultValue = "IN_MEMORY",
            description = "Where window state lives: IN_MEMORY (fast) or ROCKSDB (on disk, for active state larger "
                    + "than memory; slower). Default: ${DEFAULT-VALUE}.")
    State state;

    @Option(names = "--rejects", description = "Where rejected lines go (default: <alerts-out>.rejects.jsonl).")
    Path rejectsOut;

    @Override
    public Integer call() throws Exception {
        DetectionConfig config = ServiceConfig.load(configFile, System.getenv(), rules == null ? Map.of()
                : Map.of(DetectionConfig.RULES_FILE, rules.toString())).detection();
        if (labels != null && verdicts != null) {
            throw new InputError("--labels and --verdicts are two sources of labels: give one");
        }
        if (report != null && labels == null && verdicts == null) {
            throw new InputError("--report needs --labels or --verdicts");
        }
        Map<String, LabelledReport.Label> known = labels != null ? LabelledReport.readLabels(labels)
                : verdicts != null ? LabelledReport.readVerdicts(verdicts) : null;
        LabelledReport quality = known != null ? new LabelledReport(known) : null;
        // With labels, the benign accounts' own shares too: what the rules' population shares stand for.
        PopulationShares benignPopulation = new PopulationShares();
        Path rejectsPath = rejectsOut != null ? rejectsOut
                : alertsOut.resolveSibling(alertsOut.getFileName() + ".rejects.jsonl");
        OfflineBacktest.Result result;
        PopulationShares population = new PopulationShares();
        try (EventFiles events = EventFiles.open(eventFiles);
             BufferedWriter alerts = Files.newBufferedWriter(alertsOut, StandardCharsets.UTF_8);
             BufferedWriter rejects = Files.newBufferedWriter(rejectsPath, StandardCharsets.UTF_8);
             ProgressBar progress = progressBar(events.totalBytes())) {
            result = new OfflineBacktest(config, state.storage).run(events, new OfflineBacktest.Listener() {
                private final long started = System.nanoTime();

                @Override
                public void onEvent(RequestEvent event) {
                    population.add(event);
                    if (quality != null) {
                        quality.onEvent(event);
                        LabelledReport.Label label = known.get(event.getAccountId());
                        if (label != null && !label.attack()) {
                            benignPopulation.add(event);
                        }
                    }
                }

                @Override
                public void onAlert(DistillationAlert alert) {
                    write(alerts, ContractJson.line(alert));
                    if (quality != null) {
                        quality.onAlert(alert);
                    }
                }

                @Override
                public void onRejected(EventFiles.Entry entry) {
                    ObjectNode line = JsonNodeFactory.instance.objectNode();
                    line.put("file", entry.file().toString());
                    line.put("line", entry.line());
                    line.put("reason", entry.rejectReason());
                    if (entry.raw() != null) {
                        line.put("raw", entry.raw().length() > 2000 ? entry.raw().substring(0, 2000) : entry.raw());
                    }
                    write(rejects, line.toString());
                }

                @Override
                public void onProgress(long eventsRead, long bytesRead) {
                    double seconds = (System.nanoTime() - started) / 1e9;
                    progress.stepTo(bytesRead);
                    progress.setExtraMessage(String.format(" %,d events, %,.0f events/s", eventsRead,
                            seconds > 0 ? eventsRead / seconds : 0));
                }
            });
        }
        if (result.read() > 0 && result.rejected() == result.read()) {
            throw new InputError("No line of " + eventFiles + " is a request event (JSON Lines of RequestEvent, as "
                    + "simulate --out writes); the reasons are in " + rejectsPath);
        }
        System.out.printf("Backtest: %,d lines read, %,d rejected (-> %s), %,d dead-lettered, %,d window updates "
                        + "dropped as later than the grace period (a request updates several windows), %,d alerts "
                        + "(-> %s) in %.1f s, %,.0f events/s%n",
                result.read(), result.rejected(), rejectsPath, result.deadLettered(), result.lateDropped(),
                result.alerts(), alertsOut, result.elapsedNanos() / 1e9, result.eventsPerSecond());
        result.alertsByDetectorAndSeverity().forEach((k, v) -> System.out.printf("  %8d  %s%n", v, k));
        result.deadLetterReasons().forEach((k, v) -> System.out.printf("  %8d  dead letter: %s%n", v, k));
        System.out.println(population.describe());
        if (quality != null) {
            System.out.println(benignPopulation.describe("the benign accounts'"));
        }
        if (quality != null) {
            String mismatch = quality.labelMismatch();
            if (mismatch != null) {
                System.err.println("WARNING: " + mismatch);
            }
            System.out.println();
            System.out.print(quality.table());
            if (report != null) {
                quality.writeHtml(report, eventFiles + (labels != null ? " with labels " + labels
                        : " with analysts' verdicts " + verdicts), config.ruleVersion(), null);
                System.out.println("Report: " + report.toAbsolutePath());
            }
        }
        return 0;
    }

    /** A redrawn bar on a terminal; nothing into a pipe or a file, where its control codes would be noise. */
    private static ProgressBar progressBar(long totalBytes) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName("backtest").setInitialMax(totalBytes)
                .setUnit(" MiB", 1 << 20);
        if (System.console() == null) {
            builder.setConsumer(new DelegatingProgressBarConsumer(line -> { })).setUpdateIntervalMillis(60_000);
        }
        return builder.build();
    }

    private static void write(Writer out, String line) {
        try {
            out.write(line);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write output: " + e.getMessage(), e);
        }
    }
}
