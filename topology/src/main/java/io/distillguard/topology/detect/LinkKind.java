package io.distillguard.topology.detect;

import io.distillguard.avro.SubjectType;
import io.distillguard.topology.rules.DetectionRules;
import java.util.function.ToLongFunction;

/**
 * The attributes that link accounts (addresses, networks, payment, prompt templates, signup cohorts), each with its window, its fan-in detector and
 * threshold, and whether a group sharing it can be an account cluster. An ASN is too broad to make a cluster of (a
 * cloud provider hosts thousands of unrelated customers); its fan-in is reported but never escalates.
 */
public enum LinkKind {
    IP(SubjectType.IP, "IP_FAN_IN", SubjectRiskProcessor.HOUR_MS, true, r -> r.link().ipAccounts1h()),
    IP_PREFIX(SubjectType.IP_PREFIX, "PREFIX_FAN_IN", SubjectRiskProcessor.DAY_MS, true, r -> r.link().prefixAccounts24h()),
    ASN(SubjectType.ASN, "ASN_FAN_IN", SubjectRiskProcessor.DAY_MS, false, r -> r.link().asnAccounts24h()),
    PAYMENT_FINGERPRINT(SubjectType.PAYMENT_FINGERPRINT, "SHARED_PAYMENT", 7 * SubjectRiskProcessor.DAY_MS, true,
            r -> r.link().paymentAccounts7d()),
    PROMPT_CLUSTER(SubjectType.PROMPT_CLUSTER, "PROMPT_CLUSTER", SubjectRiskProcessor.DAY_MS, true,
            r -> r.link().promptClusterAccounts24h()),
    /**
     * Accounts created in the same hour with the same client: a farm opens its accounts in bursts from one script.
     * The key is {@code <creation hour, epoch ms>|<user agent>}.
     */
    SIGNUP_COHORT(SubjectType.SIGNUP_COHORT, "SIGNUP_COHORT", SubjectRiskProcessor.DAY_MS, true,
            r -> r.groupOrDefault().cohortAccounts24h()),
    /**
     * One client on one hosting provider: the accounts that call with the same user agent from a provider on
     * {@code group.hosting-asns}. A campaign that rents a machine for each account, on a provider or several, shares
     * nothing else: not an address, a card or a template. The key is {@code <asn>|<user agent>}; requests from other
     * networks are dropped by the processor, which reads the list in force. A provider's client is shared by every
     * developer who deploys with it, so the group is a cluster only when its members run one configuration, each on
     * an address of its own (group.hosted-client-accounts), and it is held for its members: each is named only once
     * its own day is a harvest. It raises no alert of its own: many accounts of one SDK on a cloud, or moving to a new
     * model together, are no news.
     */
    HOSTED_CLIENT(SubjectType.ASN, "HOSTED_CLIENT", SubjectRiskProcessor.DAY_MS, true,
            r -> r.groupOrDefault().hostedClientAccountsOrDefault());

    private final SubjectType subjectType;
    private final String detector;
    private final long windowMs;
    private final boolean clusters;
    private final ToLongFunction<DetectionRules> accountsThreshold;

    LinkKind(SubjectType subjectType, String detector, long windowMs, boolean clusters,
             ToLongFunction<DetectionRules> accountsThreshold) {
        this.subjectType = subjectType;
        this.detector = detector;
        this.windowMs = windowMs;
        this.clusters = clusters;
        this.accountsThreshold = accountsThreshold;
    }

    public SubjectType subjectType() {
        return subjectType;
    }

    public String detector() {
        return detector;
    }

    public long windowMs() {
        return windowMs;
    }

    public boolean clusters() {
        return clusters;
    }

    /**
     * Whether one harvest through a group of this kind ties an account into the campaign the group belongs to: a card
     * and a prompt template band are the campaign's own (a band is 32 bits of the prompt's SimHash: another template
     * lands in it about once in four billion), while an address block and a signup hour are shared by people with
     * nothing to do with each other (neighbours behind an ISP's /24, everyone who signed up in a launch hour with the
     * same client), so an account tied by those alone needs a second group of the campaign.
     */
    public boolean tiesAlone() {
        return this == PAYMENT_FINGERPRINT || this == PROMPT_CLUSTER;
    }

    /**
     * Whether a group of this kind raises alerts of its own (fan-in, model pivot), beside the cluster it can be.
     */
    public boolean observed() {
        return this != HOSTED_CLIENT;
    }

    /**
     * Whether a cluster on a link key of this kind names a member only once the member's own day is a harvest: a
     * hosted client's group holds every developer who calls with that client from that provider. False for any key
     * that is not a link's.
     */
    public static boolean heldForOwnShape(String cluster) {
        return find(cluster) == HOSTED_CLIENT;
    }

    /**
     * Whether a group of this kind tallies its sampled members' requests and reasoning asks: a template's, a signup
     * cohort's, an address block's or a hosted client's members configured apart and a card's members who do not
     * share its shape are told apart on them.
     */
    public boolean talliesMembers() {
        return this == PAYMENT_FINGERPRINT || this == PROMPT_CLUSTER || this == SIGNUP_COHORT || this == IP_PREFIX
                || this == HOSTED_CLIENT;
    }

    /**
     * Whether a group of this kind keeps its sampled members' last addresses: a template's, an address block's or a
     * hosted client's members on machines of their own are told from a product's users behind its egress addresses.
     */
    public boolean followsAddresses() {
        return this == PROMPT_CLUSTER || this == IP_PREFIX || this == HOSTED_CLIENT;
    }

    /**
     * Whether a group of this kind follows its sampled members' networks: a template's or a card shared by a few
     * (group.card-min-accounts) is corroborated by its members roaming as a rotating proxy pool's accounts do.
     */
    public boolean followsNetworks() {
        return this == PROMPT_CLUSTER || this == PAYMENT_FINGERPRINT;
    }

    /**
     * Whether a group of this kind counts its first turns that asked for reasoning or got a long answer: a card's and
     * an address block's, the groups that hold all of their accounts' traffic and are judged on their openers when
     * cover brings their shares down (group.shared-card-first-turns, group.hosting-block-first-turns).
     */
    public boolean countsOpeners() {
        return this == PAYMENT_FINGERPRINT || this == IP_PREFIX;
    }

    public long accountsThreshold(DetectionRules rules) {
        return accountsThreshold.applyAsLong(rules);
    }

    public static LinkKind of(String key) {
        LinkKind kind = find(key);
        if (kind == null) {
            throw new IllegalArgumentException("Not a link key: " + key);
        }
        return kind;
    }

    /** The kind of a link key, or null for any other key (a campaign's, say). */
    public static LinkKind find(String key) {
        // Six times per request: told apart by the character where the names first differ, then checked whole
        // (a loop of prefix comparisons over every kind was a fortieth of the test driver's time).
        LinkKind kind = key.length() < 3 ? null : switch (key.charAt(0)) {
            case 'I' -> key.charAt(2) == ':' ? IP : IP_PREFIX;
            case 'A' -> ASN;
            case 'P' -> key.charAt(1) == 'A' ? PAYMENT_FINGERPRINT : PROMPT_CLUSTER;
            case 'S' -> SIGNUP_COHORT;
            case 'H' -> HOSTED_CLIENT;
            default -> null;
        };
        if (kind != null) {
            String name = kind.name();
            if (key.length() > name.length() && key.charAt(name.length()) == ':' && key.startsWith(name)) {
                return kind;
            }
        }
        return null;
    }
}
