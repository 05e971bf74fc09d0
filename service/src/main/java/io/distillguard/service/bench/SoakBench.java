package io.distillguard.service.bench;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.GroupProgress;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.demo.TrafficGenerator;
import io.distillguard.service.state.BoundedMemoryRocksDBConfig;
import io.distillguard.topology.DetectionConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The service under a steady load for a while: a producer sends the demo's mix at a fixed rate, stamped with the
 * wall clock as gateways do, and once a minute the bench reads the service's heap (used, and after the JVM's own
 * latest collection), the process's RSS, the RocksDB cache's usage and the consumer lag of the requests topic, then
 * forces a full collection and reads the heap again: what is still reachable. Memory that keeps rising after
 * warm-up is a leak.
 *
 * <p>Why force one: G1 collects its old generation only in mixed cycles, which a run of ten or twenty minutes may
 * not reach, so the heap after the latest (young) collection climbs with objects that are already garbage, and a
 * flat live set cannot be told from a leak. A full collection frees garbage only; a leak is reachable and stays in
 * the figure. It costs one stop-the-world pause a minute, which shows in the lag column.
 */
public final class SoakBench {

    /** One minute's reading. */
    public record Sample(int minute, long sent, long lag, long heapBytes, long liveHeapBytes, long rssBytes,
                         long rocksDbBytes, long reachableHeapBytes) {
    }

    private final PrintStream out;

    public SoakBench(PrintStream out) {
        this.out = out;
    }

    /**
     * Settings of a benchmark run of its own (application id, topics, state) on top of the cluster's, so that runs
     * never share state or input.
     */
    public static Map<String, String> isolated(Map<String, String> cluster, Path stateDir, String name) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> values = new HashMap<>(cluster);
        values.put(StreamsConfig.APPLICATION_ID_CONFIG, name + "-" + run);
        values.put(DetectionConfig.REQUESTS_TOPIC, name + "-requests-" + run);
        values.put(DetectionConfig.ALERTS_TOPIC, name + "-alerts-" + run);
        values.put(DetectionConfig.DEAD_LETTER_TOPIC, name + "-dead-letter-" + run);
        values.put(DetectionConfig.INDICATORS_TOPIC, name + "-indicators-" + run);
        values.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(run).toString());
        values.put(ServiceConfig.HTTP_ENABLED, "false");
        return values;
    }

    /**
     * @param speedup how much faster than the wall clock event time runs: at 300, ten minutes cover fifty hours of
     *                traffic, so every window (1 h, 24 h) rolls over and retention starts dropping old segments:
     *                the state's steady size is reached within the run. Event times end at the wall clock.
     */
    public List<Sample> run(ServiceConfig config, int minutes, int rate, int speedup) throws Exception {
        String topic = config.detection().requestsTopic();
        List<Sample> samples = new ArrayList<>();
        AtomicLong sent = new AtomicLong();
        try (DistillguardService service = DistillguardService.start(config);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)))) {
            if (!service.awaitRunning(Duration.ofSeconds(120))) {
                throw new IllegalStateException("the service did not reach RUNNING");
            }
            Thread producer = new Thread(() -> produce(config, topic, rate, minutes, speedup, sent), "soak-producer");
            producer.setDaemon(true);
            producer.start();
            out.printf("%6s %12s %10s %10s %12s %10s %10s %12s%n", "minute", "sent", "lag", "heap used", "heap live",
                    "RSS", "RocksDB", "reachable");
            for (int minute = 1; minute <= minutes; minute++) {
                Thread.sleep(60_000);
                long lag = lag(admin, config.get(StreamsConfig.APPLICATION_ID_CONFIG), topic);
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                long live = liveHeap();
                long rss = MemoryBench.rss();
                long rocksDb = BoundedMemoryRocksDBConfig.usageBytes();
                Sample s = new Sample(minute, sent.get(), lag, heap, live, rss, rocksDb, reachableHeap());
                samples.add(s);
                out.printf("%6d %,12d %,10d %10s %12s %10s %10s %12s%n", s.minute(), s.sent(), s.lag(),
                        MemoryBench.mib(s.heapBytes()), MemoryBench.mib(s.liveHeapBytes()), MemoryBench.mib(s.rssBytes()),
                        MemoryBench.mib(s.rocksDbBytes()), MemoryBench.mib(s.reachableHeapBytes()));
            }
            producer.interrupt();
        }
        if (samples.size() >= 4) {
            out.printf("reachable heap, median of the first half of the minutes %s, of the second half %s%n",
                    MemoryBench.mib(medianReachable(samples.subList(0, samples.size() / 2))),
                    MemoryBench.mib(medianReachable(samples.subList(samples.size() / 2, samples.size()))));
        }
        return samples;
    }

    static long medianReachable(List<Sample> samples) {
        long[] values = samples.stream().mapToLong(Sample::reachableHeapBytes).sorted().toArray();
        return values[values.length / 2];
    }

    /** Heap in use after a full collection: the reachable objects alone (see the class comment for why). */
    private static long reachableHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Heap in use right after the most recent collection the JVM chose (any collector): the live data plus whatever
     * garbage has been promoted since the last old-generation collection.
     */
    private static long liveHeap() {
        com.sun.management.GcInfo latest = null;
        for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (bean instanceof com.sun.management.GarbageCollectorMXBean gc && gc.getLastGcInfo() != null
                    && (latest == null || gc.getLastGcInfo().getEndTime() > latest.getEndTime())) {
                latest = gc.getLastGcInfo();
            }
        }
        if (latest == null) {
            return -1;
        }
        long used = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            var after = latest.getMemoryUsageAfterGc().get(pool.getName());
            if (pool.getType() == java.lang.management.MemoryType.HEAP && after != null) {
                used += after.getUsed();
            }
        }
        return used;
    }

    private void produce(ServiceConfig config, String topic, int rate, int minutes, int speedup, AtomicLong sent) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(config.serdeConfig(), false);
        TrafficGenerator generator = new TrafficGenerator(42);
        long start = System.nanoTime();
        long end = start + TimeUnit.MINUTES.toNanos(minutes);
        long wallStart = System.currentTimeMillis();
        long eventStart = wallStart - TimeUnit.MINUTES.toMillis(minutes) * (speedup - 1);
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
                // Paced against the clock, not by sleeping per record: the rate holds whatever a send costs.
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                while (sent.get() < due) {
                    long eventTime = eventStart + (System.currentTimeMillis() - wallStart) * speedup;
                    RequestEvent event = generator.next(eventTime).event();
                    producer.send(new ProducerRecord<>(topic, event.getAccountId(), event));
                    sent.incrementAndGet();
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long lag(Admin admin, String applicationId, String topic) throws Exception {
        Map<TopicPartition, Long> ends = GroupProgress.endOffsets(admin, List.of(topic));
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        return ends.entrySet().stream().mapToLong(e -> e.getValue()
                - (committed.containsKey(e.getKey()) ? committed.get(e.getKey()).offset() : 0)).sum();
    }
}
