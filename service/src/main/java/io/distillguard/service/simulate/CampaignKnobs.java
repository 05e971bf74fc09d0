package io.distillguard.service.simulate;

import java.util.Locale;

/**
 * The shape of one distillation campaign, knob by knob, so that the class of attack (many light accounts harvesting
 * together) can be simulated across its whole range instead of at the few points the named scenarios sit on.
 *
 * @param scenario           the label its accounts carry
 * @param accounts           accounts in the campaign
 * @param requestsPerDay     mean requests per account and day (each account varies around it, log-normal)
 * @param reasoningShare     share of requests that ask for reasoning
 * @param firstTurnShare     share of requests that are first turns (the rest are follow-ups in 3-turn conversations)
 * @param templates          prompt templates the campaign draws from; 0 for fresh prompts every request
 * @param templateBits       up to this many of the 64 SimHash bits flipped per request (slots filled differently)
 * @param residentialAddresses when positive, every request goes out through one of this many residential proxy
 *                           addresses; 0 for hosting addresses
 * @param hostingProviders   with hosting addresses: how many providers (ASNs) the campaign rents from
 * @param hostingPrefixes    with hosting addresses: how many /24s of a provider's space it spreads over
 * @param accountsPerCard    accounts sharing one payment card; 1 for a card each
 * @param ageDays            account age at the start of the traffic, in days
 * @param signupSpreadHours  the accounts were created within this many hours of each other (a burst when small)
 * @param humanHours         requests follow a daily rhythm rather than the clock
 * @param publicPrompts      first turns are prompts of a public benchmark, exactly as evaluation harnesses send them
 *                           (a distiller's cheapest prompt set): ten times {@code templates} of them (a subset the
 *                           harnesses run too), instead of the campaign's own templates
 * @param templateWords      when positive, each template is text: this many fixed words around a slot of
 *                           {@link #SLOT_WORDS} words filled at random per request, fingerprinted as a gateway's prompt
 *                           text is ({@code templateBits} unused); 0 for templates perturbed by flipping SimHash bits
 * @param slotWords          words in a text template's slot ({@link #SLOT_WORDS} unless set)
 * @param preambleWords      when positive (and {@code templateWords} 0), each template is a fixed preamble of this
 *                           many words ("you are an expert...; answer step by step") followed by a fresh question of
 *                           the simulator's language: a harvest of fresh prompts behind one long instruction
 * @param longAnswerShare    share of requests whose answer is long against the prompt (several thousand tokens to a
 *                           few hundred, at least three times); the rest get answers about as long as their prompts
 * @param hostingRotating    with hosting addresses: each request leaves from another of the {@code hostingPrefixes}
 *                           /24s (a data-centre proxy pool, or a cloud's shared egress), not from the account's own
 * @param disguise           a change of a trait no rule was written against, to measure the engine on a campaign
 *                           shaped apart from the ones it was tuned on ({@link Disguise})
 */
public record CampaignKnobs(String scenario, int accounts, double requestsPerDay, double reasoningShare,
                            double firstTurnShare, int templates, int templateBits, int residentialAddresses,
                            int hostingProviders, int hostingPrefixes, int accountsPerCard, int ageDays,
                            double signupSpreadHours, boolean humanHours, boolean publicPrompts, int templateWords,
                            int slotWords, int preambleWords, double longAnswerShare, boolean hostingRotating,
                            Disguise disguise) {

    /**
     * What a campaign's operator changes once it knows what the simulator's campaigns have in common: each held out
     * from the rules' tuning, so that the sweep measures the engine on shapes it was not fitted to.
     */
    public enum Disguise {
        /** The simulator's campaign as it is: one HTTP client library, two capabilities, a listed cloud. */
        NONE("as simulated"),
        /** Each account its own browser's user agent, and its prompts spread over every capability. */
        BROWSER_CLIENTS("browser user agents, every capability"),
        /** Half of each account's requests are ordinary conversations (cover traffic) around the harvest. */
        COVER_TRAFFIC("half the requests ordinary conversations"),
        /** Its hosting addresses are rented from a provider that is not on the rules' hosting list. */
        UNLISTED_HOST("a hosting provider off the rules' list"),
        /**
         * Half of each account's requests are single cheap questions around the harvest: first turns without reasoning
         * whose answers are no longer than their prompts, the cover that dilutes a group's reasoning and long answers
         * while keeping its first turns.
         */
        COVER_QUESTIONS("half the requests single cheap questions");

        private final String words;

        Disguise(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** Words in a text template's slot unless set: a name, a topic, a short phrase. */
    public static final int SLOT_WORDS = 3;

    public CampaignKnobs {
        if (accounts < 1 || requestsPerDay <= 0 || reasoningShare < 0 || reasoningShare > 1 || firstTurnShare < 1.0 / 3
                || firstTurnShare > 1 || templates < 0 || templateBits < 0 || templateBits > 64
                || residentialAddresses < 0 || hostingProviders < 1 || hostingPrefixes < 1 || accountsPerCard < 1
                || ageDays < 0 || signupSpreadHours < 0 || templateWords < 0 || slotWords < 1 || preambleWords < 0
                || longAnswerShare < 0 || longAnswerShare > 1 || disguise == null) {
            throw new IllegalArgumentException("campaign knobs out of range: " + this);
        }
    }

    /**
     * The class the low-and-slow campaigns belong to: aged accounts at single-digit requests a day, spread over one
     * hosting provider's address space (about one account per /24), sharing a handful of prompt templates whose slots
     * are filled differently each time.
     */
    public static CampaignKnobs templateFarm(int accounts) {
        return new CampaignKnobs("template_farm", accounts, 5, 0.8, 0.95, 5, 4, 0, 1, Math.max(1, accounts), 1, 120, 24 * 60,
                true, false, 0, SLOT_WORDS, 0, 1.0, false, Disguise.NONE);
    }

    /**
     * The template farm with its templates written as text: 50 fixed words around a 3-word slot, fingerprinted from
     * the text. The same class as {@link #templateFarm}, in the form a real template takes, which the template link
     * groups far less well than flipped bits (docs/detection.md, templates in text).
     */
    public static CampaignKnobs textTemplateFarm(int accounts) {
        return new CampaignKnobs("text_template_farm", accounts, 5, 0.8, 0.95, 5, 0, 0, 1, Math.max(1, accounts), 1, 120,
                24 * 60, true, false, 50, SLOT_WORDS, 0, 1.0, false, Disguise.NONE);
    }

    /**
     * The centre of the envelope the sweep varies around: the template farm's class at 200 accounts and 10 requests a
     * day each (harvesting: reasoning 0.8, first turns 0.95), a handful of templates, one hosting provider with a /24
     * an account, a card each, accounts four months old created over three months, human hours.
     */
    public static CampaignKnobs nominal() {
        return new CampaignKnobs("swept", 200, 10, 0.8, 0.95, 5, 2, 0, 1, 200, 1, 120, 24 * 90, true, false, 0, SLOT_WORDS, 0, 1.0, false, Disguise.NONE);
    }

    public CampaignKnobs withScenario(String name) {
        return new CampaignKnobs(name, accounts, requestsPerDay, reasoningShare, firstTurnShare, templates, templateBits,
                residentialAddresses, hostingProviders, hostingPrefixes, accountsPerCard, ageDays, signupSpreadHours,
                humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
    }

    /** A copy with one knob set by name (the names {@code quality --sweep} prints). */
    public CampaignKnobs with(String knob, double value) {
        int v = (int) Math.round(value);
        return switch (knob) {
            case "accounts" -> new CampaignKnobs(scenario, v, requestsPerDay, reasoningShare, firstTurnShare, templates,
                    templateBits, residentialAddresses, hostingProviders,
                    hostingPrefixes == accounts ? Math.max(1, v) : hostingPrefixes, accountsPerCard, ageDays,
                    signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "requests_per_day" -> new CampaignKnobs(scenario, accounts, value, reasoningShare, firstTurnShare,
                    templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes, accountsPerCard,
                    ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "reasoning_share" -> new CampaignKnobs(scenario, accounts, requestsPerDay, value, firstTurnShare,
                    templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes, accountsPerCard,
                    ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "first_turn_share" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare, value,
                    templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes, accountsPerCard,
                    ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "template_bits" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare, firstTurnShare,
                    templates, v, residentialAddresses, hostingProviders, hostingPrefixes, accountsPerCard, ageDays,
                    signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "templates" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare, firstTurnShare, v,
                    templateBits, residentialAddresses, hostingProviders, hostingPrefixes, accountsPerCard, ageDays,
                    signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "residential_addresses" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, v, hostingProviders, hostingPrefixes, accountsPerCard,
                    ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "hosting_providers" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, 0, v, Math.max(1, accounts / Math.max(1, v)), accountsPerCard,
                    ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "hosting_prefixes" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, 0, hostingProviders, v, accountsPerCard, ageDays,
                    signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "accounts_per_card" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes, v,
                    ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "age_days" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare, firstTurnShare,
                    templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes, accountsPerCard, v,
                    signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "signup_spread_hours" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes,
                    accountsPerCard, ageDays, value, humanHours, publicPrompts, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "public_prompts" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes,
                    accountsPerCard, ageDays, signupSpreadHours, humanHours, value != 0, templateWords, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "template_words" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes,
                    accountsPerCard, ageDays, signupSpreadHours, humanHours, publicPrompts, v, slotWords, preambleWords, longAnswerShare, hostingRotating, disguise);
            case "slot_words" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes,
                    accountsPerCard, ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, v,
                    preambleWords, longAnswerShare, hostingRotating, disguise);
            case "preamble_words" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes,
                    accountsPerCard, ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, v, longAnswerShare, hostingRotating, disguise);
            case "long_answer_share" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes,
                    accountsPerCard, ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords,
                    preambleWords, value, hostingRotating, disguise);
            case "hosting_rotating" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare,
                    firstTurnShare, templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes,
                    accountsPerCard, ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords,
                    preambleWords, longAnswerShare, value != 0, disguise);
            case "disguise" -> new CampaignKnobs(scenario, accounts, requestsPerDay, reasoningShare, firstTurnShare,
                    templates, templateBits, residentialAddresses, hostingProviders, hostingPrefixes, accountsPerCard,
                    ageDays, signupSpreadHours, humanHours, publicPrompts, templateWords, slotWords, preambleWords,
                    longAnswerShare, hostingRotating, Disguise.values()[v]);
            default -> throw new IllegalArgumentException("unknown campaign knob " + knob);
        };
    }

    public String describe() {
        return String.format(Locale.ROOT, "%d accounts, %.0f req/day, reasoning %.2f, first turns %.2f, %s, %s, %s, "
                        + "age %d d, signups within %.0f h, long answers %.2f%s", accounts, requestsPerDay, reasoningShare,
                firstTurnShare,
                publicPrompts ? "prompts from public benchmarks" : templates == 0 ? "fresh prompts"
                        : templateWords > 0 ? templates + " text templates of " + templateWords + " words and a "
                        + slotWords + "-word slot"
                        : preambleWords > 0 ? templates + " preambles of " + preambleWords + " words before fresh questions"
                        : templates + " templates ±" + templateBits + " bits",
                residentialAddresses > 0 ? residentialAddresses + " residential addresses"
                        : hostingProviders + " hosting provider(s) over " + hostingPrefixes + " /24s"
                        + (hostingRotating ? " rotating per request" : ""),
                accountsPerCard == 1 ? "a card each" : accountsPerCard + " accounts a card", ageDays, signupSpreadHours,
                longAnswerShare, disguise == Disguise.NONE ? "" : ", " + disguise.words());
    }
}
