package io.distillguard.service.bench;

import io.distillguard.avro.RequestEvent;
import io.distillguard.service.backtest.OfflineBacktest;
import io.distillguard.service.state.BoundedMemoryRocksDBConfig;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Memory of the detector holding N active accounts: the live topology's RocksDB stores, capped by
 * {@link BoundedMemoryRocksDBConfig} as the service caps them, fed in process so that nothing but the detector's
 * state grows (no broker, no producer buffers). Every account sends a few requests within one hour, so it has a
 * live hour window, day window and gate in every store, with its org, API key, address, /24, ASN, card and prompt
 * bands; accounts arrive one after the other, and memory is read each time a checkpoint count of accounts is live.
 *
 * <p>RSS is the process's resident set (/proc/self/status), heap is measured after a full GC, RocksDB memory is what
 * the shared cache holds (blocks plus the memtables charged to it), disk is the state directory's size.
 */
public final class MemoryBench {

    /** Memory with {@code accounts} accounts live. */
    public record Sample(long accounts, long events, long rssBytes, long heapBytes, long rocksDbBytes, long diskBytes) {
    }

    private final DetectionConfig config;
    private final long capBytes;
    private final PrintStream out;

    public MemoryBench(DetectionConfig config, long capBytes, PrintStream out) {
        this.config = config;
        this.capBytes = capBytes;
        this.out = out;
    }

    public List<Sample> run(long accounts, int eventsPerAccount, List<Long> checkpoints, Path stateDir) {
        List<Sample> samples = new ArrayList<>();
        Map<String, Object> overrides = Map.of(
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDBConfig.class.getName(),
                BoundedMemoryRocksDBConfig.TOTAL_BYTES, Long.toString(capBytes),
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        OfflineBacktest backtest = new OfflineBacktest(config, DistillguardTopology.StateStorage.OFFLINE_ROCKSDB, overrides);
        Traffic traffic = new Traffic(accounts, eventsPerAccount);
        backtest.run(traffic, new OfflineBacktest.Listener() {
            int next = 0;

            @Override
            public void onEvent(RequestEvent event) {
                // Checked before the checkpoint's next account's first event: exactly the checkpoint count is live.
                if (next < checkpoints.size() && traffic.accountsStarted() > checkpoints.get(next)) {
                    samples.add(sample(checkpoints.get(next), traffic.eventsMade() - 1, stateDir));
                    next++;
                }
            }

            @Override
            public void onProgress(long eventsRead, long bytesRead) {
                // Called once more after the last event, with the stores still open: the all-accounts checkpoint.
                if (!traffic.hasNext() && next < checkpoints.size()) {
                    samples.add(sample(checkpoints.get(next), traffic.eventsMade(), stateDir));
                    next++;
                }
            }
        });
        return samples;
    }

    private Sample sample(long accounts, long events, Path stateDir) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Sample sample = new Sample(accounts, events, rss(), heap, BoundedMemoryRocksDBConfig.usageBytes(), size(stateDir));
        out.printf("  %,d accounts live: RSS %s, heap %s, RocksDB %s, disk %s%n", accounts, mib(sample.rssBytes()),
                mib(sample.heapBytes()), mib(sample.rocksDbBytes()), mib(sample.diskBytes()));
        return sample;
    }

    static String mib(long bytes) {
        return String.format("%,.0f MiB", bytes / 1048576.0);
    }

    /** Resident set size of this process, from /proc (Linux); -1 elsewhere. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static long size(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // a file RocksDB removed while we walked
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    /**
     * Ordinary-looking accounts, one after the other within an hour: five accounts per address (NATs, offices),
     * twenty per org, one API key and one card each, several models and capabilities, a fresh prompt per request.
     */
    static final class Traffic implements Iterator<RequestEvent> {
        private static final String[] MODELS = {"model-large", "model-medium", "model-small"};
        private static final String[] CAPABILITIES = {"code", "math", "writing", "chat", "analysis"};
        private static final String[] COUNTRIES = {"US", "DE", "IN", "BR", "JP", "GB", "FR"};

        private final long accounts;
        private final int perAccount;
        private final long start = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli();
        private final double spacingMillis;
        private final SplittableRandom random = new SplittableRandom(20261128);
        private long made;

        Traffic(long accounts, int perAccount) {
            this.accounts = accounts;
            this.perAccount = perAccount;
            this.spacingMillis = 3_600_000.0 / (accounts * perAccount);
        }

        long eventsMade() {
            return made;
        }

        long accountsStarted() {
            return made == 0 ? 0 : (made - 1) / perAccount + 1;
        }

        @Override
        public boolean hasNext() {
            return made < accounts * perAccount;
        }

        @Override
        public RequestEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            long account = made / perAccount;
            int turn = (int) (made % perAccount);
            long ip = account / 5;
            RequestEvent event = RequestEvent.newBuilder()
                    .setEventId("mem-" + made)
                    .setEventTime(Instant.ofEpochMilli(start + (long) (made * spacingMillis)))
                    .setAccountId("acct-" + account)
                    .setOrgId("org-" + account / 20)
                    .setApiKeyId("key-" + account)
                    .setIp("10." + (ip >> 16 & 255) + "." + (ip >> 8 & 255) + "." + (ip & 255))
                    .setAsn((int) (64512 + account % 5000))
                    .setCountry(COUNTRIES[(int) (account % COUNTRIES.length)])
                    .setPaymentFingerprint("card-" + account)
                    .setAccountCreatedAt(Instant.ofEpochMilli(start - 86_400_000L * (1 + account % 700)))
                    .setModel(MODELS[random.nextInt(MODELS.length)])
                    .setEndpoint("/v1/messages")
                    .setConversationId("conv-" + account)
                    .setTurnIndex(turn)
                    .setPromptTokens(200 + random.nextInt(2000))
                    .setCompletionTokens(100 + random.nextInt(1500))
                    .setReasoningRequested(random.nextInt(10) == 0)
                    .setCapability(CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                    .setPromptSimhash(random.nextLong())
                    .setStatus(200)
                    .build();
            made++;
            return event;
        }
    }
}
