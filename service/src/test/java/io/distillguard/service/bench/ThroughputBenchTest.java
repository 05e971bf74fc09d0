package io.distillguard.service.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throughput table's arithmetic: medians of rates and of CPU per event. */
class ThroughputBenchTest {

    private static ThroughputBench.Run run(long events, long elapsedMs, Long processCpuMs, Long brokerCpuMs) {
        return new ThroughputBench.Run("detector", events, Duration.ofMillis(elapsedMs),
                processCpuMs == null ? null : Duration.ofMillis(processCpuMs),
                brokerCpuMs == null ? null : Duration.ofMillis(brokerCpuMs));
    }

    @Test
    void cpuPerEventIsTheMedianRunsCpuOverItsEvents() {
        List<ThroughputBench.Run> runs = List.of(
                run(1_000_000, 20_000, 30_000L, 9_000L),
                run(1_000_000, 18_000, 24_000L, 8_000L),
                run(2_000_000, 50_000, 70_000L, 20_000L));

        // 30, 24 and 35 us of process CPU an event; 9, 8 and 10 us of the broker's.
        assertThat(ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::processCpu)).isCloseTo(30.0, within(1e-9));
        assertThat(ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::brokerCpu)).isCloseTo(9.0, within(1e-9));
        // 50,000, 55,556 and 40,000 events/s.
        assertThat(ThroughputBench.median(runs)).isCloseTo(50_000.0, within(1e-6));
    }

    @Test
    void anEvenNumberOfRunsTakesTheMeanOfTheMiddleTwo() {
        List<ThroughputBench.Run> runs = List.of(run(1_000, 1_000, 10L, 2L), run(1_000, 1_000, 20L, 4L));

        assertThat(ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::processCpu)).isCloseTo(15.0, within(1e-9));
    }

    @Test
    void cpuIsUnknownWhenAnyRunDoesNotKnowIt() {
        // A broker elsewhere: its CPU is not this machine's to read, and a median of what is known would mislead.
        List<ThroughputBench.Run> runs = List.of(run(1_000, 1_000, 10L, 2L), run(1_000, 1_000, 20L, null));

        assertThat(ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::brokerCpu)).isNaN();
        assertThat(ThroughputBench.medianMicrosPerEvent(runs, ThroughputBench.Run::processCpu)).isCloseTo(15.0, within(1e-9));
    }
}
