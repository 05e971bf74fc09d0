package io.distillguard.topology.validation;

import static io.distillguard.topology.TopologyHarness.BASE;
import static io.distillguard.topology.TopologyHarness.byDetector;
import static io.distillguard.topology.TopologyHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.HarnessTest;
import io.distillguard.topology.TopologyHarness;
import org.junit.jupiter.api.Test;

class DuplicateFilterTest extends HarnessTest {

    private static final long MINUTE = 60_000L;

    @Test
    void shouldCountARetriedEventOnce() {
        TopologyHarness h = start("requests-1h: 1000", "requests-1h: 4");
        for (int i = 0; i < 3; i++) {
            RequestEvent event = request("acct-retried", "198.51.100.1", BASE + i * MINUTE).setEventId("evt-" + i).build();
            h.send(event);
            h.send(RequestEvent.newBuilder(event).build()); // the gateway's retry: same id, same time
            h.send(RequestEvent.newBuilder(event).setEventTime(event.getEventTime().plusSeconds(30)).build());
        }
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).as("3 requests, not 9: under 4").isEmpty();
        assertThat(h.metric("duplicates-total")).isEqualTo(6);

        h.send(request("acct-retried", "198.51.100.1", BASE + 5 * MINUTE).setEventId("evt-new").build());
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).as("the fourth distinct request crosses 4").isNotEmpty();
    }

    @Test
    void shouldCatchCopiesUpToOneDedupWindowApartAndTreatLaterOnesAsNewRequests() {
        TopologyHarness h = start();
        RequestEvent event = request("acct-a", "198.51.100.1", BASE + 10 * MINUTE).setEventId("evt-x").build();
        h.send(event);
        // Default window 10 min: 9 min later is caught whatever the window boundaries.
        h.send(RequestEvent.newBuilder(event).setEventTime(event.getEventTime().plusSeconds(9 * 60)).build());
        assertThat(h.metric("duplicates-total")).isEqualTo(1);
        // 25 min later lies two windows away: not a retry, counted.
        h.send(RequestEvent.newBuilder(event).setEventTime(event.getEventTime().plusSeconds(25 * 60)).build());
        assertThat(h.metric("duplicates-total")).isEqualTo(1);
        assertThat(h.metric("events-in-total")).isEqualTo(3);

        // Across a window boundary, both ways: the copy's window is after, or before, the original's.
        RequestEvent late = request("acct-b", "198.51.100.2", BASE + 19 * MINUTE).setEventId("evt-y").build();
        h.send(late);
        h.send(RequestEvent.newBuilder(late).setEventTime(late.getEventTime().plusSeconds(2 * 60)).build());
        assertThat(h.metric("duplicates-total")).as("a copy in the next window").isEqualTo(2);
        RequestEvent early = request("acct-c", "198.51.100.3", BASE + 41 * MINUTE).setEventId("evt-z").build();
        h.send(early);
        h.send(RequestEvent.newBuilder(early).setEventTime(early.getEventTime().minusSeconds(2 * 60)).build());
        assertThat(h.metric("duplicates-total")).as("a copy in the window before").isEqualTo(3);
    }
}
