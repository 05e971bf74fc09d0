package io.distillguard.topology.state;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A builder for {@code StreamsBuilder.addStateStore} of a store that is never cached and never logged, whatever is
 * asked: Kafka's builders for its own stores always have a changelog to turn on.
 */
public final class UnloggedStoreBuilder<T extends StateStore> implements StoreBuilder<T> {

    private final String name;
    private final String why;
    private final Supplier<T> store;

    /** @param why why the store has no changelog, for the error should one be asked for */
    public UnloggedStoreBuilder(String name, String why, Supplier<T> store) {
        this.name = name;
        this.why = why;
        this.store = store;
    }

    @Override
    public StoreBuilder<T> withCachingEnabled() {
        return this;
    }

    @Override
    public StoreBuilder<T> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<T> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException("The store " + name + " keeps no changelog: " + why);
    }

    @Override
    public StoreBuilder<T> withLoggingDisabled() {
        return this;
    }

    @Override
    public T build() {
        return store.get();
    }

    @Override
    public Map<String, String> logConfig() {
        return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
        return false;
    }

    @Override
    public String name() {
        return name;
    }
}
