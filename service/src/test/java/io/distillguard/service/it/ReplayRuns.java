package io.distillguard.service.it;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.service.backtest.EventFiles;
import io.distillguard.service.backtest.OfflineBacktest;
import io.distillguard.service.cli.DistillguardCli;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.replay.TopicReplay;
import io.distillguard.topology.DistillguardTopology.StateStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The replay tests' runs: one replay instance, the command line, and the reference they are held to, a backtest of the
 * same events: the (alert_id, severity) pairs compared, and why they differ, in a failure message that has to explain
 * itself (a CI log keeps the message and nothing else).
 */
final class ReplayRuns {

    private static final int SUBJECTS_SHOWN = 4;

    private ReplayRuns() {
    }

    /** One instance of the replay {@code request}, under the service settings {@code settings}. */
    static TopicReplay.Result replay(Map<String, String> settings, TopicReplay.Request request,
                                     List<DistillationAlert> alerts) throws Exception {
        return new TopicReplay(ServiceConfig.load(null, Map.of(), settings), new PrintStream(System.out))
                .run(request, alerts::add);
    }

    /** The service settings as a properties file in {@code dir}, for the command line's {@code --config}. */
    static Path settingsFile(Path dir, Map<String, String> settings) throws IOException {
        Path file = dir.resolve("service.properties");
        Properties values = new Properties();
        values.putAll(settings);
        try (var out = Files.newBufferedWriter(file)) {
            values.store(out, null);
        }
        return file;
    }

    /** The command line, as a user runs it: its exit code. */
    static int cli(String command, List<String> shared, String... more) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(shared);
        args.addAll(List.of(more));
        return DistillguardCli.commandLine(false).execute(args.toArray(String[]::new));
    }

    /** The offline backtest of an event file under the service settings {@code settings}. */
    static List<DistillationAlert> backtest(Map<String, String> settings, Path file) throws Exception {
        List<DistillationAlert> alerts = new ArrayList<>();
        try (EventFiles files = EventFiles.open(List.of(file))) {
            new OfflineBacktest(ServiceConfig.load(null, Map.of(), settings).detection(),
                    StateStorage.OFFLINE_IN_MEMORY).run(files, new OfflineBacktest.Listener() {
                        @Override
                        public void onAlert(DistillationAlert alert) {
                            alerts.add(alert);
                        }
                    });
        }
        return alerts;
    }

    static Set<String> pairs(List<DistillationAlert> alerts) {
        return alerts.stream().map(ReplayRuns::pair).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Each pair found on one side only, and then every alert either side raised for the first few subjects
     * concerned, with its trigger time and evidence: whether the subject's own windows differed (its evidence counts),
     * or only when a cluster's implication reached it.
     */
    static String explain(List<DistillationAlert> replayed, List<DistillationAlert> offline) {
        Set<String> replayPairs = pairs(replayed);
        Set<String> offlinePairs = pairs(offline);
        List<String> out = new ArrayList<>();
        Set<String> subjects = new LinkedHashSet<>();
        offline.stream().filter(a -> !replayPairs.contains(pair(a))).forEach(a -> {
            out.add("backtest only: " + line(a));
            subjects.add(a.getDetector() + " " + a.getSubjectId());
        });
        replayed.stream().filter(a -> !offlinePairs.contains(pair(a))).forEach(a -> {
            out.add("replay only: " + line(a));
            subjects.add(a.getDetector() + " " + a.getSubjectId());
        });
        out.add("alerts by detector and trigger hour, replay " + byHour(replayed) + ", backtest " + byHour(offline));
        subjects.stream().limit(SUBJECTS_SHOWN).forEach(subject -> {
            out.add("every alert of " + subject + " in the replay:");
            of(replayed, subject).forEach(a -> out.add("  " + line(a) + " " + a.getEvidence()));
            out.add("every alert of " + subject + " in the backtest:");
            of(offline, subject).forEach(a -> out.add("  " + line(a) + " " + a.getEvidence()));
        });
        return String.join("\n", out);
    }

    private static List<DistillationAlert> of(List<DistillationAlert> alerts, String subject) {
        return alerts.stream().filter(a -> (a.getDetector() + " " + a.getSubjectId()).equals(subject))
                .sorted(Comparator.comparing(DistillationAlert::getTriggerEventTime)).toList();
    }

    private static String line(DistillationAlert a) {
        return a.getDetector() + " " + a.getSubjectId() + " " + a.getSeverity() + " at " + a.getTriggerEventTime();
    }

    private static TreeMap<String, Long> byHour(List<DistillationAlert> alerts) {
        return alerts.stream().collect(Collectors.groupingBy(a -> a.getDetector() + "@"
                + a.getTriggerEventTime().toString().substring(11, 13), TreeMap::new, Collectors.counting()));
    }

    private static String pair(DistillationAlert a) {
        return a.getAlertId() + "/" + a.getSeverity();
    }

}
