package io.distillguard.topology.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.serdes.avro.AvroBinarySerde;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectWindowStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SubjectProfileTest {

    private static final AvroBinarySerde<SubjectWindowStats> STATE = new AvroBinarySerde<>(SubjectWindowStats.class);

    @Test
    void shouldCountCapabilitiesLikeAMapThroughStateRoundTripsAndTheOtherLabel() {
        Random random = new Random(3);
        SubjectWindowStats stats = SubjectProfile.empty();
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < 5_000; i++) {
            // Skewed over 24 labels, so the first sixteen seen fill the window and the rest go to "other".
            int label = (int) Math.min(23, Math.abs(random.nextGaussian()) * 8);
            String capability = random.nextInt(50) == 0 ? null : "cap-" + label;
            String counted = capability == null ? "other" : capability;
            if (!expected.containsKey(counted) && expected.size() >= 16) {
                counted = "other";
            }
            expected.merge(counted, 1L, Long::sum);
            SubjectProfile.add(request(i, capability), stats, SubjectProfile.Span.DAY);
            if (i % 97 == 0) {
                // As the service does: the window leaves for RocksDB and comes back decoded.
                stats = STATE.deserializer().deserialize("t", STATE.serializer().serialize("t", stats));
            }
        }
        long first = expected.values().stream().sorted((a, b) -> Long.compare(b, a)).limit(2)
                .mapToLong(Long::longValue).sum();
        // Sixteen labels, and "other" for the rest (a seventeenth when it was not among the sixteen).
        assertThat(stats.getCapabilityLabels()).hasSize(expected.size()).hasSizeBetween(16, 17)
                .containsAll(List.of("other", "cap-0", "cap-1"));
        assertThat(SubjectProfile.capabilityConcentration(stats)).isEqualTo((double) first / 5_000);
        List<String> top = expected.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(2).map(Map.Entry::getKey).toList();
        assertThat(SubjectProfile.topCapabilities(stats)).isEqualTo(top);
        SubjectWindowStats decoded = STATE.deserializer().deserialize("t", STATE.serializer().serialize("t", stats));
        assertThat(SubjectProfile.capabilityConcentration(decoded)).isEqualTo(SubjectProfile.capabilityConcentration(stats));
        assertThat(decoded.getCapabilityCounts().remaining()).isEqualTo(expected.size() * Integer.BYTES);
    }

    @Test
    void shouldKeepAddressesPerHourAndNetworksPerDay() {
        SubjectWindowStats hour = SubjectProfile.empty();
        SubjectWindowStats day = SubjectProfile.empty();
        for (int i = 0; i < 40; i++) {
            SubjectRequest request = request(i, "chat");
            request.setIpHash(Sketches.hash("10.0.0." + i));
            request.setAsn(64_500 + i % 4);
            SubjectProfile.add(request, hour, SubjectProfile.Span.HOUR);
            SubjectProfile.add(request, day, SubjectProfile.Span.DAY);
        }
        assertThat(SubjectProfile.distinctIps(hour)).isBetween(36L, 44L);
        assertThat(SubjectProfile.distinctAsns(hour)).isZero();
        assertThat(SubjectProfile.distinctAsns(day)).isEqualTo(4);
        assertThat(SubjectProfile.distinctIps(day)).isZero();
    }

    @Test
    void shouldHoldOneAddressAsItselfThenListFifteenExactlyThenCountAsASketchFromTheStartWould() {
        SubjectWindowStats hour = SubjectProfile.empty();
        java.nio.ByteBuffer reference = Sketches.EMPTY;
        Sketches.Running running = new Sketches.Running().of(0.0, 1.0);
        for (int i = 0; i < 40; i++) {
            // Each address twice in a row, so that a value already listed is seen again.
            long address = Sketches.hash("10.0.0." + i / 2);
            SubjectRequest request = request(i, "chat");
            request.setIpHash(address);
            SubjectProfile.add(request, hour, SubjectProfile.Span.HOUR);
            if (i % 2 == 0) {
                reference = Sketches.add(reference, 6, address, running);
            }
            if (i < 2) {
                assertThat(hour.getIps().hasRemaining()).as("one address: no list yet").isFalse();
            }
            if (i < 30) {
                assertThat(SubjectProfile.distinctIps(hour)).as("exact while listed").isEqualTo(i / 2 + 1);
            }
            hour = STATE.deserializer().deserialize("t", STATE.serializer().serialize("t", hour));
        }
        // Past fifteen, the registers and estimate of a sketch that counted all twenty from the start.
        assertThat(hour.getIps()).isEqualTo(reference);
        assertThat(hour.getIpsEstimate()).isEqualTo(running.estimate());
        assertThat(hour.getIpsChange()).isEqualTo(running.change());
    }

    @Test
    void shouldCountFourNetworksAsFourWhereA64RegisterSketchReadsThree() {
        int[] asns = {3320, 4134, 12322, 20115};
        Sketches.Running running = new Sketches.Running().of(0.0, 1.0);
        java.nio.ByteBuffer sketch = Sketches.EMPTY;
        SubjectWindowStats day = SubjectProfile.empty();
        for (int i = 0; i < asns.length; i++) {
            sketch = Sketches.add(sketch, 6, Sketches.hash(asns[i]), running);
            SubjectRequest request = request(i, "chat");
            request.setAsn(asns[i]);
            SubjectProfile.add(request, day, SubjectProfile.Span.DAY);
        }
        assertThat(Math.round(running.estimate())).as("two of them in one register").isEqualTo(3);
        assertThat(SubjectProfile.distinctAsns(day)).isEqualTo(4);
    }

    @Test
    void shouldGoOnCountingASketchWrittenBeforeCountsWereListed() {
        // A day window kept across an upgrade: its networks already a sketch of two values.
        Sketches.Running running = new Sketches.Running().of(0.0, 1.0);
        java.nio.ByteBuffer sketch = Sketches.add(Sketches.EMPTY, 6, Sketches.hash(64_500), running);
        sketch = Sketches.add(sketch, 6, Sketches.hash(64_501), running);
        SubjectWindowStats day = SubjectProfile.empty();
        day.setAsns(java.nio.ByteBuffer.wrap(sketch.array().clone()));
        day.setAsnsEstimate(running.estimate());
        day.setAsnsChange(running.change());
        day = STATE.deserializer().deserialize("t", STATE.serializer().serialize("t", day));
        SubjectRequest request = request(3, "chat");
        request.setAsn(64_502);
        SubjectProfile.add(request, day, SubjectProfile.Span.DAY);
        sketch = Sketches.add(sketch, 6, Sketches.hash(64_502), running);
        assertThat(day.getAsns()).isEqualTo(sketch);
        assertThat(day.getAsnsEstimate()).isEqualTo(running.estimate());
    }

    @Test
    void shouldKeepTheLatestHourAndTheOneBeforeInTheDayRecord() {
        long hour = 3_600_000L;
        long day0 = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, 24 * hour);
        SubjectWindowStats day = SubjectProfile.empty();
        SubjectProfile.add(request(0, "chat"), SubjectProfile.hourToUpdate(day, day0 + 5 * hour), SubjectProfile.Span.HOUR);
        SubjectWindowStats six = SubjectProfile.hourToUpdate(day, day0 + 6 * hour);
        SubjectProfile.add(request(1, "chat"), six, SubjectProfile.Span.HOUR);
        SubjectProfile.add(request(2, "chat"), six, SubjectProfile.Span.HOUR);
        // A late request of hour 5 still lands in hour 5, not in the latest hour.
        SubjectProfile.add(request(3, "chat"), SubjectProfile.hourToUpdate(day, day0 + 5 * hour), SubjectProfile.Span.HOUR);
        assertThat(SubjectProfile.hourOf(day, day0 + 5 * hour).getRequests()).isEqualTo(2);
        assertThat(SubjectProfile.hourOf(day, day0 + 6 * hour).getRequests()).isEqualTo(2);
        assertThat(SubjectProfile.hourToUpdate(day, day0 + 4 * hour)).as("older than the two kept").isNull();

        SubjectProfile.dropClosedHours(day, day0 + 6 * hour + 60_000, 300_000);
        assertThat(day.getPreviousHour()).as("hour 5 still takes late requests").isNotNull();
        SubjectProfile.dropClosedHours(day, day0 + 6 * hour + 300_000, 300_000);
        assertThat(day.getPreviousHour()).as("hour 5 closed").isNull();

        // A gap: hour 8 opens with no hour before it; hour 6 is not kept as its previous.
        assertThat(SubjectProfile.hourToUpdate(day, day0 + 8 * hour).getRequests()).isZero();
        assertThat(SubjectProfile.hourOf(day, day0 + 7 * hour)).isNull();
        assertThat(SubjectProfile.hourOf(day, day0 + 6 * hour)).isNull();
        SubjectWindowStats decoded = STATE.deserializer().deserialize("t", STATE.serializer().serialize("t", day));
        assertThat(decoded.getHourStart()).isEqualTo(day0 + 8 * hour);
        assertThat(decoded.getHour()).isEqualTo(day.getHour());
    }

    @Test
    void shouldCountADaysRequestsAndReasoningPerHourInHourOrderThroughStateRoundTripsButNotInAnHour() {
        SubjectWindowStats day = SubjectProfile.empty();
        SubjectWindowStats hour = SubjectProfile.empty();
        long midnight = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, 86_400_000L);
        // Out of order, as late requests come: hours 13, 2, 13 (reasoning), 23, 2 (reasoning), 13.
        int[] hours = {13, 2, 13, 23, 2, 13};
        for (int i = 0; i < hours.length; i++) {
            SubjectRequest request = request(i, "chat");
            request.setEventTime(midnight + hours[i] * 3_600_000L + i);
            request.setReasoning(i == 2 || i == 4);
            SubjectProfile.add(request, day, SubjectProfile.Span.DAY);
            SubjectProfile.add(request, hour, SubjectProfile.Span.HOUR);
            day = STATE.deserializer().deserialize("t", STATE.serializer().serialize("t", day));
        }
        assertThat(day.getHourly()).extracting(h -> h.getHour() + ":" + h.getRequests() + "/" + h.getReasoning())
                .containsExactly("2:2/1", "13:3/1", "23:1/0");
        assertThat(hour.getHourly()).as("an hour window is its own hour").isEmpty();
    }

    @Test
    void networksOverTwoDaysCountEachNetworkOnce() {
        SubjectWindowStats day = SubjectProfile.empty();
        SubjectWindowStats before = SubjectProfile.empty();
        SubjectWindowStats busy = SubjectProfile.empty();
        for (int i = 0; i < 3; i++) {
            SubjectRequest request = request(i, "chat");
            request.setAsn(64_500 + i);
            SubjectProfile.add(request, day, SubjectProfile.Span.DAY);
            request.setAsn(64_501 + i);
            SubjectProfile.add(request, before, SubjectProfile.Span.DAY);
        }
        for (int i = 0; i < 40; i++) {
            SubjectRequest request = request(i, "chat");
            request.setAsn(65_000 + i);
            SubjectProfile.add(request, busy, SubjectProfile.Span.DAY);
        }
        // Three and three, two of them on both days.
        assertThat(SubjectProfile.distinctAsns(day, before)).isEqualTo(4);
        SubjectWindowStats decoded = STATE.deserializer().deserialize("t", STATE.serializer().serialize("t", before));
        assertThat(SubjectProfile.distinctAsns(day, decoded)).isEqualTo(4);
        assertThat(SubjectProfile.distinctAsns(day, day)).isEqualTo(3);
        assertThat(SubjectProfile.distinctAsns(day, SubjectProfile.empty())).isEqualTo(3);
        // Past the exact list, a sketch: the larger count, which the union has at the least.
        assertThat(SubjectProfile.distinctAsns(day, busy)).isEqualTo(SubjectProfile.distinctAsns(busy))
                .isBetween(36L, 44L);
        // A count without its values (a window written with the estimate alone) reads as its count.
        SubjectWindowStats countOnly = SubjectProfile.empty();
        countOnly.setAsnsEstimate(5.0);
        assertThat(SubjectProfile.distinctAsns(day, countOnly)).isEqualTo(5);
    }

    private static SubjectRequest request(int i, String capability) {
        return new SubjectRequest(1_800_000_000_000L + i * 1_000L, "acct-1", 100, 200, false, 0, 0L, capability,
                (long) i * 0x9E3779B97F4A7C15L, Sketches.hash("10.0.0.1"), Sketches.hash("10.0.0.0/24"), 64_500, "US",
                null, 0.0, null, null, 0, null, false, false, false);
    }
}
