package io.distillguard.service.cli;

import io.distillguard.service.backtest.BacktestCommand;
import io.distillguard.service.bench.BenchCommand;
import io.distillguard.service.demo.DemoCommand;
import io.distillguard.service.simulate.SimulateCommand;
import io.distillguard.service.replay.ReplayCommand;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code distillguard} launcher's entry point: one command with subcommands, and one rule for failure on all of
 * them. A mistake in the usage, the configuration or an input file is one line that names it, exit code 2; a failure
 * at run time (a cluster that does not answer) is one line with its cause, exit code 1; a stack trace only with
 * {@code --verbose}.
 */
@Command(name = "distillguard", mixinStandardHelpOptions = true, versionProvider = io.distillguard.service.BuildVersion.class,
        description = "Detects distillation attacks on a model API from its request stream.",
        subcommands = {RunCommand.class, DemoCommand.class, ReplayCommand.class, BacktestCommand.class, SimulateCommand.class,
            io.distillguard.service.backtest.QualityCommand.class, RulesCommand.class,
            BenchCommand.class, io.distillguard.service.intel.IntelCommand.class,
            io.distillguard.service.console.VerdictsCommand.class})
public final class DistillguardCli implements Callable<Integer> {

    public static final int USAGE = 2;
    public static final int FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // Declared so that every command accepts it; the handlers are built before parsing, so main reads it from args.
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "On failure, print the stack trace too.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine(Arrays.asList(args).contains("--verbose")).execute(args));
    }

    /** The command line with its error handling, as {@link #main} runs it. */
    public static CommandLine commandLine(boolean verbose) {
        CommandLine cli = new CommandLine(new DistillguardCli());
        cli.registerConverter(Instant.class, new InstantConverter());
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            String message = oneLine(e.getMessage());
            // A misspelled option is the mistake to name, not the required option it was meant to be.
            String unknown = e instanceof CommandLine.UnmatchedArgumentException ? null : unknownOption(command, args);
            if (unknown != null) {
                e = new CommandLine.UnmatchedArgumentException(command, java.util.List.of(unknown));
                message = "Unknown option: '" + unknown + "'";
            }
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                message += " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)";
            }
            command.getErr().println(message + "; see: " + command.getCommandSpec().qualifiedName() + " --help");
            if (verbose) {
                e.printStackTrace(command.getErr());
            }
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            PrintWriter err = command.getErr();
            int code = USAGE;
            FileSystemException file = fileProblem(e);
            if (e instanceof InputError || e instanceof IllegalArgumentException
                    || e instanceof io.distillguard.topology.rules.DetectionRules.InvalidRulesException) {
                err.println(oneLine(e.getMessage()));
            } else if (e instanceof ConfigException) {
                err.println("Configuration error: " + oneLine(e.getMessage()));
            } else if (file != null) {
                err.println("File error: " + describe(file));
            } else {
                code = FAILURE;
                err.println("Failed: " + causes(e) + (verbose ? "" : " (--verbose prints the stack trace)"));
            }
            if (verbose) {
                e.printStackTrace(err);
            }
            return code;
        });
        return cli;
    }

    /** The first argument that looks like an option and is none of the command's, or null. */
    private static String unknownOption(CommandLine command, String[] args) {
        for (String arg : args) {
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (name.startsWith("--") && name.length() > 2 && !command.getCommandSpec().optionsMap().containsKey(name)) {
                return name;
            }
        }
        return null;
    }

    private static FileSystemException fileProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException f) {
                return f;
            }
            if (!(t instanceof UncheckedIOException) && t != e) {
                return null;
            }
        }
        return null;
    }

    /** The messages of an exception and its causes, each once, on one line. */
    static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        String last = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : oneLine(t.getMessage());
            if (last == null || !last.contains(message)) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
            last = message;
        }
        return text.toString();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String describe(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return e.getFile() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return e.getFile() + ": permission denied";
        }
        return oneLine(e.getMessage());
    }

    /** A command that only groups others, run bare: its usage, on stderr, as a usage mistake. */
    public static int usage(CommandLine command) {
        command.usage(command.getErr());
        return USAGE;
    }

    @Override
    public Integer call() {
        return usage(spec.commandLine());
    }
}
