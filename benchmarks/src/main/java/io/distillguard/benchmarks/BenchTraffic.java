package io.distillguard.benchmarks;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.Random;

/**
 * The benchmarks' traffic: 20,000 ordinary accounts (conversations, several capabilities, orgs and API keys) and
 * five harvesting accounts sending one request in ten, from a fixed seed. {@code -Dbench.accounts=N} changes the
 * ordinary population (an experiment: how much of a figure is the state's size, through cache misses).
 */
final class BenchTraffic {

    private static final int ORDINARY_ACCOUNTS = Integer.getInteger("bench.accounts", 20_000);
    private static final String[] CAPABILITIES = {"chat", "writing", "coding", "math", "tool_use", "reasoning"};

    private BenchTraffic() {
    }

    /** {@code count} requests, all at {@code eventTime} (the benchmarks move time on as they replay them). */
    static RequestEvent[] events(int count, long eventTime) {
        Random random = new Random(42);
        RequestEvent[] events = new RequestEvent[count];
        for (int i = 0; i < count; i++) {
            boolean harvest = random.nextInt(10) == 0;
            int account = harvest ? random.nextInt(5) : random.nextInt(ORDINARY_ACCOUNTS);
            String id = (harvest ? "acct-harvest-" : "acct-") + account;
            events[i] = RequestEvent.newBuilder()
                    .setEventId("evt-" + i).setEventTime(Instant.ofEpochMilli(eventTime)).setAccountId(id)
                    .setOrgId(harvest ? null : "org-" + account / 20).setApiKeyId("key-" + id)
                    .setIp(harvest ? "100.64." + random.nextInt(256) + "." + random.nextInt(256)
                            : "203.0." + (account >> 8 & 255) + "." + (account & 255))
                    .setAsn(harvest ? 64500 : 7922).setCountry("US").setModel("frontier-2").setEndpoint("/v1/messages")
                    .setConversationId(harvest ? null : "conv-" + account + "-" + random.nextInt(5))
                    .setTurnIndex(harvest ? 0 : random.nextInt(4))
                    .setReasoningRequested(harvest || random.nextInt(10) == 0)
                    .setCapability(harvest ? "coding" : CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                    .setPromptSimhash(random.nextLong())
                    .setPromptTokens(harvest ? 300 : 50 + random.nextInt(500))
                    .setCompletionTokens(harvest ? 3000 : 100 + random.nextInt(800))
                    .setStatus(200).build();
        }
        return events;
    }

    /**
     * The templates replayed in a loop, 10 ms of event time apart, each time with an id of its own: repeated ids
     * would come back within the duplicate filter's window and skip the detectors.
     */
    static final class Replay {
        private final RequestEvent[] events;
        private long eventTime;
        private int next;
        private long sequence;

        Replay(int distinct, long startTime) {
            this.events = events(distinct, startTime);
            this.eventTime = startTime;
        }

        /** The next template, moved on in time and given a fresh id (the same object as its earlier passes). */
        RequestEvent next() {
            next = (next + 1) % events.length;
            eventTime += 10;
            RequestEvent event = events[next];
            event.setEventTime(Instant.ofEpochMilli(eventTime));
            event.setEventId("evt-" + sequence++);
            return event;
        }

        /** The event time of the last event handed out. */
        long time() {
            return eventTime;
        }
    }
}
