package io.distillguard.service.bench;

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

/** {@code distillguard bench throughput}: the detector's end-to-end throughput against a passthrough on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. 'throughput': preload events, then time a passthrough and the detector over them.")
public final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "What to measure: throughput.")
    String what;

    @Option(names = "--events", defaultValue = "5000000", description = "Events to preload. Default: ${DEFAULT-VALUE}.")
    long events;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the input topic. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--runs", defaultValue = "3", description = "Runs of each application; medians are reported. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--config", description = "Properties file (cluster, registry, Streams settings such as num.stream.threads).")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        if (!"throughput".equals(what)) {
            System.err.println("Unknown benchmark '" + what + "'; available: throughput");
            return 2;
        }
        ServiceConfig configured = ServiceConfig.load(configFile, System.getenv(), Map.of());
        Path stateDir = TempDirectories.create("distillguard-bench-");
        try (LocalInfrastructure local = LocalInfrastructure.startMissing(configured)) {
            ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), local.overrides());
            ThroughputBench bench = new ThroughputBench(config, System.out);
            String topic = bench.preload(events, partitions, 42);
            List<ThroughputBench.Run> passthrough = new ArrayList<>();
            List<ThroughputBench.Run> detector = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                System.out.printf("Run %d of %d%n", i + 1, runs);
                passthrough.add(bench.passthrough(topic, events, stateDir));
                detector.add(bench.detector(topic, events, stateDir));
            }
            double a = ThroughputBench.median(passthrough);
            double b = ThroughputBench.median(detector);
            System.out.println();
            System.out.printf("Machine: %d cores, Java %s, %s; broker %s; %s=%s, %s=%s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                    System.getProperty("os.arch"), local.brokerEmbedded() ? "embedded on this machine" : "configured",
                    StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                    StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
            System.out.printf("%-14s %14s   (median of %d runs, %,d events, %d partitions)%n", "application",
                    "events/s", runs, events, partitions);
            System.out.printf("%-14s %,14.0f%n", "passthrough", a);
            System.out.printf("%-14s %,14.0f%n", "detector", b);
            System.out.printf("ratio detector/passthrough: %.2f%n", b / a);
            return 0;
        } finally {
            TempDirectories.delete(stateDir);
        }
    }
}
