package io.distillguard.topology.repartition;

import io.distillguard.topology.state.FixedStoreBuilder;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A store that holds nothing: it gives a processor the one moment Kafka Streams offers before a task commits. Kafka
 * calls {@link #flushCache()} on every {@link CachedStateStore} of a task in its prepare-commit, before the task's
 * records are flushed and its offsets committed (the internal interface Kafka's own record cache forwards from, and
 * {@code WriteBehindWindowStore} writes from), so what a processor sends from there travels in the same transaction
 * as the input that made it. Kafka offers no public pre-commit hook to a processor; a punctuation is not one, as a
 * commit can come between two punctuations.
 */
public final class CommitHookStore implements StateStore, CachedStateStore<Object, Object> {

    private final String name;
    private volatile boolean open;
    private Runnable beforeCommit = () -> { };
    private Runnable onDrop = () -> { };

    private CommitHookStore(String name) {
        this.name = name;
    }

    /** Without a changelog: what the hook's processor holds between commits is rebuilt from uncommitted input. */
    public static StoreBuilder<CommitHookStore> builder(String name) {
        return FixedStoreBuilder.unlogged(name, "a commit hook holds no state", () -> new CommitHookStore(name));
    }

    /**
     * @param beforeCommit runs in each prepare-commit of the task, on its stream thread
     * @param onDrop runs when the task drops what it did since its last commit (a dirty close), so nothing of it is sent
     */
    public void register(Runnable beforeCommit, Runnable onDrop) {
        this.beforeCommit = beforeCommit;
        this.onDrop = onDrop;
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
    }

    @Override
    public void clearCache() {
        onDrop.run();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    @Override
    public void close() {
        onDrop.run();
        beforeCommit = () -> { };
        onDrop = () -> { };
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
