package io.distillguard.service.backtest;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.service.simulate.CampaignKnobs;
import io.distillguard.service.simulate.CampaignSimulator;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * The detection envelope: one campaign at a time, its knobs moved across their ranges around
 * {@link CampaignKnobs#nominal()}, each cell simulated beside a benign population of its own (every look-alike of
 * {@code simulate}, including the templated products and a signup cohort) and run through the offline topology.
 * Per cell: the campaign's recall and median and p90 time to detect, and the benign accounts named HIGH or CRITICAL.
 * What it states is what the engine catches of the class, and where it stops.
 */
public final class EnvelopeSweep {

    /** One point of the envelope: a grid and row name, the knobs, and for heatmaps the two coordinates. */
    public record Cell(String grid, String x, String y, CampaignKnobs knobs) {
    }

    /**
     * What one cell measured.
     *
     * @param rankedRecall the campaign's recall when its accounts are ranked by their highest score in any alert
     *                     against the cell's own benign accounts, at each of {@link LabelledReport#BENIGN_RATES}: what
     *                     a cut set anywhere (not only at HIGH) would catch, so that a miss reads as a scoring problem
     *                     (ranked above the look-alikes) or a signal problem (not)
     */
    public record Figures(Cell cell, int accounts, int caught, Duration median, Duration p90, int benign,
                          int benignNamed, String benignNamedScenarios, long events, int missedFew,
                          double[] rankedRecall) {
        public double recall() {
            return accounts == 0 ? 0 : (double) caught / accounts;
        }

        public double benignRate() {
            return benign == 0 ? 0 : (double) benignNamed / benign;
        }
    }

    private final DetectionConfig config;
    /** Every cell's benign population and days; its seed is the sweep's, each cell's is derived from it. */
    private final CampaignSimulator.Settings population;

    /** A sweep beside the population of the settings given (their attack scale is not read: each cell is one). */
    public EnvelopeSweep(DetectionConfig config, CampaignSimulator.Settings population) {
        this.config = config;
        this.population = population;
    }

    public EnvelopeSweep(DetectionConfig config, long seed, int benignAccounts, int days, Instant start,
                         boolean hostedProducts) {
        this(config, new CampaignSimulator.Settings(seed, benignAccounts, days, start, 1.0, hostedProducts));
    }

    /** The cells of the envelope: two heatmaps and the one-knob rows, each around the nominal campaign. */
    public static List<Cell> cells() {
        CampaignKnobs nominal = CampaignKnobs.nominal();
        List<Cell> cells = new ArrayList<>();
        for (int accounts : new int[] {20, 100, 500, 2_000}) {
            for (double perDay : new double[] {3, 10, 50, 500}) {
                cells.add(new Cell("accounts x requests per day", String.valueOf(accounts), fmt(perDay),
                        nominal.with("accounts", accounts).with("requests_per_day", perDay)));
            }
        }
        for (double reasoning : new double[] {0.3, 0.5, 0.7, 1.0}) {
            for (double firstTurns : new double[] {0.5, 0.7, 0.85, 1.0}) {
                cells.add(new Cell("reasoning share x first-turn share", fmt(reasoning), fmt(firstTurns),
                        nominal.with("reasoning_share", reasoning).with("first_turn_share", firstTurns)));
            }
        }
        for (int bits : new int[] {0, 4, 8}) {
            cells.add(new Cell("template bits perturbed", fmt(bits), "", nominal.with("template_bits", bits)));
        }
        cells.add(new Cell("addresses", "1 residential", "", nominal.with("residential_addresses", 1)));
        cells.add(new Cell("addresses", "100 residential", "", nominal.with("residential_addresses", 100)));
        cells.add(new Cell("addresses", "10,000 residential", "", nominal.with("residential_addresses", 10_000)));
        cells.add(new Cell("addresses", "1 hosting provider", "", nominal));
        cells.add(new Cell("addresses", "8 hosting providers", "", nominal.with("hosting_providers", 8)));
        for (int age : new int[] {0, 30, 365}) {
            cells.add(new Cell("account age days", fmt(age), "", nominal.with("age_days", age)));
        }
        // One shared trait at a time, fresh prompts otherwise: what ties the campaign together is only that trait.
        // Residential proxies, fresh prompts and a card each share nothing; each row adds back one trait.
        CampaignKnobs fresh = nominal.with("templates", 0).with("residential_addresses", 10_000);
        cells.add(new Cell("the one shared trait", "content: 5 templates (residential)", "", fresh.with("templates", 5)));
        cells.add(new Cell("the one shared trait", "content: 5 templates (hosting)", "", nominal));
        cells.add(new Cell("the one shared trait", "payment: 5 accounts a card", "", fresh.with("accounts_per_card", 5)));
        cells.add(new Cell("the one shared trait", "infrastructure: 4 hosting /24s", "",
                fresh.with("hosting_prefixes", 4)));
        cells.add(new Cell("the one shared trait", "signup: created within 1 h", "",
                fresh.with("signup_spread_hours", 1)));
        cells.add(new Cell("the one shared trait", "none", "", fresh));
        // The same campaign with nothing shared, its harvests wrapped in three-turn conversations (first turns 0.4)
        // behind a proxy that rotates per request: what ROTATION alone has to find, by reasoning share and rate.
        CampaignKnobs wrapped = fresh.with("first_turn_share", 0.4);
        for (double reasoning : new double[] {0.3, 0.45, 0.8}) {
            for (double perDay : new double[] {10, 30, 100}) {
                cells.add(new Cell("rotating, shares nothing: reasoning share x requests per day", fmt(reasoning),
                        fmt(perDay), wrapped.with("reasoning_share", reasoning).with("requests_per_day", perDay)));
            }
        }
        // Public benchmark prompts, exactly as the evaluation harnesses beside it send them (a distiller's cheapest
        // prompt set): the benign side's harnesses share these groups, so the row tests them as much as the campaign.
        // Last, so that every cell before it keeps its seed.
        cells.add(new Cell("the one shared trait", "content: public benchmark prompts (hosting)", "",
                nominal.with("public_prompts", 1)));
        // Templates as text with a slot of words filled per request, fingerprinted from the text: what the bit flips
        // above stand for (TemplateBandRecall). The nominal campaign otherwise (hosting /24s, a card each), then the
        // template alone behind a proxy rotating per request. After every other cell, which keep their seeds.
        for (int words : new int[] {20, 50, 100}) {
            cells.add(new Cell("text templates, fixed words and a 3-word slot", fmt(words), "",
                    nominal.with("template_words", words)));
        }
        cells.add(new Cell("the one shared trait", "content: 5 text templates of 100 words (residential)", "",
                fresh.with("templates", 5).with("template_words", 100)));
        // Where the word bands stop: a short instruction, and a slot as long as half of it; then fresh questions, each
        // behind one of five fixed preambles of 40 words (a harvest of new prompts under one long instruction, which
        // a popular product's system prompt looks like too). Appended, as above.
        cells.add(new Cell("text templates, fixed words and a 3-word slot", "10", "",
                nominal.with("template_words", 10)));
        cells.add(new Cell("text templates, 20 fixed words and a 10-word slot", "20", "",
                nominal.with("template_words", 20).with("slot_words", 10)));
        cells.add(new Cell("a fixed preamble before fresh questions", "40 words", "",
                nominal.with("preamble_words", 40)));
        // Reasoning on under a third of the requests, under every reasoning threshold: the harvest shows in its long
        // answers to short prompts (eight in ten here), and they count only beside a trait a hosted product's users do
        // not share (HarvestShape.Bounds.longAnswersOnly). The nominal campaign, then the traits that do corroborate,
        // then the same without long answers. Appended, as above.
        CampaignKnobs light = nominal.with("reasoning_share", 0.3).with("long_answer_share", 0.8);
        cells.add(new Cell("reasoning 0.3, long answers 0.8", "5 templates (hosting)", "", light));
        CampaignKnobs fresh7 = light.with("age_days", 0).with("signup_spread_hours", 24 * 7);
        cells.add(new Cell("reasoning 0.3, long answers 0.8", "accounts opened in the week before", "", fresh7));
        cells.add(new Cell("reasoning 0.3, long answers 0.8", "payment: 5 accounts a card", "",
                light.with("templates", 0).with("residential_addresses", 10_000).with("accounts_per_card", 5)));
        cells.add(new Cell("reasoning 0.3, long answers 0.8", "infrastructure: 4 hosting /24s", "",
                light.with("templates", 0).with("hosting_prefixes", 4)));
        cells.add(new Cell("reasoning 0.3, no long answers", "accounts opened in the week before", "",
                fresh7.with("long_answer_share", 0)));
        // One cloud's address space and nothing else, each request from another of its /24s (a data-centre proxy
        // pool, or the shared egress a product's serverless functions leave from): a block counts towards a campaign
        // only once its accounts come back to it or its few requests are shaped beyond chance (group.block-min-returns).
        // Appended, as above.
        for (int prefixes : new int[] {64, 256, 1_024}) {
            cells.add(new Cell("one cloud's pool, another /24 at each request", fmt(prefixes) + " /24s", "",
                    fresh.with("hosting_prefixes", prefixes).with("hosting_rotating", 1)));
        }
        // Held out: traits of the simulator's campaigns that no rule was written against, changed as an operator who
        // knew them would (browsers' user agents and every capability, half the traffic ordinary conversations, a
        // cloud off the hosting list), on the campaigns each could hurt. Chosen before their first run, not tuned on.
        // Appended, as above.
        int browsers = CampaignKnobs.Disguise.BROWSER_CLIENTS.ordinal();
        int cover = CampaignKnobs.Disguise.COVER_TRAFFIC.ordinal();
        int unlisted = CampaignKnobs.Disguise.UNLISTED_HOST.ordinal();
        String held = "held out: disguised";
        cells.add(new Cell(held, "browsers, every capability: 5 templates (hosting)", "",
                nominal.with("disguise", browsers)));
        cells.add(new Cell(held, "browsers, every capability: signup: created within 1 h", "",
                fresh.with("signup_spread_hours", 1).with("disguise", browsers)));
        cells.add(new Cell(held, "half cover traffic: 5 templates (hosting)", "", nominal.with("disguise", cover)));
        cells.add(new Cell(held, "half cover traffic: 5 templates (residential)", "",
                fresh.with("templates", 5).with("disguise", cover)));
        cells.add(new Cell(held, "half cover traffic: payment: 5 accounts a card", "",
                fresh.with("accounts_per_card", 5).with("disguise", cover)));
        cells.add(new Cell(held, "an unlisted cloud: 5 templates (hosting)", "", nominal.with("disguise", unlisted)));
        cells.add(new Cell(held, "an unlisted cloud: infrastructure: 4 hosting /24s", "",
                fresh.with("hosting_prefixes", 4).with("disguise", unlisted)));
        // A card shared by fewer accounts than the payment link's fan-in (a family's or a small team's card is shared
        // by as few): what ties the campaign together is a card between two or three of its accounts. Appended.
        for (int perCard : new int[] {2, 3}) {
            cells.add(new Cell("the one shared trait", "payment: " + perCard + " accounts a card", "",
                    fresh.with("accounts_per_card", perCard)));
        }
        // Templates from one cloud's address space, each request from another of 1,024 of its /24s (a data-centre
        // proxy pool), asking for reasoning or harvesting long answers: a campaign spread over one provider's space
        // sharing a handful of templates; and the harvest of long answers from rented machines at three requests a
        // day, where each template gets a request from an account every other day. Appended.
        cells.add(new Cell("templates on one cloud's pool, another /24 at each request", "reasoning 0.8", "",
                nominal.with("hosting_prefixes", 1_024).with("hosting_rotating", 1)));
        cells.add(new Cell("templates on one cloud's pool, another /24 at each request", "reasoning 0.3, long answers 0.8",
                "", light.with("hosting_prefixes", 1_024).with("hosting_rotating", 1)));
        cells.add(new Cell("reasoning 0.3, long answers 0.8", "5 templates (hosting), 3 requests a day", "",
                light.with("requests_per_day", 3)));
        // Held out as the rows above: half of each account's requests single cheap questions, which dilute the
        // shares of a group that holds all of its accounts' traffic (a card, a block, a signup hour) and leave its
        // first turns high, unlike conversations. Chosen before their first run. Appended.
        int questions = CampaignKnobs.Disguise.COVER_QUESTIONS.ordinal();
        cells.add(new Cell(held, "half cover questions: payment: 5 accounts a card", "",
                fresh.with("accounts_per_card", 5).with("disguise", questions)));
        cells.add(new Cell(held, "half cover questions: 5 templates (residential)", "",
                fresh.with("templates", 5).with("disguise", questions)));
        cells.add(new Cell(held, "half cover questions: infrastructure: 4 hosting /24s", "",
                fresh.with("hosting_prefixes", 4).with("disguise", questions)));
        cells.add(new Cell(held, "half cover questions: signup: created within 1 h", "",
                fresh.with("signup_spread_hours", 1).with("disguise", questions)));
        // The conversations' cover on the same two groups, which hold all of their accounts' traffic as a card does.
        cells.add(new Cell(held, "half cover traffic: infrastructure: 4 hosting /24s", "",
                fresh.with("hosting_prefixes", 4).with("disguise", cover)));
        cells.add(new Cell(held, "half cover traffic: signup: created within 1 h", "",
                fresh.with("signup_spread_hours", 1).with("disguise", cover)));
        // Each single trait at three requests an account a day, the slowest pace the envelope's target names: the rows
        // of "the one shared trait" run at the nominal ten, and only the campaign sharing every trait was run at three.
        // Chosen before their first run. Appended.
        String slow = "the one shared trait, 3 requests a day";
        CampaignKnobs fresh3 = fresh.with("requests_per_day", 3);
        cells.add(new Cell(slow, "content: 5 templates (residential)", "", fresh3.with("templates", 5)));
        cells.add(new Cell(slow, "payment: 5 accounts a card", "", fresh3.with("accounts_per_card", 5)));
        cells.add(new Cell(slow, "infrastructure: 4 hosting /24s", "", fresh3.with("hosting_prefixes", 4)));
        cells.add(new Cell(slow, "signup: created within 1 h", "", fresh3.with("signup_spread_hours", 1)));
        cells.add(new Cell(slow, "infrastructure: one cloud's pool of 64 /24s, another at each request", "",
                fresh3.with("hosting_prefixes", 64).with("hosting_rotating", 1)));
        return cells;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    public List<Figures> run(List<Cell> cells, Consumer<Figures> progress) {
        List<Figures> out = new ArrayList<>();
        List<Cell> all = cells();
        for (int i = 0; i < cells.size(); i++) {
            // A cell's seed is its place in the whole sweep, so that a part of the sweep gives the whole one's figures.
            int place = all.indexOf(cells.get(i));
            Figures f = runCell(cells.get(i), population.seed() * 1_000 + (place < 0 ? i : place));
            progress.accept(f);
            out.add(f);
        }
        return out;
    }

    Figures runCell(Cell cell, long cellSeed) {
        CampaignSimulator simulator = new CampaignSimulator(population.withSeed(cellSeed), List.of(cell.knobs()));
        DetectionConfig judged = config.withRules(QualityCommand.withRelease(config.rules(),
                simulator.settings().releaseMs()));
        Map<String, LabelledReport.Label> labels = new HashMap<>();
        simulator.labels().forEach(l -> labels.put(l.accountId(), new LabelledReport.Label(l.attack(), l.scenario())));
        LabelledReport report = new LabelledReport(labels);
        OfflineBacktest.Result result = new OfflineBacktest(judged, DistillguardTopology.StateStorage.OFFLINE_IN_MEMORY)
                .run(simulator, new OfflineBacktest.Listener() {
                    @Override
                    public void onEvent(RequestEvent event) {
                        report.onEvent(event);
                    }

                    @Override
                    public void onAlert(DistillationAlert alert) {
                        report.onAlert(alert);
                    }
                });
        int accounts = 0;
        int caught = 0;
        int missedFew = 0;
        Duration median = null;
        Duration p90 = null;
        int benign = 0;
        int benignNamed = 0;
        Map<String, Integer> named = new LinkedHashMap<>();
        for (LabelledReport.ScenarioFigures f : report.scenarios()) {
            if (f.attack()) {
                accounts += f.accounts();
                caught += f.implicated();
                missedFew += f.missedFew();
                median = f.medianTimeToDetect();
                p90 = f.percentile(0.9);
            } else {
                benign += f.accounts();
                benignNamed += f.implicated();
                if (f.implicated() > 0) {
                    named.put(f.scenario(), f.implicated());
                }
            }
        }
        double[] ranked = report.recallAtBenignRates().values().stream().findFirst()
                .orElse(new double[LabelledReport.BENIGN_RATES.length]);
        return new Figures(cell, accounts, caught, median, p90, benign, benignNamed, named.toString(), result.read(),
                missedFew, ranked);
    }

    /** The Markdown table of every cell. */
    public static String table(List<Figures> figures) {
        StringBuilder out = new StringBuilder("| grid | x | y | recall | missed with <= " + LabelledReport.FEW_REQUESTS
                + " requests | median TTD | p90 TTD | benign named | benign scenarios named | ranked: recall at "
                + rates() + " benign |\n|---|---|---|---:|---:|---:|---:|---:|---|---:|\n");
        for (Figures f : figures) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f %% (%d/%d) | %d of %d | %s | %s | %d of %,d (%.3f %%) | %s | %s |%n",
                    f.cell().grid(), f.cell().x(), f.cell().y(), 100 * f.recall(), f.caught(), f.accounts(),
                    f.missedFew(), f.accounts() - f.caught(),
                    LabelledReport.format(f.median()), LabelledReport.format(f.p90()), f.benignNamed(), f.benign(),
                    100 * f.benignRate(), f.benignNamed() == 0 ? "" : f.benignNamedScenarios(),
                    ranked(f.rankedRecall())));
        }
        return out.toString();
    }

    /** The benign rates the ranking is read at, as the table's heading says them: "0.05 % / 0.1 % / 1 %". */
    static String rates() {
        return java.util.Arrays.stream(LabelledReport.BENIGN_RATES)
                .mapToObj(r -> java.math.BigDecimal.valueOf(r).movePointRight(2).stripTrailingZeros().toPlainString() + " %")
                .collect(java.util.stream.Collectors.joining(" / "));
    }

    /** Recall at each benign rate, "96.5 / 99.0 / 100.0". */
    static String ranked(double[] recall) {
        return java.util.Arrays.stream(recall).mapToObj(r -> String.format(Locale.ROOT, "%.1f", 100 * r))
                .collect(java.util.stream.Collectors.joining(" / "));
    }

    /** A self-contained HTML page: a recall heatmap per two-knob grid and the table. */
    public static void writeHtml(Path file, List<Figures> figures, String heading) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html><html><head><meta charset="utf-8"><title>Distillguard detection envelope</title>
                <style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}
                td,th{border:1px solid #ccc;padding:4px 8px}th{background:#eee}img{max-width:100%;margin:1em 0}</style>
                </head><body><h1>Distillguard detection envelope</h1>
                """);
        html.append("<p>").append(escape(heading)).append("</p>\n");
        Map<String, List<Figures>> grids = new LinkedHashMap<>();
        for (Figures f : figures) {
            if (!f.cell().y().isEmpty()) {
                grids.computeIfAbsent(f.cell().grid(), g -> new ArrayList<>()).add(f);
            }
        }
        grids.forEach((grid, cells) -> html.append(heatmap(grid, cells)));
        html.append("<h2>Every cell</h2><pre>").append(escape(table(figures))).append("</pre></body></html>\n");
        try {
            Files.writeString(file, html.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String heatmap(String grid, List<Figures> cells) {
        List<String> xs = new ArrayList<>();
        List<String> ys = new ArrayList<>();
        for (Figures f : cells) {
            if (!xs.contains(f.cell().x())) {
                xs.add(f.cell().x());
            }
            if (!ys.contains(f.cell().y())) {
                ys.add(f.cell().y());
            }
        }
        String[] axes = grid.split(" x ");
        HeatMapChart chart = new HeatMapChartBuilder().width(700).height(450).title("Recall (%): " + grid)
                .xAxisTitle(axes[0]).yAxisTitle(axes.length > 1 ? axes[1] : "").build();
        chart.getStyler().setShowValue(true).setMin(0).setMax(100);
        List<Number[]> heat = new ArrayList<>();
        for (Figures f : cells) {
            heat.add(new Number[] {xs.indexOf(f.cell().x()), ys.indexOf(f.cell().y()), Math.round(100 * f.recall())});
        }
        chart.addSeries("recall", xs, ys, heat);
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            return "<h2>" + escape(grid) + "</h2><img alt=\"recall heatmap " + escape(grid)
                    + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\">\n";
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot render heatmap " + grid, e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
