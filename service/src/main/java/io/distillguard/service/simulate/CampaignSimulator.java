package io.distillguard.service.simulate;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import picocli.CommandLine;

/**
 * Labelled synthetic API traffic over days, deterministic from a seed: an ordinary population with its look-alike
 * traps, and four distillation campaigns. Events come out in event-time order, generated one simulated hour at a
 * time, so tens of millions of events need only an hour's worth of memory.
 *
 * <p>What each population does is written down in {@link Population}'s implementations below; the figures are
 * assumptions, not measurements of real traffic (see docs/detection.md's quality section for what follows from that).
 */
public final class CampaignSimulator implements Iterator<RequestEvent> {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;

    /**
     * What to simulate.
     *
     * @param hostedProducts also simulate the products hosted on a cloud that call the API with their users' own
     *                       accounts (a report writer and a tutor) and an open-source tool that developers run on
     *                       machines of their own: the look-alikes the engine does not tell apart from a campaign on
     *                       rented machines unless the operator lists them, kept apart so that they are measured on
     *                       their own
     * @param researchLabs   also simulate university labs whose students' accounts share the lab's card and whose
     *                       evaluations of the models on public benchmarks read as harvests: the look-alike of a
     *                       campaign that shares cards, kept apart so that the published figures stay comparable
     * @param heavyClients   also simulate API routers (one organisation's pool of accounts carrying many customers'
     *                       traffic from a cloud) and power developers (agents, scripts and nightly jobs on one
     *                       person's account): the look-alikes of a harvest by volume and by an hour's shape, kept
     *                       apart for the same reason
     * @param newSignups     also simulate people who open an account while the traffic runs (developers trying the
     *                       API, people starting to chat): young accounts opened in the same hour with the same
     *                       client, the look-alike of a campaign's fresh accounts, kept apart for the same reason
     * @param vpnOpeners     also simulate people on a consumer VPN rotating per request through residential addresses
     *                       who ask for reasoning on the questions that open their conversations: the look-alike of a
     *                       harvest behind such a proxy with conversations around it, which the rotation rule names
     *                       (kept apart for the same reason)
     * @param schoolCards    also simulate schools that pay for their students' accounts on a homework app with one
     *                       card each: the look-alike of a campaign that shares a card between five or more accounts
     * @param studentsPerSchool with schoolCards, about how many of a school's students use the app (on its card, from
     *                       its one address in school hours): twenty and more make the school's address a group at
     *                       the prefix link's fan-in threshold, the look-alike of a campaign behind one address
     * @param productUpgrades the products built on the API (the homework apps, the IDE, the schools' app) move their
     *                       users to the new model from its release, nine requests in ten, as a product that changes
     *                       its default model that day does: the look-alike of a campaign that pivots to it
     * @param productLaunch  also simulate a homework product launched in the three weeks before the traffic, whose
     *                       users opened their accounts for it: the look-alike of a campaign's fresh accounts on a
     *                       template, kept apart as the labs are
     * @param datacenterVpns also simulate people on a commercial VPN whose exits are servers rented from hosting
     *                       providers the rules list: the look-alike of a campaign on rented machines, kept apart as
     *                       the labs are
     * @param otherNetworks  the students (of the study app, and of the schools with schoolCards) spend one hour in ten
     *                       away from school at one of two other places of their own (a café, a relative's home): a
     *                       fourth and fifth network, the look-alike of a pool's account that a held group's member
     *                       test counts networks against; on a random source of its own, so that every other draw
     *                       stays as without it
     */
    public record Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                           boolean hostedProducts, boolean researchLabs, boolean heavyClients, boolean newSignups,
                           boolean vpnOpeners, boolean schoolCards, int studentsPerSchool, boolean productUpgrades,
                           boolean productLaunch, boolean datacenterVpns, boolean otherNetworks) {

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs, boolean heavyClients, boolean newSignups,
                        boolean vpnOpeners, boolean schoolCards, int studentsPerSchool, boolean productUpgrades,
                        boolean productLaunch, boolean datacenterVpns) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, heavyClients, newSignups,
                    vpnOpeners, schoolCards, studentsPerSchool, productUpgrades, productLaunch, datacenterVpns, false);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs, boolean heavyClients, boolean newSignups,
                        boolean vpnOpeners, boolean schoolCards, int studentsPerSchool, boolean productUpgrades,
                        boolean productLaunch) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, heavyClients, newSignups,
                    vpnOpeners, schoolCards, studentsPerSchool, productUpgrades, productLaunch, false);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs, boolean heavyClients, boolean newSignups,
                        boolean vpnOpeners, boolean schoolCards, int studentsPerSchool, boolean productUpgrades) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, heavyClients, newSignups,
                    vpnOpeners, schoolCards, studentsPerSchool, productUpgrades, false);
        }

        /** Students of a school on the app without {@code --students-per-school}. */
        public static final int STUDENTS_PER_SCHOOL = 10;

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs, boolean heavyClients, boolean newSignups,
                        boolean vpnOpeners, boolean schoolCards, int studentsPerSchool) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, heavyClients, newSignups,
                    vpnOpeners, schoolCards, studentsPerSchool, false);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs, boolean heavyClients, boolean newSignups,
                        boolean vpnOpeners, boolean schoolCards) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, heavyClients, newSignups,
                    vpnOpeners, schoolCards, STUDENTS_PER_SCHOOL);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs, boolean heavyClients, boolean newSignups,
                        boolean vpnOpeners) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, heavyClients, newSignups,
                    vpnOpeners, false);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs, boolean heavyClients, boolean newSignups) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, heavyClients, newSignups,
                    false);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs, boolean heavyClients) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, heavyClients, false);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts, boolean researchLabs) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs, false, false);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale) {
            this(seed, benignAccounts, days, start, attackScale, false, false, false, false);
        }

        public Settings(long seed, int benignAccounts, int days, Instant start, double attackScale,
                        boolean hostedProducts) {
            this(seed, benignAccounts, days, start, attackScale, hostedProducts, false, false, false);
        }

        public Settings {
            if (benignAccounts < 100) {
                throw new IllegalArgumentException("at least 100 benign accounts, got " + benignAccounts);
            }
            if (days < 1) {
                throw new IllegalArgumentException("at least one day, got " + days);
            }
            if (studentsPerSchool < 1) {
                throw new IllegalArgumentException("at least one student per school, got " + studentsPerSchool);
            }
        }

        /** Settings from a command's options: what they refuse is a usage error (message and exit code 2). */
        public static Settings fromArguments(CommandLine commandLine, long seed, int benignAccounts, int days,
                                             Instant start, double attackScale, boolean hostedProducts,
                                             boolean researchLabs, boolean heavyClients, boolean newSignups,
                                             boolean vpnOpeners, boolean schoolCards, int studentsPerSchool,
                                             boolean productUpgrades, boolean productLaunch, boolean datacenterVpns,
                                             boolean otherNetworks) {
            try {
                return new Settings(seed, benignAccounts, days, start, attackScale, hostedProducts, researchLabs,
                        heavyClients, newSignups, vpnOpeners, schoolCards, studentsPerSchool, productUpgrades,
                        productLaunch, datacenterVpns, otherNetworks);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(commandLine, e.getMessage());
            }
        }

        /** The same population, days and options on another seed, at one campaign of each kind. */
        public Settings withSeed(long other) {
            return new Settings(other, benignAccounts, days, start, 1.0, hostedProducts, researchLabs, heavyClients,
                    newSignups, vpnOpeners, schoolCards, studentsPerSchool, productUpgrades, productLaunch,
                    datacenterVpns, otherNetworks);
        }

        public long startMs() {
            return start.toEpochMilli() - start.toEpochMilli() % HOUR;
        }

        /** The moment the new model is released: half-way through, on the hour. */
        public long releaseMs() {
            return startMs() + days * DAY / 2 / HOUR * HOUR;
        }
    }

    /** One labelled account. */
    public record Label(String accountId, boolean attack, String scenario) {
        public String csvRow() {
            return accountId + ',' + (attack ? "attack" : "benign") + ',' + scenario;
        }
    }

    /** A group of accounts that emits its requests for one simulated hour at a time. */
    interface Population {
        List<Label> labels();

        void emit(long hourStart, Sink sink);
    }

    /** Where populations put requests; the simulator orders them by event time. */
    interface Sink {
        void add(RequestEvent.Builder event);
    }

    public static final String NEW_MODEL = "frontier-3";

    /**
     * The egress networks of the hosted products ({@link Settings#hostedProducts()}): what an operator who knows them
     * lists in {@code detector.hosted-product-networks}.
     */
    public static final String HOSTED_PRODUCT_NETWORKS = "3.5.140.8/29,3.5.141.8/29";

    /** The --hosted-products option of the commands that simulate. */
    public static final String HOSTED_PRODUCTS_HELP = "Also simulate four products hosted on a cloud provider that "
            + "call the API with their users' own accounts (a report writer and a tutor behind NAT gateways, the same "
            + "writer and tutor on serverless functions that leave from the cloud's shared pool, the tutor with the "
            + "HTTP client most developers there use) and an open-source research tool "
            + "that 500 developers run on cloud machines of their own, and 1,000 developers who each call from an app "
            + "on a cloud machine with a common HTTP client: look-alikes of a template campaign on rented "
            + "machines that the engine does not always tell apart unless the operator lists them in "
            + "detector.hosted-product-networks (the gateways' egress: " + HOSTED_PRODUCT_NETWORKS + ") and "
            + "detector.known-templates-file (the tool's and the serverless tutor's system prompts); docs/limits.md.";

    /** The --research-labs option of the commands that simulate. */
    public static final String RESEARCH_LABS_HELP = "Also simulate university research labs (one per 2,000 benign "
            + "accounts, 6 to 20 students each) whose students' own accounts are paid by the lab's card, one to three "
            + "of them running evaluations of the models on public benchmarks (first turns, long answers, reasoning "
            + "on all, half or none of a run's requests): the look-alike of a campaign that shares cards; "
            + "docs/limits.md.";

    /** The --heavy-clients option of the commands that simulate. */
    public static final String HEAVY_CLIENTS_HELP = "Also simulate API routers (one per 20,000 benign accounts: an "
            + "organisation's pool of 4 to 12 accounts on one invoice carrying its customers' chats, single requests "
            + "and agents from a cloud, hundreds to thousands of requests an hour) and power developers (one per "
            + "1,000: coding agents, scripts of hundreds of single requests an hour, nightly review jobs on one "
            + "person's account): look-alikes of a harvest by volume and by an hour's shape; docs/limits.md.";

    /** The --vpn-openers option of the commands that simulate. */
    public static final String VPN_OPENERS_HELP = "Also simulate people on a consumer VPN that exits through another "
            + "home at each request (five per 1,000 benign accounts) who ask for reasoning on six in ten of the "
            + "questions that open their conversations and rarely on what follows: the look-alike of a harvest behind "
            + "a proxy rotating per request with ordinary conversations around it, which the rotation rule names for "
            + "about a quarter of them; and such people five to a card (one per 1,000), the look-alike of a card "
            + "held on its first turns; docs/limits.md.";

    public static final String DATACENTER_VPNS_HELP = "Also simulate people on a commercial VPN (five per 1,000 benign "
            + "accounts) whose every session leaves through one of a few dozen exit servers rented from two hosting "
            + "providers on the rules' hosting list, shared by every user of the VPN, and who ask for reasoning as "
            + "privacy-minded developers do: the look-alike of a campaign on rented machines; docs/limits.md.";

    /** The --other-networks option of the commands that simulate. */
    public static final String OTHER_NETWORKS_HELP = "The students (the study app's, and the schools' with "
            + "--school-cards) spend one hour in ten away from school at one of two other places of their own (a "
            + "café, a relative's home), each on its provider's network: a fourth and fifth network now and then, the "
            + "look-alike of a proxy pool's account that a held card's or template's members are counted against; "
            + "docs/limits.md.";

    /** The --school-cards option of the commands that simulate. */
    public static final String SCHOOL_CARDS_HELP = "Also simulate schools that pay for their students' accounts on a "
            + "homework app with the school's card (about ten students a school, one per 100 benign accounts; reasoning "
            + "on seven in ten of their lone questions, from the school, the phone and home): the look-alike of a "
            + "campaign that shares a card between five or more of its accounts; docs/limits.md.";

    /** The --students-per-school option of the commands that simulate. */
    public static final String STUDENTS_PER_SCHOOL_HELP = "With --school-cards, about how many students of a school "
            + "use the homework app, on its card and from its one address in school hours; twenty and more make the "
            + "school's address a group at the prefix link's fan-in threshold (docs/limits.md). Default: "
            + "${DEFAULT-VALUE}.";

    /** The --product-upgrades option of the commands that simulate. */
    public static final String PRODUCT_UPGRADES_HELP = "Let the products built on the API (the homework apps, the "
            + "IDE, the schools' app) move their users to the new model from its release, nine requests in ten, as a "
            + "product that changes its default model that day does: the look-alike of a campaign that pivots to it; "
            + "docs/limits.md.";

    /** The --product-launch option of the commands that simulate. */
    public static final String PRODUCT_LAUNCH_HELP = "Also simulate a homework product launched in the three weeks "
            + "before the traffic, whose users (one per 100 benign accounts) opened their accounts for it: reasoning "
            + "on seven in ten of their lone questions, from their homes and phones: the look-alike of a campaign's "
            + "fresh accounts on a template; docs/limits.md.";

    /** The --new-signups option of the commands that simulate. */
    public static final String NEW_SIGNUPS_HELP = "Also simulate people who open an account while the traffic runs "
            + "(one in a hundred of the benign accounts a day, in their daytime): four in ten developers trying the API "
            + "with a few single test requests, half asking for reasoning, the rest people who start chatting within "
            + "minutes: young accounts opened in the same hour with the same client, the look-alike of a campaign's "
            + "fresh accounts; docs/limits.md.";

    /**
     * The system prompt of the open-source tool that developers run on machines of their own
     * ({@link Settings#hostedProducts()}): public, as such a tool's prompt is in its repository, and what an operator
     * who knows the tool lists in {@code detector.known-templates-file}.
     */
    public static final String SELF_HOSTED_TOOL_PROMPT = "You are a careful research assistant. Read the question below, "
            + "break it into the sub-questions that must be answered first, answer each of them with the evidence you "
            + "know and say how sure you are, then write a structured report: a summary of three sentences, the "
            + "findings as numbered sections with their sources, the open questions, and what the reader should "
            + "check before relying on the report. Write in plain language for an expert reader, keep every claim "
            + "tied to its evidence, prefer primary sources, and never invent a citation. Question: ";

    /**
     * The system prompt of the tutor on serverless functions ({@link Settings#hostedProducts()}): its egress is the
     * cloud's shared pool, which no operator can list, so its prompt is what one who knows the product lists in
     * {@code detector.known-templates-file}.
     */
    public static final String SERVERLESS_TUTOR_PROMPT = "You are a patient mathematics tutor for secondary school "
            + "students. Work through the student's problem step by step, explain why each step follows from the one "
            + "before, name the rule or theorem you use, check the answer by substituting it back, and end with one "
            + "similar exercise for the student to try alone. Never give only the final answer, keep the language "
            + "simple, and ask the student a question whenever a step depends on something they may not have met "
            + "yet. Problem: ";

    private final Settings settings;
    private final List<Population> populations = new ArrayList<>();
    private final PriorityQueue<RequestEvent> pending =
            new PriorityQueue<>((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
    private final long endMs;
    private long nextHour;
    private long sequence;

    public CampaignSimulator(Settings settings) {
        this(settings, null);
    }

    /**
     * @param campaigns the campaigns to simulate beside the benign populations instead of the named attack scenarios;
     *                  null for the named scenarios
     */
    public CampaignSimulator(Settings settings, List<CampaignKnobs> campaigns) {
        this.settings = settings;
        Traffic traffic = new Traffic(settings);
        populations.addAll(traffic.benign());
        populations.addAll(campaigns == null ? traffic.attacks() : traffic.campaigns(campaigns));
        this.nextHour = settings.startMs();
        this.endMs = settings.startMs() + settings.days() * DAY;
    }

    public Settings settings() {
        return settings;
    }

    public List<Label> labels() {
        List<Label> labels = new ArrayList<>();
        populations.forEach(p -> labels.addAll(p.labels()));
        return labels;
    }

    @Override
    public boolean hasNext() {
        fill();
        return !pending.isEmpty();
    }

    @Override
    public RequestEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return pending.poll();
    }

    /** Generates hours until the earliest pending request can no longer be preceded by one not generated yet. */
    private void fill() {
        while (nextHour < endMs && (pending.isEmpty() || pending.peek().getEventTime().toEpochMilli() >= nextHour)) {
            long hour = nextHour;
            nextHour += HOUR;
            for (Population population : populations) {
                population.emit(hour, builder -> {
                    long t = builder.getEventTime().toEpochMilli();
                    if (t < endMs) {
                        sequence++;
                        if (builder.getReasoningRequested()) {
                            builder.setCompletionTokens(builder.getCompletionTokens()
                                    + reasoningTrace(settings.seed(), sequence));
                        }
                        pending.add(builder.setEventId("sim-" + settings.seed() + "-" + sequence).build());
                    }
                });
            }
        }
    }

    /**
     * The tokens of a reasoning trace, which the APIs count (and bill) as completion tokens: whoever asks for
     * reasoning gets a long completion, a person as much as a harvest. Lognormal, median 1,000 tokens, a tenth under
     * about 280 and a tenth over about 3,600 (a model's effort varies with the question), at most 16,000. Drawn from the
     * request's own sequence number, so every other draw of the simulation stays where it was without it.
     */
    static int reasoningTrace(long seed, long sequence) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ sequence * 0xC2B2AE3D27D4EB4FL);
        return (int) Math.min(16_000, Math.round(Math.exp(Math.log(1_000) + random.nextGaussian())));
    }

    /** A seeded random source for one population, independent of the others and of the order they are asked in. */
    static SplittableRandom random(long seed, String population) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ population.hashCode());
    }
}
