package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.service.demo.DemoCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code distillguard demo} as a user runs it: it starts its own broker (the embedded default), and must show
 * alerts of both detectors, dead letters and the summary, then leave no broker process behind.
 */
class DemoIT {

    @Test
    void shouldShowAlertsOfBothDetectorsAndASummaryThenStopItsBroker() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(tee);
            exitCode = new CommandLine(new DemoCommand()).execute("--duration", "25s", "--rate", "400");
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.println(output);

        assertThat(exitCode).isZero();
        assertThat(output).contains("Starting an embedded Apache Kafka broker");
        assertThat(output).containsPattern("ALERT (HIGH|CRITICAL) +ACCOUNT_RISK +ACCOUNT:acct-scraper-");
        assertThat(output).containsPattern("ALERT (HIGH|CRITICAL) +ACCOUNT_CLUSTER +ACCOUNT_CLUSTER:");
        assertThat(output).containsPattern("ALERT (HIGH|CRITICAL) +ACCOUNT_RISK +ACCOUNT:acct-hydra-");
        // Benign accounts may appear in a LOW or MEDIUM observation (a shared prefix), never in HIGH or CRITICAL.
        assertThat(output.lines().filter(l -> l.startsWith("ALERT HIGH") || l.startsWith("ALERT CRITICAL")))
                .isNotEmpty()
                .noneMatch(l -> l.contains("acct-user-") || l.contains("acct-student-"));
        assertThat(output).contains("=== Distillguard demo summary ===");
        assertThat(output).containsPattern("Dead-lettered: +[1-9]");
        // A quiet terminal: the service's log (its WARNs included) went to the file the demo named, not here.
        assertThat(output.lines().filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR) .*")))
                .as("log lines on the demo's console").isEmpty();
        java.util.regex.Matcher logLine = java.util.regex.Pattern.compile("The service's log goes to (\\S+)")
                .matcher(output);
        assertThat(logLine.find()).isTrue();
        assertThat(java.nio.file.Path.of(logLine.group(1))).content().contains("Starting distillguard", "RUNNING");
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("BrokerProcessMain")))
                .as("no embedded broker left running").isEmpty();
    }
}
