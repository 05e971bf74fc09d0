package io.distillguard.topology.rules;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distillguard.topology.DetectionConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The thresholds and weights every detector compares against, as one versioned YAML document (see
 * {@code default-rules.yaml}). Parsing is strict: an unknown key, a missing section or a threshold out of range is an
 * error naming the key, because a typo in a rule file silently turning a detector off is the worst failure a
 * trust-and-safety team can have.
 */
public record DetectionRules(
        String version,
        @JsonProperty("effective-from") String effectiveFrom,
        Subject subject,
        Link link,
        Scoring scoring,
        @JsonProperty("model-releases") Map<String, String> modelReleases,
        Intel intel,
        Group group) {

    /**
     * How a link group's traffic is judged as a whole: against the population it is drawn from and with the
     * uncertainty of a small group, rather than against fixed shares at a fixed size.
     * <ul>
     *   <li>The group's reasoning and first-turn shares are taken at the lower bound of their Wilson interval at
     *       {@code confidence-z}, so 30 requests can be enough when they are all harvesting-shaped and 100 are not
     *       when they are mixed (a team of agents opening conversations at the start of a window).</li>
     *   <li>Each share must close at least {@code population-gap} of the distance from the population's share
     *       ({@code population-reasoning-share}, {@code population-first-turn-share}: what {@code backtest} and
     *       {@code quality} measure and print for the traffic they read) to 1; {@code link.cluster-*-share} stay as
     *       floors.</li>
     *   <li>A shared prompt template is the one link an honest product also gives thousands of accounts (its system
     *       prompt): a template group is an account cluster only when a second trait corroborates it: new accounts, a
     *       model pivot where {@code pivot-corroborates} lets it, or at least {@code hosting-share} of its requests
     *       from the hosting providers listed in {@code hosting-asns}, unless its members were configured apart
     *       ({@link #configuredApart}); or its members roaming ({@link #roaming}), which holds it for each member to
     *       show the same in its own day ({@code roaming-member-asns}).</li>
     * </ul>
     * Optional in a document: absent, the defaults below apply, so rules written before it stay valid.
     */
    public record Group(
            @JsonProperty("confidence-z") double confidenceZ,
            @JsonProperty("population-reasoning-share") double populationReasoningShare,
            @JsonProperty("population-first-turn-share") double populationFirstTurnShare,
            @JsonProperty("population-gap") double populationGap,
            @JsonProperty("hosting-asns") java.util.Set<Integer> hostingAsns,
            @JsonProperty("hosting-share") double hostingShare,
            @JsonProperty("campaign-min-accounts") int campaignMinAccounts,
            @JsonProperty("campaign-link-min-accounts") int campaignLinkMinAccounts,
            @JsonProperty("campaign-link-max-accounts") int campaignLinkMaxAccounts,
            @JsonProperty("cohort-accounts-24h") long cohortAccounts24h,
            @JsonProperty("template-max-distance") Integer templateMaxDistance,
            @JsonProperty("campaign-min-requests") Integer campaignMinRequests,
            @JsonProperty("word-band-max-distance") Integer wordBandMaxDistance,
            @JsonProperty("population-long-answer-share") Double populationLongAnswerShare,
            @JsonProperty("long-answer-share") Double longAnswerShare,
            @JsonProperty("roaming-share") Double roamingShare,
            @JsonProperty("roaming-min-repeats") Integer roamingMinRepeats,
            @JsonProperty("roaming-member-asns") Integer roamingMemberAsns,
            @JsonProperty("split-min-members") Integer splitMinMembers,
            @JsonProperty("split-member-requests") Integer splitMemberRequests,
            @JsonProperty("card-split-min-members") Integer cardSplitMinMembers,
            @JsonProperty("own-address-share") Double ownAddressShare,
            @JsonProperty("block-min-returns") Integer blockMinReturns,
            @JsonProperty("one-network-share") Double oneNetworkShare,
            @JsonProperty("roaming-first-steps") Boolean roamingFirstSteps,
            @JsonProperty("card-min-accounts") Integer cardMinAccounts,
            @JsonProperty("held-min-requests") Integer heldMinRequests,
            @JsonProperty("card-held-for-members") Boolean cardHeldForMembers,
            @JsonProperty("shared-card-held-at-point") Boolean sharedCardHeldAtPoint,
            @JsonProperty("shared-card-second-trait") Boolean sharedCardSecondTrait,
            @JsonProperty("new-accounts-by-members") Boolean newAccountsByMembers,
            @JsonProperty("campaign-trait-coverage") Double campaignTraitCoverage,
            @JsonProperty("pivot-corroborates") Boolean pivotCorroborates,
            @JsonProperty("hosted-client-accounts") Integer hostedClientAccounts,
            @JsonProperty("hosted-client-pools") Boolean hostedClientPools,
            @JsonProperty("held-member-days") Integer heldMemberDays,
            @JsonProperty("hosted-client-pool-members") Integer hostedClientPoolMembers,
            @JsonProperty("pool-member-blocks") Integer poolMemberBlocks,
            @JsonProperty("campaign-pool-ties-held") Boolean campaignPoolTiesHeld,
            @JsonProperty("held-member-confidence-z") Double heldMemberConfidenceZ,
            @JsonProperty("roaming-member-block-share") Double roamingMemberBlockShare,
            @JsonProperty("held-card-confidence-z") Double heldCardConfidenceZ,
            @JsonProperty("shared-card-first-turns") Boolean sharedCardFirstTurns,
            @JsonProperty("hosting-block-first-turns") Boolean hostingBlockFirstTurns,
            @JsonProperty("held-member-openers") Boolean heldMemberOpeners,
            @JsonProperty("roaming-member-new-block-asns") Integer roamingMemberNewBlockAsns,
            @JsonProperty("held-member-outputs") Boolean heldMemberOutputs) {

        /** Without {@code template-max-distance} in a document: 10 bits. */
        public static final int TEMPLATE_MAX_DISTANCE = 10;
        /** Without {@code word-band-max-distance} in a document: 20 bits. */
        public static final int WORD_BAND_MAX_DISTANCE = 20;

        /** Without {@code population-long-answer-share} in a document. */
        public static final double POPULATION_LONG_ANSWER_SHARE = 0.15;
        /** Without {@code long-answer-share} in a document: the floor under the long-answer threshold. */
        public static final double LONG_ANSWER_SHARE = 0.6;
        /** The bundled {@code hosted-client-pool-members}; without the key in a document: 0, off. */
        public static final int HOSTED_CLIENT_POOL_MEMBERS = 10;
        /** Without {@code pool-member-blocks} in a document. */
        public static final int POOL_MEMBER_BLOCKS = 3;
        /** Without {@code roaming-share} in a document. */
        public static final double ROAMING_SHARE = 0.5;
        /** Without {@code roaming-min-repeats} in a document. */
        public static final int ROAMING_MIN_REPEATS = 10;
        /** Without {@code roaming-member-asns} in a document. */
        public static final int ROAMING_MEMBER_ASNS = 4;
        /** Without {@code split-min-members} in a document. */
        public static final int SPLIT_MIN_MEMBERS = 10;
        /** Without {@code split-member-requests} in a document. */
        public static final int SPLIT_MEMBER_REQUESTS = 3;
        /** Without {@code card-split-min-members} in a document. */
        public static final int CARD_SPLIT_MIN_MEMBERS = 5;
        /** The bundled {@code campaign-trait-coverage}. */
        public static final double CAMPAIGN_TRAIT_COVERAGE = 0.5;
        /** Without {@code own-address-share} in a document. */
        public static final double OWN_ADDRESS_SHARE = 0.8;
        /** Without {@code block-min-returns} in a document. */
        public static final int BLOCK_MIN_RETURNS = 3;
        /** Without {@code one-network-share} in a document. */
        public static final double ONE_NETWORK_SHARE = 0.8;
        /** The bundled {@code held-member-confidence-z}; a document without the key judges members at confidence-z. */
        public static final double HELD_MEMBER_CONFIDENCE_Z = 1.64;
        /** The bundled {@code roaming-member-block-share}; a document without the key counts networks alone. */
        public static final double ROAMING_MEMBER_BLOCK_SHARE = 0.75;
        /** The bundled {@code roaming-member-new-block-asns}; a document without the key counts networks alone. */
        public static final int ROAMING_MEMBER_NEW_BLOCK_ASNS = 3;
        /** The bundled {@code held-card-confidence-z}; a document without the key judges such cards at confidence-z. */
        public static final double HELD_CARD_CONFIDENCE_Z = 1.64;
        /** The bundled {@code hosted-client-accounts}; a document without the key has it off. */
        public static final int HOSTED_CLIENT_ACCOUNTS = 20;

        /** The bundled {@code hosting-asns}: the clouds' and hosting providers' networks the rules file names. */
        public static final java.util.Set<Integer> HOSTING_ASNS = java.util.Set.of(
                16509, 14618, 8987, 15169, 396982, 8075, 31898, 36351, 45102, 37963, 132203, 45090, 136907, 14061,
                63949, 20473, 24940, 213230, 16276, 12876, 51167, 40021, 197540, 8560, 47583, 19318, 22612, 26496,
                60781, 16265, 30633, 49981, 9009, 212238, 60068, 202422, 21859, 36352, 8100, 202425, 204770, 62240,
                135377);

        public static final Group DEFAULT = new Group(2.33, 0.13, 0.45, 0.4, HOSTING_ASNS,
                0.5, 20, 3, 500, 20, TEMPLATE_MAX_DISTANCE, 20, WORD_BAND_MAX_DISTANCE, POPULATION_LONG_ANSWER_SHARE,
                LONG_ANSWER_SHARE, ROAMING_SHARE, ROAMING_MIN_REPEATS, ROAMING_MEMBER_ASNS, SPLIT_MIN_MEMBERS,
                SPLIT_MEMBER_REQUESTS, CARD_SPLIT_MIN_MEMBERS, OWN_ADDRESS_SHARE, BLOCK_MIN_RETURNS, ONE_NETWORK_SHARE, true,
                2, 12, true, true, true, true, CAMPAIGN_TRAIT_COVERAGE, false, HOSTED_CLIENT_ACCOUNTS, true, 2,
                HOSTED_CLIENT_POOL_MEMBERS, POOL_MEMBER_BLOCKS, true, HELD_MEMBER_CONFIDENCE_Z,
                ROAMING_MEMBER_BLOCK_SHARE, HELD_CARD_CONFIDENCE_Z, true, true, true, ROAMING_MEMBER_NEW_BLOCK_ASNS,
                true);

        /**
         * The share of long answers a group's lower bound must reach when its reasoning share does not: the floor,
         * or the population's long-answer share plus the gap to 1.
         */
        public double longAnswerThreshold() {
            return threshold(longAnswerFloor(),
                    populationLongAnswerShare == null ? POPULATION_LONG_ANSWER_SHARE : populationLongAnswerShare);
        }

        /** {@code long-answer-share}: the floor, and what a group's point share must reach to tie its members. */
        public double longAnswerFloor() {
            return longAnswerShare == null ? LONG_ANSWER_SHARE : longAnswerShare;
        }

        /**
         * Whether a group's members change networks between their requests as a proxy rotating per request does: the
         * lower bound of the share of a member's later requests that came from another ASN than its request before, at
         * least {@code roaming-share}, over at least {@code roaming-min-repeats} such requests.
         */
        public boolean roaming(long roams, long repeats) {
            return roaming(roams, repeats, confidenceZ);
        }

        /** The same at {@code z}: a card of a few held for its members at {@code held-card-confidence-z}. */
        public boolean roaming(long roams, long repeats, double z) {
            return repeats >= roamingMinRepeatsOrDefault() && wilsonLower(roams, repeats, z) >= roamingShareOrDefault();
        }

        /**
         * {@code roaming-first-steps}: whether a member's requests count towards its group's roaming from its second
         * one (a step from its first network, or not), not only once it has come from two networks. A template's
         * members send it a request or two a day, and a day's window starts their tallies afresh; a pool's account
         * has left its first network at its second request, a person at home has not, and one going back and forth
         * between home and the phone steps once. Absent from a document: counted; false counts them only once from
         * two networks.
         */
        public boolean roamingFirstStepsOrDefault() {
            return roamingFirstSteps == null || roamingFirstSteps;
        }

        /**
         * {@code card-min-accounts}: the fewest accounts on one card that make it a group judged for the extraction
         * shape, when under the payment link's fan-in threshold. A card shared by so few is what a household or a
         * small team has, so such a group is a cluster only with hosting addresses or its members roaming (held for
         * each member to show). Absent from a document's group section: the fan-in threshold, as before.
         */
        public long cardMinAccounts(long fanInThreshold) {
            return cardMinAccounts == null ? fanInThreshold : Math.min(fanInThreshold, cardMinAccounts);
        }

        /**
         * {@code card-held-for-members}: whether a card shared by fewer than its fan-in threshold, extraction-shaped and
         * without hosting addresses, is held for its members before its members' roaming passes its lower bound, when
         * two of them each roamed at {@code roaming-share} or more of {@code roaming-min-repeats} requests or more of
         * their own and none with that many roamed at less ({@link #roamingAtPoint}, per member). The group's bound
         * needs thirty or more requests, which a card of two or three accounts at a few requests a day reaches only
         * after days; the proof each member gives in its own day (a day from {@code roaming-member-asns} networks,
         * which a person at home, school and on the phone does not reach) is the same one the hold asks of it anyway.
         * A household whose one member rides a consumer VPN while the others stay on their networks is not held by
         * it. Absent from a document's group section: false, such a card waits for the bound, as before.
         */
        public boolean cardHeldForMembersOrDefault() {
            return cardHeldForMembers != null && cardHeldForMembers;
        }

        /**
         * {@code campaign-pool-ties-held}: whether a campaign's members that are tied to it only through hosting
         * blocks its members do not come back to (a cloud's shared pool, which every client of the pool passes
         * through) are held for their own days: each is named once its own day is a harvest at its lower bounds, as a
         * hosted client's members are. Its members in a part of the campaign that holds together without those blocks,
         * and is judged a campaign on its own, are named as before. Two products on one cloud's serverless functions
         * leave from the same blocks of its pool; a tutor's template groups, a harvest's shape, would otherwise name
         * every user of a report writer that passed through the same blocks. Absent from a document's group section:
         * false, every member named as before.
         */
        public boolean campaignPoolTiesHeldOrDefault() {
            return campaignPoolTiesHeld != null && campaignPoolTiesHeld;
        }

        /**
         * {@code held-member-confidence-z}: the z at which a held member's own shares are taken when its own day (or
         * two) must be a harvest ({@code SubjectSignals#ownShapeConfirms}). The group has already been judged a
         * harvest at {@code confidence-z} over all its members' requests; what is left to ask of one member is
         * whether its own traffic is the group's kind, and at one-sided 99 % a member at ten requests a day with the
         * campaign's own shares needs two or three days to answer. Absent from a document's group section:
         * {@code confidence-z}, as before the key.
         */
        public double heldMemberConfidenceZOrDefault() {
            return heldMemberConfidenceZ == null ? confidenceZ : heldMemberConfidenceZ;
        }

        /**
         * {@code held-card-confidence-z}: the z at which a card of a few that nothing but its members' roaming
         * corroborates is judged, its shares and its roaming, when at {@code confidence-z} it is not yet shaped, and
         * only while none of its members' own roaming is under {@code roaming-share} beyond chance (a household's
         * siblings at home, school and on the phone beside one on a consumer VPN); so shaped, it is held only by its
         * roaming as a whole at that z, not by two members each roaming at {@code roaming-share}. Such a card names no
         * one by itself: it is held for its members, each named only once its own days show {@code roaming-member-asns}
         * networks and another block at {@code roaming-member-block-share} of its requests. At one-sided 99 % a card
         * of three at a few requests an hour each waits for its thirtieth request or so. Absent from a document's
         * group section: {@code confidence-z}, as before the key.
         */
        public double heldCardConfidenceZOrDefault() {
            return heldCardConfidenceZ == null ? confidenceZ : heldCardConfidenceZ;
        }

        /**
         * {@code shared-card-held-at-point}: whether a card shared at its fan-in threshold whose shape passes only at
         * its point shares (its lower bounds under their thresholds) is held for its members when two of them roam
         * and none stays, as {@link #cardHeldForMembersOrDefault} holds a card of a few. At its bounds such a card is
         * a cluster that names its members; at its point shares it names no one by itself, and each member is named
         * only once its own day came from {@code roaming-member-asns} networks. Five accounts harvesting long answers
         * on one card send about a hundred requests in two days, where a long-answer share of 0.7 is still under 0.6
         * at the bound. Absent from a document's group section: false, the bounds as before.
         */
        public boolean sharedCardHeldAtPointOrDefault() {
            return sharedCardHeldAtPoint != null && sharedCardHeldAtPoint;
        }

        /**
         * {@code shared-card-first-turns}: whether a card shared at its fan-in threshold whose shares pass neither at
         * their bounds nor at their point is still held for its members, as {@link #sharedCardHeldAtPointOrDefault}
         * holds one, when the questions that open its conversations are a harvest's: the share of its first turns that
         * asked for reasoning or got a long answer at its lower bound at or over the reasoning threshold, and its
         * first turns no fewer among its requests than the population's ({@code population-first-turn-share}).
         * Ordinary conversations around a harvest (cover traffic) bring a card's reasoning and first-turn shares
         * under their thresholds together, and leave its openers what they were. Its look-alike is people who ask for
         * reasoning on the questions that open their conversations, each on a consumer VPN that changes network at
         * every request, five or more on one card; each member is still named only by its own networks and blocks.
         * Absent from a document's group section: false, as before the key.
         */
        public boolean sharedCardFirstTurnsOrDefault() {
            return sharedCardFirstTurns != null && sharedCardFirstTurns;
        }

        /**
         * {@code hosting-block-first-turns}: whether an address block (/24, /48) at its fan-in threshold, with
         * {@code hosting-share} of its requests from {@code hosting-asns}, whose shares pass neither at their bounds
         * nor at their point, is still a cluster on its first turns, as {@link #sharedCardFirstTurnsOrDefault} holds a
         * card on them: the share of its first turns that asked for reasoning or got a long answer at its lower bound at
         * or over the reasoning threshold, its first turns no fewer among its requests than the population's, and its
         * members judged to run one configuration, each from an address of its own (what long answers from hosting
         * addresses already need, {@link #ownAddresses}). A block holds every request of the accounts on it, and
         * ordinary conversations around a harvest dilute its shares as they do a card's. Its look-alikes are a product
         * behind its few egress addresses (no address of each user's own) and developers who each rent a machine in one
         * provider's block (configured apart). Absent from a document's group section: false, as before the key.
         */
        public boolean hostingBlockFirstTurnsOrDefault() {
            return hostingBlockFirstTurns != null && hostingBlockFirstTurns;
        }

        /**
         * {@code held-member-openers}: whether a member held for its own shape by its hosted client's group (on a
         * machine of its own, or in a client's group that leaves from a cloud's pool as a whole) whose reasoning share
         * passes at its lower bound, and whose first-turn share does not, is still a harvest by the questions that open
         * its conversations, judged as a card's are ({@link #sharedCardFirstTurnsOrDefault}) at
         * {@code held-member-confidence-z}: of its own first turns, those that asked for reasoning or got a long answer
         * at their lower bound at or over the first-turn threshold, and its first turns no fewer among its requests
         * than the population's. Its answers must still be long against its prompts where
         * {@code subject.extraction.specific-answer-ratio} asks it. A harvest that follows up a few of its questions
         * brings its first-turn share under the group's threshold without changing what it asks; a developer's chat
         * app opens fewer conversations than people's share, and a developer's scripts send their material and get
         * short answers. A member tied only through a cloud pool's blocks is not judged so: a serverless product's
         * users pass through them too. Absent from a document's group section: false, as before the key.
         */
        public boolean heldMemberOpenersOrDefault() {
            return heldMemberOpeners != null && heldMemberOpeners;
        }

        /**
         * {@code held-member-outputs}: whether a member held for its own shape, on a machine of its own (its requests
         * over the window from one address block), whose reasoning share reaches the reasoning threshold as it stands
         * but not at its lower bound, is still a harvest by the outputs it took: the requests that asked for reasoning
         * and those without that got long answers, counted together at their lower bound at or over that threshold
         * (its first-turn share judged as before). A harvest wants outputs, a reasoning trace or a long answer; one
         * that asks for reasoning on three requests in four shows too few for the bound on a light day by chance, and
         * its other answers are long. A writing product's user asks for reasoning on a few requests and gets long
         * answers to the rest: its reasoning share as it stands is under the threshold, and a product's users on
         * serverless functions leave from block after block of the cloud's pool. Absent from a document's group
         * section: false, as before the key.
         */
        public boolean heldMemberOutputsOrDefault() {
            return heldMemberOutputs != null && heldMemberOutputs;
        }

        /**
         * {@code shared-card-second-trait}: whether a card shared at its fan-in threshold or more also needs a second
         * trait to be a cluster, as a template group does: new accounts, a model pivot ({@code pivot-corroborates}),
         * hosting addresses, or its members' roaming (which holds it for its members, as it holds a card of a few). An
         * organisation that pays for its people's own accounts (a school for its students on one homework app, a team
         * on a company card) shares a card between five and more accounts of one shape, a harvest's when the product
         * asks for reasoning on lone questions, from their homes, the school and their phones. Absent from a document's
         * group section: false, the shape alone as before.
         */
        public boolean sharedCardSecondTraitOrDefault() {
            return sharedCardSecondTrait != null && sharedCardSecondTrait;
        }

        /**
         * {@code new-accounts-by-members}: whether a group reads as new accounts only when its sampled members are new
         * at {@code link.cluster-new-account-share} as its requests are. A school's card or a product's template of
         * year-old accounts with one or two new students among them, who are its heaviest, has most of its requests
         * from new accounts and few new members; a campaign on fresh accounts has both. Absent from a document's group
         * section: false, its requests alone as before.
         */
        public boolean newAccountsByMembersOrDefault() {
            return newAccountsByMembers != null && newAccountsByMembers;
        }

        /**
         * {@code campaign-trait-coverage}: the share of a campaign's members that its address groups at their fan-in
         * threshold (the trait that corroborates it by itself) must hold between them. A school's address where twenty
         * of a homework app's students are in a day is such a group, and the app's templates and cards tie it to the
         * app's students at every other school: it speaks for its own members, not for theirs. A campaign behind its
         * own addresses has them all there. Absent from a document's group section: 0, any one such group, as before.
         */
        public double campaignTraitCoverageOrDefault() {
            return campaignTraitCoverage == null ? 0 : campaignTraitCoverage;
        }

        /**
         * {@code hosted-client-accounts}: the accounts one client on one provider of {@code hosting-asns} needs in a
         * day before it is judged as a group (LinkKind.HOSTED_CLIENT). 0 or absent: not judged, as before the key.
         */
        public long hostedClientAccountsOrDefault() {
            return hostedClientAccounts == null ? 0 : hostedClientAccounts;
        }

        /**
         * {@code hosted-client-pools}: whether a client's group on a provider is also a cluster when its members, each
         * from an address none of the others used last, left from another block at nearly every request
         * ({@link #poolAddresses}): accounts behind a data-centre proxy service that rotates through a provider's
         * whole pool, which keep no machine of their own. Absent from a document: false, as before the key.
         */
        public boolean hostedClientPoolsOrDefault() {
            return hostedClientPools != null && hostedClientPools;
        }

        /**
         * {@code held-member-days}: over how many of its own days, today and the day before, a member of a hosted
         * client's group is judged when today alone is too light: 1 or 2. A campaign that keeps each account at ten
         * requests a day never gives one day the dozen harvesting requests its bounds need. Absent from a document:
         * 1, the day alone, as before the key.
         */
        public int heldMemberDaysOrDefault() {
            return heldMemberDays == null ? 1 : heldMemberDays;
        }

        /**
         * {@code hosted-client-pool-members}: how many of a hosted client's sampled members must each have left from
         * another block of the provider's pool at nearly every request ({@link #poolMember}) for them to be judged
         * as a group of their own, when the client's group as a whole is not a cluster. A campaign behind a
         * data-centre proxy service that calls with the SDK most developers on that cloud use shares the group with
         * them: their traffic dilutes its shape, and their machines, each kept, its addresses. Developers keep a
         * machine; those members do not. Each is named only once its own day is a harvest from as many blocks
         * ({@link #poolMemberBlocksOrDefault}). Read only with {@code hosted-client-pools}. Absent from a document: 0,
         * off, as before the key.
         */
        public int hostedClientPoolMembersOrDefault() {
            return hostedClientPoolMembers == null ? 0 : hostedClientPoolMembers;
        }

        /**
         * {@code pool-member-blocks}: the distinct network blocks (/24, /48) a member of a hosted client's rotating
         * members must have sent its own day from, at least {@code own-address-share} of its requests as well, before
         * it is named: a developer's app keeps its machine whatever its client's group holds. Absent: 3.
         */
        public int poolMemberBlocksOrDefault() {
            return poolMemberBlocks == null ? POOL_MEMBER_BLOCKS : poolMemberBlocks;
        }

        /**
         * Whether a sampled member of a hosted client's group rotates through the provider's pool: of at least
         * {@code split-member-requests} of its requests through the group that followed one of its own, at least
         * {@code own-address-share} came from another block than the one before.
         */
        public boolean poolMember(int compared, int changed) {
            return compared >= splitMemberRequestsOrDefault() && changed >= ownAddressShareOrDefault() * compared;
        }

        /**
         * {@code pivot-corroborates}: whether a model pivot is a second trait of a template group, a card at its fan-in
         * threshold or a campaign, as new accounts and hosting addresses are. A product moves its users to a new model
         * on the day it is released (its default changes, every user's requests follow), so its system prompt's
         * group, a school's card and the campaign they tie pivot with a harvest's shape when the product's is one.
         * The pivot still adds its weight to a group that something else corroborates, and MODEL_PIVOT is still
         * observed. Absent from a document's group section: true, as before.
         */
        public boolean pivotCorroboratesOrDefault() {
            return pivotCorroborates == null || pivotCorroborates;
        }

        /**
         * Whether a group reads as new accounts: {@code share} of its requests, and under
         * {@code new-accounts-by-members} of its sampled members too, from accounts under {@code link.new-account-age}.
         * {@code newMembers} null (a window written before members were counted) or no member sampled: its requests
         * alone.
         */
        public boolean young(double share, double newAccountRequests, Long newMembers, long membersSampled) {
            if (newAccountRequests < share) {
                return false;
            }
            return !newAccountsByMembersOrDefault() || newMembers == null || membersSampled <= 0
                    || (double) newMembers / membersSampled >= share;
        }

        /**
         * {@code held-min-requests}: the fewest requests from which a group that only its members' roaming corroborates
         * is judged, when under {@code link.cluster-min-requests}. Such a group names no one by itself: it is held,
         * and each member is named only once its own day came from {@code roaming-member-asns} networks; its shares
         * are taken at their lower bounds and its roaming over {@code roaming-min-repeats} requests whatever the
         * floor. A card shared by two or three accounts at ten requests a day each takes a day and a half to reach
         * the cluster floor. Absent from a document's group section: the cluster floor, as before.
         */
        public long heldMinRequests(long clusterMinRequests) {
            return heldMinRequests == null ? clusterMinRequests : Math.min(clusterMinRequests, heldMinRequests);
        }

        /** The requests a group's roaming share is taken over: its members' repeats, and their steps when counted. */
        public long roamingTrials(long repeats, long steps) {
            return repeats + (roamingFirstStepsOrDefault() ? steps : 0);
        }

        /** Of {@link #roamingTrials}, the roams, and the steps to another network when counted. */
        public long roamingHits(long roams, long stepChanges) {
            return roams + (roamingFirstStepsOrDefault() ? stepChanges : 0);
        }

        /**
         * A share of roams at its point rather than at its lower bound, over at least {@code roaming-min-repeats}
         * requests: one card member's own ({@code card-held-for-members}). A pool's account roams at two thirds of its
         * requests and more; a person between home, school and the phone at a tenth to under a half.
         */
        public boolean roamingAtPoint(long roams, long repeats) {
            return repeats >= roamingMinRepeatsOrDefault() && roams >= roamingShareOrDefault() * repeats;
        }

        public double roamingShareOrDefault() {
            return roamingShare == null ? ROAMING_SHARE : roamingShare;
        }

        /**
         * Networks (ASNs) an account's own day must show before a group held for its members counts it: home, work or
         * school and a phone are three.
         */
        public int roamingMemberAsnsOrDefault() {
            return roamingMemberAsns == null ? ROAMING_MEMBER_ASNS : roamingMemberAsns;
        }

        /**
         * {@code roaming-member-block-share}: the share of an account's requests that followed one of its own (over
         * the days its networks are counted on) that must have come from another network block (/24, /48) than the
         * one before, beside roaming-member-asns networks, before a group held for its members' networks counts it. A
         * proxy rotating per request hands out another block at nearly every request; a person who also goes to a
         * café or a relative's stays on one network for a sitting. Absent from a document: 0, networks alone.
         */
        public double roamingMemberBlockShareOrDefault() {
            return roamingMemberBlockShare == null ? 0 : roamingMemberBlockShare;
        }

        /**
         * {@code roaming-member-new-block-asns}: the networks (ASNs) that confirm a member held for its own networks
         * when each of at least roaming-member-asns of its requests (over its day and the day before, or its day alone
         * when it sent none the day before) came from a network block (/24, /48) it had not used before. A
         * residential pool draws its households from a country's few large ISPs, so its account's fourth request is
         * as likely as not on a network it already used, but never from an address block it used; a person's day at
         * home, school and on the phone comes back to the home block. Absent from a document (or 0): networks alone,
         * roaming-member-asns of them.
         */
        public int roamingMemberNewBlockAsnsOrDefault() {
            return roamingMemberNewBlockAsns == null ? 0 : roamingMemberNewBlockAsns;
        }

        /**
         * Whether a template group's members were configured apart: of at least {@code split-min-members} members
         * with {@code split-member-requests} requests or more through it, more asked for no reasoning at all than
         * one shared configuration gives (the count's expectation at the group's own reasoning share, plus
         * {@code confidence-z} standard deviations). A campaign's accounts run one operator's configuration; the
         * deployments of a tool that developers each run on a machine of their own are configured by each, and some
         * turn off the reasoning the tool asks for by default. Then hosting addresses do not corroborate the
         * template: they are where such a tool runs.
         */
        public boolean configuredApart(long judged, long without, double expected, double variance) {
            return judged >= splitMinMembersOrDefault() && without > splitThreshold(expected, variance);
        }

        /**
         * Members without reasoning that one configuration would exceed only by chance at {@code confidence-z}. The
         * variance has a floor: when nearly every member asks for reasoning both it and the expectation are near zero,
         * and a member or two that joined for a request of another kind must not split a campaign.
         */
        public double splitThreshold(double expected, double variance) {
            return expected + confidenceZ * Math.sqrt(Math.max(variance, 0.25));
        }

        /**
         * The members' reasoning asks spread more widely than one shared configuration spreads them: the upper
         * {@code confidence-z} quantile of a chi-square with {@code degrees} degrees of freedom (Wilson-Hilferty), the
         * dispersion's distribution when every member asks at the group's own share. Members each at their own
         * setting (some always, some never) are far over it on a few requests each, where counting members without
         * any reasoning needs many more of them.
         */
        public double dispersionThreshold(long degrees) {
            double k = Math.max(1, degrees);
            double c = 2 / (9 * k);
            return k * Math.pow(1 - c + confidenceZ * Math.sqrt(c), 3);
        }

        public int splitMinMembersOrDefault() {
            return splitMinMembers == null ? SPLIT_MIN_MEMBERS : splitMinMembers;
        }

        /**
         * Whether a card group shaped by its reasoning share owes that shape to a few of its members: of at least
         * {@code card-split-min-members} members with {@code split-member-requests} requests or more through the card,
         * the mean of their own reasoning shares (each member once) is under the group's share (each request once) by
         * more than {@code confidence-z} standard errors of that mean under one shared share. A campaign's accounts on
         * one card run one operator's script, and the two shares agree whatever their volumes; a lab's or a company's
         * card pays for people, most of whom use the API as anyone does while one or two run evaluations or batch jobs
         * that make most of its requests. Then the card does not make its members a cluster: each is judged by its
         * own traffic.
         */
        public boolean cardMembersApart(long judged, double memberShare, double groupShare, double standardError) {
            return judged >= cardSplitMinMembersOrDefault() && groupShare - memberShare > confidenceZ * standardError;
        }

        /**
         * Whether a group's members send from machines of their own: of its sampled members whose addresses are kept
         * (at least {@code split-min-members}), their latest requests came from at least {@code own-address-share} as
         * many distinct addresses; and of at least {@code split-min-members} of their requests that followed one of
         * theirs through the group, at least {@code own-address-share} came from the network block (/24, /48) of the
         * one before. A product that calls the API with its users' own accounts sends them all through its NAT
         * gateway's few addresses; accounts on rented machines, or on a data-centre proxy that hands each request
         * another address of its block, come from about as many addresses as there are accounts, each keeping its
         * block. A product on serverless functions without a gateway leaves from the cloud's shared pool, another
         * block at each call: as many addresses as users, none of them a user's own.
         */
        public boolean ownAddresses(int members, int distinct, long blockRepeats, long blockChanges) {
            return addressedApart(members, distinct, blockRepeats)
                    && blockRepeats - blockChanges >= ownAddressShareOrDefault() * blockRepeats;
        }

        /**
         * Of enough sampled members, their latest addresses at least {@code own-address-share} as many as they, and
         * enough of their requests compared by block: what {@link #ownAddresses} and {@link #poolAddresses} both ask
         * before they read which way the blocks went.
         */
        private boolean addressedApart(int members, int distinct, long blockRepeats) {
            return members >= splitMinMembersOrDefault() && distinct >= ownAddressShareOrDefault() * members
                    && blockRepeats >= splitMinMembersOrDefault();
        }

        /**
         * Whether a group's members rotate through a provider's pool: of its sampled members whose addresses are kept
         * (at least {@code split-min-members}), their latest requests came from at least {@code own-address-share} as
         * many distinct addresses, as with {@link #ownAddresses}; and of at least {@code split-min-members} requests
         * that followed one of theirs, at least {@code own-address-share} came from another block than the one
         * before. A product's users behind its gateway share its few addresses, and a VPN's share its exits; a
         * product on serverless functions leaves so, and its users are judged each by its own day as any member is.
         */
        public boolean poolAddresses(int members, int distinct, long blockRepeats, long blockChanges) {
            return addressedApart(members, distinct, blockRepeats)
                    && blockChanges >= ownAddressShareOrDefault() * blockRepeats;
        }

        /**
         * Whether a template group's members send from one network, whatever its name, as accounts on machines rented
         * from one provider do: of at least {@code split-min-members} sampled members with a network kept, the lower
         * bound of the share that came from one ASN, the same for all of them, and from no other through the group
         * (Wilson, {@code confidence-z}), is at least {@code one-network-share}. The hosting list names the large
         * clouds; a campaign rents wherever it likes. A product's users are on their own households' providers and
         * their phones' carriers, and the largest of a country's providers rarely carries four in five of them;
         * but ten of them can all be on it by chance, and a template has many band groups a day. 0 turns the test
         * off: only {@code hosting-asns} corroborate.
         */
        public boolean oneNetwork(int members, int onOne) {
            double share = oneNetworkShareOrDefault();
            return share > 0 && members >= splitMinMembersOrDefault() && oneNetworkLower(onOne, members) >= share;
        }

        public double oneNetworkLower(int onOne, int members) {
            return wilsonLower(onOne, members, confidenceZ);
        }

        public double oneNetworkShareOrDefault() {
            return oneNetworkShare == null ? ONE_NETWORK_SHARE : oneNetworkShare;
        }

        public double ownAddressShareOrDefault() {
            return ownAddressShare == null ? OWN_ADDRESS_SHARE : ownAddressShare;
        }

        /**
         * Requests of a hosting address block's members that came back to it, under which a block not shaped at its
         * lower bounds counts nothing towards a campaign's union (0: every shaped block counts, as before this key).
         */
        public int blockMinReturnsOrDefault() {
            return blockMinReturns == null ? BLOCK_MIN_RETURNS : blockMinReturns;
        }

        public int cardSplitMinMembersOrDefault() {
            return cardSplitMinMembers == null ? CARD_SPLIT_MIN_MEMBERS : cardSplitMinMembers;
        }

        public int splitMemberRequestsOrDefault() {
            return splitMemberRequests == null ? SPLIT_MEMBER_REQUESTS : splitMemberRequests;
        }

        public int roamingMinRepeatsOrDefault() {
            return roamingMinRepeats == null ? ROAMING_MIN_REPEATS : roamingMinRepeats;
        }

        /**
         * Requests a campaign's union must hold before its shape is judged: {@code campaign-min-requests}, or without
         * it in a document link.cluster-min-requests.
         */
        public long campaignMinRequestsOr(long clusterMinRequests) {
            return campaignMinRequests == null ? clusterMinRequests : campaignMinRequests;
        }

        /**
         * Bits a prompt's SimHash may differ from a template group's first prompt and still count in the group: a
         * band is 32 bits, and a prompt that matches them by chance differs in about 16 of the other 32.
         */
        public int templateMaxDistanceOrDefault() {
            return templateMaxDistance == null ? TEMPLATE_MAX_DISTANCE : templateMaxDistance;
        }

        /**
         * Bits a prompt's SimHash may differ from a word band's group's first prompt and still count in the group:
         * the band already asked for four shared pairs of words; the SimHash keeps out what meets them by chance.
         */
        public int wordBandMaxDistanceOrDefault() {
            return wordBandMaxDistance == null ? WORD_BAND_MAX_DISTANCE : wordBandMaxDistance;
        }

        /** The share a group's lower bound must reach: the floor, or the population's share plus the gap to 1. */
        public double threshold(double floor, double population) {
            return Math.max(floor, population + populationGap * (1 - population));
        }

        public boolean hosting(Integer asn) {
            return asn != null && hostingAsns != null && hostingAsns.contains(asn);
        }

        /**
         * Lower bound of the Wilson score interval of {@code hits} in {@code n} at {@code z}: small groups are judged by
         * what their traffic shows beyond chance, large ones by their share.
         */
        public static double wilsonLower(long hits, long n, double z) {
            if (n <= 0) {
                return 0;
            }
            double p = (double) hits / n;
            double z2 = z * z;
            double centre = p + z2 / (2 * n);
            double margin = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
            return Math.max(0, (centre - margin) / (1 + z2 / n));
        }

        /** Upper bound of the same interval: what {@code hits} in {@code n} rules out beyond chance. */
        public static double wilsonUpper(long hits, long n, double z) {
            return n <= 0 ? 1 : 1 - wilsonLower(n - hits, n, z);
        }
    }

    /** The group section in force: the document's, or the defaults when it has none. */
    public Group groupOrDefault() {
        return group == null ? Group.DEFAULT : group;
    }

    /**
     * Partner indicators: a match at or over {@code min-confidence} raises THREAT_INTEL (score from the confidence:
     * HIGH at {@code high-confidence}) and adds to the account's composite risk; at or over high-confidence it
     * counts as distillation-specific (another lab's finding), so it can lift the composite past MEDIUM.
     * Optional in a document: absent, the defaults below apply, so rules written before it stay valid.
     */
    public record Intel(
            @JsonProperty("min-confidence") int minConfidence,
            @JsonProperty("high-confidence") int highConfidence) {

        public static final Intel DEFAULT = new Intel(30, 80);

        /** Risk of a match: 2.5 (HIGH's threshold) at high-confidence, in proportion below and above it. */
        public double risk(int confidence) {
            return 2.5 * confidence / highConfidence;
        }
    }

    /** The intel section in force: the document's, or the defaults when it has none. */
    public Intel intelOrDefault() {
        return intel == null ? Intel.DEFAULT : intel;
    }

    public record Subject(
            @JsonProperty("min-requests-1h") long minRequests1h,
            @JsonProperty("min-requests-24h") long minRequests24h,
            Extraction extraction,
            Volume volume,
            @JsonProperty("fan-out") FanOut fanOut,
            Timing timing,
            Rotation rotation) {

        /** The rotation section in force: the document's, or the defaults when it has none. */
        public Rotation rotationOrDefault() {
            return rotation == null ? Rotation.DEFAULT : rotation;
        }
    }

    /**
     * A subject on a proxy that rotates per request (ROTATION): among its consecutive requests minutes apart, the
     * share whose network (ASN) changed, with at least {@code min-quick-pairs} such pairs in the day and at least
     * {@code min-asns} ASNs. A person's device keeps its network within a sitting; a phone switching between Wi-Fi and
     * its carrier, an office balancing two providers or a privacy relay's few operators switch too, but among two to
     * four networks, and Tor keeps a circuit for ten minutes. Alone it is proxy use, not distillation (MEDIUM at
     * most); with reasoning asked on at least {@code harvest-reasoning-share} of the day's requests, in at least
     * {@code harvest-reasoning-hours} distinct hours, it counts as harvesting hidden behind the proxy and can reach
     * HIGH. The hours are there because a person asks for reasoning a conversation at a time: one reasoning-heavy
     * sitting behind a consumer VPN that exits through residential addresses (every request another home and network,
     * as a hydra's proxy) reads as a harvest by its share alone. Optional in a document, as are its last two keys
     * (without them: fan-out.asns-24h networks, one hour).
     */
    public record Rotation(
            @JsonProperty("min-quick-pairs") long minQuickPairs,
            @JsonProperty("network-switch-share") double networkSwitchShare,
            @JsonProperty("harvest-reasoning-share") double harvestReasoningShare,
            double weight,
            @JsonProperty("min-asns") Long minAsns,
            @JsonProperty("harvest-reasoning-hours") Integer harvestReasoningHours) {

        public static final Rotation DEFAULT = new Rotation(3, 0.6, 0.4, 1.75, 5L, 3);

        /** The networks the day must span: {@code min-asns}, or without it in a document fan-out.asns-24h. */
        public long minAsnsOr(long fanOutAsns) {
            return minAsns == null ? fanOutAsns : minAsns;
        }

        /** Distinct hours of the day with a reasoning request that a harvest needs: one without the key. */
        public int harvestReasoningHoursOrDefault() {
            return harvestReasoningHours == null ? 1 : harvestReasoningHours;
        }
    }

    /**
     * The extraction profile's thresholds. With {@code confidence-z}, the reasoning, single-turn and capability shares
     * are each judged at the lower bound of their Wilson interval at that z, so that an hour of 30 requests from an
     * account whose traffic is a mix (a router's customers, a developer's script run with reasoning on half of its
     * requests) does not fire on a draw that happened to pass every point threshold at once: the profile is
     * re-judged at every request, and four point shares near their thresholds pass together by chance sooner or
     * later. The profile's strength stays the point shares'. Optional in a document (without it: point shares, as
     * before it was added).
     */
    public record Extraction(
            @JsonProperty("reasoning-share") double reasoningShare,
            @JsonProperty("single-turn-share") double singleTurnShare,
            @JsonProperty("prompt-diversity") double promptDiversity,
            @JsonProperty("capability-concentration") double capabilityConcentration,
            @JsonProperty("output-input-ratio") double outputInputRatio,
            @JsonProperty("confidence-z") Double confidenceZ,
            @JsonProperty("specific-answer-ratio") Double specificAnswerRatio,
            @JsonProperty("specific-hours") Integer specificHours,
            @JsonProperty("specific-answer-hours") Integer specificAnswerHours,
            @JsonProperty("opener-share") Double openerShare) {

        /** Without {@code specific-answer-hours} in a document: the hour the profile fired in is enough. */
        public static final int SPECIFIC_ANSWER_HOURS = 1;

        /**
         * The hours of the day the account must have harvested in (reasoning on at least the profile's share of
         * the hour's requests) before long answers make its profile a harvest.
         */
        public int specificAnswerHoursOrDefault() {
            return specificAnswerHours == null ? SPECIFIC_ANSWER_HOURS : specificAnswerHours;
        }

        /** A share of {@code n} requests as the profile judges it: its point value, or its Wilson lower bound. */
        public double judged(double share, long n) {
            return confidenceZ == null ? share : Group.wilsonLower(Math.round(share * n), n, confidenceZ);
        }

        /**
         * Whether the profile alone is distillation-specific only with long answers or a day-long harvest behind it
         * (both keys read then); without {@code specific-hours} it always is, as before the keys existed.
         */
        public boolean specificOnlyWhenSustained() {
            return specificHours != null;
        }

        /**
         * Whether the profile's conversation feature is the share of requests that open a conversation (with
         * {@code opener-share}), not the share of conversations that never got a second turn (without it, as before
         * the key existed).
         */
        public boolean judgesOpeners() {
            return openerShare != null;
        }
    }

    public record Volume(
            @JsonProperty("requests-1h") long requests1h,
            @JsonProperty("tokens-1h") long tokens1h,
            @JsonProperty("requests-24h") long requests24h,
            @JsonProperty("baseline-multiple") double baselineMultiple,
            @JsonProperty("baseline-floor-per-hour") double baselineFloorPerHour) {
    }

    public record FanOut(
            @JsonProperty("ips-1h") long ips1h,
            @JsonProperty("prefixes-1h") long prefixes1h,
            @JsonProperty("asns-24h") long asns24h,
            @JsonProperty("countries-24h") long countries24h) {
    }

    public record Timing(
            @JsonProperty("min-gaps") long minGaps,
            @JsonProperty("max-inter-arrival-cv") double maxInterArrivalCv,
            @JsonProperty("active-hours-24h") int activeHours24h) {
    }

    public record Link(
            @JsonProperty("ip-accounts-1h") long ipAccounts1h,
            @JsonProperty("prefix-accounts-24h") long prefixAccounts24h,
            @JsonProperty("asn-accounts-24h") long asnAccounts24h,
            @JsonProperty("payment-accounts-7d") long paymentAccounts7d,
            @JsonProperty("prompt-cluster-accounts-24h") long promptClusterAccounts24h,
            @JsonProperty("cluster-min-requests") long clusterMinRequests,
            @JsonProperty("cluster-reasoning-share") double clusterReasoningShare,
            @JsonProperty("cluster-first-turn-share") double clusterFirstTurnShare,
            @JsonProperty("cluster-new-account-share") double clusterNewAccountShare,
            @JsonProperty("new-account-age") String newAccountAge,
            @JsonProperty("model-pivot-share") double modelPivotShare) {

        public long newAccountAgeMs() {
            // Asked for on every request of the link path: parsed once per distinct text.
            Object[] last = lastAge;
            if (last[0] == newAccountAge) {
                return (Long) last[1];
            }
            long ms = DetectionConfig.parseDuration("link.new-account-age", newAccountAge).toMillis();
            lastAge = new Object[] {newAccountAge, ms};
            return ms;
        }
    }

    public record Scoring(
            @JsonProperty("extraction-weight") double extractionWeight,
            @JsonProperty("volume-weight") double volumeWeight,
            @JsonProperty("baseline-weight") double baselineWeight,
            @JsonProperty("fan-out-weight") double fanOutWeight,
            @JsonProperty("timing-weight") double timingWeight,
            @JsonProperty("ratio-cap") double ratioCap) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            // A missing number reads as 0 and then fails validation naming its key; an unknown key fails here.
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String DEFAULT_RESOURCE = "default-rules.yaml";

    /** The rules shipped with this build. */
    public static DetectionRules defaults() {
        try (InputStream in = DetectionRules.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DetectionRules load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidRulesException(file + ": not a UTF-8 text file, so not a rules YAML document");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read rules file " + file + ": " + e.getMessage(), e);
        } catch (InvalidRulesException e) {
            throw new InvalidRulesException(file + ": " + e.getMessage());
        }
    }

    /** Parses and validates one rules document; throws {@link InvalidRulesException} naming what is wrong. */
    public static DetectionRules parse(String yaml) {
        DetectionRules rules;
        try {
            rules = YAML.readValue(yaml, DetectionRules.class);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidRulesException("unknown key '" + e.getPropertyName() + "' at " + path(e));
        } catch (JsonProcessingException e) {
            throw new InvalidRulesException(e.getOriginalMessage() + " at " + path(e));
        }
        if (rules == null) {
            throw new InvalidRulesException("empty rules document");
        }
        rules.validate();
        return rules;
    }

    private static String path(JsonProcessingException e) {
        return e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? m.getPathReference() : "?";
    }

    /** Epoch ms from which these rules apply by event time; Long.MIN_VALUE when the document names no time. */
    public long effectiveFromMs() {
        return effectiveFrom == null ? Long.MIN_VALUE : Instant.parse(effectiveFrom).toEpochMilli();
    }

    /** Release time of {@code model}, or null when it is not a listed new release. */
    public Long releaseOf(String model) {
        String at = modelReleases == null || model == null ? null : modelReleases.get(model);
        return at == null ? null : PARSED_INSTANTS.computeIfAbsent(at, text -> Instant.parse(text).toEpochMilli());
    }

    // Rules are records (no room for derived fields) read on every request: their texts are parsed once, here.
    // Bounded by the distinct texts of the rule versions loaded, a handful.
    /** The text last parsed and its value: the same rules object asks again and again (a record has no cache). */
    private static volatile Object[] lastAge = {null, 0L};
    private static final java.util.concurrent.ConcurrentHashMap<String, Long> PARSED_INSTANTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    public String toYaml() {
        try {
            return YAML.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void validate() {
        require(version != null && !version.isBlank() && version.length() <= 128, "version", "a non-blank string of at most 128 characters");
        require(subject != null, "subject", "present");
        require(link != null, "link", "present");
        require(scoring != null, "scoring", "present");
        require(subject.extraction() != null && subject.volume() != null && subject.fanOut() != null
                && subject.timing() != null, "subject", "to have extraction, volume, fan-out and timing");
        if (effectiveFrom != null) {
            try {
                Instant.parse(effectiveFrom);
            } catch (DateTimeParseException e) {
                throw new InvalidRulesException("effective-from: expected an ISO-8601 instant such as 2026-11-28T00:00:00Z, got " + effectiveFrom);
            }
        }
        positive("subject.min-requests-1h", subject.minRequests1h());
        positive("subject.min-requests-24h", subject.minRequests24h());
        share("subject.extraction.reasoning-share", subject.extraction().reasoningShare());
        share("subject.extraction.single-turn-share", subject.extraction().singleTurnShare());
        if (subject.extraction().openerShare() != null) {
            share("subject.extraction.opener-share", subject.extraction().openerShare());
        }
        share("subject.extraction.prompt-diversity", subject.extraction().promptDiversity());
        share("subject.extraction.capability-concentration", subject.extraction().capabilityConcentration());
        positive("subject.extraction.output-input-ratio", subject.extraction().outputInputRatio());
        if (subject.extraction().confidenceZ() != null) {
            positive("subject.extraction.confidence-z", subject.extraction().confidenceZ());
        }
        if (subject.extraction().specificAnswerRatio() != null) {
            positive("subject.extraction.specific-answer-ratio", subject.extraction().specificAnswerRatio());
            require(subject.extraction().specificHours() != null, "subject.extraction.specific-answer-ratio",
                    "to come with specific-hours (the ratio is one of the two ways the profile alone is specific)");
        }
        if (subject.extraction().specificHours() != null) {
            require(subject.extraction().specificHours() >= 1 && subject.extraction().specificHours() <= 24,
                    "subject.extraction.specific-hours", "between 1 and 24 hours of a day");
        }
        if (subject.extraction().specificAnswerHours() != null) {
            require(subject.extraction().specificAnswerHours() >= 1 && subject.extraction().specificAnswerHours() <= 24,
                    "subject.extraction.specific-answer-hours", "between 1 and 24 hours of a day");
            require(subject.extraction().specificAnswerRatio() != null, "subject.extraction.specific-answer-hours",
                    "to come with specific-answer-ratio (it says how long the long answers must have been harvested)");
        }
        positive("subject.volume.requests-1h", subject.volume().requests1h());
        positive("subject.volume.tokens-1h", subject.volume().tokens1h());
        positive("subject.volume.requests-24h", subject.volume().requests24h());
        positive("subject.volume.baseline-multiple", subject.volume().baselineMultiple());
        positive("subject.volume.baseline-floor-per-hour", subject.volume().baselineFloorPerHour());
        positive("subject.fan-out.ips-1h", subject.fanOut().ips1h());
        positive("subject.fan-out.prefixes-1h", subject.fanOut().prefixes1h());
        positive("subject.fan-out.asns-24h", subject.fanOut().asns24h());
        positive("subject.fan-out.countries-24h", subject.fanOut().countries24h());
        positive("subject.timing.min-gaps", subject.timing().minGaps());
        positive("subject.timing.max-inter-arrival-cv", subject.timing().maxInterArrivalCv());
        if (subject.rotation() != null) {
            positive("subject.rotation.min-quick-pairs", subject.rotation().minQuickPairs());
            share("subject.rotation.network-switch-share", subject.rotation().networkSwitchShare());
            share("subject.rotation.harvest-reasoning-share", subject.rotation().harvestReasoningShare());
            positive("subject.rotation.weight", subject.rotation().weight());
            require(subject.rotation().minAsns() == null || subject.rotation().minAsns() >= 2,
                    "subject.rotation.min-asns", "at least 2 networks");
            require(subject.rotation().harvestReasoningHours() == null
                            || subject.rotation().harvestReasoningHours() >= 1
                            && subject.rotation().harvestReasoningHours() <= 24,
                    "subject.rotation.harvest-reasoning-hours", "from 1 to 24 hours");
        }
        require(subject.timing().activeHours24h() >= 1 && subject.timing().activeHours24h() <= 24,
                "subject.timing.active-hours-24h", "between 1 and 24");
        positive("link.ip-accounts-1h", link.ipAccounts1h());
        positive("link.prefix-accounts-24h", link.prefixAccounts24h());
        positive("link.asn-accounts-24h", link.asnAccounts24h());
        positive("link.payment-accounts-7d", link.paymentAccounts7d());
        positive("link.prompt-cluster-accounts-24h", link.promptClusterAccounts24h());
        positive("link.cluster-min-requests", link.clusterMinRequests());
        share("link.cluster-reasoning-share", link.clusterReasoningShare());
        share("link.cluster-first-turn-share", link.clusterFirstTurnShare());
        share("link.cluster-new-account-share", link.clusterNewAccountShare());
        share("link.model-pivot-share", link.modelPivotShare());
        require(link.newAccountAge() != null, "link.new-account-age", "a duration such as 30d");
        link.newAccountAgeMs();
        positive("scoring.extraction-weight", scoring.extractionWeight());
        positive("scoring.volume-weight", scoring.volumeWeight());
        positive("scoring.baseline-weight", scoring.baselineWeight());
        positive("scoring.fan-out-weight", scoring.fanOutWeight());
        positive("scoring.timing-weight", scoring.timingWeight());
        require(scoring.ratioCap() >= 1, "scoring.ratio-cap", "at least 1");
        if (intel != null) {
            require(intel.minConfidence() >= 1 && intel.minConfidence() <= 100, "intel.min-confidence", "1 to 100");
            require(intel.highConfidence() >= intel.minConfidence() && intel.highConfidence() <= 100,
                    "intel.high-confidence", "from intel.min-confidence to 100");
        }
        if (group != null) {
            positive("group.confidence-z", group.confidenceZ());
            if (group.heldMemberConfidenceZ() != null) {
                positive("group.held-member-confidence-z", group.heldMemberConfidenceZ());
            }
            if (group.heldCardConfidenceZ() != null) {
                positive("group.held-card-confidence-z", group.heldCardConfidenceZ());
            }
            share("group.population-reasoning-share", group.populationReasoningShare());
            share("group.population-first-turn-share", group.populationFirstTurnShare());
            require(group.populationGap() >= 0 && group.populationGap() < 1, "group.population-gap", "in [0, 1)");
            require(group.hostingAsns() != null, "group.hosting-asns", "a list of ASNs (may be empty: [])");
            share("group.hosting-share", group.hostingShare());
            if (group.populationLongAnswerShare() != null) {
                share("group.population-long-answer-share", group.populationLongAnswerShare());
            }
            if (group.longAnswerShare() != null) {
                share("group.long-answer-share", group.longAnswerShare());
            }
            if (group.roamingShare() != null) {
                share("group.roaming-share", group.roamingShare());
            }
            require(group.roamingMinRepeats() == null || group.roamingMinRepeats() >= 1, "group.roaming-min-repeats",
                    "at least 1");
            require(group.roamingMemberAsns() == null || group.roamingMemberAsns() >= 1, "group.roaming-member-asns",
                    "at least 1");
            require(group.roamingMemberBlockShare() == null || group.roamingMemberBlockShare() >= 0
                    && group.roamingMemberBlockShare() <= 1, "group.roaming-member-block-share",
                    "a share in [0, 1] (0: networks alone)");
            require(group.roamingMemberNewBlockAsns() == null || group.roamingMemberNewBlockAsns() >= 0,
                    "group.roaming-member-new-block-asns", "0 (off) or more networks");
            require(group.splitMinMembers() == null || group.splitMinMembers() >= 1, "group.split-min-members",
                    "at least 1");
            require(group.splitMemberRequests() == null || group.splitMemberRequests() >= 1,
                    "group.split-member-requests", "at least 1");
            require(group.heldMinRequests() == null || group.heldMinRequests() >= 1, "group.held-min-requests",
                    "at least 1 (a held group's shares are still taken at their lower bounds)");
            require(group.cardMinAccounts() == null || group.cardMinAccounts() >= 2, "group.card-min-accounts",
                    "at least 2");
            require(group.cardSplitMinMembers() == null || group.cardSplitMinMembers() >= 1,
                    "group.card-split-min-members", "at least 1");
            require(group.ownAddressShare() == null || group.ownAddressShare() > 0 && group.ownAddressShare() <= 1,
                    "group.own-address-share", "in (0, 1]");
            require(group.campaignTraitCoverage() == null || group.campaignTraitCoverage() >= 0
                    && group.campaignTraitCoverage() <= 1, "group.campaign-trait-coverage", "in [0, 1]");
            require(group.blockMinReturns() == null || group.blockMinReturns() >= 0,
                    "group.block-min-returns", "at least 0");
            require(group.oneNetworkShare() == null || group.oneNetworkShare() >= 0 && group.oneNetworkShare() <= 1,
                    "group.one-network-share", "from 0 to 1");
            require(group.campaignMinAccounts() >= 2, "group.campaign-min-accounts", "at least 2");
            require(group.campaignLinkMinAccounts() >= 2, "group.campaign-link-min-accounts", "at least 2");
            require(group.campaignLinkMaxAccounts() >= group.campaignLinkMinAccounts(),
                    "group.campaign-link-max-accounts", "at least group.campaign-link-min-accounts");
            positive("group.cohort-accounts-24h", group.cohortAccounts24h());
            require(group.hostedClientAccounts() == null || group.hostedClientAccounts() == 0
                    || group.hostedClientAccounts() >= 2, "group.hosted-client-accounts", "0 (off) or at least 2");
            require(group.hostedClientPoolMembers() == null || group.hostedClientPoolMembers() == 0
                            || group.hostedClientPoolMembers() >= 2,
                    "group.hosted-client-pool-members", "0 (off) or at least 2");
            require(group.poolMemberBlocks() == null || group.poolMemberBlocks() >= 2,
                    "group.pool-member-blocks", "at least 2");
            require(group.heldMemberDays() == null || group.heldMemberDays() == 1 || group.heldMemberDays() == 2,
                    "group.held-member-days", "1 or 2 (the days a store keeps)");
            require(group.templateMaxDistance() == null
                            || group.templateMaxDistance() >= 0 && group.templateMaxDistance() <= 32,
                    "group.template-max-distance", "from 0 to 32 bits");
            require(group.wordBandMaxDistance() == null
                            || group.wordBandMaxDistance() >= 0 && group.wordBandMaxDistance() <= 32,
                    "group.word-band-max-distance", "from 0 to 32 bits");
            require(group.campaignMinRequests() == null || group.campaignMinRequests() >= 1,
                    "group.campaign-min-requests", "at least 1");
        }
        if (modelReleases != null) {
            new TreeMap<>(modelReleases).forEach((model, at) -> {
                try {
                    Instant.parse(at);
                } catch (DateTimeParseException | NullPointerException e) {
                    throw new InvalidRulesException("model-releases." + model + ": expected an ISO-8601 instant, got " + at);
                }
            });
        }
    }

    private static void positive(String key, double value) {
        require(value > 0 && Double.isFinite(value), key, value == 0 ? "a positive number (missing or 0)"
                : "a positive number, got " + value);
    }

    private static void share(String key, double value) {
        require(value > 0 && value <= 1, key, value == 0 ? "a share in (0, 1] (missing or 0)"
                : "a share in (0, 1], got " + value);
    }

    private static void require(boolean ok, String key, String expected) {
        if (!ok) {
            throw new InvalidRulesException(key + ": expected " + expected);
        }
    }

    /** A rules document that cannot be used, with the key at fault. */
    public static final class InvalidRulesException extends RuntimeException {
        public InvalidRulesException(String message) {
            super(message);
        }
    }
}
