package io.distillguard.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DistillguardCliTest {

    @TempDir
    Path dir;

    @Test
    void theVersionNamesTheProjectVersionAndTheCommitOfTheBuild() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = DistillguardCli.commandLine(false);
        cli.setOut(new PrintWriter(out, true));

        int code = cli.execute("--version");

        assertThat(code).isZero();
        // This checkout is a Git repository: the build recorded its commit, the one HEAD names (with or without
        // uncommitted changes on top).
        Process git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").redirectErrorStream(true).start();
        String head = new String(git.getInputStream().readAllBytes()).strip();
        assertThat(git.waitFor()).isZero();
        assertThat(out.toString().strip()).matches("distillguard \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{7,}.*\\)")
                .contains("commit " + head);
    }

    @Test
    void anOutputInAMissingDirectoryIsAnErrorMessageAndExitCodeNotAStackTrace() {
        StringWriter err = new StringWriter();
        CommandLine cli = DistillguardCli.commandLine(false);
        cli.setErr(new PrintWriter(err, true));
        Path out = dir.resolve("no-such-dir").resolve("events.jsonl");

        int code = cli.execute("simulate", "--out", out.toString(), "--benign-accounts", "100", "--days", "1");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("File error: " + out + ": no such file or directory")
                .doesNotContain("\tat ");
    }

    @Test
    void anOptionTheSimulatorRefusesIsAUsageErrorNotAStackTrace() {
        StringWriter err = new StringWriter();
        CommandLine cli = DistillguardCli.commandLine(false);
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("simulate", "--out", dir.resolve("events.jsonl").toString(), "--benign-accounts", "10");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("at least 100 benign accounts, got 10").doesNotContain("\tat ");
        assertThat(dir.resolve("events.jsonl")).doesNotExist();
    }
}
