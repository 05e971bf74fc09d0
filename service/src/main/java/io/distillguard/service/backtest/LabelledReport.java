package io.distillguard.service.backtest;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.service.cli.InputError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Quality of a backtest against labelled accounts ({@code account_id,label,scenario}, label attack or benign):
 * per scenario recall and time-to-detect, benign accounts implicated, alerts per day, and precision and recall
 * across score thresholds; as a text table and as a self-contained HTML page with charts (PNG inlined, no network).
 *
 * <p>An account is implicated when it is named in an alert of severity HIGH or CRITICAL. An alert names at most
 * {@code alert.max-accounts} accounts, so recall through large IP alerts is a lower bound.
 */
public final class LabelledReport implements OfflineBacktest.Listener {

    /** One labelled account. */
    public record Label(boolean attack, String scenario) {
    }

    private record AlertFacts(String detector, Severity severity, double score, long triggerTime, List<String> accounts) {
    }

    /** Figures of one scenario. */
    public record ScenarioFigures(String scenario, boolean attack, int accounts, int implicated,
                                 List<Duration> timesToDetect, int missedFew) {
        public double share() {
            return accounts == 0 ? 0 : (double) implicated / accounts;
        }

        public Duration medianTimeToDetect() {
            return percentile(0.5);
        }

        public Duration percentile(double p) {
            if (timesToDetect.isEmpty()) {
                return null;
            }
            List<Duration> sorted = new ArrayList<>(timesToDetect);
            sorted.sort(null);
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
        }
    }

    private final Map<String, Label> labels;
    /** Per labelled account that sent something: its first event time and how many requests, one lookup an event. */
    private final Map<String, Seen> seen = new HashMap<>();

    private static final class Seen {
        long first = Long.MAX_VALUE;
        int requests;
    }
    private final Map<String, Long> firstImplicatedAt = new HashMap<>();
    private final Map<String, String> firstImplicatedBy = new HashMap<>();
    /** Each account's highest score in any alert that names it, whatever its severity: the ranking. */
    private final Map<String, Double> highestScore = new HashMap<>();
    private final List<AlertFacts> alerts = new ArrayList<>();
    private long minEventTime = Long.MAX_VALUE;
    private long events;
    private long unlabelledEvents;
    private long maxEventTime = Long.MIN_VALUE;

    public LabelledReport(Map<String, Label> labels) {
        this.labels = labels;
    }

    /** Reads a labels CSV: {@code account_id,label,scenario}, an optional header line, label attack or benign. */
    public static Map<String, Label> readLabels(Path file) {
        Map<String, Label> labels = new HashMap<>();
        try {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new InputError(file + ": not a UTF-8 text file, so not a labels CSV (account_id,label,scenario)");
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty() || i == 0 && line.startsWith("account_id")) {
                    continue;
                }
                String[] parts = line.split(",", -1);
                if (parts.length != 3 || !(parts[1].equals("attack") || parts[1].equals("benign"))) {
                    throw new InputError(file + " line " + (i + 1)
                            + ": expected account_id,label,scenario with label attack or benign, got: " + line);
                }
                labels.put(parts[0], new Label(parts[1].equals("attack"), parts[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read labels file " + file + ": " + e.getMessage(), e);
        }
        if (labels.isEmpty()) {
            throw new InputError(file + ": no labels (expected lines of account_id,label,scenario)");
        }
        return labels;
    }

    /**
     * Labels from analysts' verdicts (a {@code verdicts export} file): the accounts of a confirmed case are attacks
     * (scenario {@code confirmed}), those of a dismissed case benign (scenario {@code dismissed_<reason>}); watched
     * cases decide nothing. An account in several cases takes its most recent decision.
     */
    public static Map<String, Label> readVerdicts(Path file) {
        Map<String, Label> labels = new HashMap<>();
        Map<String, Long> decidedAt = new HashMap<>();
        List<io.distillguard.avro.CaseVerdict> verdicts;
        try {
            verdicts = io.distillguard.service.console.VerdictsCommand.readFile(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InputError(file + ": not a UTF-8 text file, so not a verdicts export");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read verdicts file " + file + ": " + e.getMessage(), e);
        }
        for (io.distillguard.avro.CaseVerdict verdict : verdicts) {
            Label label = switch (verdict.getVerdict()) {
                case CONFIRMED -> new Label(true, "confirmed");
                case DISMISSED -> new Label(false, "dismissed_" + (verdict.getReason() == null ? "other"
                        : verdict.getReason().name().toLowerCase(java.util.Locale.ROOT)));
                case WATCHING -> null;
            };
            if (label == null) {
                continue;
            }
            long at = verdict.getDecidedAt().toEpochMilli();
            for (String account : verdict.getAccounts()) {
                if (decidedAt.getOrDefault(account, Long.MIN_VALUE) <= at) {
                    decidedAt.put(account, at);
                    labels.put(account, label);
                }
            }
        }
        if (labels.isEmpty()) {
            throw new InputError(file + ": no confirmed or dismissed case with accounts in it");
        }
        return labels;
    }

    @Override
    public void onEvent(RequestEvent event) {
        long time = event.getEventTime().toEpochMilli();
        minEventTime = Math.min(minEventTime, time);
        maxEventTime = Math.max(maxEventTime, time);
        if (labels.containsKey(event.getAccountId())) {
            Seen account = seen.computeIfAbsent(event.getAccountId(), k -> new Seen());
            account.first = Math.min(account.first, time);
            account.requests++;
        } else {
            unlabelledEvents++;
        }
        events++;
    }

    /**
     * How well the labels fit the events, or null when they do: labels from another simulation, or events from
     * another day, would otherwise give a low recall and no word on why.
     */
    public String labelMismatch() {
        long withoutEvents = labels.size() - seen.size();
        boolean labelsMissEvents = withoutEvents > 0.1 * labels.size();
        boolean eventsMissLabels = unlabelledEvents > 0.1 * events;
        if (!labelsMissEvents && !eventsMissLabels) {
            return null;
        }
        return String.format("The labels do not fit the events: %,d of %,d labelled accounts have no event, and %,d of "
                + "%,d events are of accounts with no label (labels of another simulation, or another range of events?)",
                withoutEvents, labels.size(), unlabelledEvents, events);
    }

    /** Labelled accounts seen in the events, and events of accounts without a label. */
    private String coverage() {
        return String.format("labels: %,d accounts labelled, %,d with no event; %,d of %,d events of unlabelled accounts%n",
                labels.size(), labels.size() - seen.size(), unlabelledEvents, events);
    }

    @Override
    public void onAlert(DistillationAlert alert) {
        long trigger = alert.getTriggerEventTime().toEpochMilli();
        alerts.add(new AlertFacts(alert.getDetector(), alert.getSeverity(), alert.getScore(), trigger,
                List.copyOf(alert.getAccounts())));
        for (String account : alert.getAccounts()) {
            highestScore.merge(account, alert.getScore(), Math::max);
        }
        if (alert.getSeverity().compareTo(Severity.HIGH) >= 0) {
            for (String account : alert.getAccounts()) {
                Long before = firstImplicatedAt.get(account);
                if (before == null || trigger < before) {
                    firstImplicatedAt.put(account, trigger);
                    firstImplicatedBy.put(account, alert.getDetector() + " " + alert.getSeverity());
                }
            }
        }
    }

    /**
     * Each benign account named, with the alert that named it first ("acct-vpn-3 by ACCOUNT_RISK HIGH at ..."), in
     * account order: what a reader of the figures needs to see whether a false positive is one look-alike or many.
     */
    public List<String> benignNamed() {
        List<String> out = new ArrayList<>();
        new TreeMap<>(firstImplicatedAt).forEach((account, at) -> {
            Label label = labels.get(account);
            if (label != null && !label.attack()) {
                out.add(account + " (" + label.scenario() + ") by " + firstImplicatedBy.get(account) + " at "
                        + Instant.ofEpochMilli(at));
            }
        });
        return out;
    }

    /** A missed account with at most this many requests in the whole range is reported apart: little to judge. */
    public static final int FEW_REQUESTS = 2;

    public List<ScenarioFigures> scenarios() {
        return scenarios(firstImplicatedAt);
    }

    /** The same figures for a comparison that implicated accounts at the given times (a rate-limit baseline). */
    public List<ScenarioFigures> scenarios(Map<String, Long> implicatedAt) {
        Map<String, List<String>> accountsByScenario = new TreeMap<>();
        // An account that sent nothing in the range can be neither caught nor wrongly named: it counts in the
        // coverage line, not in a rate (either side's rate would otherwise be diluted by silent accounts).
        labels.forEach((account, label) -> {
            if (seen.containsKey(account)) {
                accountsByScenario.computeIfAbsent((label.attack() ? "attack:" : "benign:") + label.scenario(),
                        k -> new ArrayList<>()).add(account);
            }
        });
        List<ScenarioFigures> figures = new ArrayList<>();
        accountsByScenario.forEach((key, accounts) -> {
            boolean attack = key.startsWith("attack:");
            int implicated = 0;
            int missedFew = 0;
            List<Duration> ttd = new ArrayList<>();
            for (String account : accounts) {
                Long at = implicatedAt.get(account);
                if (at == null && seen.get(account).requests <= FEW_REQUESTS) {
                    missedFew++;
                }
                if (at != null) {
                    implicated++;
                    ttd.add(Duration.ofMillis(Math.max(0, at - seen.get(account).first)));
                }
            }
            figures.add(new ScenarioFigures(key.substring(key.indexOf(':') + 1), attack, accounts.size(), implicated, ttd,
                    missedFew));
        });
        return figures;
    }

    /** Benign rates the ranking is read at: 0.05 %, 0.1 % and 1 % of benign accounts above the cut. */
    public static final double[] BENIGN_RATES = {0.0005, 0.001, 0.01};

    /**
     * Per attack scenario, the share of its accounts ranked above the cut that lets through at most {@code rate} of
     * the benign accounts, each account ranked by its highest score in any alert (0 when never named). Ties at the
     * cut count as below it, so the benign rate is never exceeded.
     *
     * @return scenario -> recall at each of {@link #BENIGN_RATES}
     */
    public Map<String, double[]> recallAtBenignRates() {
        List<Double> benign = new ArrayList<>();
        Map<String, List<Double>> attacks = new TreeMap<>();
        labels.forEach((account, label) -> {
            if (!seen.containsKey(account)) {
                return;
            }
            double score = highestScore.getOrDefault(account, 0.0);
            if (label.attack()) {
                attacks.computeIfAbsent(label.scenario(), k -> new ArrayList<>()).add(score);
            } else {
                benign.add(score);
            }
        });
        benign.sort(java.util.Collections.reverseOrder());
        Map<String, double[]> out = new TreeMap<>();
        attacks.forEach((scenario, scores) -> {
            double[] recall = new double[BENIGN_RATES.length];
            for (int r = 0; r < BENIGN_RATES.length; r++) {
                double cut = cut(benign, BENIGN_RATES[r]);
                recall[r] = scores.stream().filter(s -> s > cut).count() / (double) Math.max(1, scores.size());
            }
            out.put(scenario, recall);
        });
        return out;
    }

    /** The lowest score above which at most {@code rate} of the benign accounts (sorted high to low) lie. */
    static double cut(List<Double> benignHighToLow, double rate) {
        int allowed = (int) Math.floor(rate * benignHighToLow.size());
        if (allowed >= benignHighToLow.size()) {
            return -1;
        }
        return benignHighToLow.get(allowed);
    }

    /** The ranking's table: recall per attack scenario at each fixed benign rate. */
    public String rankingTable() {
        StringBuilder out = new StringBuilder("| scenario | recall at 0.05 % benign | at 0.1 % | at 1 % |\n|---|---:|---:|---:|\n");
        recallAtBenignRates().forEach((scenario, recall) -> out.append(String.format(java.util.Locale.ROOT,
                "| %s | %.1f %% | %.1f %% | %.1f %% |%n", scenario, 100 * recall[0], 100 * recall[1], 100 * recall[2])));
        return out.toString();
    }

    public double alertsPerDay() {
        if (alerts.isEmpty() || maxEventTime <= minEventTime) {
            return alerts.size();
        }
        double days = Math.max(1.0 / 24, (maxEventTime - minEventTime) / 86_400_000.0);
        return alerts.size() / days;
    }

    /** Precision and recall of "named in an alert with score at least t", for t from 0.50 to 0.99. */
    public List<double[]> precisionRecall() {
        long attackTotal = labels.entrySet().stream()
                .filter(e -> e.getValue().attack() && seen.containsKey(e.getKey())).count();
        List<double[]> curve = new ArrayList<>();
        for (int step = 50; step <= 99; step++) {
            double threshold = step / 100.0;
            Set<String> flagged = new TreeSet<>();
            for (AlertFacts alert : alerts) {
                // Counted as the table counts: an account is named by a HIGH or CRITICAL alert.
                if (alert.score() >= threshold && alert.severity().compareTo(Severity.HIGH) >= 0) {
                    flagged.addAll(alert.accounts());
                }
            }
            flagged.retainAll(seen.keySet());
            long tp = flagged.stream().filter(a -> labels.get(a).attack()).count();
            long fp = flagged.stream().filter(a -> !labels.get(a).attack()).count();
            double precision = tp + fp == 0 ? 1.0 : (double) tp / (tp + fp);
            double recall = attackTotal == 0 ? 0 : (double) tp / attackTotal;
            curve.add(new double[] {threshold, precision, recall});
        }
        return curve;
    }

    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-8s %-22s %9s %11s %9s %14s %14s%n", "kind", "scenario", "accounts",
                "implicated", "share", "median TTD", "p90 TTD"));
        for (ScenarioFigures f : scenarios()) {
            out.append(String.format("%-8s %-22s %9d %11d %8.2f%% %14s %14s%n", f.attack() ? "attack" : "benign",
                    f.scenario(), f.accounts(), f.implicated(), 100 * f.share(),
                    f.attack() ? format(f.medianTimeToDetect()) : "", f.attack() ? format(f.percentile(0.9)) : ""));
        }
        out.append(coverage());
        out.append(String.format("alerts: %d, %.1f per day of event time%n", alerts.size(), alertsPerDay()));
        out.append("score threshold -> precision / recall (accounts named in HIGH or CRITICAL alerts at that score): ");
        for (double[] point : precisionRecall()) {
            if (Math.round(point[0] * 100) % 10 == 0) {
                out.append(String.format("%.1f -> %.3f / %.3f  ", point[0], point[1], point[2]));
            }
        }
        return out.append('\n').toString();
    }

    public void writeHtml(Path file) {
        writeHtml(file, "(not given)", "(not given)", null);
    }

    /**
     * The report, self-contained: the run's context (inputs, rules version, event-time range, events, when made),
     * the table, the ranking, and charts. {@code extra}, when given, is a preformatted table shown after the context
     * (quality's targets and rate-limit comparison).
     */
    public void writeHtml(Path file, String inputs, String ruleVersion, String extra) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html><html><head><meta charset="utf-8"><title>Distillguard backtest report</title>
                <style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}
                td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#eee}
                td:nth-child(2){text-align:left}img{max-width:100%;margin:1em 0}</style></head><body>
                <h1>Distillguard backtest report</h1>
                """);
        html.append(String.format("<table><tr><th>inputs</th><td>%s</td></tr><tr><th>rules version</th><td>%s</td></tr>"
                        + "<tr><th>event time</th><td>%s</td></tr><tr><th>events</th><td>%,d</td></tr>"
                        + "<tr><th>labels</th><td>%s</td></tr><tr><th>made</th><td>%s</td></tr></table>%n",
                escape(inputs), escape(ruleVersion), escape(eventTimeSpan()), events, escape(coverage().strip()),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        if (extra != null) {
            html.append("<h2>Against the targets and plain rate limits</h2><pre>").append(escape(extra)).append("</pre>\n");
        }
        html.append("<p>Implicated = named in a HIGH or CRITICAL alert. Time to detect = event time from the "
                + "account's first request to its first such alert.</p>\n<table><tr><th>kind</th><th>scenario</th>"
                + "<th>accounts</th><th>implicated</th><th>share</th><th>median TTD</th><th>p90 TTD</th></tr>\n");
        int benignAccounts = 0;
        int benignImplicated = 0;
        for (ScenarioFigures f : scenarios()) {
            html.append(String.format("<tr><td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%.2f%%</td><td>%s</td>"
                            + "<td>%s</td></tr>%n", f.attack() ? "attack" : "benign", escape(f.scenario()), f.accounts(),
                    f.implicated(), 100 * f.share(), f.attack() ? format(f.medianTimeToDetect()) : "",
                    f.attack() ? format(f.percentile(0.9)) : ""));
            if (!f.attack()) {
                benignAccounts += f.accounts();
                benignImplicated += f.implicated();
            }
        }
        html.append(String.format("<tr><th>benign</th><th>all</th><th>%d</th><th>%d</th><th>%.2f%%</th><th></th>"
                + "<th></th></tr>%n", benignAccounts, benignImplicated,
                benignAccounts == 0 ? 0 : 100.0 * benignImplicated / benignAccounts));
        html.append(String.format("</table><p>%d alerts, %.1f per day of event time.</p>%n", alerts.size(),
                alertsPerDay()));
        html.append("<h2>Ranking: recall at a fixed benign rate</h2><p>Each account ranked by its highest score in any "
                + "alert that names it (LOW and MEDIUM included; 0 when never named); the cut lets through at most the "
                + "given share of benign accounts.</p>\n<table><tr><th>scenario</th><th>at 0.05 %</th><th>at 0.1 %</th>"
                + "<th>at 1 %</th></tr>\n");
        recallAtBenignRates().forEach((scenario, recall) -> html.append(String.format(java.util.Locale.ROOT,
                "<tr><td>%s</td><td>%.1f %%</td><td>%.1f %%</td><td>%.1f %%</td></tr>%n", escape(scenario),
                100 * recall[0], 100 * recall[1], 100 * recall[2])));
        html.append("</table>\n");
        html.append(image("Alerts over time by detector", alertsOverTime()));
        html.append(image("Time to detect (attack accounts)", timeToDetect()));
        html.append(image("Precision and recall across score thresholds (accounts named in HIGH or CRITICAL alerts at "
                + "or above the score, as in the table)", precisionRecallChart()));
        html.append("</body></html>\n");
        try {
            Files.writeString(file, html.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write report " + file + ": " + e.getMessage(), e);
        }
    }

    private XYChart alertsOverTime() {
        XYChart chart = new XYChartBuilder().width(1000).height(350).title("Alerts per hour of event time")
                .xAxisTitle("hours since first event").yAxisTitle("alerts").build();
        Map<String, TreeMap<Long, Integer>> byDetector = new TreeMap<>();
        long origin = minEventTime == Long.MAX_VALUE ? 0 : minEventTime;
        for (AlertFacts alert : alerts) {
            byDetector.computeIfAbsent(alert.detector(), d -> new TreeMap<>())
                    .merge((alert.triggerTime() - origin) / 3_600_000L, 1, Integer::sum);
        }
        if (byDetector.isEmpty()) {
            chart.addSeries("none", new double[] {0}, new double[] {0});
        }
        byDetector.forEach((detector, hours) -> {
            double[] x = hours.keySet().stream().mapToDouble(Long::doubleValue).toArray();
            double[] y = hours.values().stream().mapToDouble(Integer::doubleValue).toArray();
            java.awt.Color colour = detectorColour(detector);
            org.knowm.xchart.XYSeries series = chart.addSeries(detector, x, y);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setLineColor(colour);
            series.setMarkerColor(colour);
        });
        return chart;
    }

    private CategoryChart timeToDetect() {
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(350).title("Time to detect")
                .xAxisTitle("minutes").yAxisTitle("attack accounts").build();
        String[] buckets = {"<1", "1-5", "5-15", "15-30", "30-60", "60-180", "180-360", ">360"};
        long[] bounds = {1, 5, 15, 30, 60, 180, 360, Long.MAX_VALUE};
        Map<String, List<Integer>> series = new TreeMap<>();
        for (ScenarioFigures f : scenarios()) {
            if (!f.attack()) {
                continue;
            }
            int[] counts = new int[buckets.length];
            for (Duration d : f.timesToDetect()) {
                long minutes = d.toMinutes();
                for (int i = 0; i < bounds.length; i++) {
                    if (minutes < bounds[i]) {
                        counts[i]++;
                        break;
                    }
                }
            }
            List<Integer> values = new ArrayList<>();
            for (int c : counts) {
                values.add(c);
            }
            series.put(f.scenario(), values);
        }
        if (series.isEmpty()) {
            series.put("none", java.util.Collections.nCopies(buckets.length, 0));
        }
        series.forEach((name, values) -> chart.addSeries(name, List.of(buckets), values));
        return chart;
    }

    private XYChart precisionRecallChart() {
        XYChart chart = new XYChartBuilder().width(1000).height(350).title("Precision and recall by score threshold")
                .xAxisTitle("score threshold").yAxisTitle("precision, recall (0 to 1)").build();
        List<double[]> curve = precisionRecall();
        double[] x = curve.stream().mapToDouble(p -> p[0]).toArray();
        chart.addSeries("precision", x, curve.stream().mapToDouble(p -> p[1]).toArray());
        chart.addSeries("recall", x, curve.stream().mapToDouble(p -> p[2]).toArray());
        return chart;
    }

    /** Detectors' colours, the same in every report: from the name, not from the order the series were added in. */
    private static final java.awt.Color[] PALETTE = {new java.awt.Color(0x1f77b4), new java.awt.Color(0xff7f0e),
        new java.awt.Color(0x2ca02c), new java.awt.Color(0xd62728), new java.awt.Color(0x9467bd),
        new java.awt.Color(0x8c564b), new java.awt.Color(0xe377c2), new java.awt.Color(0x7f7f7f),
        new java.awt.Color(0xbcbd22), new java.awt.Color(0x17becf), new java.awt.Color(0x393b79),
        new java.awt.Color(0x637939)};
    private static final List<String> DETECTORS = List.of("ACCOUNT_RISK", "ACCOUNT_CLUSTER", "IP_FAN_IN",
            "PREFIX_FAN_IN", "PROMPT_CLUSTER", "ORG_RISK", "API_KEY_RISK", "MODEL_PIVOT", "CAMPAIGN", "THREAT_INTEL");

    static java.awt.Color detectorColour(String detector) {
        int known = DETECTORS.indexOf(detector);
        return PALETTE[known >= 0 ? known : Math.floorMod(detector.hashCode(), PALETTE.length)];
    }

    private static String image(String alt, Chart<?, ?> chart) {
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            return "<h2>" + escape(alt) + "</h2><img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(png) + "\">\n";
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot render chart " + alt, e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String format(Duration d) {
        if (d == null) {
            return "-";
        }
        long s = d.toSeconds();
        return s < 3600 ? String.format("%dm%02ds", s / 60, s % 60) : String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /** Earliest and latest event time seen, for the summary. */
    public String eventTimeSpan() {
        return minEventTime == Long.MAX_VALUE ? "no events"
                : Instant.ofEpochMilli(minEventTime) + " .. " + Instant.ofEpochMilli(maxEventTime);
    }
}
