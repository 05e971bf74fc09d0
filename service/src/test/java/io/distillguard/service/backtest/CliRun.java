package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.service.cli.DistillguardCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** A command of the CLI run in the test's JVM: what it printed, the test failed when it exits non-zero. */
final class CliRun {

    private CliRun() {
    }

    static String printed(String... args) {
        PrintStream before = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new DistillguardCli()).execute(args)).isZero();
        } finally {
            System.setOut(before);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
