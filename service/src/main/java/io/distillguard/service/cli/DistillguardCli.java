package io.distillguard.service.cli;

import io.distillguard.service.backtest.BacktestCommand;
import io.distillguard.service.bench.BenchCommand;
import io.distillguard.service.demo.DemoCommand;
import io.distillguard.service.simulate.SimulateCommand;
import io.distillguard.service.replay.ReplayCommand;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code distillguard} launcher's entry point: one command with subcommands. */
@Command(name = "distillguard", mixinStandardHelpOptions = true, version = "distillguard 0.1.0",
        description = "Detects distillation attacks on a model API from its request stream.",
        subcommands = {RunCommand.class, DemoCommand.class, ReplayCommand.class, BacktestCommand.class, SimulateCommand.class,
            io.distillguard.service.backtest.QualityCommand.class, RulesCommand.class,
            BenchCommand.class, io.distillguard.service.intel.IntelCommand.class})
public final class DistillguardCli implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling, as {@link #main} runs it. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new DistillguardCli());
        // Configuration mistakes and paths that cannot be read or written (an output's directory missing, a file
        // without permission) are the user's to fix: say what is wrong, without a stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                commandLine.getErr().println("Configuration error: " + e.getMessage());
                return 2;
            }
            FileSystemException file = e instanceof FileSystemException f ? f
                    : e instanceof UncheckedIOException u && u.getCause() instanceof FileSystemException f ? f : null;
            if (file != null) {
                commandLine.getErr().println("File error: " + describe(file));
                return 2;
            }
            throw e;
        });
        return cli;
    }

    private static String describe(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return e.getFile() + ": no such file or directory (an output's directory must exist)";
        }
        if (e instanceof AccessDeniedException) {
            return e.getFile() + ": permission denied";
        }
        return e.getMessage();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
