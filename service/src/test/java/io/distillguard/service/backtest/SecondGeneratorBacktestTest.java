package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backtest on a day of traffic from the second generator ({@code benchmarks/independent}), which shares no code
 * with the simulator: its files are read whole under the event contract, its campaigns are named, and the new
 * developers who each send the SDK quickstart's example first are not.
 */
class SecondGeneratorBacktestTest {

    private static final Path GENERATOR = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .resolve("../benchmarks/independent/generate_traffic.py").normalize();
    /** A row of the labelled report: kind, scenario, accounts, accounts named. */
    private static final Pattern ROW = Pattern.compile("^(attack|benign)\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s",
            Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void shouldReadTheSecondGeneratorsTrafficWholeNameItsBulkAccountsAndLeaveTheQuickstartsNewDevelopersAlone()
            throws IOException, InterruptedException {
        Path events = dir.resolve("traffic.jsonl");
        Path labels = dir.resolve("labels.csv");
        Process generator = new ProcessBuilder("python3", GENERATOR.toString(), "--out", events.toString(),
                "--labels", labels.toString(), "--seed", "5", "--days", "1", "--scale", "0.3")
                .redirectErrorStream(true).redirectOutput(dir.resolve("generator.log").toFile()).start();
        assertThat(generator.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(generator.exitValue()).as(Files.readString(dir.resolve("generator.log"))).isZero();

        Path alerts = dir.resolve("alerts.jsonl");
        String out = CliRun.printed("backtest", "--events", events.toString(), "--labels", labels.toString(),
                "--alerts-out", alerts.toString());

        assertThat(out).contains(" 0 rejected");
        assertThat(Files.size(Path.of(alerts + ".rejects.jsonl"))).isZero();
        Matcher m = ROW.matcher(out);
        int rows = 0;
        while (m.find()) {
            rows++;
            int accounts = Integer.parseInt(m.group(3));
            int named = Integer.parseInt(m.group(4));
            switch (m.group(2)) {
                case "bulk" -> assertThat(named).as(out).isEqualTo(accounts).isEqualTo(4);
                // About three an hour send the example: a day's group of them is over every fan-in threshold.
                case "new_signup" -> {
                    assertThat(accounts).isGreaterThan(40);
                    assertThat(named).as(out).isZero();
                }
                case "ordinary" -> assertThat(named).as(out).isZero();
                default -> {
                }
            }
        }
        assertThat(rows).as(out).isEqualTo(15);
    }
}
