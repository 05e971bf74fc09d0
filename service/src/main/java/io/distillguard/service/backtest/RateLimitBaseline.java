package io.distillguard.service.backtest;

import io.distillguard.avro.RequestEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * What plain rate limits would have caught on the same traffic, for comparison: an account is flagged at its first
 * request over 60 a minute or 10,000 a UTC day, or at a request from an address over 600 a minute. Fixed windows, as
 * Envoy-style limiters count. Needs events in event-time order per key (the simulator's and most logs' order).
 */
public final class RateLimitBaseline implements OfflineBacktest.Listener {

    public static final int ACCOUNT_PER_MINUTE = 60;
    public static final int ACCOUNT_PER_DAY = 10_000;
    public static final int IP_PER_MINUTE = 600;

    private final Map<String, long[]> accountMinute = new HashMap<>();
    private final Map<String, long[]> accountDay = new HashMap<>();
    private final Map<String, long[]> ipMinute = new HashMap<>();
    private final Map<String, Long> firstFlagged = new HashMap<>();

    @Override
    public void onEvent(RequestEvent event) {
        long time = event.getEventTime().toEpochMilli();
        String account = event.getAccountId();
        boolean over = count(accountMinute, account, time / 60_000L) > ACCOUNT_PER_MINUTE
                | count(accountDay, account, time / 86_400_000L) > ACCOUNT_PER_DAY
                | count(ipMinute, event.getIp(), time / 60_000L) > IP_PER_MINUTE;
        if (over) {
            firstFlagged.putIfAbsent(account, time);
        }
    }

    /** Counts the request in the key's current fixed window and returns the window's count so far. */
    private static long count(Map<String, long[]> windows, String key, long window) {
        long[] state = windows.computeIfAbsent(key, k -> new long[] {window, 0});
        if (state[0] != window) {
            state[0] = window;
            state[1] = 0;
        }
        return ++state[1];
    }

    /** Account → event time of its first request over a limit. */
    public Map<String, Long> flagged() {
        return firstFlagged;
    }
}
