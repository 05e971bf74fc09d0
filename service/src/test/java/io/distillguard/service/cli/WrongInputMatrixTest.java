package io.distillguard.service.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every command against every class of wrong input: a misspelled flag, a missing, empty or garbage file, a bad date,
 * a missing configuration, an unknown configuration key, a number out of range. Each is refused with exit code 2 and
 * one line that names the thing, and never a stack trace. A case that is not refused would start the command's real
 * work, so each runs under a timeout.
 */
class WrongInputMatrixTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void files() throws IOException {
        Files.writeString(dir.resolve("empty.jsonl"), "");
        Files.writeString(dir.resolve("empty.csv"), "");
        Files.writeString(dir.resolve("empty.yaml"), "");
        Files.writeString(dir.resolve("empty.json"), "");
        byte[] garbage = new byte[512];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(dir.resolve("garbage.jsonl"), garbage);
        Files.write(dir.resolve("garbage.csv"), garbage);
        Files.write(dir.resolve("garbage.yaml"), garbage);
        Files.write(dir.resolve("garbage.json"), garbage);
        Files.writeString(dir.resolve("text.csv"), "account_id,label,scenario\nacct-1,attack,bulk\nthis is not a label line\n");
        Files.writeString(dir.resolve("text.jsonl"), "{\"not\": \"an alert\"}\n");
        Files.writeString(dir.resolve("typo.properties"), "bootstrap.servers=127.0.0.1:9\nwindow.grase=10m\n");
        Files.writeString(dir.resolve("range.properties"), "bootstrap.servers=127.0.0.1:9\ntopics.partitions=0\n");
        Files.writeString(dir.resolve("cluster.properties"), "bootstrap.servers=127.0.0.1:9\nschema.registry.url=http://127.0.0.1:9\n");
        Files.writeString(dir.resolve("short-key.properties"), "intel.hmac-key=short\n");
        try (var in = WrongInputMatrixTest.class.getResourceAsStream("/io/distillguard/topology/rules/default-rules.yaml")) {
            Files.write(dir.resolve("rules.yaml"), in.readAllBytes());
        }
    }

    private static String f(String name) {
        return dir.resolve(name).toString();
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        String out = f("out.jsonl");
        // A misspelled flag, on every command.
        for (String[] command : new String[][] {{"run"}, {"demo"}, {"replay"}, {"backtest"}, {"simulate"}, {"quality"},
                {"rules", "validate"}, {"rules", "publish"}, {"bench"}, {"intel", "export"}, {"intel", "import"}}) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--confg");
            args.add("x");
            cases.add(Arguments.of("misspelled flag: " + String.join(" ", command), args, "--confg"));
        }
        // Missing files.
        cases.add(c("missing events file", "nope.jsonl", "backtest", "--events", f("nope.jsonl"), "--alerts-out", out));
        cases.add(c("missing labels file", "nope.csv", "backtest", "--events", f("empty.jsonl"), "--alerts-out", out,
                "--labels", f("nope.csv")));
        cases.add(c("missing rules file", "nope.yaml", "backtest", "--events", f("empty.jsonl"), "--alerts-out", out,
                "--rules", f("nope.yaml")));
        cases.add(c("missing rules file for quality", "nope.yaml", "quality", "--rules", f("nope.yaml")));
        cases.add(c("missing rules file to validate", "nope.yaml", "rules", "validate", f("nope.yaml")));
        cases.add(c("missing rules file to publish", "nope.yaml", "rules", "publish", f("nope.yaml"), "--config",
                f("cluster.properties")));
        cases.add(c("missing configuration file for run", "nope.properties", "run", "--config", f("nope.properties")));
        cases.add(c("missing configuration file for demo", "nope.properties", "demo", "--config", f("nope.properties")));
        cases.add(c("missing configuration file for bench", "nope.properties", "bench", "throughput", "--config",
                f("nope.properties")));
        cases.add(c("missing alerts file", "nope.jsonl", "intel", "export", "--alerts", f("nope.jsonl"), "--out", f("b.json")));
        cases.add(c("missing bundle", "nope.json", "intel", "import", "--file", f("nope.json"), "--config",
                f("cluster.properties")));
        // Empty files.
        cases.add(c("empty events file", "empty.jsonl", "backtest", "--events", f("empty.jsonl"), "--alerts-out", out));
        cases.add(c("empty labels file", "empty.csv", "backtest", "--events", f("text.jsonl"), "--alerts-out", out,
                "--labels", f("empty.csv")));
        cases.add(c("empty rules file", "empty.yaml", "rules", "validate", f("empty.yaml")));
        cases.add(c("empty bundle", "empty.json", "intel", "import", "--file", f("empty.json"), "--config",
                f("cluster.properties")));
        // Garbage files.
        cases.add(c("garbage events file", "garbage.jsonl", "backtest", "--events", f("garbage.jsonl"), "--alerts-out", out));
        cases.add(c("garbage labels file", "garbage.csv", "backtest", "--events", f("text.jsonl"), "--alerts-out", out,
                "--labels", f("garbage.csv")));
        cases.add(c("a bad line in a labels file", "line 3", "backtest", "--events", f("text.jsonl"), "--alerts-out", out,
                "--labels", f("text.csv")));
        cases.add(c("garbage rules file", "garbage.yaml", "rules", "validate", f("garbage.yaml")));
        cases.add(c("garbage alerts file", "garbage.jsonl", "intel", "export", "--alerts", f("garbage.jsonl"), "--out",
                f("b.json")));
        cases.add(c("a line that is no alert", "text.jsonl", "intel", "export", "--alerts", f("text.jsonl"), "--out",
                f("b.json")));
        cases.add(c("garbage bundle", "garbage.json", "intel", "import", "--file", f("garbage.json"), "--config",
                f("cluster.properties")));
        cases.add(c("garbage configuration file", "garbage", "run", "--config", f("garbage.yaml")));
        // Bad dates: the message shows the accepted form.
        cases.add(c("bad date for simulate", "2026-11-01T00:00:00Z", "simulate", "--out", out, "--start", "yesterday"));
        cases.add(c("bad date for replay", "2026-11-01T00:00:00Z", "replay", "--topic", "t", "--from", "1 Nov",
                "--to", "2026-11-02", "--alerts-out", out, "--config", f("cluster.properties")));
        cases.add(c("bad date for intel export", "2026-11-01T00:00:00Z", "intel", "export", "--since", "never",
                "--out", f("b.json")));
        cases.add(c("bad date for rules publish", "2026-11-01T00:00:00Z", "rules", "publish", f("rules.yaml"),
                "--effective-from", "soon", "--config", f("cluster.properties")));
        // Commands that need a cluster, without a configuration.
        cases.add(c("rules publish without --config", "--config", "rules", "publish", f("rules.yaml")));
        cases.add(c("replay without --config", "--config", "replay", "--topic", "t", "--from", "2026-11-01",
                "--to", "2026-11-02", "--alerts-out", out));
        cases.add(c("simulate --topic without --config", "--config", "simulate", "--topic", "t",
                "--benign-accounts", "100"));
        cases.add(c("intel import without --config", "--config", "intel", "import", "--file", f("garbage.json")));
        cases.add(c("intel export --since without --config", "--config", "intel", "export", "--since", "2026-11-01",
                "--out", f("b.json")));
        // Configuration keys nobody reads, and values out of range.
        cases.add(c("unknown key for run", "window.grase", "run", "--config", f("typo.properties")));
        cases.add(c("unknown key for backtest", "window.grase", "backtest", "--events", f("text.jsonl"), "--alerts-out",
                out, "--config", f("typo.properties")));
        cases.add(c("unknown key for demo", "window.grase", "demo", "--config", f("typo.properties")));
        cases.add(c("a configuration number out of range", "topics.partitions", "run", "--config", f("range.properties")));
        cases.add(c("an HMAC key too short", "intel.hmac-key", "intel", "export", "--alerts", f("empty.jsonl"),
                "--out", f("b.json"), "--config", f("short-key.properties")));
        // Numbers out of range, by name.
        cases.add(c("negative accounts", "--accounts", "bench", "memory", "--accounts", "-1"));
        cases.add(c("no runs", "--runs", "bench", "throughput", "--runs", "0"));
        cases.add(c("no partitions", "--partitions", "bench", "throughput", "--partitions", "0"));
        cases.add(c("an unknown bench mode", "thruput", "bench", "thruput"));
        cases.add(c("a skew over one", "--skew", "bench", "outage", "--skew", "2"));
        cases.add(c("zero days to simulate", "--days", "simulate", "--out", out, "--days", "0"));
        cases.add(c("zero days of quality", "--days", "quality", "--days", "0"));
        cases.add(c("a negative demo rate", "--rate", "demo", "--rate", "-5"));
        cases.add(c("a demo of no time", "--duration", "demo", "--duration", "0s"));
        cases.add(c("a backwards replay range", "--from", "replay", "--topic", "t", "--from", "2026-11-02",
                "--to", "2026-11-01", "--alerts-out", out, "--config", f("cluster.properties")));
        cases.add(c("a replay id that cannot name topics", "--id", "replay", "--topic", "t", "--from", "2026-11-01",
                "--to", "2026-11-02", "--alerts-out", out, "--id", "my replay", "--config", f("cluster.properties")));
        cases.add(c("a negative takeover wait", "--takeover-after", "replay", "--topic", "t", "--from", "2026-11-01",
                "--to", "2026-11-02", "--alerts-out", out, "--takeover-after", "-5s", "--config",
                f("cluster.properties")));
        cases.add(c("a negative attack scale", "--attack-scale", "simulate", "--out", out, "--attack-scale", "-1"));
        cases.add(c("k of zero", "--min-accounts", "intel", "export", "--alerts", f("empty.jsonl"), "--out",
                f("b.json"), "--min-accounts", "0"));
        return cases.stream();
    }

    private static Arguments c(String name, String named, String... args) {
        return Arguments.of(name, List.of(args), named);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedInOneLineWithExitCodeTwo(String name, List<String> args, String named) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            CommandLine cli = DistillguardCli.commandLine(false);
            cli.setErr(new PrintWriter(err, true));
            cli.setOut(new PrintWriter(out, true));
            return cli.execute(args.toArray(String[]::new));
        });
        String printed = err.toString().strip();
        assertThat(code).as("exit code; printed: %s", printed).isEqualTo(2);
        assertThat(printed.lines()).as("one line on stderr").hasSize(1);
        assertThat(printed).contains(named).doesNotContain("at io.").doesNotContain("at java.")
                .doesNotContain("Exception");
        assertThat(out.toString()).as("nothing on stdout").isEmpty();
    }

    @org.junit.jupiter.api.Test
    void aClusterThatDoesNotAnswerIsOneLineWithExitCodeOne() throws IOException {
        Path config = dir.resolve("silent.properties");
        Files.writeString(config, "bootstrap.servers=127.0.0.1:9\nschema.registry.url=http://127.0.0.1:9\n"
                + "default.api.timeout.ms=4000\nrequest.timeout.ms=2000\n");
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            CommandLine cli = DistillguardCli.commandLine(false);
            cli.setErr(new PrintWriter(err, true));
            cli.setOut(new PrintWriter(out, true));
            return cli.execute("rules", "publish", f("rules.yaml"), "--config", config.toString());
        });
        String printed = err.toString().strip();
        assertThat(code).as("exit code; printed: %s", printed).isEqualTo(1);
        assertThat(printed.lines()).hasSize(1);
        assertThat(printed).startsWith("Failed: ").contains("--verbose").doesNotContain("at io.", "at java.");
    }

    @ParameterizedTest(name = "distillguard {0}")
    @MethodSource("bare")
    void aCommandWithoutItsSubcommandPrintsUsageAndExitsTwo(String command) {
        StringWriter err = new StringWriter();
        CommandLine cli = DistillguardCli.commandLine(false);
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        int code = command.isEmpty() ? cli.execute() : cli.execute(command);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("Usage:");
    }

    static Stream<String> bare() {
        return Stream.of("", "rules", "intel");
    }
}
