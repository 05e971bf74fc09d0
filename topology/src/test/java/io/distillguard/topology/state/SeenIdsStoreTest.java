package io.distillguard.topology.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeenIdsStoreTest {

    private static final long WINDOW = 600_000L;
    private static final long RETENTION = 3 * WINDOW;

    private record Logged(byte[] key, byte[] value, long timestamp) {
    }

    private final List<Logged> changelog = new ArrayList<>();

    private SeenIdsStore open(int maxIds) {
        SeenIdsStore store = new SeenIdsStore("seen", RETENTION, maxIds);
        store.open((key, value, timestamp) -> changelog.add(new Logged(key, value, timestamp)));
        return store;
    }

    private SeenIdsStore restored(int maxIds) {
        SeenIdsStore store = open(maxIds);
        changelog.forEach(record -> store.restore(record.key(), record.value()));
        return store;
    }

    @Test
    void remembersIdsPerWindowAndLogsOneRecordPerWindowAndCommit() {
        SeenIdsStore store = open(1_000);
        for (int i = 0; i < 100; i++) {
            assertThat(store.add(SeenIdsStore.hash("evt-" + i), (i % 2) * WINDOW)).isEqualTo(SeenIdsStore.Added.NEW);
        }
        assertThat(store.contains(SeenIdsStore.hash("evt-3"), WINDOW)).isTrue();
        assertThat(store.contains(SeenIdsStore.hash("evt-3"), 0)).as("another window").isFalse();
        assertThat(store.contains(SeenIdsStore.hash("evt-100"), WINDOW)).isFalse();
        assertThat(changelog).as("nothing before the commit").isEmpty();

        store.flushCache();
        assertThat(changelog).as("two windows, one record each").hasSize(2);
        assertThat(changelog).extracting(r -> r.value().length).containsOnly(50 * Long.BYTES);
        store.flushCache();
        assertThat(changelog).as("nothing new, nothing logged").hasSize(2);
        store.add(SeenIdsStore.hash("evt-3"), WINDOW);
        store.flushCache();
        assertThat(changelog).as("an id seen before is not logged again").hasSize(2);
    }

    @Test
    void aRestoreFromTheChangelogRemembersWhatWasCommittedAndNothingElse() {
        SeenIdsStore store = open(1_000);
        for (int i = 0; i < 30; i++) {
            store.add(SeenIdsStore.hash("evt-" + i), WINDOW);
        }
        store.flushCache();
        store.add(SeenIdsStore.hash("uncommitted"), WINDOW);

        SeenIdsStore again = restored(1_000);
        for (int i = 0; i < 30; i++) {
            assertThat(again.contains(SeenIdsStore.hash("evt-" + i), WINDOW)).as("evt-%d", i).isTrue();
        }
        assertThat(again.contains(SeenIdsStore.hash("uncommitted"), WINDOW)).isFalse();
        assertThat(again.size()).isEqualTo(30);

        // Keys stay unique after a restore: a later record does not repeat an earlier one's key.
        again.add(SeenIdsStore.hash("after"), WINDOW);
        again.flushCache();
        assertThat(changelog).extracting(r -> java.nio.ByteBuffer.wrap(r.key()).getLong(8)).doesNotHaveDuplicates();
    }

    @Test
    void aLongCommitIntervalsIdsAreLoggedInRecordsTheProducerAccepts() {
        SeenIdsStore store = open(1_000_000);
        int ids = 2 * SeenIdsStore.MAX_IDS_PER_RECORD + 5;
        for (int i = 0; i < ids; i++) {
            store.add(SeenIdsStore.hash("evt-" + i), WINDOW);
        }
        store.flushCache();
        assertThat(changelog).hasSize(3);
        assertThat(changelog).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(256 * 1024));
        SeenIdsStore again = restored(1_000_000);
        assertThat(again.size()).isEqualTo(ids);
        assertThat(again.contains(SeenIdsStore.hash("evt-" + (ids - 1)), WINDOW)).isTrue();
    }

    @Test
    void windowsPastRetentionAreForgottenLiveAndOnRestore() {
        SeenIdsStore store = open(1_000);
        store.add(SeenIdsStore.hash("old"), 0);
        store.flushCache();
        store.add(SeenIdsStore.hash("new"), RETENTION);
        store.flushCache();
        assertThat(store.contains(SeenIdsStore.hash("old"), 0)).as("a retention behind the newest").isFalse();
        assertThat(store.add(SeenIdsStore.hash("late"), 0)).isEqualTo(SeenIdsStore.Added.EXPIRED);
        assertThat(store.contains(SeenIdsStore.hash("late"), 0)).isFalse();

        SeenIdsStore again = restored(1_000);
        assertThat(again.contains(SeenIdsStore.hash("new"), RETENTION)).isTrue();
        assertThat(again.contains(SeenIdsStore.hash("old"), 0)).isFalse();
        assertThat(again.size()).isEqualTo(1);
    }

    @Test
    void aFullWindowLetsNewIdsThroughUnrememberedButKeepsTheOnesItHolds() {
        SeenIdsStore store = open(10);
        for (int i = 0; i < 10; i++) {
            assertThat(store.add(SeenIdsStore.hash("evt-" + i), 0)).isEqualTo(SeenIdsStore.Added.NEW);
        }
        assertThat(store.add(SeenIdsStore.hash("evt-10"), 0)).isEqualTo(SeenIdsStore.Added.FULL);
        assertThat(store.contains(SeenIdsStore.hash("evt-10"), 0)).isFalse();
        assertThat(store.contains(SeenIdsStore.hash("evt-9"), 0)).isTrue();
        assertThat(store.add(SeenIdsStore.hash("evt-10"), WINDOW)).as("the next window has room")
                .isEqualTo(SeenIdsStore.Added.NEW);
        store.flushCache();
        assertThat(restored(5).size()).as("a restore keeps the bound too").isEqualTo(5 + 1);
    }

    @Test
    void aRecycledTaskKeepsWhatItHoldsAndAReopenedOneStartsEmpty() {
        SeenIdsStore store = open(100);
        store.add(SeenIdsStore.hash("evt"), 0);
        store.flushCache();
        store.clearCache();
        assertThat(store.contains(SeenIdsStore.hash("evt"), 0)).isTrue();
        store.add(SeenIdsStore.hash("dropped"), 0);
        store.clearCache();
        store.flushCache();
        assertThat(changelog).as("what was dropped is not logged").hasSize(1);
        store.close();
        store.open((key, value, timestamp) -> { });
        assertThat(store.size()).isZero();
    }
}
