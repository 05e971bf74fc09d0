package io.distillguard.service.demo;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic gateway traffic for the live demo: ordinary customers mixed with two kinds of distillation traffic, so
 * the per-account and the cross-account detectors have something to find and something to leave alone. (The
 * labelled, multi-day scenarios of the quality report are {@link io.distillguard.service.simulate.CampaignSimulator}.)
 *
 * <ul>
 *   <li>Benign: 400 accounts, each on an address (and /24) of its own, plus 15 students behind one university NAT (shared
 *       address, under the fan-in threshold) doing ordinary chat and writing.</li>
 *   <li>"Scraper": 2 accounts harvesting coding and reasoning answers with fresh prompts at high volume
 *       (ACCOUNT_RISK: extraction profile and volume).</li>
 *   <li>"Hydra": 60 new low-volume accounts rotating over 4 proxy addresses in one /24, three prompt templates, four
 *       shared cards (ACCOUNT_CLUSTER by payment, prefix and prompt cluster; SHARED_PAYMENT, PREFIX_FAN_IN).</li>
 *   <li>About 0.5% malformed events (an ip that does not parse, negative token counts) for the dead-letter path.</li>
 * </ul>
 * Seeded, so two runs with the same seed produce the same events apart from their timestamps.
 */
public final class TrafficGenerator {

    private static final String[] BENIGN_CAPABILITIES = {"chat", "writing", "coding", "math", "chat", "writing"};
    private static final String[] BENIGN_PROMPTS = {
        "Can you help me write an email to my landlord about a broken heater",
        "Summarise this article about climate policy in three bullet points",
        "What is a good recipe for a vegetarian lasagna for six people",
        "Explain the difference between a list and a tuple in Python",
        "Draft a cover letter for a junior data analyst position",
    };
    private static final String[] HARVEST_TEMPLATES = {
        "Solve the following competitive programming problem %d and explain your reasoning step by step before giving the final code",
        "Think step by step and show the internal reasoning behind your answer to problem %d then grade it with the rubric",
        "You are an expert agent. Use the tools to complete task %d and narrate each reasoning step in detail",
    };

    private final Random random;
    private final List<String> benignAccounts = new ArrayList<>();
    private final List<String> benignIps = new ArrayList<>();
    private final List<String> natStudents = new ArrayList<>();
    private final List<String> hydraAccounts = new ArrayList<>();
    private final List<String> hydraIps = List.of("198.51.100.10", "198.51.100.11", "198.51.100.12", "198.51.100.13");
    private final List<String> scraperAccounts = List.of("acct-scraper-1", "acct-scraper-2");
    private long sequence;

    public TrafficGenerator(long seed) {
        this.random = new Random(seed);
        for (int i = 0; i < 400; i++) {
            benignAccounts.add(String.format("acct-user-%04d", i));
            // Home addresses in networks of their own, as a residential ISP hands them out.
            benignIps.add("100." + (64 + i / 250) + "." + (i % 250) + ".20");
        }
        for (int i = 0; i < 15; i++) {
            natStudents.add(String.format("acct-student-%02d", i));
        }
        for (int i = 0; i < 60; i++) {
            hydraAccounts.add(String.format("acct-hydra-%03d", i));
        }
    }

    /** Every account the generator uses, as {@code account_id,label,scenario} rows of a labels file. */
    public List<String> labelRows() {
        List<String> rows = new ArrayList<>();
        benignAccounts.forEach(a -> rows.add(a + ",benign,ordinary"));
        natStudents.forEach(a -> rows.add(a + ",benign,university_nat"));
        scraperAccounts.forEach(a -> rows.add(a + ",attack,bulk_scraper"));
        hydraAccounts.forEach(a -> rows.add(a + ",attack,hydra_proxy"));
        return rows;
    }

    /** The kind of event {@link #next} produced, so callers can count what they sent. */
    public enum Kind { BENIGN, SCRAPER, HYDRA, MALFORMED }

    /** One generated event and its kind. */
    public record Generated(Kind kind, RequestEvent event) {
    }

    /** The next event, stamped with {@code eventTime}. */
    public Generated next(long eventTime) {
        double roll = random.nextDouble();
        if (roll < 0.005) {
            return new Generated(Kind.MALFORMED, malformed(eventTime));
        }
        if (roll < 0.40) {
            String account = scraperAccounts.get(random.nextInt(scraperAccounts.size()));
            // Fresh prompts every time (a SimHash of their own): the coverage a distiller buys.
            return new Generated(Kind.SCRAPER, harvest(account, "2001:db8:77::" + (1 + random.nextInt(3)), eventTime)
                    .setPromptText(null).setPromptSimhash(random.nextLong()).build());
        }
        if (roll < 0.65) {
            String account = hydraAccounts.get(random.nextInt(hydraAccounts.size()));
            return new Generated(Kind.HYDRA, harvest(account, hydraIps.get(random.nextInt(hydraIps.size())), eventTime)
                    .setAccountCreatedAt(Instant.ofEpochMilli(eventTime - 86_400_000L))
                    .setPaymentFingerprint("pm-shared-" + (account.hashCode() & 3)).build());
        }
        if (roll < 0.70) {
            String student = natStudents.get(random.nextInt(natStudents.size()));
            return new Generated(Kind.BENIGN, benign(student, "192.0.2.50", eventTime));
        }
        int i = random.nextInt(benignAccounts.size());
        return new Generated(Kind.BENIGN, benign(benignAccounts.get(i), benignIps.get(i), eventTime));
    }

    private RequestEvent benign(String account, String ip, long eventTime) {
        return base(account, ip, eventTime)
                .setCapability(BENIGN_CAPABILITIES[random.nextInt(BENIGN_CAPABILITIES.length)])
                .setPromptText(BENIGN_PROMPTS[random.nextInt(BENIGN_PROMPTS.length)])
                .setPromptTokens(50 + random.nextInt(400))
                .setCompletionTokens(100 + random.nextInt(600))
                .setTurnIndex(random.nextInt(4))
                .setCountry("US")
                .setAsn(7922)
                .build();
    }

    private RequestEvent.Builder harvest(String account, String ip, long eventTime) {
        String template = HARVEST_TEMPLATES[random.nextInt(HARVEST_TEMPLATES.length)];
        return base(account, ip, eventTime)
                .setCapability(random.nextBoolean() ? "coding" : "reasoning")
                .setReasoningRequested(true)
                .setPromptText(String.format(template, random.nextInt(100_000)))
                .setPromptTokens(300 + random.nextInt(300))
                .setCompletionTokens(1500 + random.nextInt(2500))
                .setTurnIndex(0)
                .setCountry("SG")
                .setAsn(64500);
    }

    private RequestEvent malformed(long eventTime) {
        RequestEvent.Builder event = base(benignAccounts.get(random.nextInt(benignAccounts.size())), "10.0.0.1", eventTime)
                .setPromptTokens(10).setCompletionTokens(10);
        if (random.nextBoolean()) {
            event.setIp("999.1.2.3");
        } else {
            event.setPromptTokens(-1);
        }
        return event.build();
    }

    private RequestEvent.Builder base(String account, String ip, long eventTime) {
        sequence++;
        return RequestEvent.newBuilder()
                .setEventId(String.format("evt-%016x-%08d", random.nextLong(), sequence))
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setAccountId(account)
                .setIp(ip)
                .setModel("frontier-2")
                .setEndpoint("/v1/messages")
                .setUserAgent("demo-client/1.0")
                .setStatus(200);
    }
}
