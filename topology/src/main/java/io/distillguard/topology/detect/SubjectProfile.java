package io.distillguard.topology.detect;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.state.HourCount;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectWindowStats;
import io.distillguard.topology.validation.IpAddresses;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The traffic profile of one subject (account, org or API key) over one window: what it asks for (reasoning, single
 * turns, capabilities), how varied its prompts are, where it comes from and how machine-like its timing is.
 */
public final class SubjectProfile {

    static final int MAX_CAPABILITIES = 16;
    static final String OTHER_CAPABILITY = "other";
    // Precisions: 64 registers (~10 %) for counts compared with thresholds of tens; 256 (~5 %) for prompt buckets,
    // which are compared with the request count.
    private static final int SMALL_P = 6;
    private static final int PROMPT_P = 8;
    /** Prompt buckets: the SimHash cut into bands; near-identical prompts share at least one band value. */
    private static final int BANDS = 2;
    private static final long HOUR_MS = 3_600_000L;
    /**
     * Two requests this close come from one sitting: a person's device keeps its network for that long (a phone
     * moving from Wi-Fi to its carrier is the exception), while a proxy rotating per request does not. Fixed, like
     * the window lengths, because it decides what the state counts.
     */
    static final long QUICK_PAIR_MS = 10 * 60_000L;

    private SubjectProfile() {
    }

    /** The part of a request the subject windows need; identifiers that are only counted cross as hashes. */
    public static SubjectRequest project(RequestEvent request) {
        String ip = request.getIp();
        return new SubjectRequest(request.getEventTime().toEpochMilli(), request.getAccountId(),
                request.getPromptTokens(), request.getCompletionTokens(), request.getReasoningRequested(),
                request.getTurnIndex(), Sketches.hash(request.getConversationId()), request.getCapability(),
                request.getPromptSimhash(), Sketches.hash(ip), Sketches.hash(IpAddresses.prefixOf(ip)),
                request.getAsn(), request.getCountry(), null, 0.0, null, null, 0, blankToNull(request.getApiKeyId()),
                false, false, false);
    }

    public static SubjectWindowStats empty() {
        // Every field set here: the no-argument constructor leaves the sketches null, and the builder's defaults
        // are deep copies of the schema's, a cost on every new window.
        // The constructor takes boxes: shared ones, as a 0.0 boxed in place is a new object each time (Long and
        // Integer cache theirs), fourteen per window.
        ByteBuffer none = Sketches.EMPTY;
        Double zero = Sketches.ZERO;
        Double one = Sketches.ONE;
        return new SubjectWindowStats("", 0L, 0L, 0L, 0L, 0L, none, zero, one, new ArrayList<>(4), none, none, zero, one,
                none, zero, one, 0L, none, zero, one, 0L, none, zero, one, 0L, none, zero, one, 0L, 0L, 0L, 0L, zero,
                zero, 0, null, zero, null, null, 0, -1L, null, null, null, false, -1, 0L, 0L, new ArrayList<>(0), 0L, false,
                0L, 0L, zero, null, false, 0L, 0L, 0L, false, 0L);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    /**
     * The hour of {@code day} starting at {@code hourStart} to add a request to: the day's latest hour, the one
     * before it, or a new latest hour (the old one becoming the previous when adjacent); null when the hour is older
     * than the two the day keeps, which with a grace period under an hour means it is closed anyway.
     */
    public static SubjectWindowStats hourToUpdate(SubjectWindowStats day, long hourStart) {
        long latest = day.getHourStart();
        if (hourStart > latest) {
            day.setPreviousHour(latest == hourStart - HOUR_MS ? day.getHour() : null);
            day.setHour(empty());
            day.setHourStart(hourStart);
            return day.getHour();
        }
        if (hourStart == latest) {
            return day.getHour();
        }
        if (hourStart == latest - HOUR_MS) {
            if (day.getPreviousHour() == null) {
                day.setPreviousHour(empty());
            }
            return day.getPreviousHour();
        }
        return null;
    }

    /** The hour of {@code day} starting at {@code hourStart}, or null when the day does not hold it. */
    public static SubjectWindowStats hourOf(SubjectWindowStats day, long hourStart) {
        if (hourStart == day.getHourStart()) {
            return day.getHour();
        }
        return hourStart == day.getHourStart() - HOUR_MS ? day.getPreviousHour() : null;
    }

    /** Drops the previous hour once no late request can count in it: past that it only adds bytes to each write. */
    public static void dropClosedHours(SubjectWindowStats day, long streamTime, long graceMs) {
        if (day.getPreviousHour() != null && day.getHourStart() + graceMs <= streamTime) {
            day.setPreviousHour(null);
        }
    }

    /**
     * Which window a profile is kept for. Each keeps only the fan-out its signals read (addresses and blocks per
     * hour, ASNs and countries per day, and an account's blocks per day): sketch updates fewer per window and
     * request, and a quarter less state.
     */
    public enum Span { HOUR, DAY }

    public static SubjectWindowStats add(SubjectRequest request, SubjectWindowStats stats, Span span) {
        return add(request, stats, span, Sketches.running(0, 1));
    }

    /** @param running an estimator of the calling thread's own (a processor's), reused for every sketch */
    public static SubjectWindowStats add(SubjectRequest request, SubjectWindowStats stats, Span span,
                                         Sketches.Running running) {
        return add(request, stats, span, running, true);
    }

    /**
     * @param dayBlocks whether a day window lists its address blocks: an account's, the one subject held for its own
     *                  networks (SubjectSignals#ownNetworksConfirm); an org's or a key's day would only pay for them
     */
    public static SubjectWindowStats add(SubjectRequest request, SubjectWindowStats stats, Span span,
                                         Sketches.Running running, boolean dayBlocks) {
        long time = request.getEventTime();
        if (span == Span.DAY) {
            countNetworkSwitch(stats, request, time);
            countBlockChange(stats, request, time);
        }
        if (stats.getRequests() == 0) {
            stats.setFirstEventTime(time);
            stats.setAccountId(request.getAccountId());
        } else if (time >= stats.getLastEventTime()) {
            // Welford: mean and variance of the gaps in one pass, no list of timestamps kept.
            double gap = time - stats.getLastEventTime();
            long n = stats.getGaps() + 1;
            double delta = gap - stats.getGapMean();
            double mean = stats.getGapMean() + delta / n;
            stats.setGapM2(stats.getGapM2() + delta * (gap - mean));
            stats.setGapMean(mean);
            stats.setGaps(n);
        }
        stats.setRequests(stats.getRequests() + 1);
        stats.setPromptTokens(stats.getPromptTokens() + request.getPromptTokens());
        stats.setCompletionTokens(stats.getCompletionTokens() + request.getCompletionTokens());
        if (request.getReasoning()) {
            stats.setReasoning(stats.getReasoning() + 1);
        } else {
            stats.setPlainPromptTokens(stats.getPlainPromptTokens() + request.getPromptTokens());
            stats.setPlainCompletionTokens(stats.getPlainCompletionTokens() + request.getCompletionTokens());
        }
        boolean longAnswer = HarvestShape.longAnswer(request.getPromptTokens(), request.getCompletionTokens(),
                request.getReasoning());
        if (longAnswer) {
            stats.setLongAnswers(stats.getLongAnswers() + 1);
        }
        if (request.getTurnIndex() == 0) {
            stats.setFirstTurns(stats.getFirstTurns() + 1);
            // Read only from a day window, a held member's own proof: an hour's would never be read.
            if (span == Span.DAY && (request.getReasoning() || longAnswer)) {
                stats.setFirstTurnHarvests(stats.getFirstTurnHarvests() + 1);
            }
        } else if (request.getConversationHash() != 0) {
            Sketches.Running c = running.of(stats.getFollowedUpEstimate(), stats.getFollowedUpChange());
            stats.setFollowedUp(Sketches.add(stats.getFollowedUp(), SMALL_P, request.getConversationHash(), c));
            stats.setFollowedUpEstimate(c.estimate());
            stats.setFollowedUpChange(c.change());
        }
        countCapability(stats, request.getCapability());
        Long simhash = request.getPromptSimhash();
        if (simhash != null) {
            Sketches.Running c = running.of(stats.getPromptBucketsEstimate(), stats.getPromptBucketsChange());
            ByteBuffer buckets = stats.getPromptBuckets();
            for (int band = 0; band < BANDS; band++) {
                buckets = Sketches.add(buckets, PROMPT_P, Sketches.hash(bandKey(simhash, band)), c);
            }
            stats.setPromptBuckets(buckets);
            stats.setPromptBucketsEstimate(c.estimate());
            stats.setPromptBucketsChange(c.change());
        }
        Sketches.Running c = running.of(0, 1);
        if (span == Span.HOUR) {
            FanOut.IPS.add(stats, request.getIpHash(), c);
            FanOut.PREFIXES.add(stats, request.getPrefixHash(), c);
        } else {
            if (dayBlocks) {
                // Whether an account held for its own networks ever came back to a block: nearly every day holds
                // one, which costs a comparison.
                FanOut.PREFIXES.add(stats, request.getPrefixHash(), c);
            }
            if (request.getAsn() != null) {
                FanOut.ASNS.add(stats, Sketches.hash(request.getAsn()), c);
            }
            if (request.getCountry() != null) {
                FanOut.COUNTRIES.add(stats, Sketches.hash(request.getCountry()), c);
            }
        }
        int hourOfDay = (int) Math.floorMod(time / HOUR_MS, 24L);
        stats.setActiveHours(stats.getActiveHours() | 1 << hourOfDay);
        if (span == Span.DAY) {
            countHour(stats.getHourly(), hourOfDay, request.getReasoning());
        }
        stats.setLastEventTime(Math.max(stats.getLastEventTime(), time));
        if (request.getIntelConfidence() > stats.getIntelConfidence()) {
            // The window remembers its strongest partner indicator, the one the alert and the risk cite.
            stats.setIntelIndicator(request.getIntelIndicator());
            stats.setIntelSource(request.getIntelSource());
            stats.setIntelConfidence(request.getIntelConfidence());
        }
        return stats;
    }

    /** Adds a request to its hour's entry, kept in hour order (a day holds at most 24, most accounts one or two). */
    static void countHour(List<HourCount> hourly, int hour, boolean reasoning) {
        int i = 0;
        while (i < hourly.size() && hourly.get(i).getHour() < hour) {
            i++;
        }
        HourCount entry;
        if (i < hourly.size() && hourly.get(i).getHour() == hour) {
            entry = hourly.get(i);
        } else {
            entry = new HourCount(hour, 0, 0);
            hourly.add(i, entry);
        }
        entry.setRequests(entry.getRequests() + 1);
        if (reasoning) {
            entry.setReasoning(entry.getReasoning() + 1);
        }
    }

    /**
     * Counts a quick pair (this request and the subject's previous one at most {@link #QUICK_PAIR_MS} apart, both
     * with an ASN) and whether the network changed between them. Only in-order requests count: a late one has no
     * well-defined predecessor, and skipping it keeps the count independent of how far behind it arrived.
     */
    private static void countNetworkSwitch(SubjectWindowStats stats, SubjectRequest request, long time) {
        if (stats.getRequests() > 0 && time < stats.getLastEventTime()) {
            return;
        }
        Integer asn = request.getAsn();
        if (asn != null && stats.getRequests() > 0 && stats.getLastAsn() >= 0
                && time - stats.getLastEventTime() <= QUICK_PAIR_MS) {
            stats.setQuickPairs(stats.getQuickPairs() + 1);
            if (asn != stats.getLastAsn()) {
                stats.setNetworkSwitches(stats.getNetworkSwitches() + 1);
            }
        }
        stats.setLastAsn(asn == null ? -1 : asn);
    }

    /**
     * Counts, over the day's in-order requests, whether each came from another network block than the one before, at
     * any distance in time: what a member of a hosted client's rotating members shows of its own
     * (SubjectSignals#ownBlocksConfirm). A counter pair and the last block, not a distinct count: a day window keeps
     * no address sketch, and a pool's account changes block at nearly every request where a machine kept never does.
     */
    private static void countBlockChange(SubjectWindowStats stats, SubjectRequest request, long time) {
        if (stats.getRequests() > 0 && time < stats.getLastEventTime()) {
            return;
        }
        long block = request.getPrefixHash();
        if (stats.getLastPrefix() != 0 && block != 0) {
            stats.setBlockRepeats(stats.getBlockRepeats() + 1);
            if (block != stats.getLastPrefix()) {
                stats.setBlockChanges(stats.getBlockChanges() + 1);
            }
        }
        stats.setLastPrefix(block);
    }

    /** Share of quick pairs whose network changed; 0 when there are none. */
    public static double networkSwitchShare(SubjectWindowStats s) {
        return s.getQuickPairs() == 0 ? 0 : (double) s.getNetworkSwitches() / s.getQuickPairs();
    }

    /**
     * The fan-out counts (distinct addresses, networks, ASNs, countries). Nearly every window sees one value of each
     * (an account behind one address), so a count holds that value until a second distinct one comes; then up to
     * {@link ExactDistinct#MAX} values are listed exactly, and only past that does the count become a sketch, seeded
     * with the listed values in their order: the same registers and estimate as a sketch from the start. The
     * thresholds on these counts are small, where a sketch of 64 registers can read one value short.
     *
     * <p>The four fields are reached through a switch, not through getter and setter lambdas: four kinds of lambda
     * behind one call site made every call an interface dispatch.
     */
    private enum FanOut {
        IPS, PREFIXES, ASNS, COUNTRIES;

        void add(SubjectWindowStats stats, long hash, Sketches.Running c) {
            ByteBuffer field = registers(stats);
            if (!field.hasRemaining()) {
                long only = first(stats);
                if (only == 0 || only == hash) {
                    // One distinct value so far: exactly what a fresh sketch's running estimate says after it.
                    set(stats, null, hash, 1.0, 0);
                } else {
                    set(stats, ExactDistinct.of(only, hash), 0, 2.0, 1.0);
                }
                return;
            }
            if (ExactDistinct.holds(field)) {
                if (ExactDistinct.contains(field, hash)) {
                    return;
                }
                int count = ExactDistinct.count(field);
                if (count < ExactDistinct.MAX) {
                    set(stats, ExactDistinct.with(field, hash), 0, count + 1, 1.0);
                    return;
                }
                c.of(0.0, 1.0);
                ByteBuffer sketch = Sketches.EMPTY;
                for (int i = 0; i < count; i++) {
                    sketch = Sketches.add(sketch, SMALL_P, ExactDistinct.get(field, i), c);
                }
                field = sketch;
            } else {
                c.of(estimate(stats), change(stats));
            }
            ByteBuffer sketch = Sketches.add(field, SMALL_P, hash, c);
            set(stats, sketch, 0, c.estimate(), c.change());
        }

        /**
         * The window's values while it lists them (none, the one value, or the exact list); null once a sketch, or
         * when what it lists is not its count (a window that holds a count and no values).
         */
        long[] listed(SubjectWindowStats s) {
            ByteBuffer field = registers(s);
            long[] values;
            if (!field.hasRemaining()) {
                long only = first(s);
                values = only == 0 ? new long[0] : new long[] {only};
            } else if (ExactDistinct.holds(field)) {
                values = new long[ExactDistinct.count(field)];
                for (int i = 0; i < values.length; i++) {
                    values[i] = ExactDistinct.get(field, i);
                }
            } else {
                return null;
            }
            return values.length == Math.round(estimate(s)) ? values : null;
        }

        /** Over two windows: exact while each lists its values, else the larger of the two counts. */
        long union(SubjectWindowStats s, SubjectWindowStats other) {
            long[] these = listed(s);
            long[] those = listed(other);
            if (these == null || those == null) {
                return Math.max(Math.round(estimate(s)), Math.round(estimate(other)));
            }
            return LongStream.concat(Arrays.stream(these), Arrays.stream(those)).distinct().count();
        }

        private ByteBuffer registers(SubjectWindowStats s) {
            return switch (this) {
                case IPS -> s.getIps();
                case PREFIXES -> s.getPrefixes();
                case ASNS -> s.getAsns();
                case COUNTRIES -> s.getCountries();
            };
        }

        private double estimate(SubjectWindowStats s) {
            return switch (this) {
                case IPS -> s.getIpsEstimate();
                case PREFIXES -> s.getPrefixesEstimate();
                case ASNS -> s.getAsnsEstimate();
                case COUNTRIES -> s.getCountriesEstimate();
            };
        }

        private double change(SubjectWindowStats s) {
            return switch (this) {
                case IPS -> s.getIpsChange();
                case PREFIXES -> s.getPrefixesChange();
                case ASNS -> s.getAsnsChange();
                case COUNTRIES -> s.getCountriesChange();
            };
        }

        private long first(SubjectWindowStats s) {
            return switch (this) {
                case IPS -> s.getIpsFirst();
                case PREFIXES -> s.getPrefixesFirst();
                case ASNS -> s.getAsnsFirst();
                case COUNTRIES -> s.getCountriesFirst();
            };
        }

        /**
         * With {@code sketch} null, records the one value seen ({@code first}) and its estimate; else the sketch, its
         * estimate and change probability.
         */
        private void set(SubjectWindowStats s, ByteBuffer sketch, long first, double estimate, double change) {
            switch (this) {
                case IPS -> {
                    if (sketch == null) {
                        s.setIpsFirst(first);
                    } else {
                        s.setIps(sketch);
                        s.setIpsChange(change);
                    }
                    s.setIpsEstimate(estimate);
                }
                case PREFIXES -> {
                    if (sketch == null) {
                        s.setPrefixesFirst(first);
                    } else {
                        s.setPrefixes(sketch);
                        s.setPrefixesChange(change);
                    }
                    s.setPrefixesEstimate(estimate);
                }
                case ASNS -> {
                    if (sketch == null) {
                        s.setAsnsFirst(first);
                    } else {
                        s.setAsns(sketch);
                        s.setAsnsChange(change);
                    }
                    s.setAsnsEstimate(estimate);
                }
                case COUNTRIES -> {
                    if (sketch == null) {
                        s.setCountriesFirst(first);
                    } else {
                        s.setCountries(sketch);
                        s.setCountriesChange(change);
                    }
                    s.setCountriesEstimate(estimate);
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    /** Band {@code band} of a SimHash, tagged with its index so equal values of different bands differ. */
    private static long bandKey(long simhash, int band) {
        int width = 64 / BANDS;
        long value = (simhash >>> (band * width)) & ((1L << width) - 1);
        return ((long) band << 56) ^ value;
    }

    private static void countCapability(SubjectWindowStats stats, String capability) {
        // Not looked up again here: the subject processor shares the request's label once for all its windows, and a
        // label from elsewhere is found by its characters (indexOf), only slower.
        String label = capability == null ? OTHER_CAPABILITY : capability;
        List<String> labels = stats.getCapabilityLabels();
        int index = indexOf(labels, label);
        if (index < 0 && labels.size() >= MAX_CAPABILITIES) {
            index = indexOf(labels, OTHER_CAPABILITY);
            label = OTHER_CAPABILITY;
        }
        if (index < 0) {
            if (!(labels instanceof ArrayList)) {
                labels = new ArrayList<>(labels);
                stats.setCapabilityLabels(labels);
            }
            labels.add(label);
            index = labels.size() - 1;
        }
        ByteBuffer counts = writableCounts(stats.getCapabilityCounts(), labels.size());
        stats.setCapabilityCounts(counts);
        counts.putInt(index * Integer.BYTES, counts.getInt(index * Integer.BYTES) + 1);
    }

    /**
     * The counts as a buffer at position 0 with room and limit for {@code labels} counts: {@code counts} itself when
     * it already is one (every request but a window's first of a label), else a copy with room for a few more.
     */
    private static ByteBuffer writableCounts(ByteBuffer counts, int labels) {
        int needed = labels * Integer.BYTES;
        if (counts.position() == 0 && counts.capacity() >= needed && counts.hasArray() && !counts.isReadOnly()) {
            return counts.limit(Math.max(counts.limit(), needed));
        }
        ByteBuffer grown = ByteBuffer.allocate(needed + 2 * Integer.BYTES);
        grown.put(counts.duplicate());
        return grown.clear().limit(needed);
    }

    /** Position of {@code label} in {@code labels}, -1 if absent; by identity first (labels are canonical). */
    private static int indexOf(List<String> labels, String label) {
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i) == label) {
                return i;
            }
        }
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).equals(label)) {
                return i;
            }
        }
        return -1;
    }

    /** Requests of the {@code i}-th label. */
    private static int capabilityCount(SubjectWindowStats s, int i) {
        ByteBuffer counts = s.getCapabilityCounts();
        return counts.getInt(counts.position() + i * Integer.BYTES);
    }

    /**
     * Puts the request's capability label in its one shared instance, so that each window it counts in (an
     * account's day and hour, its org's) finds it by identity: a label fresh from the wire costs a hash of its
     * characters and a comparison with them at every window.
     */
    public static void shareCapabilityLabel(SubjectRequest request) {
        String capability = request.getCapability();
        if (capability != null) {
            request.setCapability(canonical(capability));
        }
    }

    /**
     * One String instance per capability label, so that the six window maps a request updates find their key by
     * identity instead of comparing its characters with a copy from another request (the comparisons and their
     * cache misses were a fifth of the subject path offline). Bounded: labels past the first thousand go as they are.
     */
    private static String canonical(String label) {
        String known = CAPABILITY_LABELS.get(label);
        if (known != null) {
            return known;
        }
        if (CAPABILITY_LABELS.size() < 1024) {
            known = CAPABILITY_LABELS.putIfAbsent(label, label);
        }
        return known != null ? known : label;
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, String> CAPABILITY_LABELS =
            new java.util.concurrent.ConcurrentHashMap<>();

    // ---- features -------------------------------------------------------------------------------------------

    public static double reasoningShare(SubjectWindowStats s) {
        return share(s.getReasoning(), s.getRequests());
    }

    /** First turns of conversations that never got a second turn, per request. */
    public static double singleTurnShare(SubjectWindowStats s) {
        return share(Math.max(0, s.getFirstTurns() - Math.round(s.getFollowedUpEstimate())), s.getRequests());
    }

    /** Requests that open a conversation (first turns, whether or not a second came), per request. */
    public static double openerShare(SubjectWindowStats s) {
        return share(s.getFirstTurns(), s.getRequests());
    }

    /** Distinct LSH buckets per request and band: 1 when every prompt is new, near 0 for one template. */
    public static double promptDiversity(SubjectWindowStats s) {
        return Math.min(1, share(Math.round(s.getPromptBucketsEstimate()), s.getRequests() * (long) BANDS));
    }

    /** Share of requests on the two most used capability labels. */
    public static double capabilityConcentration(SubjectWindowStats s) {
        long first = 0;
        long second = 0;
        int labels = s.getCapabilityLabels().size();
        for (int i = 0; i < labels; i++) {
            long count = capabilityCount(s, i);
            if (count > first) {
                second = first;
                first = count;
            } else if (count > second) {
                second = count;
            }
        }
        return share(first + second, s.getRequests());
    }

    /**
     * Completion over prompt tokens of the requests that asked for no reasoning: a reasoning trace is counted as
     * completion tokens, so over every request the ratio would mostly repeat the reasoning share (0 without such
     * requests).
     */
    public static double outputInputRatio(SubjectWindowStats s) {
        return (double) s.getPlainCompletionTokens() / Math.max(1, s.getPlainPromptTokens());
    }

    /**
     * Completion over prompt tokens of every request, reasoning traces included: whether a window asks short
     * questions for long answers, as a harvest does, or sends its material for short ones.
     */
    public static double answerPromptRatio(SubjectWindowStats s) {
        return answerPromptRatio(s.getCompletionTokens(), s.getPromptTokens());
    }

    /** Completion over prompt tokens, for counts summed over windows. */
    public static double answerPromptRatio(long completionTokens, long promptTokens) {
        return (double) completionTokens / Math.max(1, promptTokens);
    }

    /** Coefficient of variation of inter-arrival times (standard deviation / mean); NaN with too few gaps. */
    public static double interArrivalCv(SubjectWindowStats s) {
        if (s.getGaps() < 2 || s.getGapMean() <= 0) {
            return Double.NaN;
        }
        return Math.sqrt(s.getGapM2() / (s.getGaps() - 1)) / s.getGapMean();
    }

    public static long distinctIps(SubjectWindowStats s) {
        return Math.round(s.getIpsEstimate());
    }

    public static long distinctPrefixes(SubjectWindowStats s) {
        return Math.round(s.getPrefixesEstimate());
    }

    public static long distinctAsns(SubjectWindowStats s) {
        return Math.round(s.getAsnsEstimate());
    }

    /**
     * Distinct ASNs over two windows of one subject (a day and the day before): exact while each holds its values
     * listed, else the larger of the two counts, which the union has at the least. The thresholds read from it are a
     * few networks, well under what a list holds.
     */
    public static long distinctAsns(SubjectWindowStats s, SubjectWindowStats other) {
        return FanOut.ASNS.union(s, other);
    }

    /** Distinct network blocks (/24, /48) over two windows of one subject, as {@link #distinctAsns(SubjectWindowStats, SubjectWindowStats)}. */
    public static long distinctPrefixes(SubjectWindowStats s, SubjectWindowStats other) {
        return FanOut.PREFIXES.union(s, other);
    }

    public static long distinctCountries(SubjectWindowStats s) {
        return Math.round(s.getCountriesEstimate());
    }

    public static int activeHours(SubjectWindowStats s) {
        return Integer.bitCount(s.getActiveHours());
    }

    public static List<String> topCapabilities(SubjectWindowStats s) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>();
        for (int i = 0; i < s.getCapabilityLabels().size(); i++) {
            entries.add(Map.entry(s.getCapabilityLabels().get(i), (long) capabilityCount(s, i)));
        }
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        return entries.stream().limit(2).map(Map.Entry::getKey).toList();
    }

    static double share(long part, long whole) {
        return whole <= 0 ? 0 : (double) part / whole;
    }
}
