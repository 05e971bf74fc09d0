package io.distillguard.benchmarks;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.offline.OfflineTopologyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same traffic as {@link TopologyThroughputBenchmark}, through the offline backtest's pipelined runner: one op
 * is one request handed to it. Its stages are joined by bounded queues, so in the steady state ops/s is the rate of
 * its slowest stage (the caller's thread waits when the next stage is full): events/s of the backtest without file
 * reading, on this machine's cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OfflineRunnerBenchmark {

    private static final int DISTINCT_EVENTS = 100_000;

    private OfflineTopologyRunner runner;
    private final AtomicLong alerts = new AtomicLong();
    private BenchTraffic.Replay traffic;

    @Setup(Level.Trial)
    public void setUp() {
        traffic = new BenchTraffic.Replay(DISTINCT_EVENTS, Instant.now().minus(Duration.ofDays(2)).toEpochMilli());
        runner = new OfflineTopologyRunner(DetectionConfig.defaultConfig(), null, new OfflineTopologyRunner.Output() {
            @Override
            public void alert(DistillationAlert alert) {
                alerts.incrementAndGet();
            }

            @Override
            public void deadLetter(RequestEvent event, Headers headers) {
            }
        });
    }

    @Benchmark
    public void processOneEvent() {
        // Reused, as in the test-driver benchmark: past the runner's first stage only projections travel on.
        runner.process(traffic.next());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runner.finish();
        runner.close();
    }
}
