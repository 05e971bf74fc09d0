package io.distillguard.topology.state;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A builder for {@code StreamsBuilder.addStateStore} of a store whose caching and logging are the store's own, not
 * the caller's to switch: it is never cached, and it is either never logged or always logged, with the topic
 * settings it needs. Kafka's builders for its own stores let both be turned on and off.
 */
public final class FixedStoreBuilder<T extends StateStore> implements StoreBuilder<T> {

    private final String name;
    private final String why;
    private final Supplier<T> store;
    /** The changelog's topic settings, or null for a store without one. */
    private final Map<String, String> logConfig;

    private FixedStoreBuilder(String name, String why, Supplier<T> store, Map<String, String> logConfig) {
        this.name = name;
        this.why = why;
        this.store = store;
        this.logConfig = logConfig;
    }

    /** @param why why the store has no changelog, for the error should one be asked for */
    public static <T extends StateStore> FixedStoreBuilder<T> unlogged(String name, String why, Supplier<T> store) {
        return new FixedStoreBuilder<>(name, why, store, null);
    }

    /**
     * @param why       why the store cannot do without its changelog, for the error should it be turned off
     * @param logConfig the changelog topic's settings
     */
    public static <T extends StateStore> FixedStoreBuilder<T> logged(String name, String why, Supplier<T> store,
                                                                     Map<String, String> logConfig) {
        return new FixedStoreBuilder<>(name, why, store, Map.copyOf(logConfig));
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
        if (logConfig == null) {
            throw new UnsupportedOperationException("The store " + name + " keeps no changelog: " + why);
        }
        return this;
    }

    @Override
    public StoreBuilder<T> withLoggingDisabled() {
        if (logConfig != null) {
            throw new UnsupportedOperationException("The store " + name + " must keep its changelog: " + why);
        }
        return this;
    }

    @Override
    public T build() {
        return store.get();
    }

    @Override
    public Map<String, String> logConfig() {
        return logConfig == null ? Map.of() : logConfig;
    }

    @Override
    public boolean loggingEnabled() {
        return logConfig != null;
    }

    @Override
    public String name() {
        return name;
    }
}
