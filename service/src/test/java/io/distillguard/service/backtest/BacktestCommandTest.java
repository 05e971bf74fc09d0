package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.service.cli.DistillguardCli;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BacktestCommandTest {

    private static final Pattern BASELINE = Pattern.compile(
            "Population baseline of (these|the benign accounts') ([\\d,]+) requests .*population-reasoning-share ([\\d.]+)");

    @TempDir
    Path dir;

    @Test
    void shouldPrintTheBenignAccountsPopulationBaselineBesideTheWholeTrafficsWhenTheAccountsAreLabelled() {
        Path events = dir.resolve("events.jsonl");
        Path labels = dir.resolve("labels.csv");
        assertThat(new CommandLine(new DistillguardCli()).execute("simulate", "--benign-accounts", "300", "--days", "1",
                "--attack-scale", "0.01", "--seed", "3", "--out", events.toString(), "--labels", labels.toString()))
                .isZero();

        String out = CliRun.printed("backtest", "--events", events.toString(), "--labels", labels.toString(),
                "--alerts-out", dir.resolve("alerts.jsonl").toString());

        Matcher m = BASELINE.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        assertThat(m.group(1)).isEqualTo("these");
        long all = Long.parseLong(m.group(2).replace(",", ""));
        double allReasoning = Double.parseDouble(m.group(3));
        assertThat(m.find()).as(out).isTrue();
        assertThat(m.group(1)).isEqualTo("the benign accounts'");
        // The campaigns' requests are in the first line only, and they ask for reasoning far more than people do.
        assertThat(Long.parseLong(m.group(2).replace(",", ""))).isPositive().isLessThan(all);
        assertThat(Double.parseDouble(m.group(3))).isLessThan(allReasoning);

        String unlabelled = CliRun.printed("backtest", "--events", events.toString(),
                "--alerts-out", dir.resolve("alerts-2.jsonl").toString());
        assertThat(unlabelled).contains("Population baseline of these").doesNotContain("the benign accounts'");
    }
}
