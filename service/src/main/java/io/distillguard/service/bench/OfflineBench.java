package io.distillguard.service.bench;

import io.distillguard.service.backtest.EventFiles;
import io.distillguard.service.backtest.OfflineBacktest;
import io.distillguard.service.simulate.CampaignSimulator;
import io.distillguard.service.simulate.SimulateCommand;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The offline backtest's speed, as a user runs it: simulated traffic (ordinary accounts and every attack campaign)
 * written once to a JSON Lines file, then {@code distillguard backtest}'s path over it (reading and parsing lines
 * included), timed from the first line to the last alert.
 */
public final class OfflineBench {

    private final DetectionConfig config;
    private final PrintStream out;

    public OfflineBench(DetectionConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** Writes a day of simulated traffic of {@code benignAccounts} ordinary accounts; returns the file. */
    public Path write(Path dir, int benignAccounts, int days, long seed) throws IOException {
        Path file = dir.resolve("offline-bench.jsonl");
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(seed, benignAccounts, days,
                Instant.now().minus(Duration.ofDays(days + 1L)).truncatedTo(ChronoUnit.DAYS), 1.0));
        long written = SimulateCommand.writeJsonLines(simulator, file);
        out.printf("Wrote %,d simulated events (%,d ordinary accounts, %d day(s), seed %d) to %s%n", written,
                benignAccounts, days, seed, file);
        return file;
    }

    /** One backtest over the file, on the default (pipelined) offline driver. */
    public ThroughputBench.Run run(Path file) {
        try (EventFiles events = EventFiles.open(List.of(file))) {
            OfflineBacktest.Result result = new OfflineBacktest(config, DistillguardTopology.StateStorage.OFFLINE_IN_MEMORY)
                    .run(events, new OfflineBacktest.Listener() { });
            ThroughputBench.Run run = new ThroughputBench.Run("offline", result.read(),
                    Duration.ofNanos(result.elapsedNanos()));
            out.printf("  %-16s %,10.0f events/s (%,d events, %,d alerts, %s)%n", "offline backtest",
                    run.eventsPerSecond(), result.read(), result.alerts(), run.elapsed());
            return run;
        }
    }
}
