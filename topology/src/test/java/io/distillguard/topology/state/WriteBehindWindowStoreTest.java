package io.distillguard.topology.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.state.internals.OffsetCheckpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The object cache in front of a real RocksDB window store: what reaches RocksDB, and when. */
class WriteBehindWindowStoreTest {

    private static final long RETENTION = 1_000;

    private WindowStore<String, String> rocks;
    private WriteBehindWindowStore<String, String> store;

    private MockProcessorContext<Object, Object> context;

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path stateRoot;

    @BeforeEach
    void open() throws Exception {
        java.util.Properties props = new java.util.Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-behind-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        java.io.File stateDir = stateRoot.toFile();
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        context = new MockProcessorContext<>(props, new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir);
        reopen();
    }

    @AfterEach
    void closeStore() {
        // RocksDB's files are released before the temporary directory is removed.
        if (store.isOpen()) {
            store.close();
        }
    }

    /** A new store over the same RocksDB directory, as after a restart or a task's return. */
    private void reopen() {
        rocks = Stores.windowStoreBuilder(Stores.persistentWindowStore("w", Duration.ofMillis(RETENTION),
                        Duration.ofMillis(100), false), Serdes.String(), Serdes.String())
                .withLoggingDisabled().withCachingDisabled().build();
        store = new WriteBehindWindowStore<>(rocks, RETENTION, 2);
        store.init(context.getStateStoreContext(), store);
    }

    @Test
    void keysOfNewWindowsAreFilteredWithoutLosingAnyThatRocksDbHolds() {
        // Two windows in RocksDB's one segment, the later under the smaller key: a backward scan meets z at 100
        // first, though a at 500 is later (taking z's window for the latest lost a, and duplicated alerts live).
        store.put("z", "z1", 100);
        store.put("a", "a1", 500);
        store.flushCache();
        store.close();
        reopen();
        store.put("b", "b1", 500);
        assertThat(store.fetch("a", 500)).as("the latest window the store held when it opened").isEqualTo("a1");
        assertThat(store.fetch("z", 100)).isEqualTo("z1");
        // Past the newest segment (a minute at this retention) windows are new: their keys are filtered, and one
        // evicted to RocksDB (capacity 2) is still known to its window's filter, so the miss reads it back.
        long later = 60_000;
        store.put("x", "x1", later + 100);
        store.put("y", "y1", later + 100);
        store.put("w", "w1", later + 200);
        assertThat(rocks.fetch("x", later + 100)).isEqualTo("x1");
        assertThat(store.fetch("x", later + 100)).isEqualTo("x1");
        assertThat(store.fetch("v", later + 100)).isNull();
        // A recycled task's store was written from the changelog meanwhile: the filters start over.
        rocks.put("q", "from the changelog", later + 200);
        store.clearCache();
        assertThat(store.fetch("q", later + 200)).isEqualTo("from the changelog");
    }

    @Test
    void aWindowsKeyFilterGivesUpPastItsBoundAndThenSendsEveryReadToRocksDb() {
        WriteBehindWindowStore.KeyFilter filter = new WriteBehindWindowStore.KeyFilter();
        int kept = 0;
        for (int i = 0; i < 1_000; i++) {
            filter.add(hash("id-" + i));
        }
        for (int i = 0; i < 1_000; i++) {
            kept += filter.mightContain(hash("id-" + i)) ? 1 : 0;
        }
        assertThat(kept).as("no false negatives").isEqualTo(1_000);
        assertThat(strangers(filter)).as("about 0.1 % false positives").isLessThan(40);

        // Five filters now (16,384 keys, then twice as many each): the false positives add up, but stay under 1 %.
        for (int i = 1_000; i < 250_000; i++) {
            filter.add(hash("id-" + i));
        }
        assertThat(filter.mightContain(hash("id-249999"))).isTrue();
        assertThat(strangers(filter)).as("false positives of five filters").isLessThan(100);

        for (int i = 250_000; i < 2_200_000; i++) {
            filter.add(hash("id-" + i));
        }
        // Past about two million keys it holds none: every key may be there, so every miss reads RocksDB.
        assertThat(filter.mightContain(hash("never-added"))).isTrue();
        assertThat(filter.mightContain(hash("id-5"))).isTrue();
    }

    private static long hash(String key) {
        return WriteBehindWindowStore.KeyFilter.HASHER.hashCharsToLong(key);
    }

    private static long strangers(WriteBehindWindowStore.KeyFilter filter) {
        return java.util.stream.IntStream.range(0, 10_000).filter(i -> filter.mightContain(hash("other-" + i))).count();
    }

    @Test
    void writesReachRocksDbOnlyAtTheCommitsFlushAndReadsSeeThemBefore() {
        store.put("a", "a1", 100);
        assertThat(store.fetch("a", 100)).isEqualTo("a1");
        assertThat(rocks.fetch("a", 100)).as("not written before the commit").isNull();

        store.flushCache();
        assertThat(rocks.fetch("a", 100)).isEqualTo("a1");

        store.put("a", "a2", 100);
        assertThat(rocks.fetch("a", 100)).isEqualTo("a1");
        store.flushCache();
        assertThat(rocks.fetch("a", 100)).isEqualTo("a2");
    }

    @Test
    void aWindowEvictedPastCapacityIsWrittenFirstAndReadBackFromRocksDb() {
        store.put("a", "a1", 100);
        store.put("b", "b1", 100);
        store.fetch("a", 100);
        // Capacity 2: the least recently used window (b) goes, written on its way out.
        store.put("c", "c1", 100);
        assertThat(store.cachedWindows()).isEqualTo(2);
        assertThat(rocks.fetch("b", 100)).isEqualTo("b1");
        assertThat(rocks.fetch("a", 100)).isNull();
        assertThat(store.fetch("b", 100)).as("a miss reads RocksDB").isEqualTo("b1");
    }

    @Test
    void aDirtyCloseLosesOnlyWhatWasNeverCommitted() {
        store.put("a", "committed", 100);
        store.flushCache();
        store.put("a", "uncommitted", 100);
        store.put("b", "uncommitted", 100);
        store.clearCache();
        assertThat(store.fetch("a", 100)).isEqualTo("committed");
        assertThat(store.fetch("b", 100)).isNull();
    }

    @Test
    void otherThreadsReadRocksDbAndRangesSeeTheOwnersWrites() throws Exception {
        store.put("a", "a1", 100);
        AtomicReference<String> seen = new AtomicReference<>("unset");
        Thread query = new Thread(() -> seen.set(store.fetch("a", 100)));
        query.start();
        query.join();
        assertThat(seen.get()).as("a query thread reads what was committed, nothing yet").isNull();

        store.put("a", "a2", 200);
        List<KeyValue<Long, String>> range = new ArrayList<>();
        try (WindowStoreIterator<String> it = store.fetch("a", 0, 300)) {
            it.forEachRemaining(range::add);
        }
        assertThat(range).containsExactly(KeyValue.pair(100L, "a1"), KeyValue.pair(200L, "a2"));
    }

    @Test
    void windowsPastRetentionAreNeitherReadNorWritten() {
        store.put("a", "old", 100);
        store.put("b", "new", 1_100);
        assertThat(store.fetch("a", 100)).as("stream time 1,100, retention 1,000").isNull();
        store.put("a", "late", 100);
        store.flushCache();
        assertThat(rocks.fetch("a", 100)).isNull();
        assertThat(rocks.fetch("b", 1_100)).isEqualTo("new");
    }

    @Test
    void aCommitSweepsWindowsPastRetentionOutOfTheCacheAndKeepsTheLiveOnes() {
        store = new WriteBehindWindowStore<>(rocks, RETENTION, 100);
        store.init(context.getStateStoreContext(), store);
        store.put("a", "a1", 100);
        store.put("b", "b1", 100);
        store.put("c", "c1", 900);
        store.flushCache();
        assertThat(store.cachedWindows()).isEqualTo(3);

        store.put("d", "d1", 1_150);
        store.flushCache();
        assertThat(store.cachedWindows()).as("stream time 1,150, retention 1,000: the two windows at 100 are gone")
                .isEqualTo(2);
        assertThat(store.fetch("c", 900)).isEqualTo("c1");
        assertThat(store.fetch("d", 1_150)).isEqualTo("d1");
        assertThat(rocks.fetch("c", 900)).as("the live windows were written before").isEqualTo("c1");
    }

    @Test
    void aStoreThatHoldsNothingSaysItsOffsetIsUnknownAndOneThatHoldsWindowsWithoutAnOffsetSaysNothing() {
        TopicPartition changelog = new TopicPartition("w-changelog", 0);
        store.commit(java.util.Map.of(changelog, 41L));
        store.close();
        reopen();
        assertThat(rocks.committedOffset(changelog)).as("RocksDB's window store has no segment to keep it in").isNull();
        assertThat(store.committedOffset(changelog)).as("empty: restored from the changelog's start, not wiped")
                .isEqualTo(OffsetCheckpoint.OFFSET_UNKNOWN);

        store.put("a", "a1", 100);
        store.flushCache();
        store.commit(java.util.Map.of(changelog, 42L));
        store.close();
        reopen();
        assertThat(store.committedOffset(changelog)).as("a segment keeps it").isEqualTo(42L);

        store.put("b", "b1", 70_000);
        store.flushCache();
        store.close();
        reopen();
        assertThat(store.committedOffset(changelog))
                .as("its one segment (the first dropped past retention) holds a window written after the last commit")
                .isNull();
    }
}
