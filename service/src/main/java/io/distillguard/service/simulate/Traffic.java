package io.distillguard.service.simulate;

import static io.distillguard.service.simulate.CampaignSimulator.DAY;
import static io.distillguard.service.simulate.CampaignSimulator.HOUR;
import static io.distillguard.service.simulate.CampaignSimulator.NEW_MODEL;

import io.distillguard.avro.PromptMinHash;
import io.distillguard.avro.RequestEvent;
import io.distillguard.service.simulate.CampaignSimulator.Label;
import io.distillguard.service.simulate.CampaignSimulator.Population;
import io.distillguard.service.simulate.CampaignSimulator.Settings;
import io.distillguard.service.simulate.CampaignSimulator.Sink;
import io.distillguard.topology.validation.PromptFingerprint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The populations of {@link CampaignSimulator}. Each is an assumption about how a kind of customer or attacker uses
 * a model API, written so that a reader can argue with it:
 *
 * <ul>
 *   <li>ordinary: sessions of 1 to 8 turns, 1 to 200 requests a day (log-normal, median about 6), a daily rhythm in
 *       the account's time zone, 12 % reasoning, a personal mix of capabilities, fresh prompts with some popular
 *       ones, a home address of its own and now and then a phone on a carrier NAT, old accounts;</li>
 *   <li>university_nat: students behind one campus address each, ordinary otherwise;</li>
 *   <li>mobile_carrier: accounts that only ever come through a carrier's NAT pool of 64 addresses;</li>
 *   <li>enterprise_batch: one template at high volume for a few hours each night, single turn, no reasoning;</li>
 *   <li>eval_harness: a run of thousands of single-turn benchmark prompts in two hours, some days, reasoning on 40 %,
 *       every capability, prompts from benchmarks other harnesses run too;</li>
 *   <li>agent_product: long tool-use conversations at a steady machine pace around the clock;</li>
 *   <li>bulk_distiller (attack): a few accounts at 600 to 1,200 requests an hour for days: chain of thought on 90 %,
 *       first turns, fresh prompts, coding and math, from hosting addresses;</li>
 *   <li>hydra (attack): 2,000 new accounts at 20 to 40 requests a day each, every request through a different
 *       residential proxy address and country, prompts from 30 templates, 40 % of accounts on shared cards (about
 *       40 accounts a card);</li>
 *   <li>low_and_slow (attack): 300 accounts at 8 to 20 requests a day from hosting /24s (about 50 accounts each),
 *       fresh prompts;</li>
 *   <li>model_pivot (attack): 150 accounts on shared cards (about 30 a card), moving 85 % of their traffic to the
 *       new model within hours of its release;</li>
 *   <li>evasive_hydra (attack): 500 aged accounts built to slip past the extraction profile and every link: every
 *       harvest wrapped in a short conversation, reasoning on 45 %, four capabilities, fresh prompts, one card and
 *       one rotating residential address and network per request each, 20 to 40 requests a day;</li>
 *   <li>template_farm (attack): 150 aged accounts at about 5 requests a day over one hosting provider's /24s, five
 *       templates whose slots flip up to 4 SimHash bits; text_template_farm (attack): the same with its templates
 *       written as 50 words around a 3-word slot, fingerprinted from the text;</li>
 *   <li>privacy_relay, tor_user, multihomed_office: ordinary users whose requests switch networks (a relay's
 *       operators, a Tor exit every ten minutes, an office's two providers), asking for reasoning far more than most;</li>
 *   <li>residential_vpn: ordinary users on a consumer VPN that exits through other people's homes, every request
 *       from another residential address and network, as a hydra's proxy;</li>
 *   <li>study_app: a homework product's students whose days run school, phone, home (three networks), one in a
 *       hundred on such a VPN: the look-alike of a template campaign behind a residential proxy pool. Its own random
 *       source and on top of the other populations, so that they keep their draws. With the other-networks option,
 *       a student spends one hour in ten away from school at one of two other places of its own (a café, a
 *       relative's home), each on its provider's network;</li>
 *   <li>regional_app: the same homework product in one country, seven of its users' homes in ten on the incumbent
 *       provider: the look-alike of a template campaign on one provider's machines off the hosting list. On top of
 *       the others too.</li>
 *   <li>school_card (with the school-cards option): the study app's students again, each school paying for its
 *       students' accounts with its card (about ten a school): the look-alike of a campaign that shares a card
 *       between five or more of its accounts. On top of the others too.</li>
 *   <li>launched_app (with the product-launch option): the homework app again, launched in the three weeks before the
 *       traffic, its users' accounts opened for it: the look-alike of a campaign's fresh accounts on a template. On
 *       top of the others too.</li>
 *   <li>with the product-upgrades option, the products built on the API (the homework apps, the IDE, the schools'
 *       app) move nine requests in ten to the new model from its release, as a product that changes its default
 *       that day does: the look-alike of a campaign that pivots to it. No population is added.</li>
 *   <li>vpn_opener (with the vpn-openers option): people on the same kind of VPN who ask for reasoning on six in
 *       ten of the questions that open their conversations and rarely on what follows: the look-alike of a harvest
 *       that sends ordinary conversations around its requests behind a rotating proxy. On top of the others too.</li>
 *   <li>vpn_opener_team (with the vpn-openers option too): such people again, five to a card (a family plan, a
 *       small team on a company card): the look-alike of a card shared at its fan-in threshold whose harvest has
 *       ordinary conversations around it. On top of the others too.</li>
 *   <li>datacenter_vpn (with the datacenter-vpns option): people on a commercial VPN whose exits are servers rented
 *       from two providers on the rules' hosting list, each exit address shared by many of them, asking for reasoning
 *       as privacy-minded developers do: the look-alike of a campaign on rented machines. On top of the others
 *       too.</li>
 * </ul>
 */
final class Traffic {

    private static final String[] CAPABILITIES = {"chat", "writing", "coding", "math", "tool_use", "reasoning", "analysis"};
    private static final String[] COUNTRIES = {"US", "US", "US", "GB", "DE", "IN", "BR", "JP", "FR", "CA"};
    private static final int[] COUNTRY_UTC_OFFSET = {-5, -5, -7, 0, 1, 5, -3, 9, 1, -5};
    private static final int[] RESIDENTIAL_ASNS = {7922, 701, 7018, 20115, 22773, 3320, 2856, 4134, 12322, 5089};
    private static final int[] RESIDENTIAL_FIRST_OCTETS = {24, 67, 68, 71, 73, 76, 98, 99, 174, 81};
    private static final int HOSTING_ASN = 16509;
    /** Hosting providers a campaign rents from, the first being the one benign hosting traffic uses too. */
    private static final int[] HOSTING_ASNS = {16509, 14061, 24940, 16276, 63949, 20473, 8075, 15169};
    /** The regional product's country (Germany) and the incumbent provider of its homes (Deutsche Telekom). */
    private static final int REGIONAL_COUNTRY = 4;
    private static final int INCUMBENT_ASN = 3320;
    /**
     * A small VPS provider's network the bundled rules' hosting list leaves out (a number from the private-use range,
     * so that no real provider is named): a disguised campaign's rented machines.
     */
    private static final int UNLISTED_HOSTING_ASN = 64_999;
    /** Browsers' user agents, one per account of a campaign disguised as people. */
    private static final String[] BROWSER_AGENTS = {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"};
    /** Mean turns of a cover conversation (two to four). */
    private static final double COVER_TURNS = 3;
    private static final int CARRIER_ASN = 21928;
    /** With the other-networks option: the percent of a student's hours away from school spent at another place. */
    private static final int OTHER_NETWORK_PERCENT = 10;
    /** With the other-networks option: the places of each student's own besides home, school and the phone. */
    private static final int OTHER_PLACES = 2;
    private static final long OTHER_NETWORKS_SALT = 0x6f74_6865_726e_6574L;
    /** School districts' and national research networks' ASNs, for students' school-hours sessions. */
    private static final int[] EDUCATION_ASNS = {11537, 3754, 2152, 786, 680, 1103, 2200, 137};
    /** The hosted products' NAT gateways, four addresses each (CampaignSimulator.HOSTED_PRODUCT_NETWORKS). */
    private static final String HOSTED_WRITER_EGRESS = "3.5.140.";
    private static final String HOSTED_TUTOR_EGRESS = "3.5.141.";
    /**
     * A serverless product's egress: its functions leave from the cloud's shared pool, another address (and mostly
     * another /24) at each call, 1,024 /24s here. Null as a product's egress means this pool.
     */
    private static final String SERVERLESS_POOL = null;
    /** Activity by local hour of day: quiet at night, busy in the working day and evening. */
    private static final double[] DIURNAL = {0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.3, 1.3,
        1.2, 1.3, 1.3, 1.2, 1.1, 1.0, 1.0, 1.1, 1.1, 0.9, 0.6, 0.3};
    private static final double DIURNAL_SUM;

    static {
        double sum = 0;
        for (double w : DIURNAL) {
            sum += w;
        }
        DIURNAL_SUM = sum;
    }

    private final Settings settings;
    private final PromptFingerprint.Fingerprints[] popularPrompts;
    private final long[] benchmarkPrompts;
    private final long[] templates;
    private final PromptLanguage language;

    Traffic(Settings settings) {
        this.settings = settings;
        SplittableRandom shared = CampaignSimulator.random(settings.seed(), "shared");
        language = new PromptLanguage(CampaignSimulator.random(settings.seed(), "language"));
        // What many people ask in the same words ("hi", "what is the capital of France"): two to eight common words.
        long[] popularSeeds = longs(shared, 300);
        popularPrompts = new PromptFingerprint.Fingerprints[popularSeeds.length];
        for (int i = 0; i < popularSeeds.length; i++) {
            SplittableRandom words = new SplittableRandom(popularSeeds[i]);
            popularPrompts[i] = PromptFingerprint.of(PromptLanguage.join(language.phrase(words, 2 + words.nextInt(7))));
        }
        benchmarkPrompts = longs(shared, 5_000);
        templates = longs(shared, 30);
    }

    List<Population> benign() {
        int n = settings.benignAccounts();
        int students = Math.max(2, n * 6 / 1000);
        int carrier = Math.max(2, n * 5 / 100);
        int batch = Math.max(2, n / 5_000);
        int eval = Math.max(2, n * 3 / 10_000);
        int agents = Math.max(2, n / 5_000);
        int product = Math.max(2, n * 2 / 100);
        int homework = Math.max(2, n / 100);
        int cohort = Math.max(2, n * 3 / 1_000);
        int relay = Math.max(2, n / 100);
        int tor = Math.max(2, n / 1_000);
        int multihomed = Math.max(2, n * 5 / 1_000);
        int residentialVpn = Math.max(2, n / 1_000);
        int hosted = settings.hostedProducts() ? Math.max(2, n / 100) : 0;
        int ordinary = n - students - carrier - batch - eval - agents - product - homework - cohort - relay - tor
                - multihomed - residentialVpn - 2 * hosted;
        List<Population> populations = new ArrayList<>(List.of(
                new Ordinary("ordinary", "acct-user-", ordinary, Network.HOME),
                new Ordinary("university_nat", "acct-student-", students, Network.CAMPUS),
                new Ordinary("mobile_carrier", "acct-mobile-", carrier, Network.CARRIER),
                new Ordinary("privacy_relay", "acct-relay-", relay, Network.RELAY),
                new Ordinary("tor_user", "acct-tor-", tor, Network.TOR),
                new Ordinary("multihomed_office", "acct-office-", multihomed, Network.MULTIHOMED),
                new Ordinary("residential_vpn", "acct-vpn-", residentialVpn, Network.RESIDENTIAL_VPN),
                new EnterpriseBatch(batch),
                new EvalHarness(eval),
                new AgentProduct(agents),
                new TemplatedProduct("templated_product", "acct-ide-", product, 0.35, 0.4, "coding", false),
                new TemplatedProduct("homework_app", "acct-homework-", homework, 0.7, 1.0, "math", true),
                new SignupCohort(cohort),
                // On top of the others (its own random source), so that every other population keeps its draws.
                new TemplatedProduct("study_app", "acct-study-", homework, 0.7, 1.0, "math", true, true),
                // The same, one country's, seven homes in ten on its incumbent provider; on top, as the study app.
                new TemplatedProduct("regional_app", "acct-regional-", homework, 0.7, 1.0, "math", true, false, true)));
        if (hosted > 0) {
            populations.add(new HostedProduct("hosted_writer", "acct-writer-", hosted, 0.3, 1.0, 0.9, "writing",
                    HOSTED_WRITER_EGRESS));
            populations.add(new HostedProduct("hosted_tutor", "acct-tutor-", hosted, 0.7, 0.8, 0.5, "math",
                    HOSTED_TUTOR_EGRESS));
            populations.add(new SelfHostedTool(hosted / 2));
            // On top of the others (its own random source), so that they keep their draws.
            populations.add(new HostedProduct("serverless_writer", "acct-serverless-", hosted, 0.3, 1.0, 0.9, "writing",
                    SERVERLESS_POOL));
            // On top, as the serverless writer is.
            populations.add(new CloudDeveloper(hosted));
            // On top, as the serverless writer is: the tutor on serverless functions, its backend calling with the
            // HTTP client most developers on that cloud use.
            populations.add(new HostedProduct("serverless_tutor", "acct-sltutor-", hosted, 0.7, 0.8, 0.5, "math",
                    SERVERLESS_POOL, CloudDeveloper.CLIENTS[0], CampaignSimulator.SERVERLESS_TUTOR_PROMPT));
        }
        if (settings.researchLabs()) {
            // On top of the others (their own random source), as the study app is: every other population keeps
            // its draws, and the benign accounts' count grows by the labs' students.
            populations.add(new ResearchLab(Math.max(2, n / 2_000)));
        }
        if (settings.heavyClients()) {
            // On top of the others (their own random sources), as the labs are.
            populations.add(new Router(Math.max(2, n / 20_000)));
            populations.add(new PowerDeveloper(Math.max(2, n / 1_000)));
        }
        if (settings.schoolCards()) {
            // On top of the others (its own random source), as the labs are.
            populations.add(new TemplatedProduct("school_card", "acct-school-", homework, 0.7, 1.0, "math", true, true,
                    false, true));
        }
        if (settings.productLaunch()) {
            // On top of the others (its own random source), as the labs are.
            populations.add(new TemplatedProduct("launched_app", "acct-launched-", homework, 0.7, 1.0, "math", true,
                    false, false, false, true));
        }
        if (settings.vpnOpeners()) {
            // On top of the others (its own random source), as the labs are; five per 1,000 so that the look-alike
            // is measured on more than a handful of people in a sweep's cell.
            populations.add(new Ordinary("vpn_opener", "acct-opener-", Math.max(2, n * 5 / 1_000),
                    Network.RESIDENTIAL_VPN_OPENER));
            // The same people five to a card, one per 1,000 (at least one card): what a card held on its first turns
            // names when its members are all on such a VPN.
            populations.add(new Ordinary("vpn_opener_team", "acct-opener-team-", Math.max(5, n / 1_000 / 5 * 5),
                    Network.RESIDENTIAL_VPN_OPENER, 5));
        }
        if (settings.datacenterVpns()) {
            // On top of the others (its own random source), as the labs are; as many as the VPN openers.
            populations.add(new Ordinary("datacenter_vpn", "acct-dcvpn-", Math.max(2, n * 5 / 1_000),
                    Network.DATACENTER_VPN));
        }
        if (settings.newSignups()) {
            // On top of the others (their own random source), as the labs are.
            populations.add(new NewSignups(Math.max(2, n * settings.days() / 100)));
        }
        return populations;
    }

    /** Campaigns shaped by {@link CampaignKnobs}, each labelled with its scenario. */
    List<Population> campaigns(List<CampaignKnobs> knobs) {
        List<Population> out = new ArrayList<>();
        for (CampaignKnobs k : knobs) {
            out.add(new ShapedCampaign(k, out.size()));
        }
        return out;
    }

    List<Population> attacks() {
        double scale = settings.attackScale();
        return List.of(
                new BulkDistiller(Math.max(1, (int) Math.round(5 * scale))),
                new Hydra(Math.max(20, (int) Math.round(2_000 * scale))),
                new LowAndSlow(Math.max(20, (int) Math.round(300 * scale))),
                new ModelPivot(Math.max(20, (int) Math.round(150 * scale))),
                new EvasiveHydra(Math.max(20, (int) Math.round(500 * scale))),
                new ShapedCampaign(CampaignKnobs.templateFarm(Math.max(20, (int) Math.round(150 * scale))), 0),
                new ShapedCampaign(CampaignKnobs.textTemplateFarm(Math.max(20, (int) Math.round(150 * scale))), 1));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static long[] longs(SplittableRandom random, int n) {
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextLong();
        }
        return values;
    }

    /** Poisson-distributed count with the given mean (Knuth for small means, a normal approximation above 30). */
    static int poisson(SplittableRandom random, double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            product *= random.nextDouble();
            count++;
        }
        return count;
    }

    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * A time of day for an account's creation, from its number alone (no draw from a population's random source, so
     * the rest of the simulation is unchanged): people sign up at every hour, not at one instant.
     */
    static long spread(int i) {
        return Math.floorMod(i * 2_654_435_761L, DAY);
    }

    /**
     * A person's card, from the account's number alone (no draw, so the rest of the simulation is unchanged): about
     * one person in seven shares it with one or two others of the same population (siblings on one homework app, a
     * couple, a freelancer's work and own accounts), the look-alike of a campaign that shares cards between a few
     * of its accounts. Of every three consecutive accounts, one block in ten shares one card among all three and one
     * in fifteen between the first two.
     */
    static String personalCard(String prefix, int i) {
        int block = i / 3;
        int draw = (int) Math.floorMod((prefix.hashCode() * 31L + block) * 0x9E3779B97F4A7C15L >>> 33, 30L);
        boolean household = draw < 3 || draw < 5 && i % 3 < 2;
        return household ? "card-household-" + prefix + block : "card-" + prefix + i;
    }

    static String residentialIp(SplittableRandom random) {
        return RESIDENTIAL_FIRST_OCTETS[random.nextInt(RESIDENTIAL_FIRST_OCTETS.length)] + "." + random.nextInt(256)
                + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    static String carrierNatIp(SplittableRandom random) {
        return "172.58." + (10 + random.nextInt(2)) + "." + (1 + random.nextInt(32));
    }

    /** A word of four to nine letters: distinct words shingle and hash apart as real ones do. */
    static String word(SplittableRandom random) {
        int length = 4 + random.nextInt(6);
        char[] letters = new char[length];
        for (int i = 0; i < length; i++) {
            letters[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(letters);
    }

    static PromptMinHash minHash(PromptFingerprint.Fingerprints prompt) {
        return new PromptMinHash(prompt.minHash());
    }

    /** Flips up to {@code maxBits} random bits: the slots of a template filled differently. */
    static long nearby(SplittableRandom random, long simhash, int maxBits) {
        int flips = random.nextInt(maxBits + 1);
        for (int i = 0; i < flips; i++) {
            simhash ^= 1L << random.nextInt(64);
        }
        return simhash;
    }

    RequestEvent.Builder request(String account, long time, String ip) {
        return RequestEvent.newBuilder()
                .setEventId("")
                .setEventTime(Instant.ofEpochMilli(time))
                .setAccountId(account)
                .setApiKeyId("key-" + account)
                .setIp(ip)
                .setModel("frontier-2")
                .setEndpoint("/v1/messages")
                .setPromptTokens(100)
                .setCompletionTokens(300)
                .setStatus(200);
    }

    /** The model of a request: after the release, {@code share} of traffic goes to the new model. */
    String model(SplittableRandom random, long time, double share) {
        return time >= settings.releaseMs() && random.nextDouble() < share ? NEW_MODEL
                : random.nextInt(10) < 7 ? "frontier-2" : "frontier-2-mini";
    }

    /**
     * The share of sessions that are a single turn, the rest being three turns, for first turns to be
     * {@code firstTurns} of the requests (from a third, all sessions of three, to 1).
     */
    static double loneSessionShare(double firstTurns) {
        return (3 - 1 / firstTurns) / 2;
    }

    /** A population of {@code n} accounts named {@code prefix + i}, with a random source of its own. */
    private abstract class Group implements Population {
        final String prefix;
        final String scenario;
        final boolean attack;
        final int n;
        final SplittableRandom random;

        Group(String prefix, String scenario, boolean attack, int n) {
            this.prefix = prefix;
            this.scenario = scenario;
            this.attack = attack;
            this.n = n;
            this.random = CampaignSimulator.random(settings.seed(), scenario);
        }

        /** A person's requests a day: log-normal, median 6, a hundredfold apart, at most 200. */
        double personsRequestsPerDay() {
            return Math.min(200, Math.exp(Math.log(6) + 1.1 * gaussian(random)));
        }

        /** Turns in a person's conversation: one to eight, most of them one or two. */
        int personsTurns() {
            return 1 + (int) Math.min(7, -Math.log(1 - random.nextDouble()) * 1.6);
        }

        /** A student's weight for a local hour: on campus or awake from 8:00 to 23:00, barely at night. */
        static double campusHours(int local) {
            return local >= 8 && local < 23 ? 1.5 : 0.05;
        }

        /**
         * Sessions a person starts this hour: {@code perDay} requests a day in sessions of one turn (a {@code lone}
         * share of them) or three, spread over the day by the diurnal curve at its country's local hour.
         */
        int humanSessions(double perDay, double lone, int country, int utcHour) {
            int local = Math.floorMod(utcHour + COUNTRY_UTC_OFFSET[country], 24);
            return poisson(random, perDay / (lone + 3 * (1 - lone)) * DIURNAL[local] / DIURNAL_SUM);
        }

        @Override
        public List<Label> labels() {
            List<Label> labels = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                labels.add(new Label(prefix + i, attack, scenario));
            }
            return labels;
        }
    }

    // ---- benign -------------------------------------------------------------------------------------------------

    /**
     * Where an ordinary customer's requests come from. The last three switch networks between requests, the benign
     * look-alikes of a rotating proxy: a privacy relay (iCloud Private Relay, a browser's VPN) egresses each
     * connection through one of a few operators; Tor Browser keeps a circuit, and so an exit network, for about ten
     * minutes; an office balances its connections over two providers. Their users ask for reasoning far more than
     * most (about 45 % of requests): privacy-minded developers, the harshest case for the rotation signal. The last,
     * a consumer VPN that exits through other people's homes (the free VPNs that are a residential proxy network's
     * other side), rotates exactly as a hydra's proxy does, every request another home and network; its users ask
     * for reasoning as often as most: what tells them from a harvest behind the same kind of proxy is what they ask.
     */
    enum Network { HOME, CAMPUS, CARRIER, RELAY, TOR, MULTIHOMED, RESIDENTIAL_VPN, RESIDENTIAL_VPN_OPENER, DATACENTER_VPN }

    /**
     * A commercial VPN's exits: servers it rents from hosting providers (M247's and Datacamp's networks carry many of
     * the large VPNs' exits), four /24s each with six exit addresses in each, every one shared by whoever the VPN
     * put there.
     */
    private static final int[] DATACENTER_VPN_ASNS = {9009, 212238};
    private static final int DATACENTER_VPN_EXITS = 24;

    private static final int[] RELAY_ASNS = {36183, 13335, 54113, 20940};
    private static final int TOR_EXIT_NETWORKS = 60;

    /** Ordinary customers, each on the kind of network given. */
    private final class Ordinary extends Group {
        private final boolean campus;
        private final boolean carrier;
        /** Asks for reasoning on the question that opens a conversation, rarely on what follows. */
        private final boolean opener;
        private final Network network;
        private final double[] sessionsPerDay;
        private final int[] country;
        private final String[] home;
        private final int[] asn;
        private final int[] favourite;
        private final String[] org;
        /** Accounts to a card: 1, each its person's (a household's now and then); more, a team's or family's. */
        private final int perCard;

        Ordinary(String scenario, String prefix, int n, Network network) {
            this(scenario, prefix, n, network, 1);
        }

        Ordinary(String scenario, String prefix, int n, Network network, int perCard) {
            super(prefix, scenario, false, n);
            this.network = network;
            this.perCard = perCard;
            this.campus = network == Network.CAMPUS;
            this.opener = network == Network.RESIDENTIAL_VPN_OPENER;
            this.carrier = network == Network.CARRIER;
            sessionsPerDay = new double[n];
            country = new int[n];
            home = new String[n];
            asn = new int[n];
            favourite = new int[n];
            org = new String[n];
            for (int i = 0; i < n; i++) {
                sessionsPerDay[i] = personsRequestsPerDay() / 3;
                country[i] = campus ? 0 : random.nextInt(COUNTRIES.length);
                home[i] = campus ? "192.0.2." + (10 + i % 2) : residentialIp(random);
                asn[i] = campus ? 1742 : RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
                favourite[i] = random.nextInt(CAPABILITIES.length);
                org[i] = random.nextInt(10) < 3 ? "org-" + scenario + "-" + random.nextInt(Math.max(1, n / 8)) : null;
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            for (int i = 0; i < n; i++) {
                int local = Math.floorMod(utcHour + COUNTRY_UTC_OFFSET[country[i]], 24);
                double weight = campus ? campusHours(local) : DIURNAL[local];
                int sessions = poisson(random, sessionsPerDay[i] * weight / DIURNAL_SUM);
                for (int s = 0; s < sessions; s++) {
                    session(i, hourStart + random.nextLong(HOUR), sink);
                }
            }
        }

        private void session(int i, long start, Sink sink) {
            String account = prefix + i;
            int turns = personsTurns();
            boolean datacenterVpn = network == Network.DATACENTER_VPN;
            // On such a VPN the phone goes out through it too: the app keeps it on.
            boolean mobile = carrier || !datacenterVpn && random.nextInt(100) < 12;
            String ip = mobile ? carrierNatIp(random) : home[i];
            String conversation = "c-" + account + "-" + start;
            boolean privacyMinded = network == Network.RELAY || network == Network.TOR || network == Network.MULTIHOMED
                    || datacenterVpn;
            // The VPN keeps one exit for a session: the person's usual server seven times in ten, another otherwise.
            int vpnExit = !datacenterVpn ? 0 : random.nextInt(10) < 7
                    ? Math.floorMod(i * 0x9E3779B9, 2 * DATACENTER_VPN_EXITS) : random.nextInt(2 * DATACENTER_VPN_EXITS);
            boolean reasoning = random.nextInt(100) < (privacyMinded ? 80 : 12);
            long t = start;
            for (int turn = 0; turn < turns; turn++) {
                int capability = random.nextInt(10) < 6 ? favourite[i] : random.nextInt(CAPABILITIES.length);
                PromptFingerprint.Fingerprints prompt = turn == 0 && random.nextInt(100) < 20 ? popularPrompts[(int) Math.min(
                        popularPrompts.length - 1, -Math.log(1 - random.nextDouble()) * 40)]
                        : language.promptFingerprints(random.nextLong());
                int requestAsn = mobile ? CARRIER_ASN : asn[i];
                switch (network) {
                    case RELAY -> {
                        int operator = random.nextInt(RELAY_ASNS.length);
                        requestAsn = RELAY_ASNS[operator];
                        ip = "172.22" + operator + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
                    }
                    case TOR -> {
                        int exit = (int) Math.floorMod((t / 600_000L) * 0x9E3779B97F4A7C15L + i, TOR_EXIT_NETWORKS);
                        requestAsn = 60_000 + exit;
                        ip = "185.220." + exit + "." + (1 + exit * 3 % 250);
                    }
                    case RESIDENTIAL_VPN, RESIDENTIAL_VPN_OPENER -> {
                        requestAsn = RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
                        ip = residentialIp(random);
                    }
                    case DATACENTER_VPN -> {
                        int provider = vpnExit / DATACENTER_VPN_EXITS;
                        int server = vpnExit % DATACENTER_VPN_EXITS;
                        requestAsn = DATACENTER_VPN_ASNS[provider];
                        ip = (provider == 0 ? "146.70." : "212.102.") + (40 + server / 6) + "." + (10 + server % 6);
                    }
                    case MULTIHOMED -> {
                        if (random.nextBoolean()) {
                            requestAsn = RESIDENTIAL_ASNS[(i + 1) % RESIDENTIAL_ASNS.length];
                            ip = "203.0." + (i % 256) + ".10";
                        } else {
                            ip = home[i];
                        }
                    }
                    default -> { }
                }
                sink.add(request(account, t, ip)
                        .setOrgId(org[i])
                        .setAsn(requestAsn)
                        .setCountry(COUNTRIES[country[i]])
                        .setUserAgent(mobile ? "app-ios/5.2" : "web/2026.11")
                        .setPaymentFingerprint(perCard > 1 ? "card-team-" + prefix + i / perCard : personalCard(prefix, i))
                        .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - (60 + i % 700) * DAY - spread(i)))
                        .setModel(model(random, t, 0.3))
                        .setConversationId(conversation)
                        .setTurnIndex(turn)
                        .setReasoningRequested(opener ? random.nextInt(100) < (turn == 0 ? 60 : 6)
                                : reasoning && random.nextBoolean() || random.nextInt(100) < 6)
                        .setCapability(CAPABILITIES[capability])
                        .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                        .setPromptTokens(80 + random.nextInt(900) + turn * 300)
                        .setCompletionTokens(150 + random.nextInt(900)));
                t += 20_000 + random.nextLong(100_000);
            }
        }
    }

    /** Enterprise batch jobs: one template each, single turn, thousands of requests a night. */
    private final class EnterpriseBatch extends Group {

        EnterpriseBatch(int n) {
            super("acct-batch-", "enterprise_batch", false, n);
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            for (int i = 0; i < n; i++) {
                if (utcHour < 1 + i % 3 || utcHour >= 4 + i % 3) {
                    continue;
                }
                String account = "acct-batch-" + i;
                long template = templates[i % templates.length] ^ 0x5555_0000_0000_0000L;
                int count = 1_500 + random.nextInt(1_000);
                for (int k = 0; k < count; k++) {
                    long t = hourStart + random.nextLong(HOUR);
                    sink.add(request(account, t, "203.0.113." + (10 + i % 200))
                            .setOrgId("org-enterprise-" + i / 4).setAsn(3356).setCountry("US")
                            .setUserAgent("python-sdk/1.40").setPaymentFingerprint("invoice-org-" + i / 4)
                            .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - 400 * DAY))
                            .setTurnIndex(0).setCapability(random.nextBoolean() ? "writing" : "analysis")
                            .setPromptSimhash(nearby(random, template, 1))
                            .setPromptTokens(600 + random.nextInt(400)).setCompletionTokens(80 + random.nextInt(120)));
                }
            }
        }
    }

    /** Evaluation harness runs: thousands of single-turn benchmark prompts in two hours. */
    private final class EvalHarness extends Group {

        EvalHarness(int n) {
            super("acct-eval-", "eval_harness", false, n);
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            long hourOfRun = (hourStart - settings.startMs()) / HOUR;
            for (int i = 0; i < n; i++) {
                // Each harness runs every other day, for two hours from an hour of its own.
                long day = hourOfRun / 24;
                int startHour = 9 + i % 8;
                if ((day + i) % 2 != 0 || hourOfRun % 24 < startHour || hourOfRun % 24 >= startHour + 2) {
                    continue;
                }
                String account = "acct-eval-" + i;
                for (int k = 0; k < 1_500; k++) {
                    long t = hourStart + random.nextLong(HOUR);
                    sink.add(request(account, t, "198.51.100." + (20 + i % 100))
                            .setOrgId("org-lab-" + i).setAsn(HOSTING_ASN).setCountry("US").setUserAgent("lm-eval/0.4")
                            .setPaymentFingerprint("card-" + account)
                            .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - 300 * DAY - spread(i)))
                            .setModel(model(random, t, 0.5))
                            .setTurnIndex(0).setReasoningRequested(random.nextInt(100) < 40)
                            .setCapability(CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                            .setPromptSimhash(benchmarkPrompts[random.nextInt(benchmarkPrompts.length)])
                            .setPromptTokens(300 + random.nextInt(2_000)).setCompletionTokens(200 + random.nextInt(1_500)));
                }
            }
        }
    }

    /**
     * University research labs whose students' own accounts are paid for by the lab's card: a card shared by many
     * accounts, the look-alike of a campaign that shares cards. Most students use the API as anyone does, from campus
     * and home; one to three a lab run evaluations of the models on public benchmarks from the lab's GPU servers (half
     * the labs rent them from a cloud, half run them on campus), on about two days in five, for one to three hours of
     * a working day: every request a first turn, long answers to math and code problems, reasoning asked for on every
     * request, on none or on half of them depending on what the run compares, each problem sampled one to four
     * times. Its own random source, on top of the other populations, so that they keep their draws.
     */
    private final class ResearchLab extends Group {
        private static final int BENCHMARK_SIZE = 500;
        /** What a run compares: the model without its reasoning, sampled half and half, or with it (twice as often). */
        private static final int[] REASONING_PERCENT = {0, 50, 100, 100};
        private final int[] labOf;
        private final boolean[] runner;
        private final String[] home;
        private final int[] homeAsn;
        private final double[] sessionsPerDay;
        private long drawnDay = -1;
        /** Per account, today's evaluation run, or null. */
        private final Run[] run;

        /**
         * A run: its first hour (UTC), its hours, the percentage of requests asking for reasoning, samples a problem and
         * which benchmark (a block of the public benchmark prompts).
         */
        private record Run(int firstHour, int hours, int reasoningPercent, int samples, int benchmark) {
        }

        ResearchLab(int labs) {
            super("acct-lab-", "research_lab", false, accounts(labs));
            labOf = new int[n];
            runner = new boolean[n];
            home = new String[n];
            homeAsn = new int[n];
            sessionsPerDay = new double[n];
            run = new Run[n];
            int i = 0;
            for (int lab = 0; lab < labs; lab++) {
                int size = labSize(lab);
                int runners = 1 + random.nextInt(3);
                for (int k = 0; k < size; k++, i++) {
                    labOf[i] = lab;
                    runner[i] = k < runners;
                }
            }
            for (int a = 0; a < n; a++) {
                home[a] = residentialIp(random);
                homeAsn[a] = RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
                sessionsPerDay[a] = personsRequestsPerDay() / 3;
            }
        }

        /** Six to twenty students a lab, by its number alone, so that the count is known before any draw. */
        private static int labSize(int lab) {
            return 6 + lab * 7 % 15;
        }

        private static int accounts(int labs) {
            int total = 0;
            for (int lab = 0; lab < labs; lab++) {
                total += labSize(lab);
            }
            return total;
        }

        private String campusIp(int lab, SplittableRandom r) {
            return "128." + (100 + lab % 100) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
        }

        private boolean cloudServers(int lab) {
            return lab % 2 == 0;
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            long hourOfRun = (hourStart - settings.startMs()) / HOUR;
            long day = hourOfRun / 24;
            if (day != drawnDay) {
                drawnDay = day;
                for (int a = 0; a < n; a++) {
                    // A US lab's working day, 9:00 to 18:00 local (UTC-5): the run starts between 14:00 and 20:00 UTC.
                    run[a] = runner[a] && random.nextInt(5) < 2
                            ? new Run(14 + random.nextInt(7), 1 + random.nextInt(3), REASONING_PERCENT[random.nextInt(4)],
                                1 + random.nextInt(4), random.nextInt(benchmarkPrompts.length / BENCHMARK_SIZE))
                            : null;
                }
            }
            int utcHour = (int) (hourStart / HOUR % 24);
            for (int a = 0; a < n; a++) {
                int lab = labOf[a];
                int sessions = poisson(random, sessionsPerDay[a] * campusHours(Math.floorMod(utcHour - 5, 24))
                        / DIURNAL_SUM);
                for (int s = 0; s < sessions; s++) {
                    session(a, lab, hourStart + random.nextLong(HOUR), sink);
                }
                Run today = run[a];
                if (today != null && utcHour >= today.firstHour() && utcHour < today.firstHour() + today.hours()) {
                    evaluate(a, lab, today, hourStart, sink);
                }
            }
        }

        private void evaluate(int a, int lab, Run today, long hourStart, Sink sink) {
            String account = prefix + a;
            boolean cloud = cloudServers(lab);
            String server = cloud ? "52.94." + lab % 256 + "." + (10 + a % 200) : "128." + (100 + lab % 100) + ".250." + (10 + a % 200);
            int asn = cloud ? HOSTING_ASNS[lab % HOSTING_ASNS.length] : EDUCATION_ASNS[lab % EDUCATION_ASNS.length];
            int problems = 150 + random.nextInt(250);
            int samples = today.samples();
            int first = today.benchmark() * BENCHMARK_SIZE;
            for (int k = 0; k < problems; k++) {
                long prompt = benchmarkPrompts[first + random.nextInt(BENCHMARK_SIZE)];
                int promptTokens = 200 + random.nextInt(1_300);
                for (int sample = 0; sample < samples; sample++) {
                    long t = hourStart + random.nextLong(HOUR);
                    sink.add(request(account, t, server)
                            .setAsn(asn).setCountry("US").setUserAgent("lm-eval/0.4")
                            .setPaymentFingerprint("card-lab-" + lab)
                            .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - (30 + a % 900) * DAY - spread(a)))
                            .setModel(model(random, t, 0.6))
                            .setTurnIndex(0)
                            .setReasoningRequested(random.nextInt(100) < today.reasoningPercent())
                            .setCapability(random.nextBoolean() ? "math" : "coding")
                            .setPromptSimhash(prompt)
                            .setPromptTokens(promptTokens).setCompletionTokens(300 + random.nextInt(3_700)));
                }
            }
        }

        private void session(int a, int lab, long start, Sink sink) {
            String account = prefix + a;
            int turns = personsTurns();
            boolean onCampus = random.nextInt(100) < 60;
            String ip = onCampus ? campusIp(lab, random) : home[a];
            int asn = onCampus ? EDUCATION_ASNS[lab % EDUCATION_ASNS.length] : homeAsn[a];
            boolean reasoning = random.nextInt(100) < 20;
            String conversation = "c-" + account + "-" + start;
            long t = start;
            for (int turn = 0; turn < turns; turn++) {
                PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                sink.add(request(account, t, ip)
                        .setAsn(asn).setCountry("US").setUserAgent("web/2026.11")
                        .setPaymentFingerprint("card-lab-" + lab)
                        .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - (30 + a % 900) * DAY - spread(a)))
                        .setModel(model(random, t, 0.3))
                        .setConversationId(conversation)
                        .setTurnIndex(turn)
                        .setReasoningRequested(reasoning && random.nextBoolean() || random.nextInt(100) < 6)
                        .setCapability(CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                        .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                        .setPromptTokens(80 + random.nextInt(900) + turn * 300)
                        .setCompletionTokens(150 + random.nextInt(900)));
                t += 20_000 + random.nextLong(100_000);
            }
        }
    }

    /**
     * API routers (an aggregator that resells many models, a company's internal gateway): one organisation whose pool
     * of four to twelve accounts, paid by one invoice, carries the traffic of the router's many customers from a few
     * addresses on a cloud, day and night. What goes through it is its customers' mix: chat applications' long
     * conversations, developers' single requests (first turns, reasoning on some, long answers on some, in every
     * capability), and agents' tool loops. The look-alike of a campaign on rented machines that shares a card, at
     * hundreds to thousands of requests an hour an account, and of a bulk harvest by its volume.
     */
    private final class Router extends Group {
        private final int[] routerOf;
        private final int[] firstKey;
        private final int[] keys;
        private final double[] peakPerHour;
        private final double[] developerShare;
        private final double[] developerReasoning;

        Router(int routers) {
            super("acct-router-", "api_router", false, accounts(routers));
            routerOf = new int[n];
            firstKey = new int[routers];
            keys = new int[routers];
            peakPerHour = new double[routers];
            developerShare = new double[routers];
            developerReasoning = new double[routers];
            int a = 0;
            for (int r = 0; r < routers; r++) {
                keys[r] = poolSize(r);
                firstKey[r] = a;
                for (int k = 0; k < keys[r]; k++, a++) {
                    routerOf[a] = r;
                }
                // From a few hundred to a few thousand requests an hour at its busiest, log-uniform.
                peakPerHour[r] = 300 * Math.exp(random.nextDouble() * Math.log(10));
                developerShare[r] = 0.2 + 0.5 * random.nextDouble();
                developerReasoning[r] = 0.2 + 0.4 * random.nextDouble();
            }
        }

        /** Four to twelve accounts a router, by its number alone, so that the count is known before any draw. */
        private static int poolSize(int router) {
            return 4 + router * 5 % 9;
        }

        private static int accounts(int routers) {
            int total = 0;
            for (int r = 0; r < routers; r++) {
                total += poolSize(r);
            }
            return total;
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            for (int r = 0; r < keys.length; r++) {
                // Customers in every time zone: never quiet, busiest in the American and European day.
                double weight = 0.5 + 0.5 * DIURNAL[Math.floorMod(utcHour - 3, 24)] / 1.3;
                int arrivals = poisson(random, peakPerHour[r] * weight / 6);
                for (int s = 0; s < arrivals; s++) {
                    long start = hourStart + random.nextLong(HOUR);
                    String account = prefix + (firstKey[r] + random.nextInt(keys[r]));
                    double kind = random.nextDouble();
                    if (kind < developerShare[r]) {
                        // A developer's application: a burst of single requests, each its own first turn.
                        int burst = 1 + random.nextInt(11);
                        String capability = CAPABILITIES[random.nextInt(CAPABILITIES.length)];
                        for (int k = 0; k < burst; k++) {
                            PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                            int promptTokens = 200 + random.nextInt(1_500);
                            boolean longAnswer = random.nextInt(10) < 3;
                            sink.add(routed(r, account, start + k * (1_000 + random.nextLong(20_000)), "c-" + account
                                    + "-" + start + "-" + k, 0)
                                    .setReasoningRequested(random.nextDouble() < developerReasoning[r])
                                    .setCapability(capability)
                                    .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                                    .setPromptTokens(promptTokens)
                                    .setCompletionTokens(longAnswer ? 3 * promptTokens + random.nextInt(2_000)
                                            : 100 + random.nextInt(promptTokens)));
                        }
                    } else if (kind < developerShare[r] + 0.15) {
                        // An agent's tool loop: many turns a few seconds apart.
                        int turns = 8 + random.nextInt(25);
                        boolean reasoning = random.nextInt(100) < 60;
                        long t = start;
                        for (int turn = 0; turn < turns; turn++) {
                            sink.add(routed(r, account, t, "agent-" + account + "-" + start, turn)
                                    .setReasoningRequested(reasoning)
                                    .setCapability(random.nextBoolean() ? "tool_use" : "coding")
                                    .setPromptSimhash(random.nextLong())
                                    .setPromptTokens(1_500 + turn * 300).setCompletionTokens(150 + random.nextInt(600)));
                            t += 3_000 + random.nextLong(15_000);
                        }
                    } else {
                        // A chat application's conversation: its history resent at every turn.
                        int turns = 1 + (int) Math.min(19, -Math.log(1 - random.nextDouble()) * 4);
                        boolean reasoning = random.nextInt(100) < 10;
                        long t = start;
                        for (int turn = 0; turn < turns; turn++) {
                            PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                            sink.add(routed(r, account, t, "chat-" + account + "-" + start, turn)
                                    .setReasoningRequested(reasoning)
                                    .setCapability(random.nextInt(10) < 7 ? "chat" : "writing")
                                    .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                                    .setPromptTokens(150 + random.nextInt(600) + turn * 400)
                                    .setCompletionTokens(100 + random.nextInt(700)));
                            t += 15_000 + random.nextLong(90_000);
                        }
                    }
                }
            }
        }

        private RequestEvent.Builder routed(int r, String account, long t, String conversation, int turn) {
            return request(account, t, "35.190." + (10 + r % 200) + "." + (10 + random.nextInt(6)))
                    .setOrgId("org-router-" + r).setAsn(HOSTING_ASNS[r % HOSTING_ASNS.length]).setCountry("US")
                    .setUserAgent("router-gateway/1.8").setPaymentFingerprint("invoice-router-" + r)
                    .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - (200 + r * 37 % 600) * DAY))
                    .setModel(model(random, t, 0.4))
                    .setConversationId(conversation).setTurnIndex(turn);
        }
    }

    /**
     * Power developers: one person's own account at volumes a hundred times a person's. In the working day, coding
     * agents in an IDE (sessions of tens of turns, reasoning on most) from home or a cloud development machine, and a
     * few conversations; on about one day in four a script of their own from the development machine (100 to 1,500
     * single requests in an hour or two, each a different document or file, one task, reasoning on all, none or half
     * of them, long answers when it writes code or documents); and for some a nightly job that reviews the day's
     * changes. The script is the look-alike of a harvest on the account's own profile: an hour of diverse first turns
     * in one capability, often with reasoning.
     */
    private final class PowerDeveloper extends Group {
        private static final String[] SCRIPT_TASKS = {"coding", "analysis", "writing", "math"};
        private final int[] country;
        private final String[] home;
        private final int[] homeAsn;
        private final String[] machine;
        private final int[] machineAsn;
        private final double[] agentSessions;
        private final double[] agentReasoning;
        private final boolean[] nightly;
        private long drawnDay = -1;
        /** Per developer, today's script (first hour UTC, hours, requests an hour, reasoning %, long answers, task). */
        private final Script[] script;

        private record Script(int firstHour, int hours, int perHour, int reasoningPercent, boolean longAnswers,
                              String task) {
        }

        PowerDeveloper(int n) {
            super("acct-powerdev-", "power_developer", false, n);
            country = new int[n];
            home = new String[n];
            homeAsn = new int[n];
            machine = new String[n];
            machineAsn = new int[n];
            agentSessions = new double[n];
            agentReasoning = new double[n];
            nightly = new boolean[n];
            script = new Script[n];
            for (int i = 0; i < n; i++) {
                country[i] = random.nextInt(COUNTRIES.length);
                home[i] = residentialIp(random);
                homeAsn[i] = RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
                int provider = random.nextInt(HOSTING_ASNS.length);
                machine[i] = (150 + provider) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                        + (1 + random.nextInt(254));
                machineAsn[i] = HOSTING_ASNS[provider];
                agentSessions[i] = 3 + random.nextInt(10);
                agentReasoning[i] = 0.4 + 0.5 * random.nextDouble();
                nightly[i] = random.nextInt(10) < 3;
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            long day = (hourStart - settings.startMs()) / HOUR / 24;
            int utcHour = (int) (hourStart / HOUR % 24);
            if (day != drawnDay) {
                drawnDay = day;
                for (int i = 0; i < n; i++) {
                    int[] percents = {100, 100, 0, 0, 50};
                    script[i] = random.nextInt(4) == 0
                            ? new Script(9 + random.nextInt(8), 1 + random.nextInt(2), 100 + random.nextInt(650),
                                percents[random.nextInt(percents.length)], random.nextBoolean(),
                                SCRIPT_TASKS[random.nextInt(SCRIPT_TASKS.length)])
                            : null;
                }
            }
            for (int i = 0; i < n; i++) {
                int local = Math.floorMod(utcHour + COUNTRY_UTC_OFFSET[country[i]], 24);
                double working = local >= 9 && local < 19 ? 0.1 : local >= 19 && local < 23 ? 0.02 : 0;
                int agents = poisson(random, agentSessions[i] * working);
                for (int s = 0; s < agents; s++) {
                    agentSession(i, hourStart + random.nextLong(HOUR), sink);
                }
                int chats = poisson(random, 6 * DIURNAL[local] / DIURNAL_SUM);
                for (int s = 0; s < chats; s++) {
                    chat(i, hourStart + random.nextLong(HOUR), sink);
                }
                Script today = script[i];
                if (today != null && local >= today.firstHour() && local < today.firstHour() + today.hours()) {
                    runScript(i, today, hourStart, sink);
                }
                if (nightly[i] && utcHour == 2) {
                    review(i, hourStart, sink);
                }
            }
        }

        private RequestEvent.Builder from(int i, long t, boolean onMachine, String userAgent) {
            String account = prefix + i;
            return request(account, t, onMachine ? machine[i] : home[i])
                    .setAsn(onMachine ? machineAsn[i] : homeAsn[i]).setCountry(COUNTRIES[country[i]])
                    .setUserAgent(userAgent).setPaymentFingerprint(personalCard(prefix, i))
                    .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - (100 + i * 13 % 1_400) * DAY
                            - spread(i)))
                    .setModel(model(random, t, 0.5));
        }

        private void agentSession(int i, long start, Sink sink) {
            boolean onMachine = random.nextInt(10) < 4;
            boolean reasoning = random.nextDouble() < agentReasoning[i];
            int turns = 8 + random.nextInt(33);
            long t = start;
            for (int turn = 0; turn < turns; turn++) {
                sink.add(from(i, t, onMachine, "ide-agent/1.12")
                        .setConversationId("agent-" + prefix + i + "-" + start).setTurnIndex(turn)
                        .setReasoningRequested(reasoning)
                        .setCapability(random.nextInt(10) < 7 ? "coding" : "tool_use")
                        .setPromptSimhash(random.nextLong())
                        .setPromptTokens(3_000 + turn * 500).setCompletionTokens(200 + random.nextInt(1_300)));
                t += 10_000 + random.nextLong(50_000);
            }
        }

        private void chat(int i, long start, Sink sink) {
            int turns = personsTurns();
            boolean reasoning = random.nextInt(100) < 30;
            long t = start;
            for (int turn = 0; turn < turns; turn++) {
                PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                sink.add(from(i, t, false, "web/2026.11")
                        .setConversationId("c-" + prefix + i + "-" + start).setTurnIndex(turn)
                        .setReasoningRequested(reasoning)
                        .setCapability(CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                        .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                        .setPromptTokens(80 + random.nextInt(900) + turn * 300)
                        .setCompletionTokens(150 + random.nextInt(900)));
                t += 20_000 + random.nextLong(100_000);
            }
        }

        private void runScript(int i, Script today, long hourStart, Sink sink) {
            for (int k = 0; k < today.perHour(); k++) {
                long t = hourStart + random.nextLong(HOUR);
                PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                int promptTokens = 300 + random.nextInt(2_000);
                sink.add(from(i, t, true, "python-sdk/1.40")
                        .setConversationId("script-" + prefix + i + "-" + t).setTurnIndex(0)
                        .setReasoningRequested(random.nextInt(100) < today.reasoningPercent())
                        .setCapability(today.task())
                        .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                        .setPromptTokens(promptTokens)
                        .setCompletionTokens(today.longAnswers() ? 3 * promptTokens + random.nextInt(2_000)
                                : 50 + random.nextInt(400)));
            }
        }

        private void review(int i, long hourStart, Sink sink) {
            int changes = 20 + random.nextInt(200);
            for (int k = 0; k < changes; k++) {
                long t = hourStart + random.nextLong(HOUR);
                PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                sink.add(from(i, t, true, "review-bot/2.3")
                        .setConversationId("review-" + prefix + i + "-" + t).setTurnIndex(0)
                        .setReasoningRequested(false).setCapability("coding")
                        .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                        .setPromptTokens(1_000 + random.nextInt(4_000)).setCompletionTokens(100 + random.nextInt(500)));
            }
        }
    }

    /**
     * People who open an account while the traffic runs, one in a hundred of the benign accounts a day, most in
     * their daytime: four in ten developers trying the API from a script or the command line (a few single test
     * requests in their first hour, then a handful a day, each developer with a habit of their own: reasoning on
     * nearly all, on none, or on half of them, as people choose a setting for a sitting), the rest people who
     * start a conversation within minutes and then use it as anyone does, a little more curious about reasoning in
     * their first days. The look-alike of a campaign's fresh accounts: young, and opened in the same hour as others
     * with the same client, which is what a signup cohort and the new-accounts share read.
     */
    private final class NewSignups extends Group {
        private static final String[] TESTER_CLIENTS = {"python-sdk/1.40", "python-sdk/1.40", "python-sdk/1.40",
            "curl/8.5"};
        private final long[] created;
        private final boolean[] tester;
        private final String[] client;
        private final String[] home;
        private final int[] homeAsn;
        private final int[] country;
        private final double[] perDay;
        /** A developer's share of test requests asking for reasoning: their own setting, not a coin per request. */
        private final double[] testerReasoning;

        NewSignups(int n) {
            super("acct-new-", "new_signup", false, n);
            created = new long[n];
            tester = new boolean[n];
            client = new String[n];
            home = new String[n];
            homeAsn = new int[n];
            country = new int[n];
            perDay = new double[n];
            testerReasoning = new double[n];
            long span = settings.days() * DAY;
            for (int i = 0; i < n; i++) {
                country[i] = random.nextInt(COUNTRIES.length);
                // A signup's time, drawn against the diurnal curve at the person's local hour.
                long at;
                do {
                    at = settings.startMs() + random.nextLong(span);
                } while (random.nextDouble() * 1.3 > DIURNAL[Math.floorMod((int) (at / HOUR % 24)
                        + COUNTRY_UTC_OFFSET[country[i]], 24)]);
                created[i] = at;
                tester[i] = random.nextInt(10) < 4;
                client[i] = tester[i] ? TESTER_CLIENTS[random.nextInt(TESTER_CLIENTS.length)]
                        : random.nextInt(4) == 0 ? "app-ios/5.2" : "web/2026.11";
                home[i] = residentialIp(random);
                homeAsn[i] = RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
                perDay[i] = tester[i] ? 1 + random.nextInt(10) : personsRequestsPerDay();
                int habit = random.nextInt(5);
                testerReasoning[i] = habit < 2 ? 0.95 : habit < 4 ? 0.05 : 0.5;
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            for (int i = 0; i < n; i++) {
                if (created[i] >= hourStart + HOUR) {
                    continue;
                }
                boolean firstHour = created[i] >= hourStart;
                long firstDay = created[i] + DAY;
                if (firstHour) {
                    // Straight after signing up: a developer's test requests, or a person's first conversation.
                    long t = created[i] + 60_000 + random.nextLong(20 * 60_000L);
                    if (tester[i]) {
                        int tests = 3 + random.nextInt(28);
                        for (int k = 0; k < tests; k++, t += 5_000 + random.nextLong(120_000)) {
                            sink.add(signup(i, t, "t-" + prefix + i + "-" + k, 0,
                                    random.nextDouble() < testerReasoning[i],
                                    random.nextInt(10) < 5 ? "coding" : CAPABILITIES[random.nextInt(CAPABILITIES.length)]));
                        }
                    } else {
                        conversation(i, t, 2 + random.nextInt(7), 30, sink);
                    }
                    continue;
                }
                int local = Math.floorMod(utcHour + COUNTRY_UTC_OFFSET[country[i]], 24);
                int sessions = poisson(random, perDay[i] / (tester[i] ? 1 : 3) * DIURNAL[local] / DIURNAL_SUM);
                for (int s = 0; s < sessions; s++) {
                    long t = hourStart + random.nextLong(HOUR);
                    int curious = t < firstDay ? 30 : 15;
                    if (tester[i]) {
                        sink.add(signup(i, t, "t-" + prefix + i + "-" + t, 0, random.nextDouble() < testerReasoning[i],
                                random.nextInt(10) < 5 ? "coding" : CAPABILITIES[random.nextInt(CAPABILITIES.length)]));
                    } else {
                        conversation(i, t, personsTurns(), curious, sink);
                    }
                }
            }
        }

        private void conversation(int i, long start, int turns, int reasoningPercent, Sink sink) {
            boolean reasoning = random.nextInt(100) < reasoningPercent;
            long t = start;
            for (int turn = 0; turn < turns; turn++, t += 20_000 + random.nextLong(100_000)) {
                sink.add(signup(i, t, "c-" + prefix + i + "-" + start, turn, reasoning && random.nextBoolean()
                        || random.nextInt(100) < 6, CAPABILITIES[random.nextInt(CAPABILITIES.length)]));
            }
        }

        private RequestEvent.Builder signup(int i, long t, String conversation, int turn, boolean reasoning,
                                            String capability) {
            PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
            boolean mobile = "app-ios/5.2".equals(client[i]) && random.nextBoolean();
            return request(prefix + i, t, mobile ? carrierNatIp(random) : home[i])
                    .setAsn(mobile ? CARRIER_ASN : homeAsn[i]).setCountry(COUNTRIES[country[i]])
                    .setUserAgent(client[i]).setPaymentFingerprint("card-" + prefix + i)
                    .setAccountCreatedAt(Instant.ofEpochMilli(created[i]))
                    .setModel(model(random, t, 0.3))
                    .setConversationId(conversation).setTurnIndex(turn)
                    .setReasoningRequested(reasoning)
                    .setCapability(capability)
                    .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                    .setPromptTokens(60 + random.nextInt(700) + turn * 300)
                    .setCompletionTokens(150 + random.nextInt(900));
        }
    }

    /** Agent products: long multi-turn tool use at a machine's steady pace, day and night. */
    private final class AgentProduct extends Group {

        AgentProduct(int n) {
            super("acct-agent-", "agent_product", false, n);
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            for (int i = 0; i < n; i++) {
                String account = "acct-agent-" + i;
                long t = hourStart + random.nextLong(15_000);
                int turn = 0;
                String conversation = "agent-" + account + "-" + hourStart;
                while (t < hourStart + HOUR) {
                    sink.add(request(account, t, "198.51.100." + (150 + i % 50))
                            .setOrgId("org-agentco").setAsn(HOSTING_ASN).setCountry("US").setUserAgent("agent-runtime/3")
                            .setPaymentFingerprint("invoice-agentco")
                            .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - 200 * DAY))
                            .setConversationId(conversation).setTurnIndex(turn)
                            .setReasoningRequested(random.nextInt(100) < 60)
                            .setCapability(random.nextBoolean() ? "tool_use" : "coding")
                            .setPromptSimhash(random.nextLong())
                            .setPromptTokens(2_000 + turn * 200).setCompletionTokens(300 + random.nextInt(600)));
                    turn++;
                    if (turn >= 40) {
                        turn = 0;
                        conversation = "agent-" + account + "-" + t;
                    }
                    t += 14_000 + random.nextLong(2_000);
                }
            }
        }
    }

    /**
     * A popular product built on the API whose end users each bring their own API account (an IDE plugin, a homework
     * helper): thousands of accounts send one system-prompt template, with the product's own reasoning and turn habits,
     * but each from its own home address, at human hours and human volumes, on accounts of every age. The hardest
     * look-alike of a template-sharing campaign: the content link and the group's shape can both be the campaign's.
     */
    private final class TemplatedProduct extends Group {
        private final double reasoning;
        private final double firstTurns;
        private final String capability;
        private final String systemPrompt;
        private final boolean shortQuestions;
        private final double[] perDay;
        private final String[] home;
        private final int[] country;
        private final int[] asn;
        private final long[] created;
        private final boolean schoolDays;
        private final String[] school;
        private final int[] schoolAsn;
        private final boolean[] rotatingVpn;
        private final boolean schoolCard;
        private final int[] district;
        /**
         * With the product-upgrades option, what moves its users' requests to the new model after its release, on a
         * random source of its own so that every other draw of the product stays as without the option; else null.
         */
        private final SplittableRandom upgrade;
        /**
         * With the other-networks option and students' days, what sends an hour away from school to one of the
         * student's other places, on a random source of its own as the upgrades' is; else null.
         */
        private final SplittableRandom elsewhere;
        /** Each student's other places (a café, a relative's home): their addresses and networks, fixed. */
        private final String[][] otherPlaces;
        private final int[][] otherPlaceAsns;

        TemplatedProduct(String scenario, String prefix, int n, double reasoning, double firstTurns, String capability,
                         boolean shortQuestions) {
            this(scenario, prefix, n, reasoning, firstTurns, capability, shortQuestions, false);
        }

        /**
         * @param schoolDays whether its users are students whose days run school, phone, home: each session from the
         *                   school's network in school hours, the phone network on the way, home in the evening;
         *                   and one in a hundred on a consumer VPN that exits through another home at each request.
         *                   The look-alike of a campaign on a residential proxy pool (ROAMING_MEMBERS): a group of
         *                   members each seen on three networks in a day, a few of them on many.
         */
        TemplatedProduct(String scenario, String prefix, int n, double reasoning, double firstTurns, String capability,
                         boolean shortQuestions, boolean schoolDays) {
            this(scenario, prefix, n, reasoning, firstTurns, capability, shortQuestions, schoolDays, false);
        }

        /**
         * @param regional whether the product is one country's, where one incumbent provider serves seven homes in ten
         *                 (the rest on others): the look-alike of a template campaign on one provider's machines that
         *                 is not on the rules' hosting list
         */
        TemplatedProduct(String scenario, String prefix, int n, double reasoning, double firstTurns, String capability,
                         boolean shortQuestions, boolean schoolDays, boolean regional) {
            this(scenario, prefix, n, reasoning, firstTurns, capability, shortQuestions, schoolDays, regional, false);
        }

        /**
         * @param schoolCard whether each school pays for its students' accounts with its card (with schoolDays): a
         *                   card shared by about ten accounts of one shape, the look-alike of a campaign's card
         */
        TemplatedProduct(String scenario, String prefix, int n, double reasoning, double firstTurns, String capability,
                         boolean shortQuestions, boolean schoolDays, boolean regional, boolean schoolCard) {
            this(scenario, prefix, n, reasoning, firstTurns, capability, shortQuestions, schoolDays, regional,
                    schoolCard, false);
        }

        /**
         * @param launched whether the product was launched in the three weeks before the traffic and its users opened
         *                 their accounts for it: the look-alike of a campaign's fresh accounts on a template
         */
        TemplatedProduct(String scenario, String prefix, int n, double reasoning, double firstTurns, String capability,
                         boolean shortQuestions, boolean schoolDays, boolean regional, boolean schoolCard,
                         boolean launched) {
            super(prefix, scenario, false, n);
            this.upgrade = settings.productUpgrades() ? new SplittableRandom(settings.seed() ^ prefix.hashCode())
                    : null;
            this.elsewhere = settings.otherNetworks() && schoolDays
                    ? new SplittableRandom(settings.seed() ^ 31L * prefix.hashCode() ^ OTHER_NETWORKS_SALT) : null;
            int places = elsewhere == null ? 0 : OTHER_PLACES;
            otherPlaces = new String[elsewhere == null ? 0 : n][places];
            otherPlaceAsns = new int[otherPlaces.length][places];
            for (int i = 0; i < otherPlaces.length; i++) {
                for (int p = 0; p < places; p++) {
                    otherPlaces[i][p] = residentialIp(elsewhere);
                    otherPlaceAsns[i][p] = RESIDENTIAL_ASNS[elsewhere.nextInt(RESIDENTIAL_ASNS.length)];
                }
            }
            this.schoolCard = schoolCard;
            this.schoolDays = schoolDays;
            this.reasoning = reasoning;
            this.firstTurns = firstTurns;
            this.capability = capability;
            SplittableRandom words = new SplittableRandom(random.nextLong());
            this.systemPrompt = PromptLanguage.join(language.phrase(words, 40 + words.nextInt(60))) + ' ';
            this.shortQuestions = shortQuestions;
            perDay = new double[n];
            home = new String[n];
            country = new int[n];
            asn = new int[n];
            created = new long[n];
            for (int i = 0; i < n; i++) {
                perDay[i] = Math.min(150, Math.exp(Math.log(8) + 0.9 * gaussian(random)));
                home[i] = residentialIp(random);
                country[i] = random.nextInt(COUNTRIES.length);
                asn[i] = RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
                created[i] = settings.startMs() - random.nextLong((launched ? 21 : 2 * 365) * DAY) - HOUR;
                if (regional) {
                    // Drawn only for the regional product, so that the others keep their draws.
                    country[i] = REGIONAL_COUNTRY;
                    if (random.nextInt(10) < 7) {
                        asn[i] = INCUMBENT_ASN;
                    }
                }
            }
            // Drawn only for a product of students, so that the others keep their draws.
            school = new String[schoolDays ? n : 0];
            schoolAsn = new int[school.length];
            rotatingVpn = new boolean[school.length];
            district = new int[school.length];
            for (int i = 0; i < school.length; i++) {
                // A few students a school: a school's address is not a group of its own here (university_nat is).
                // A school that pays for its students has about studentsPerSchool on the product (ten unless set).
                int district = random.nextInt(Math.max(1, n / (schoolCard ? settings.studentsPerSchool() : 5)));
                this.district[i] = district;
                // Schools of their own: the study app's schools are other ones.
                school[i] = (schoolCard ? "198.19." : "198.18.") + district % 256 + "." + (10 + district / 256 % 200);
                schoolAsn[i] = EDUCATION_ASNS[district % EDUCATION_ASNS.length];
                rotatingVpn[i] = random.nextInt(100) == 0;
            }
        }

        /**
         * The request's model once the product moved its default to the new model: nine requests in ten from its
         * release (three in ten went there by themselves).
         */
        private String upgraded(String model, long time) {
            if (upgrade == null || time < settings.releaseMs() || model.equals(NEW_MODEL)) {
                return model;
            }
            return upgrade.nextDouble() < 6.0 / 7 ? NEW_MODEL : model;
        }

        /** Where a student's session comes from: school in school hours, the phone on the way, home otherwise. */
        private int network(int i, int localHour) {
            if (rotatingVpn[i]) {
                return 3;
            }
            double draw = random.nextDouble();
            if (localHour >= 8 && localHour < 15) {
                return draw < 0.7 ? 2 : 1;
            }
            if (localHour >= 15 && localHour < 18) {
                return draw < 0.6 ? 1 : 0;
            }
            return draw < 0.85 ? 0 : 1;
        }

        /**
         * A first turn: the product's system prompt, then what its user typed, fingerprinted together as a gateway
         * sees the request. A homework app's users type a few words and numbers, so its first turns stay within a
         * few bits of each other; an IDE's type a prompt of their own, which moves the SimHash further.
         */
        private PromptFingerprint.Fingerprints question(long seed) {
            SplittableRandom words = new SplittableRandom(seed);
            return PromptFingerprint.of(systemPrompt
                    + (shortQuestions ? language.shortQuestion(words) : language.prompt(words)));
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            // Sessions of 1 turn, or of 3 turns, mixed so that first turns are the product's share of requests.
            double lone = loneSessionShare(firstTurns);
            for (int i = 0; i < n; i++) {
                int sessions = humanSessions(perDay[i], lone, country[i], utcHour);
                // With the other-networks option, drawn every hour whatever the sessions: a visit lasts the hour.
                int away = elsewhere != null && elsewhere.nextInt(100) < OTHER_NETWORK_PERCENT
                        ? 1 + elsewhere.nextInt(OTHER_PLACES) : 0;
                for (int s = 0; s < sessions; s++) {
                    String account = prefix + i;
                    long t = hourStart + random.nextLong(HOUR);
                    int turns = random.nextDouble() < lone ? 1 : 3;
                    int where = schoolDays ? network(i, Math.floorMod(utcHour + COUNTRY_UTC_OFFSET[country[i]], 24))
                            : random.nextInt(100) < 10 ? 1 : 0;
                    boolean mobile = where == 1;
                    String ip = mobile ? carrierNatIp(random) : where == 2 ? school[i] : home[i];
                    int awayAsn = 0;
                    if (away > 0 && (where == 0 || where == 1)) {
                        // Not at school, and neither at home nor on the phone: one of the student's other places.
                        mobile = false;
                        ip = otherPlaces[i][away - 1];
                        awayAsn = otherPlaceAsns[i][away - 1];
                    }
                    for (int turn = 0; turn < turns; turn++) {
                        int requestAsn = awayAsn != 0 ? awayAsn
                                : mobile ? CARRIER_ASN : where == 2 ? schoolAsn[i] : asn[i];
                        if (where == 3) {
                            requestAsn = RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
                            ip = residentialIp(random);
                        }
                        RequestEvent.Builder event = request(account, t, ip)
                                .setAsn(requestAsn).setCountry(COUNTRIES[country[i]])
                                .setUserAgent(scenario + "/2.1")
                                .setPaymentFingerprint(schoolCard ? "card-school-" + prefix + district[i]
                                        : personalCard(prefix, i))
                                .setAccountCreatedAt(Instant.ofEpochMilli(created[i]))
                                .setModel(upgraded(model(random, t, 0.3), t))
                                .setConversationId("c-" + account + "-" + t).setTurnIndex(turn)
                                .setReasoningRequested(random.nextDouble() < reasoning)
                                .setCapability(random.nextInt(10) < 8 ? capability : CAPABILITIES[random.nextInt(CAPABILITIES.length)]);
                        PromptFingerprint.Fingerprints prompt = turn == 0 ? question(random.nextLong())
                                : language.promptFingerprints(random.nextLong());
                        sink.add(event.setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                                .setPromptTokens(400 + random.nextInt(600) + turn * 300)
                                .setCompletionTokens(300 + random.nextInt(1_500)));
                        t += 30_000 + random.nextLong(120_000);
                    }
                }
            }
        }
    }

    /**
     * A product hosted on a cloud provider that calls the API with each of its users' own API accounts (bring your own
     * key; a router that forwards its users' keys): its users' requests carry its system prompt and leave from its
     * servers through the four addresses of its NAT gateway on one hosting provider (fixed, so that its customers can
     * allow them), at human hours and volumes, on accounts of every age with their own cards. A report writer's users get long
     * answers to short briefs on first turns; a tutor's ask for reasoning. To the template link and the hosting share
     * this is a template-sharing campaign on rented machines: what tells it apart has to be something else. A product
     * that runs on serverless functions without a gateway leaves from the cloud's shared pool instead: every call from
     * another address, as many addresses as it has users, none of them a user's own for long.
     */
    private final class HostedProduct extends Group {
        private final double reasoning;
        private final double firstTurns;
        private final double longAnswers;
        private final String capability;
        private final String egress;
        private final String userAgent;
        private final String systemPrompt;
        private final double[] perDay;
        private final int[] country;
        private final long[] created;

        HostedProduct(String scenario, String prefix, int n, double reasoning, double firstTurns, double longAnswers,
                      String capability, String egress) {
            this(scenario, prefix, n, reasoning, firstTurns, longAnswers, capability, egress, scenario + "/1.8", null);
        }

        /**
         * @param userAgent    the client its backend calls with: its own, or a common SDK's
         * @param systemPrompt its system prompt; null for one made of the simulator's words
         */
        HostedProduct(String scenario, String prefix, int n, double reasoning, double firstTurns, double longAnswers,
                      String capability, String egress, String userAgent, String systemPrompt) {
            super(prefix, scenario, false, n);
            this.egress = egress;
            this.userAgent = userAgent;
            this.reasoning = reasoning;
            this.firstTurns = firstTurns;
            this.longAnswers = longAnswers;
            this.capability = capability;
            // Drawn even when a prompt is given, so that the product's other draws do not depend on whether it is.
            SplittableRandom words = new SplittableRandom(random.nextLong());
            String made = PromptLanguage.join(language.phrase(words, 40 + words.nextInt(60))) + ' ';
            this.systemPrompt = systemPrompt != null ? systemPrompt : made;
            perDay = new double[n];
            country = new int[n];
            created = new long[n];
            for (int i = 0; i < n; i++) {
                perDay[i] = Math.min(150, Math.exp(Math.log(8) + 0.9 * gaussian(random)));
                country[i] = random.nextInt(COUNTRIES.length);
                created[i] = settings.startMs() - random.nextLong(2 * 365 * DAY) - HOUR;
            }
        }

        private String egressAddress() {
            return egress != null ? egress + (10 + random.nextInt(4))
                    : "52." + (80 + random.nextInt(4)) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            double lone = loneSessionShare(firstTurns);
            for (int i = 0; i < n; i++) {
                int sessions = humanSessions(perDay[i], lone, country[i], utcHour);
                for (int s = 0; s < sessions; s++) {
                    String account = prefix + i;
                    long t = hourStart + random.nextLong(HOUR);
                    int turns = random.nextDouble() < lone ? 1 : 3;
                    for (int turn = 0; turn < turns; turn++) {
                        PromptFingerprint.Fingerprints prompt = turn == 0
                                ? PromptFingerprint.of(systemPrompt + language.prompt(new SplittableRandom(random.nextLong())))
                                : language.promptFingerprints(random.nextLong());
                        int promptTokens = 200 + random.nextInt(350) + turn * 300;
                        boolean longAnswer = random.nextDouble() < longAnswers;
                        sink.add(request(account, t, egressAddress())
                                .setAsn(HOSTING_ASN).setCountry("US")
                                .setUserAgent(userAgent).setPaymentFingerprint("card-" + account)
                                .setAccountCreatedAt(Instant.ofEpochMilli(created[i]))
                                .setModel(model(random, t, 0.3))
                                .setConversationId("c-" + account + "-" + t).setTurnIndex(turn)
                                .setReasoningRequested(random.nextDouble() < reasoning)
                                .setCapability(random.nextInt(10) < 8 ? capability : CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                                .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                                .setPromptTokens(promptTokens)
                                .setCompletionTokens(longAnswer ? 3 * promptTokens + random.nextInt(2_500)
                                        : promptTokens / 2 + random.nextInt(2 * promptTokens)));
                        t += 30_000 + random.nextLong(120_000);
                    }
                }
            }
        }
    }

    /**
     * An open-source tool that many developers run for themselves (a research assistant, a report pipeline): each
     * deployment is one developer's or team's own account and card, on a machine of its own rented from one of the
     * large clouds (a /24 of its own, kept for the run), and every first request carries the tool's fixed system
     * prompt before what its user asks. The look-alike of a campaign that rents one machine an account: to the
     * template link and the hosting share the two are the same. What differs is what a campaign cannot afford to
     * fake cheaply: deployments are configured by different people (the tool asks for reasoning by default, about
     * half turn it off), run at their owners' hours or by a nightly job, at volumes a hundredfold apart, on accounts
     * of every age, and their owners use the same account from home or office for other work now and then.
     */
    private final class SelfHostedTool extends Group {
        private final double[] perDay;
        private final double[] reasoning;
        private final boolean[] nightly;
        private final int[] country;
        private final int[] provider;
        private final String[] machine;
        private final String[] office;
        private final int[] officeAsn;
        private final long[] created;

        SelfHostedTool(int n) {
            super("acct-selfhost-", "self_hosted_tool", false, n);
            perDay = new double[n];
            reasoning = new double[n];
            nightly = new boolean[n];
            country = new int[n];
            provider = new int[n];
            machine = new String[n];
            office = new String[n];
            officeAsn = new int[n];
            created = new long[n];
            for (int i = 0; i < n; i++) {
                perDay[i] = Math.min(1_500, Math.exp(Math.log(12) + 1.2 * gaussian(random)));
                reasoning[i] = random.nextBoolean() ? 0.9 : 0.05;
                nightly[i] = random.nextInt(10) < 3;
                country[i] = random.nextInt(COUNTRIES.length);
                // Most on the largest cloud, the rest over the others.
                provider[i] = random.nextInt(10) < 4 ? 0 : 1 + random.nextInt(HOSTING_ASNS.length - 1);
                machine[i] = (130 + provider[i]) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                        + (1 + random.nextInt(254));
                office[i] = residentialIp(random);
                officeAsn[i] = RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
                // One in ten opened the account to run the tool, in the month before.
                created[i] = settings.startMs() - (random.nextInt(10) == 0 ? random.nextLong(30 * DAY)
                        : 30 * DAY + random.nextLong(3 * 365 * DAY)) - HOUR;
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            for (int i = 0; i < n; i++) {
                String account = prefix + i;
                // A nightly job runs the day's volume in one hour at 02:00 UTC; the rest follow their owners' day.
                int runs = nightly[i] ? (utcHour == 2 ? poisson(random, perDay[i]) : 0)
                        : humanSessions(perDay[i], 0.85, country[i], utcHour);
                for (int r = 0; r < runs; r++) {
                    long t = hourStart + random.nextLong(HOUR);
                    boolean byHand = random.nextInt(100) < 8;
                    int turns = !byHand && !nightly[i] && random.nextInt(100) >= 85 ? 3 : 1;
                    for (int turn = 0; turn < turns; turn++) {
                        PromptFingerprint.Fingerprints prompt = byHand || turn > 0
                                ? language.promptFingerprints(random.nextLong())
                                : PromptFingerprint.of(CampaignSimulator.SELF_HOSTED_TOOL_PROMPT
                                        + language.prompt(new SplittableRandom(random.nextLong())));
                        int promptTokens = 250 + random.nextInt(400) + turn * 300;
                        boolean longAnswer = !byHand && random.nextInt(10) < 7;
                        sink.add(request(account, t, byHand ? office[i] : machine[i])
                                .setAsn(byHand ? officeAsn[i] : HOSTING_ASNS[provider[i]])
                                .setCountry(COUNTRIES[country[i]])
                                .setUserAgent(byHand ? "python-sdk/1.40" : "research-assistant/0.9")
                                .setPaymentFingerprint("card-" + account)
                                .setAccountCreatedAt(Instant.ofEpochMilli(created[i]))
                                .setModel(model(random, t, 0.3))
                                .setConversationId("c-" + account + "-" + t).setTurnIndex(turn)
                                .setReasoningRequested(random.nextDouble() < (byHand ? 0.12 : reasoning[i]))
                                .setCapability(byHand ? CAPABILITIES[random.nextInt(CAPABILITIES.length)]
                                        : random.nextInt(10) < 7 ? "analysis" : "writing")
                                .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                                .setPromptTokens(promptTokens)
                                .setCompletionTokens(longAnswer ? 3 * promptTokens + random.nextInt(3_000)
                                        : promptTokens / 2 + random.nextInt(2 * promptTokens)));
                        t += 20_000 + random.nextLong(90_000);
                    }
                }
            }
        }
    }

    /**
     * Developers who each run an app of their own on a cloud machine and call the API from it with a common HTTP
     * client: the one the simulated campaigns call with, or the SDK. A campaign that rents a machine for each account
     * shares its client on its provider with them (LinkKind.HOSTED_CLIENT), so they are that link's look-alike: some
     * ask for reasoning on nearly every single request (a reasoning app), many never, and their volumes, hours,
     * capabilities and answer lengths are their own apps'.
     */
    private final class CloudDeveloper extends Group {
        static final String[] CLIENTS = {"python-httpx/0.27", "python-sdk/1.40"};
        private final double[] perDay;
        private final double[] reasoning;
        private final boolean[] conversations;
        private final boolean[] longAnswers;
        private final boolean[] service;
        private final int[] country;
        private final int[] provider;
        private final int[] client;
        private final String[] capability;
        private final String[] machine;
        private final long[] created;

        CloudDeveloper(int n) {
            super("acct-clouddev-", "cloud_developer", false, n);
            perDay = new double[n];
            reasoning = new double[n];
            conversations = new boolean[n];
            longAnswers = new boolean[n];
            service = new boolean[n];
            country = new int[n];
            provider = new int[n];
            client = new int[n];
            capability = new String[n];
            machine = new String[n];
            created = new long[n];
            for (int i = 0; i < n; i++) {
                perDay[i] = Math.min(400, Math.exp(Math.log(15) + 1.0 * gaussian(random)));
                int habit = random.nextInt(20);
                reasoning[i] = habit < 9 ? 0 : habit < 14 ? 0.2 + 0.4 * random.nextDouble() : 0.8 + 0.2 * random.nextDouble();
                conversations[i] = random.nextInt(10) < 3;
                longAnswers[i] = random.nextInt(10) < 3;
                service[i] = random.nextBoolean();
                country[i] = random.nextInt(COUNTRIES.length);
                provider[i] = random.nextInt(10) < 4 ? 0 : 1 + random.nextInt(HOSTING_ASNS.length - 1);
                client[i] = random.nextInt(CLIENTS.length);
                capability[i] = random.nextInt(10) < 7 ? CAPABILITIES[random.nextInt(CAPABILITIES.length)] : null;
                machine[i] = (140 + provider[i]) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                        + (1 + random.nextInt(254));
                created[i] = settings.startMs() - 30 * DAY - random.nextLong(3 * 365 * DAY);
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            for (int i = 0; i < n; i++) {
                String account = prefix + i;
                // A service answers its users around the clock; a developer's own app runs in the developer's day.
                int sessions = service[i] ? poisson(random, perDay[i] / 24 / (conversations[i] ? 3 : 1))
                        : humanSessions(perDay[i], conversations[i] ? 0 : 1, country[i], utcHour);
                for (int r = 0; r < sessions; r++) {
                    long t = hourStart + random.nextLong(HOUR);
                    int turns = conversations[i] ? 3 : 1;
                    for (int turn = 0; turn < turns; turn++) {
                        int promptTokens = 100 + random.nextInt(900) + turn * 400;
                        boolean reasons = random.nextDouble() < reasoning[i];
                        PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                        sink.add(request(account, t, machine[i])
                                .setAsn(HOSTING_ASNS[provider[i]]).setCountry(COUNTRIES[country[i]])
                                .setUserAgent(CLIENTS[client[i]])
                                .setPaymentFingerprint("card-" + account)
                                .setAccountCreatedAt(Instant.ofEpochMilli(created[i]))
                                .setModel(model(random, t, 0.3))
                                .setConversationId("c-" + account + "-" + t).setTurnIndex(turn)
                                .setReasoningRequested(reasons)
                                .setCapability(capability[i] != null ? capability[i]
                                        : CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                                .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                                .setPromptTokens(promptTokens)
                                .setCompletionTokens(longAnswers[i] && !reasons ? 1_000 + 3 * promptTokens
                                        + random.nextInt(2_000) : promptTokens / 2 + random.nextInt(2 * promptTokens)
                                        + (reasons ? 500 + random.nextInt(3_000) : 0)));
                        t += 20_000 + random.nextLong(90_000);
                    }
                }
            }
        }
    }

    /**
     * A signup cohort that is not a campaign: a class or a hackathon whose participants open accounts within the same
     * hour, from the same client, and then use the API as ordinary people do for the course's exercises (more
     * reasoning than most, one capability). The look-alike of a signup burst.
     */
    private final class SignupCohort extends Group {
        private final long created;
        private final double[] perDay;
        private final String[] home;

        SignupCohort(int n) {
            super("acct-course-", "course_cohort", false, n);
            created = settings.startMs() - 10 * DAY;
            perDay = new double[n];
            home = new String[n];
            for (int i = 0; i < n; i++) {
                perDay[i] = Math.min(80, Math.exp(Math.log(10) + 0.8 * gaussian(random)));
                home[i] = residentialIp(random);
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            for (int i = 0; i < n; i++) {
                int sessions = poisson(random, perDay[i] / 2 * DIURNAL[Math.floorMod(utcHour - 5, 24)] / DIURNAL_SUM);
                for (int s = 0; s < sessions; s++) {
                    String account = prefix + i;
                    long t = hourStart + random.nextLong(HOUR);
                    int turns = 1 + random.nextInt(3);
                    for (int turn = 0; turn < turns; turn++) {
                        RequestEvent.Builder event = request(account, t, home[i])
                                .setAsn(RESIDENTIAL_ASNS[i % RESIDENTIAL_ASNS.length]).setCountry("US")
                                .setUserAgent("python-sdk/1.40").setPaymentFingerprint("card-" + account)
                                .setAccountCreatedAt(Instant.ofEpochMilli(created + spread(i) % HOUR))
                                .setConversationId("c-" + account + "-" + t).setTurnIndex(turn)
                                .setReasoningRequested(random.nextInt(100) < 35)
                                .setCapability(random.nextInt(10) < 7 ? "coding" : CAPABILITIES[random.nextInt(CAPABILITIES.length)]);
                        PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                        sink.add(event.setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                                .setPromptTokens(200 + random.nextInt(800)).setCompletionTokens(200 + random.nextInt(1_200)));
                        t += 30_000 + random.nextLong(200_000);
                    }
                }
            }
        }
    }

    // ---- attacks ------------------------------------------------------------------------------------------------

    /** A harvesting request: chain of thought, first turn, narrow capability, long answer. */
    private RequestEvent.Builder harvest(SplittableRandom random, String account, long time, String ip) {
        return request(account, time, ip)
                .setTurnIndex(0)
                .setReasoningRequested(random.nextInt(100) < 88)
                .setCapability(random.nextInt(10) < 6 ? "coding" : "math")
                .setUserAgent("python-httpx/0.27")
                .setPromptTokens(150 + random.nextInt(400))
                .setCompletionTokens(1_500 + random.nextInt(3_000));
    }

    private final class BulkDistiller extends Group {
        private final long[] startAt;

        BulkDistiller(int n) {
            super("acct-distiller-", "bulk_distiller", true, n);
            startAt = new long[n];
            for (int i = 0; i < n; i++) {
                startAt[i] = settings.startMs() + random.nextLong(Math.max(HOUR, settings.days() * DAY / 2));
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            for (int i = 0; i < n; i++) {
                int count = 600 + random.nextInt(600);
                for (int k = 0; k < count; k++) {
                    long t = hourStart + random.nextLong(HOUR);
                    if (t < startAt[i]) {
                        continue;
                    }
                    sink.add(harvest(random, "acct-distiller-" + i, t, "34.120." + i + "." + (1 + random.nextInt(4)))
                            .setAsn(HOSTING_ASN).setCountry("US").setPaymentFingerprint("card-distiller-" + i)
                            .setAccountCreatedAt(Instant.ofEpochMilli(startAt[i] - 20 * DAY))
                            .setModel(model(random, t, 0.5))
                            .setPromptSimhash(random.nextLong()));
                }
            }
        }
    }

    private final class Hydra extends Group {
        private final double[] perDay;
        private final long[] startAt;

        // About 40 accounts per shared card, whatever the campaign's size.
        private final int sharedCards;

        Hydra(int n) {
            super("acct-hydra-", "hydra", true, n);
            this.sharedCards = Math.max(1, n * 4 / 10 / 40);
            perDay = new double[n];
            startAt = new long[n];
            for (int i = 0; i < n; i++) {
                perDay[i] = 20 + random.nextInt(21);
                // Accounts join the campaign over its first day, as a proxy network brings them online.
                startAt[i] = settings.startMs() + random.nextLong(DAY);
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            for (int i = 0; i < n; i++) {
                int count = poisson(random, perDay[i] / 24);
                for (int k = 0; k < count; k++) {
                    long t = hourStart + random.nextLong(HOUR);
                    if (t < startAt[i]) {
                        continue;
                    }
                    String account = "acct-hydra-" + i;
                    sink.add(harvest(random, account, t, residentialIp(random))
                            .setAsn(RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)])
                            .setCountry(COUNTRIES[random.nextInt(COUNTRIES.length)])
                            .setUserAgent("Mozilla/5.0")
                            .setPaymentFingerprint(i % 10 < 4 ? "card-hydra-shared-" + i % sharedCards : "card-" + account)
                            .setAccountCreatedAt(Instant.ofEpochMilli(startAt[i] - 7 * DAY + spread(i) * 7))
                            .setModel(model(random, t, 0.3))
                            .setPromptSimhash(nearby(random, templates[random.nextInt(templates.length)], 1)));
                }
            }
        }
    }

    private final class LowAndSlow extends Group {
        private final double[] perDay;

        // About 50 accounts per hosting /24, whatever the campaign's size.
        private final int prefixes;

        LowAndSlow(int n) {
            super("acct-slow-", "low_and_slow", true, n);
            this.prefixes = Math.max(1, n / 50);
            perDay = new double[n];
            for (int i = 0; i < n; i++) {
                perDay[i] = 8 + random.nextInt(13);
            }
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            for (int i = 0; i < n; i++) {
                int count = poisson(random, perDay[i] / 24);
                for (int k = 0; k < count; k++) {
                    long t = hourStart + random.nextLong(HOUR);
                    String account = "acct-slow-" + i;
                    sink.add(harvest(random, account, t, "52.14." + (60 + i % prefixes) + "." + (1 + random.nextInt(254)))
                            .setAsn(HOSTING_ASN).setCountry("US").setPaymentFingerprint("card-" + account)
                            .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - (30 + i % 60) * DAY))
                            .setModel(model(random, t, 0.3))
                            .setPromptSimhash(random.nextLong()));
                }
            }
        }
    }

    /** A campaign built from {@link CampaignKnobs}: the class of attack, at any point of its range. */
    private final class ShapedCampaign extends Group {
        private final CampaignKnobs k;
        private final int block;
        private final double[] perDay;
        private final long[] created;
        private final int[] country;
        private final long[] campaignTemplates;
        private final String[][] templateTexts;
        private final String[] preambles;
        private final String[] proxies;
        private final int[] proxyAsns;

        /**
         * @param block which of the population's shaped campaigns this is: each rents its own part of a provider's
         *              space, so two campaigns never share a /24 by construction (account i of each would otherwise)
         */
        ShapedCampaign(CampaignKnobs k, int block) {
            super("acct-" + k.scenario().replace('_', '-') + "-", k.scenario(), true, k.accounts());
            this.k = k;
            this.block = block;
            perDay = new double[n];
            created = new long[n];
            country = new int[n];
            long signupStart = settings.startMs() - k.ageDays() * DAY - (long) (k.signupSpreadHours() * HOUR);
            for (int i = 0; i < n; i++) {
                perDay[i] = k.requestsPerDay() * Math.exp(0.3 * gaussian(random) - 0.045);
                created[i] = signupStart + (long) (random.nextDouble() * k.signupSpreadHours() * HOUR);
                country[i] = random.nextInt(COUNTRIES.length);
            }
            campaignTemplates = longs(random, Math.max(1, k.templates()));
            int pool = Math.min(k.residentialAddresses(), 100_000);
            proxies = new String[pool];
            proxyAsns = new int[pool];
            for (int p = 0; p < pool; p++) {
                proxies[p] = residentialIp(random);
                proxyAsns[p] = RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)];
            }
            // Drawn last, and only for text templates, so that every other campaign keeps its random draws.
            templateTexts = new String[k.templateWords() > 0 ? campaignTemplates.length : 0][];
            for (int t = 0; t < templateTexts.length; t++) {
                templateTexts[t] = new String[k.templateWords()];
                for (int w = 0; w < k.templateWords(); w++) {
                    templateTexts[t][w] = language.word(random);
                }
            }
            // The same for preambles: drawn only when the knob is set.
            preambles = new String[k.preambleWords() > 0 && k.templateWords() == 0 ? campaignTemplates.length : 0];
            for (int t = 0; t < preambles.length; t++) {
                preambles[t] = PromptLanguage.join(language.phrase(random, k.preambleWords())) + ' ';
            }
        }

        /** A text template filled with fresh slot words, fingerprinted as a gateway's prompt text is. */
        private PromptFingerprint.Fingerprints filledTemplate() {
            String[] fixed = templateTexts[random.nextInt(templateTexts.length)];
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < fixed.length; w++) {
                if (w == fixed.length / 2) {
                    for (int s = 0; s < k.slotWords(); s++) {
                        text.append(language.contentWord(random)).append(' ');
                    }
                }
                text.append(fixed[w]).append(' ');
            }
            return PromptFingerprint.of(text.toString());
        }

        /** One of the campaign's preambles, then a fresh question: a harvest of new prompts behind one instruction. */
        private PromptFingerprint.Fingerprints preambled() {
            return PromptFingerprint.of(preambles[random.nextInt(preambles.length)] + language.prompt(random));
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            int utcHour = (int) (hourStart / HOUR % 24);
            double lone = loneSessionShare(k.firstTurnShare());
            double requestsPerSession = lone + 3 * (1 - lone);
            boolean conversations = k.disguise() == CampaignKnobs.Disguise.COVER_TRAFFIC;
            boolean questions = k.disguise() == CampaignKnobs.Disguise.COVER_QUESTIONS;
            boolean cover = conversations || questions;
            // With cover traffic, a share of sessions is ordinary conversations of three turns on average, or single
            // questions, so many that they are half the requests; the account's requests a day stay what the knob says.
            double coverTurns = questions ? 1 : COVER_TURNS;
            double harvestSessions = cover ? coverTurns / (requestsPerSession + coverTurns) : 1;
            double perSession = cover ? 2 * harvestSessions * requestsPerSession : requestsPerSession;
            for (int i = 0; i < n; i++) {
                double weight = k.humanHours()
                        ? DIURNAL[Math.floorMod(utcHour + COUNTRY_UTC_OFFSET[country[i]], 24)] / DIURNAL_SUM : 1.0 / 24;
                int sessions = poisson(random, perDay[i] / perSession * weight);
                for (int s = 0; s < sessions; s++) {
                    String account = prefix + i;
                    long t = hourStart + random.nextLong(HOUR);
                    if (cover && random.nextDouble() >= harvestSessions) {
                        if (questions) {
                            coverQuestion(i, account, t, sink);
                        } else {
                            coverConversation(i, account, t, sink);
                        }
                        continue;
                    }
                    int turns = random.nextDouble() < lone ? 1 : 3;
                    String conversation = "c-" + account + "-" + t;
                    for (int turn = 0; turn < turns; turn++) {
                        RequestEvent.Builder event = address(request(account, t, "0.0.0.0"), i);
                        PromptFingerprint.Fingerprints text = turn != 0 || k.publicPrompts() || k.templates() == 0 ? null
                                : templateTexts.length > 0 ? filledTemplate() : preambles.length > 0 ? preambled() : null;
                        long prompt = text != null ? text.simHash()
                                : turn > 0 ? random.nextLong()
                                : k.publicPrompts() ? benchmarkPrompts[random.nextInt(Math.min(benchmarkPrompts.length,
                                        10 * Math.max(1, k.templates())))]
                                : k.templates() == 0 ? random.nextLong()
                                : nearby(random, campaignTemplates[random.nextInt(campaignTemplates.length)], k.templateBits());
                        event.setUserAgent(userAgent(i))
                                .setPaymentFingerprint(card(i, account))
                                .setAccountCreatedAt(Instant.ofEpochMilli(created[i]))
                                .setModel(model(random, t, 0.3))
                                .setConversationId(conversation).setTurnIndex(turn)
                                .setReasoningRequested(random.nextDouble() < k.reasoningShare())
                                .setCapability(capability())
                                .setPromptSimhash(prompt).setPromptMinhash(text == null ? null : minHash(text))
                                .setPromptTokens(150 + random.nextInt(400) + turn * 300);
                        // Drawn only when some answers are short, so that a campaign of long answers keeps its draws.
                        boolean shortAnswer = k.longAnswerShare() < 1 && random.nextDouble() >= k.longAnswerShare();
                        int promptTokens = event.getPromptTokens();
                        sink.add(event.setCompletionTokens(shortAnswer ? promptTokens / 2 + random.nextInt(2 * promptTokens)
                                : 1_500 + random.nextInt(3_000)));
                        t += 20_000 + random.nextLong(60_000);
                    }
                }
            }
        }

        /**
         * An ordinary conversation from the account, as a person's (two to four turns, reasoning seldom asked, answers
         * about as long as the prompts, any capability): the cover traffic a disguised campaign mixes in.
         */
        private void coverConversation(int i, String account, long start, Sink sink) {
            int turns = 2 + random.nextInt(3);
            String conversation = "c-" + account + "-" + start;
            long t = start;
            for (int turn = 0; turn < turns; turn++) {
                PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
                sink.add(address(request(account, t, "0.0.0.0"), i)
                        .setUserAgent(userAgent(i))
                        .setPaymentFingerprint(card(i, account))
                        .setAccountCreatedAt(Instant.ofEpochMilli(created[i]))
                        .setModel(model(random, t, 0.3))
                        .setConversationId(conversation).setTurnIndex(turn)
                        .setReasoningRequested(random.nextInt(100) < 10)
                        .setCapability(CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                        .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                        .setPromptTokens(80 + random.nextInt(900) + turn * 300)
                        .setCompletionTokens(150 + random.nextInt(900)));
                t += 20_000 + random.nextLong(100_000);
            }
        }

        /**
         * A single cheap question from the account: no reasoning, an answer no longer than the prompt, any capability.
         * What an operator who knew the group shares would send to pull them down while its first turns stay high.
         */
        private void coverQuestion(int i, String account, long t, Sink sink) {
            PromptFingerprint.Fingerprints prompt = language.promptFingerprints(random.nextLong());
            int promptTokens = 60 + random.nextInt(400);
            sink.add(address(request(account, t, "0.0.0.0"), i)
                    .setUserAgent(userAgent(i))
                    .setPaymentFingerprint(card(i, account))
                    .setAccountCreatedAt(Instant.ofEpochMilli(created[i]))
                    .setModel(model(random, t, 0.3))
                    .setConversationId("c-" + account + "-" + t).setTurnIndex(0)
                    .setReasoningRequested(false)
                    .setCapability(CAPABILITIES[random.nextInt(CAPABILITIES.length)])
                    .setPromptSimhash(prompt.simHash()).setPromptMinhash(minHash(prompt))
                    .setPromptTokens(promptTokens)
                    .setCompletionTokens(promptTokens / 4 + random.nextInt(promptTokens * 3 / 4)));
        }

        /** One HTTP client for the whole campaign, or each account a browser of its own when disguised. */
        private String userAgent(int account) {
            return k.disguise() == CampaignKnobs.Disguise.BROWSER_CLIENTS
                    ? BROWSER_AGENTS[account % BROWSER_AGENTS.length] : "python-httpx/0.27";
        }

        /** Coding and math, or every capability when disguised: one draw either way, so the draws stay in step. */
        private String capability() {
            return k.disguise() == CampaignKnobs.Disguise.BROWSER_CLIENTS ? CAPABILITIES[random.nextInt(CAPABILITIES.length)]
                    : random.nextInt(10) < 6 ? "coding" : "math";
        }

        private String card(int i, String account) {
            return k.accountsPerCard() > 1 ? "card-" + k.scenario() + "-shared-" + i / k.accountsPerCard() : "card-" + account;
        }

        private RequestEvent.Builder address(RequestEvent.Builder event, int account) {
            if (proxies.length > 0) {
                int p = random.nextInt(proxies.length);
                return event.setIp(proxies[p]).setAsn(proxyAsns[p]).setCountry(COUNTRIES[random.nextInt(COUNTRIES.length)]);
            }
            // Hosting: the campaign's providers' address space, a /24 per account within it (many accounts a /24 only
            // when the campaign has more accounts than /24s), or another of its /24s at each request.
            int provider = account % k.hostingProviders();
            int prefix = k.hostingRotating() ? random.nextInt(k.hostingPrefixes())
                    : account / k.hostingProviders() % k.hostingPrefixes();
            return event.setIp((40 + provider % 60) + "." + ((prefix / 256 + 64 * block) % 256) + "." + (prefix % 256) + "."
                            + (1 + random.nextInt(254)))
                    .setAsn(k.disguise() == CampaignKnobs.Disguise.UNLISTED_HOST ? UNLISTED_HOSTING_ASN
                            : HOSTING_ASNS[provider % HOSTING_ASNS.length]).setCountry("US");
        }
    }

    /** A hydra that knows the rules: nothing shared, nothing single-turn, not enough reasoning to stand out. */
    private final class EvasiveHydra extends Group {
        private static final String[] MIXED = {"coding", "math", "reasoning", "writing"};

        EvasiveHydra(int n) {
            super("acct-evasive-", "evasive_hydra", true, n);
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            for (int i = 0; i < n; i++) {
                int conversations = poisson(random, 12.0 / 24);
                for (int c = 0; c < conversations; c++) {
                    String account = "acct-evasive-" + i;
                    long t = hourStart + random.nextLong(HOUR);
                    int turns = 2 + random.nextInt(2);
                    for (int turn = 0; turn < turns; turn++) {
                        sink.add(request(account, t, residentialIp(random))
                                .setAsn(RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)])
                                .setCountry(COUNTRIES[i % COUNTRIES.length])
                                .setUserAgent("Mozilla/5.0")
                                .setPaymentFingerprint("card-" + account)
                                .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - (90 + i % 300) * DAY))
                                .setModel(model(random, t, 0.3))
                                .setConversationId("c-" + account + "-" + t)
                                .setTurnIndex(turn)
                                .setReasoningRequested(random.nextInt(100) < 45)
                                .setCapability(MIXED[random.nextInt(MIXED.length)])
                                .setPromptSimhash(random.nextLong())
                                .setPromptTokens(150 + random.nextInt(400))
                                .setCompletionTokens(1_500 + random.nextInt(3_000)));
                        t += 20_000 + random.nextLong(60_000);
                    }
                }
            }
        }
    }

    private final class ModelPivot extends Group {

        ModelPivot(int n) {
            super("acct-pivot-", "model_pivot", true, n);
        }

        @Override
        public void emit(long hourStart, Sink sink) {
            for (int i = 0; i < n; i++) {
                int count = poisson(random, 40.0 / 24);
                for (int k = 0; k < count; k++) {
                    long t = hourStart + random.nextLong(HOUR);
                    boolean pivoted = t >= settings.releaseMs() + 2 * HOUR && random.nextInt(100) < 85;
                    String account = "acct-pivot-" + i;
                    sink.add(harvest(random, account, t, residentialIp(random))
                            .setAsn(RESIDENTIAL_ASNS[random.nextInt(RESIDENTIAL_ASNS.length)])
                            .setCountry(COUNTRIES[random.nextInt(COUNTRIES.length)])
                            .setPaymentFingerprint("card-pivot-" + i % Math.max(1, n / 30))
                            .setAccountCreatedAt(Instant.ofEpochMilli(settings.startMs() - 20 * DAY + spread(i) * 20))
                            .setModel(pivoted ? NEW_MODEL : "frontier-2")
                            .setPromptSimhash(random.nextLong()));
                }
            }
        }
    }
}
