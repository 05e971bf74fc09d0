package io.distillguard.service.bench;

import io.distillguard.topology.DetectionConfig;

import io.distillguard.service.cli.InputError;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.TempDirectories;
import io.distillguard.service.embedded.LocalInfrastructure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code distillguard bench throughput}: the detector's end-to-end throughput against a passthrough on this machine;
 * {@code distillguard bench memory}: the detector's memory with N active accounts under the RocksDB cap.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks.",
            "'throughput': preload events, then time a passthrough, a reference DSL topology (what a user would write first) and the detector over them.",
            "'memory': RSS, heap, RocksDB memory and disk with N active accounts under the RocksDB memory cap.",
            "'soak': the service at a fixed rate for --minutes, with heap, RSS, RocksDB memory and lag every minute.",
            "'latency': event-to-alert latency (produce to visible, read_committed) at fixed rates: p50, p99, max.",
            "'offline': the offline backtest over a simulated day of traffic written to a JSON Lines file.",
            "'scaling': the detector with 1, 2 and 4 stream threads and on 2 instances.",
            "'outage': --outage-events over --outage-minutes pile up while the service is down, --skew of the accounts on one partition; then the service catches up: time, late drops, alert pairs against an uninterrupted run.",
            "'replay': the outage's backlog caught up live, then replayed with one instance and with two sharing one replay id: events/s of each, the ratio to the live catch-up, and the alert pairs against an uninterrupted run.",
            "'all': each of the above in turn (memory at 100,000 accounts), then one table of medians."})
public final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODE",
            description = "What to measure: throughput, memory, soak, latency, offline, scaling, outage, replay or all.")
    String what;

    @Option(names = "--accounts", defaultValue = "1000000", description = "memory: active accounts. Default: ${DEFAULT-VALUE}.")
    long accounts;

    @Option(names = "--events-per-account", defaultValue = "2", description = "memory: requests per account. Default: ${DEFAULT-VALUE}.")
    int eventsPerAccount;

    @Option(names = "--minutes", defaultValue = "10", description = "soak: how long. Default: ${DEFAULT-VALUE}.")
    int minutes;

    @Option(names = "--rate", defaultValue = "2000", description = "soak: events per second. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--speedup", defaultValue = "1",
            description = "soak: event time runs this many times faster than the wall clock (ending now). Default: ${DEFAULT-VALUE}.")
    int speedup;

    @Option(names = "--rates", split = ",", defaultValue = "1000,5000,20000",
            description = "latency: input rates, events/s. Default: ${DEFAULT-VALUE}.")
    List<Integer> rates;

    @Option(names = "--seconds", defaultValue = "60", description = "latency: seconds per rate. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--checkpoints", split = ",", defaultValue = "100000,250000,500000,1000000",
            description = "memory: account counts at which memory is read (those above --accounts are left out). Default: ${DEFAULT-VALUE}.")
    List<Long> checkpoints;

    @Option(names = "--events", defaultValue = "5000000", description = "Events to preload. Default: ${DEFAULT-VALUE}.")
    long events;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the input topic. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--runs", defaultValue = "3", description = "Runs of each application; medians are reported. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--benign-accounts", defaultValue = "100000",
            description = "offline: ordinary accounts in the simulated day. Default: ${DEFAULT-VALUE}.")
    int benignAccounts;

    @Option(names = "--scaling-events", defaultValue = "300000",
            description = "scaling, all: events per scaling run. Default: ${DEFAULT-VALUE}.")
    long scalingEvents;

    @Option(names = "--outage-events", defaultValue = "300000",
            description = "outage, replay: requests that pile up while the service is down. Default: ${DEFAULT-VALUE}.")
    long outageEvents;

    @Option(names = "--outage-minutes", defaultValue = "60",
            description = "outage, replay: the event time they span. Default: ${DEFAULT-VALUE}.")
    int outageMinutes;

    @Option(names = "--skew", defaultValue = "0.7",
            description = "outage, replay: share of accounts on partition 0 (the rest spread over the others). Default: ${DEFAULT-VALUE}.")
    double skew;

    @Option(names = "--config", description = "Properties file (cluster, registry, Streams settings such as num.stream.threads).")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        if (!List.of("throughput", "memory", "soak", "latency", "offline", "scaling", "outage", "replay", "all")
                .contains(what)) {
            throw new InputError("Unknown benchmark '" + what
                    + "': one of throughput, memory, soak, latency, offline, scaling, outage, replay, all");
        }
        InputError.atLeast("--accounts", accounts, 1);
        InputError.atLeast("--events-per-account", eventsPerAccount, 1);
        InputError.atLeast("--minutes", minutes, 1);
        InputError.atLeast("--rate", rate, 1);
        InputError.atLeast("--speedup", speedup, 1);
        InputError.atLeast("--seconds", seconds, 1);
        InputError.atLeast("--events", events, 1);
        InputError.atLeast("--partitions", partitions, 1);
        InputError.atLeast("--runs", runs, 1);
        InputError.atLeast("--benign-accounts", benignAccounts, 100);
        InputError.atLeast("--scaling-events", scalingEvents, 1);
        InputError.atLeast("--outage-events", outageEvents, 1);
        InputError.atLeast("--outage-minutes", outageMinutes, 1);
        if (skew < 0 || skew > 1) {
            throw new InputError("--skew must be from 0 to 1, got " + skew);
        }
        for (int r : rates) {
            InputError.atLeast("--rates", r, 1);
        }
        for (long c : checkpoints) {
            InputError.atLeast("--checkpoints", c, 1);
        }
        // The configuration is checked before any broker is started or event generated.
        ServiceConfig.load(configFile, System.getenv(), Map.of());
        return switch (what) {
            case "throughput" -> throughput();
            case "memory" -> memory();
            case "soak" -> soak();
            case "latency" -> latency();
            case "offline" -> offline();
            case "scaling" -> scaling();
            case "outage" -> outage();
            case "replay" -> replay();
            case "all" -> all();
            default -> throw new IllegalStateException(what);
        };
    }

    private int offline() throws Exception {
        Summary summary = new Summary();
        offline(summary);
        summary.print(System.out);
        return 0;
    }

    private void offline(Summary summary) throws Exception {
        DetectionConfig detection = ServiceConfig.load(configFile, System.getenv(), Map.of()).detection();
        Path dir = TempDirectories.createForState("bench-offline-");
        try {
            OfflineBench bench = new OfflineBench(detection, System.out);
            Path file = bench.write(dir, benignAccounts, 1, 42);
            List<ThroughputBench.Run> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                results.add(bench.run(file));
            }
            summary.add("offline backtest (JSON Lines file, pipelined driver)", results, "events/s", null,
                    ">= 100,000 events/s");
        } finally {
            TempDirectories.delete(dir);
        }
    }

    private int outage() throws Exception {
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path stateDir = TempDirectories.createForState("bench-outage-");
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), local.overrides());
            OutageBench.Result result = new OutageBench(config, System.out).run(outageEvents,
                    java.time.Duration.ofMinutes(outageMinutes), partitions, skew, stateDir);
            return result.lateDropped() == 0 && result.missing() == 0 && result.extra() == 0
                    && result.writtenTwice() == 0 ? 0 : 1;
        } finally {
            TempDirectories.delete(stateDir);
        }
    }

    private int replay() throws Exception {
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path stateDir = TempDirectories.createForState("bench-replay-");
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), local.overrides());
            OutageBench bench = new OutageBench(config, System.out);
            bench.run(outageEvents, java.time.Duration.ofMinutes(outageMinutes), partitions, skew, stateDir);
            OutageBench.ReplayResult result = bench.replays();
            return result.oneMissing() + result.oneExtra() + result.twoMissing() + result.twoExtra() == 0 ? 0 : 1;
        } finally {
            TempDirectories.delete(stateDir);
        }
    }

    private int scaling() throws Exception {
        Summary summary = new Summary();
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path stateDir = TempDirectories.createForState("bench-scaling-");
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), local.overrides());
            scaling(new ThroughputBench(config, System.out), summary, stateDir, null);
        } finally {
            TempDirectories.delete(stateDir);
        }
        summary.print(System.out);
        return 0;
    }

    private void scaling(ThroughputBench bench, Summary summary, Path stateDir, Double passthrough) throws Exception {
        String topic = bench.preload(scalingEvents, partitions, 43);
        for (int threads : List.of(1, 2, 4)) {
            summary.add("detector, 1 instance x " + threads + " stream thread(s)",
                    List.of(bench.detector(topic, scalingEvents, stateDir, threads, 1)), "events/s", passthrough, null);
        }
        summary.add("detector, 2 instances x 1 stream thread",
                List.of(bench.detector(topic, scalingEvents, stateDir, 1, 2)), "events/s", passthrough, null);
    }

    /** Every benchmark in turn on one embedded broker, then one table. */
    private int all() throws Exception {
        Summary summary = new Summary();
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path stateDir = TempDirectories.createForState("bench-all-");
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), local.overrides());
            ThroughputBench bench = new ThroughputBench(config, System.out, local::brokerCpuTime);
            Throughput measured = throughputRuns(bench, stateDir);
            double ceiling = ThroughputBench.median(measured.passthrough());
            summary.add("passthrough (decode + write back, same serdes and guarantee)", measured.passthrough(),
                    "events/s", ceiling, null);
            summary.add("reference DSL topology (re-key by account and address, windowed counts, thresholds)",
                    measured.reference(), "events/s", ceiling, null);
            summary.add("detector (full topology)", measured.detector(), "events/s", ceiling,
                    String.format(">= 1.5 x the reference (now %.2f)", ThroughputBench.median(measured.detector())
                            / ThroughputBench.median(measured.reference())));
            scaling(bench, summary, stateDir, ceiling);
            for (int rate : rates) {
                summary.latency(rate, latencyRun(local, stateDir, rate), rate == 5000 ? "p99 <= 500 ms" : null);
            }
        } finally {
            TempDirectories.delete(stateDir);
        }
        offline(summary);
        MemoryBench.Sample memory = memorySample(Math.min(accounts, 100_000));
        summary.memory(memory, Long.parseLong(configured.get(ServiceConfig.ROCKSDB_MEMORY_BYTES)));
        summary.print(System.out);
        return 0;
    }

    private MemoryBench.Sample memorySample(long active) {
        ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), Map.of());
        long cap = Long.parseLong(config.get(ServiceConfig.ROCKSDB_MEMORY_BYTES));
        Path dir = TempDirectories.createForState("bench-memory-");
        try {
            List<MemoryBench.Sample> samples = new MemoryBench(config.detection(), cap, System.out)
                    .run(active, eventsPerAccount, List.of(active), dir);
            return samples.get(samples.size() - 1);
        } finally {
            TempDirectories.delete(dir);
        }
    }

    private record Throughput(List<ThroughputBench.Run> passthrough, List<ThroughputBench.Run> reference,
                              List<ThroughputBench.Run> detector) {
    }

    /**
     * Preloads --events, then runs the passthrough, the reference DSL topology and the detector over them --runs
     * times, in turn, so that a noisy hour weighs on all three alike.
     */
    private Throughput throughputRuns(ThroughputBench bench, Path stateDir) throws Exception {
        String topic = bench.preload(events, partitions, 42);
        Throughput measured = new Throughput(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < runs; i++) {
            System.out.printf("Throughput run %d of %d%n", i + 1, runs);
            measured.passthrough().add(bench.passthrough(topic, events, stateDir));
            measured.reference().add(bench.reference(topic, events, stateDir));
            measured.detector().add(bench.detector(topic, events, stateDir));
        }
        return measured;
    }

    /** The service on its own application id and state at {@code rate} for --seconds, the first 15 s left out. */
    private LatencyBench.Result latencyRun(LocalInfrastructure local, Path stateDir, int rate) throws Exception {
        ServiceConfig config = ServiceConfig.load(configFile, System.getenv(),
                SoakBench.isolated(local.overrides(), stateDir, "latency"));
        System.out.printf("Latency at %,d events/s for %d s (first 15 s left out)...%n", rate, seconds);
        return new LatencyBench(System.out).run(config, rate, java.time.Duration.ofSeconds(seconds),
                java.time.Duration.ofSeconds(15));
    }

    /** The harness's table: one row per figure, the median of its runs, and its ratio to the passthrough. */
    static final class Summary {
        private final List<String[]> rows = new ArrayList<>();

        void add(String figure, List<ThroughputBench.Run> runs, String unit, Double passthrough, String target) {
            double median = ThroughputBench.median(runs);
            String each = String.join(" / ", runs.stream().map(r -> String.format("%,.0f", r.eventsPerSecond())).toList());
            double process = ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::processCpu);
            double broker = ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::brokerCpu);
            String cpu = Double.isNaN(process) ? ""
                    : Double.isNaN(broker) ? String.format(" (CPU %.1f us an event)", process)
                    : String.format(" (CPU %.1f us an event, broker %.1f us)", process, broker);
            rows.add(new String[] {figure, String.format("%,.0f %s", median, unit) + cpu, runs.size() + " (" + each + ")",
                    passthrough == null ? "" : String.format("%.2f", median / passthrough), target == null ? "" : target});
        }

        void latency(int rate, LatencyBench.Result r, String target) {
            rows.add(new String[] {String.format("event-to-alert latency at %,d events/s (sent %,.0f/s, %,d alerts)",
                    rate, r.achievedRate(), r.alerts()),
                    String.format("p50 %,d ms, p99 %,d ms, max %,d ms", r.p50(), r.p99(), r.max()), "1", "",
                    target == null ? "" : target});
        }

        void memory(MemoryBench.Sample s, long cap) {
            rows.add(new String[] {String.format("memory, %,d active accounts", s.accounts()),
                    String.format("RSS %s, heap %s, RocksDB %s (%.0f%% of cap)", MemoryBench.mib(s.rssBytes()),
                            MemoryBench.mib(s.heapBytes()), MemoryBench.mib(s.rocksDbBytes()),
                            100.0 * s.rocksDbBytes() / cap), "1", "", "RocksDB within its cap"});
        }

        void print(java.io.PrintStream out) {
            out.println();
            out.printf("Machine: %d cores, %s MiB max heap, Java %s, %s %s%n", Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"),
                    System.getProperty("os.name"), System.getProperty("os.arch"));
            out.println("| figure | median | runs | / passthrough | target |");
            out.println("|---|---|---|---|---|");
            for (String[] row : rows) {
                out.println("| " + String.join(" | ", row) + " |");
            }
        }
    }

    private int latency() throws Exception {
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path stateDir = TempDirectories.createForState("latency-");
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            List<LatencyBench.Result> results = new ArrayList<>();
            for (int rate : rates) {
                results.add(latencyRun(local, stateDir, rate));
            }
            System.out.println();
            System.out.printf("Machine: %d cores, Java %s; broker %s; %s=%s, commit.interval.ms=%s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                    local.brokerEmbedded() ? "embedded on this machine" : "configured",
                    StreamsConfig.PROCESSING_GUARANTEE_CONFIG, configured.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                    configured.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG) == null ? "100 (exactly-once default)"
                            : configured.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
            System.out.printf("%12s %12s %8s %10s %10s %10s%n", "rate asked", "rate sent", "alerts", "p50 ms", "p99 ms", "max ms");
            for (LatencyBench.Result r : results) {
                System.out.printf("%,12d %,12.0f %,8d %,10d %,10d %,10d%n", r.rate(), r.achievedRate(), r.alerts(),
                        r.p50(), r.p99(), r.max());
            }
            return 0;
        } finally {
            TempDirectories.delete(stateDir);
        }
    }

    private int soak() throws Exception {
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path stateDir = TempDirectories.create("distillguard-soak-");
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            ServiceConfig config = ServiceConfig.load(configFile, System.getenv(),
                    SoakBench.isolated(local.overrides(), stateDir, "soak"));
            System.out.printf("Soak: %d min at %,d events/s, event time x%d; max heap %s, RocksDB cap %s, %s=%s%n",
                    minutes, rate, speedup,
                    MemoryBench.mib(Runtime.getRuntime().maxMemory()),
                    MemoryBench.mib(Long.parseLong(config.get(ServiceConfig.ROCKSDB_MEMORY_BYTES))),
                    StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
            new SoakBench(System.out).run(config, minutes, rate, speedup);
            return 0;
        } finally {
            TempDirectories.delete(stateDir);
        }
    }

    private int memory() {
        ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), Map.of());
        long cap = Long.parseLong(config.get(ServiceConfig.ROCKSDB_MEMORY_BYTES));
        List<Long> at = new ArrayList<>(checkpoints.stream().filter(c -> c < accounts).sorted().toList());
        at.add(accounts);
        Path stateDir = TempDirectories.createForState("bench-memory-");
        try {
            System.out.printf("Feeding %,d accounts x %d requests through the detector (RocksDB cap %s, max heap %s)%n",
                    accounts, eventsPerAccount, MemoryBench.mib(cap), MemoryBench.mib(Runtime.getRuntime().maxMemory()));
            long start = System.nanoTime();
            List<MemoryBench.Sample> samples = new MemoryBench(config.detection(), cap, System.out)
                    .run(accounts, eventsPerAccount, at, stateDir);
            System.out.println();
            System.out.printf("Machine: %d cores, Java %s; RocksDB cap %s; %.0f s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), MemoryBench.mib(cap), (System.nanoTime() - start) / 1e9);
            System.out.printf("%15s %12s %12s %12s %14s %12s%n", "active accounts", "RSS", "heap (GC'd)", "RocksDB",
                    "RocksDB/cap", "disk");
            for (MemoryBench.Sample s : samples) {
                System.out.printf("%,15d %12s %12s %12s %13.0f%% %12s%n", s.accounts(), MemoryBench.mib(s.rssBytes()),
                        MemoryBench.mib(s.heapBytes()), MemoryBench.mib(s.rocksDbBytes()), 100.0 * s.rocksDbBytes() / cap,
                        MemoryBench.mib(s.diskBytes()));
            }
            return 0;
        } finally {
            TempDirectories.delete(stateDir);
        }
    }

    private static void printThroughputRow(String application, double eventsPerSecond, List<ThroughputBench.Run> runs) {
        System.out.printf("%-14s %,14.0f %22.1f %14.1f%n", application, eventsPerSecond,
                ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::processCpu),
                ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::brokerCpu));
    }

    private int throughput() throws Exception {
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path stateDir = TempDirectories.create("distillguard-bench-");
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), local.overrides());
            Throughput measured = throughputRuns(new ThroughputBench(config, System.out, local::brokerCpuTime), stateDir);
            double a = ThroughputBench.median(measured.passthrough());
            double r = ThroughputBench.median(measured.reference());
            double b = ThroughputBench.median(measured.detector());
            System.out.println();
            System.out.printf("Machine: %d cores, Java %s, %s; broker %s; %s=%s, %s=%s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                    System.getProperty("os.arch"), local.brokerEmbedded() ? "embedded on this machine" : "configured",
                    StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                    StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
            // CPU per event beside the rates: on cores the application shares with the broker, the ratio of two rates
            // is about the inverse ratio of what an event costs the machine, process and broker together.
            System.out.printf("%-14s %14s %22s %14s   (medians of %d runs, %,d events, %d partitions)%n",
                    "application", "events/s", "CPU us/event: process", "broker", runs, events, partitions);
            printThroughputRow("passthrough", a, measured.passthrough());
            printThroughputRow("reference DSL", r, measured.reference());
            printThroughputRow("detector", b, measured.detector());
            System.out.printf("ratio detector/passthrough: %.2f; reference/passthrough: %.2f; detector/reference: %.2f"
                    + " (target >= 1.5)%n", b / a, r / a, b / r);
            return 0;
        } finally {
            TempDirectories.delete(stateDir);
        }
    }
}
