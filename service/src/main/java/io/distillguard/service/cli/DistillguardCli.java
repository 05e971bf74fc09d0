package io.distillguard.service.cli;

import io.distillguard.service.backtest.BacktestCommand;
import io.distillguard.service.bench.BenchCommand;
import io.distillguard.service.demo.DemoCommand;
import io.distillguard.service.simulate.SimulateCommand;
import io.distillguard.service.replay.ReplayCommand;
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
        CommandLine cli = new CommandLine(new DistillguardCli());
        // Configuration mistakes are the user's to fix: say what is wrong, without a stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                commandLine.getErr().println("Configuration error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
