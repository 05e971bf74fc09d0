package io.distillguard.service.console;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.detect.LinkKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Alerts grouped into cases, the unit an analyst decides on: one case per campaign or account cluster (clusters that
 * share most of their accounts are one case) with its members' own alerts inside, one per lone account (its API keys' alerts with it), one per address, prefix, network,
 * card, template or org otherwise. A link alert and the cluster raised on the same attribute share a case, since the
 * cluster's subject is {@code <KIND>:<id>} and the link's type and id are the same two parts.
 *
 * <p>Built from the alerts as they stand each time it is asked (the recent-alerts buffer holds at most 10,000), so
 * there is no state of its own to keep consistent with the topic.
 */
public final class CaseBook {

    /** One case: its alerts oldest first, its member accounts with the highest severity each was named at. */
    public record Case(String id, String title, Severity severity, Instant latest, List<DistillationAlert> alerts,
                       Map<String, Severity> members, TreeSet<String> detectors, DistillationAlert head, int groups) {

        /**
         * The case's evidence in words, from its head alert (the group's own for a cluster or campaign); a case of
         * related clusters first says what the whole holds, since its head alert speaks for one cluster only.
         */
        public List<String> words() {
            List<String> words = new ArrayList<>();
            if (groups > 1) {
                long high = members.values().stream().filter(s -> s.compareTo(Severity.HIGH) >= 0).count();
                words.add(String.format(Locale.ROOT, "%d accounts across %d related clusters, %d of them named HIGH "
                        + "or above, in %d alerts (then, the strongest cluster alone)", members.size(), groups, high,
                        alerts.size()));
            }
            words.addAll(EvidenceWords.of(head));
            return words;
        }

        /**
         * The accounts and the attributes that tie them, as the alerts say: a cluster's accounts to its attribute, a
         * campaign member to the group its path names, a member's own alert to the cluster it cites. At most
         * {@code maxAccounts} accounts (the most severe first), so a large campaign still draws.
         */
        public Graph graph(int maxAccounts) {
            Map<String, java.util.Set<String>> edges = new TreeMap<>();
            for (DistillationAlert alert : alerts) {
                if (alert.getDetector().equals("ACCOUNT_CLUSTER")) {
                    alert.getAccounts().forEach(a -> edges.computeIfAbsent(a, k -> new TreeSet<>())
                            .add(alert.getSubjectId()));
                }
                for (Evidence e : alert.getEvidence()) {
                    String signal = e.getSignal();
                    if (signal.startsWith("path:") && signal.contains(" via ")) {
                        int via = signal.indexOf(" via ");
                        edges.computeIfAbsent(signal.substring(5, via), k -> new TreeSet<>())
                                .add(signal.substring(via + 5));
                    } else if (signal.startsWith("cluster:") && accountOf(alert) != null) {
                        edges.computeIfAbsent(accountOf(alert), k -> new TreeSet<>()).add(signal.substring(8));
                    }
                }
            }
            List<String> shown = members.entrySet().stream()
                    .sorted(Map.Entry.<String, Severity>comparingByValue().reversed()
                            .thenComparing(Map.Entry.comparingByKey()))
                    .map(Map.Entry::getKey).filter(edges::containsKey).limit(maxAccounts).toList();
            TreeSet<String> attributes = new TreeSet<>();
            List<String[]> links = new ArrayList<>();
            for (String account : shown) {
                for (String attribute : edges.get(account)) {
                    attributes.add(attribute);
                    links.add(new String[] {account, attribute});
                }
            }
            return new Graph(shown, List.copyOf(attributes), links, edges.size());
        }
    }

    /** Accounts, attributes ({@code KIND:id}), and the account-attribute ties between them. */
    public record Graph(List<String> accounts, List<String> attributes, List<String[]> ties, int accountsTied) {
    }

    private CaseBook() {
    }

    /** The cases of {@code alerts} (any order), highest severity first, then the most recent. */
    public static List<Case> build(List<DistillationAlert> alerts) {
        List<DistillationAlert> ordered = new ArrayList<>(alerts);
        ordered.sort(Comparator.comparing(DistillationAlert::getEmittedAt));
        Map<String, Builder> cases = new LinkedHashMap<>();
        Map<String, String> rootOf = relatedGroups(ordered);
        // Groups first, so a member's own alerts land in its group whatever order they were written in.
        Map<String, String> groupOf = new HashMap<>();
        Map<String, Severity> groupSeverity = new HashMap<>();
        for (DistillationAlert alert : ordered) {
            if (!isGroup(alert)) {
                continue;
            }
            String id = rootOf.get(alert.getSubjectId());
            cases.computeIfAbsent(id, k -> new Builder(id, groupTitle(alert))).add(alert);
            for (String account : alert.getAccounts()) {
                Severity before = groupSeverity.get(account);
                if (before == null || alert.getSeverity().compareTo(before) > 0) {
                    groupOf.put(account, id);
                    groupSeverity.put(account, alert.getSeverity());
                }
            }
        }
        for (DistillationAlert alert : ordered) {
            if (isGroup(alert)) {
                continue;
            }
            String account = accountOf(alert);
            String id;
            String title;
            if (account != null) {
                id = groupOf.getOrDefault(account, "ACCOUNT:" + account);
                title = "Account " + account;
            } else {
                String subject = alert.getSubjectType().name() + ":" + alert.getSubjectId();
                id = rootOf.getOrDefault(subject, subject);
                title = label(alert.getSubjectType()) + " " + alert.getSubjectId();
            }
            cases.computeIfAbsent(id, k -> new Builder(id, title)).add(alert);
        }
        List<Case> out = new ArrayList<>(cases.size());
        cases.values().forEach(b -> out.add(b.build()));
        out.sort(Comparator.comparing(Case::severity).reversed().thenComparing(Case::latest, Comparator.reverseOrder())
                .thenComparing(Case::id));
        return out;
    }

    /**
     * The case {@code id} names now: the case of that id, or else the one it has joined since it was listed (a case
     * takes the smallest id of its groups, so a group's case gets another id when a related group with a smaller one
     * is raised, and a lone account's case becomes its group's when the account is named in a group). Null when no
     * recent alert holds it any more.
     */
    public static Case find(List<Case> cases, String id) {
        for (Case c : cases) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        String account = id.startsWith("ACCOUNT:") ? id.substring("ACCOUNT:".length()) : null;
        for (Case c : cases) {
            boolean joined = account != null ? c.members().containsKey(account)
                    : c.alerts().stream().anyMatch(a -> isGroup(a) && a.getSubjectId().equals(id));
            if (joined) {
                return c;
            }
        }
        return null;
    }

    /**
     * Groups (clusters, campaigns) that are one operation seen through several attributes: two groups whose accounts
     * overlap by at least half of the smaller one's (and three accounts) are one case, so a hydra found on its
     * cards, its templates and its /24 is one case and not ten. Each group maps to its case's id, the smallest group
     * id of the related set.
     */
    private static Map<String, String> relatedGroups(List<DistillationAlert> ordered) {
        Map<String, java.util.Set<String>> accounts = new TreeMap<>();
        for (DistillationAlert alert : ordered) {
            if (isGroup(alert)) {
                accounts.computeIfAbsent(alert.getSubjectId(), k -> new TreeSet<>()).addAll(alert.getAccounts());
            }
        }
        Map<String, String> parent = new HashMap<>();
        accounts.keySet().forEach(id -> parent.put(id, id));
        List<String> ids = new ArrayList<>(accounts.keySet());
        for (int i = 0; i < ids.size(); i++) {
            for (int j = i + 1; j < ids.size(); j++) {
                java.util.Set<String> a = accounts.get(ids.get(i));
                java.util.Set<String> b = accounts.get(ids.get(j));
                int smaller = Math.min(a.size(), b.size());
                if (smaller < 3) {
                    continue;
                }
                long shared = (a.size() <= b.size() ? a : b).stream().filter((a.size() <= b.size() ? b : a)::contains)
                        .count();
                if (2 * shared >= smaller) {
                    String ra = root(parent, ids.get(i));
                    String rb = root(parent, ids.get(j));
                    // The smaller id leads: the case keeps its id as groups join, unless a smaller one joins.
                    if (ra.compareTo(rb) < 0) {
                        parent.put(rb, ra);
                    } else if (rb.compareTo(ra) < 0) {
                        parent.put(ra, rb);
                    }
                }
            }
        }
        Map<String, String> rootOf = new HashMap<>();
        ids.forEach(id -> rootOf.put(id, root(parent, id)));
        return rootOf;
    }

    private static String root(Map<String, String> parent, String id) {
        String r = id;
        while (!parent.get(r).equals(r)) {
            r = parent.get(r);
        }
        return r;
    }

    private static boolean isGroup(DistillationAlert alert) {
        return alert.getDetector().equals("CAMPAIGN") || alert.getDetector().equals("ACCOUNT_CLUSTER");
    }

    /** The account a per-account alert is about (an API key's alert names its account), or null. */
    private static String accountOf(DistillationAlert alert) {
        SubjectType type = alert.getSubjectType();
        if (type == SubjectType.ACCOUNT) {
            return alert.getSubjectId();
        }
        if (type == SubjectType.API_KEY && alert.getAccounts().size() == 1) {
            return alert.getAccounts().get(0);
        }
        return null;
    }

    private static String groupTitle(DistillationAlert alert) {
        String id = alert.getSubjectId();
        if (alert.getDetector().equals("CAMPAIGN")) {
            return "Campaign " + id.substring(id.indexOf(':') + 1);
        }
        int colon = id.indexOf(':');
        return colon < 0 ? "Cluster " + id
                : "Cluster on " + groupLabel(id.substring(0, colon)) + " " + id.substring(colon + 1);
    }

    /** A link kind that is no alert's subject of its own (a hosted client) has no subject type to name it. */
    private static String groupLabel(String kind) {
        return kind.equals(LinkKind.HOSTED_CLIENT.name()) ? "hosted client" : label(kind(kind));
    }

    private static SubjectType kind(String name) {
        try {
            return SubjectType.valueOf(name);
        } catch (IllegalArgumentException e) {
            return SubjectType.UNKNOWN;
        }
    }

    static String label(SubjectType type) {
        return switch (type) {
            case IP -> "address";
            case IP_PREFIX -> "prefix";
            case ASN -> "network";
            case PAYMENT_FINGERPRINT -> "card";
            case PROMPT_CLUSTER -> "prompt template";
            case SIGNUP_COHORT -> "signup cohort";
            case ORG -> "org";
            case API_KEY -> "API key";
            case ACCOUNT -> "account";
            default -> type.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        };
    }

    private static final class Builder {
        private final String id;
        private final String title;
        private final List<DistillationAlert> alerts = new ArrayList<>();
        private final Map<String, Severity> members = new TreeMap<>();
        private final TreeSet<String> detectors = new TreeSet<>();
        private final TreeSet<String> groups = new TreeSet<>();
        private Severity severity = Severity.LOW;
        private Instant latest = Instant.EPOCH;
        private DistillationAlert head;

        Builder(String id, String title) {
            this.id = id;
            this.title = title;
        }

        void add(DistillationAlert alert) {
            alerts.add(alert);
            if (isGroup(alert)) {
                groups.add(alert.getSubjectId());
            }
            detectors.add(alert.getDetector());
            if (alert.getSeverity().compareTo(severity) > 0) {
                severity = alert.getSeverity();
            }
            if (alert.getEmittedAt().isAfter(latest)) {
                latest = alert.getEmittedAt();
            }
            // The head is the case's own strongest group alert when it has one, else its strongest alert.
            if (head == null || isGroup(alert) && !isGroup(head)
                    || isGroup(alert) == isGroup(head) && alert.getSeverity().compareTo(head.getSeverity()) > 0) {
                head = alert;
            }
            String account = accountOf(alert);
            List<String> named = account != null ? List.of(account) : alert.getAccounts();
            for (String member : named) {
                members.merge(member, alert.getSeverity(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }

        Case build() {
            String shown = groups.size() < 2 ? title : String.format(Locale.ROOT,
                    "Related clusters: %d accounts tied by %d attributes", members.size(), groups.size());
            return new Case(id, shown, severity, latest, List.copyOf(alerts), members, detectors, head,
                    Math.max(1, groups.size()));
        }
    }

    /** Turns evidence rows into sentences an analyst reads at a glance; rows it has no words for are shown as-is. */
    static final class EvidenceWords {
        private EvidenceWords() {
        }

        static List<String> of(DistillationAlert alert) {
            List<String> words = new ArrayList<>();
            if (alert == null) {
                return words;
            }
            // A held card's bounds are taken at its own z (group_confidence_z), not the groups' 99 %.
            Evidence heldZ = alert.getEvidence().stream().filter(e -> e.getSignal().equals("group_confidence_z"))
                    .findFirst().orElse(null);
            for (Evidence e : alert.getEvidence()) {
                String sentence = sentence(e.getSignal(), e.getValue(), e.getThreshold());
                if (sentence != null && heldZ != null && e.getSignal().startsWith("group_")) {
                    sentence = sentence.replace("at 99 % confidence", String.format(Locale.ROOT,
                            "at %.2f standard errors down (not the %.2f a group that names its members is judged at)",
                            heldZ.getValue(), heldZ.getThreshold()));
                }
                if (sentence != null) {
                    words.add(sentence);
                }
            }
            return words;
        }

        private static String sentence(String signal, double value, double threshold) {
            if (signal.startsWith("fired:")) {
                return null;
            }
            if (signal.startsWith("cluster_not_counted:")) {
                // The cluster's own alert may list this account: the analyst reads here why it was not named for it.
                return "not counted a member of " + signal.substring(signal.indexOf(':') + 1)
                        + ": its own day's shares rule a harvest out (below)";
            }
            if (signal.startsWith("cluster_awaiting_own_networks:")) {
                return "not yet counted a member of " + signal.substring(signal.indexOf(':') + 1)
                        + ": its own requests have come from too few networks";
            }
            if (signal.startsWith("cluster_awaiting_own_shape:")) {
                return "not yet counted a member of " + signal.substring(signal.indexOf(':') + 1)
                        + ": its own requests are not yet a harvest beyond chance (below)";
            }
            if (signal.startsWith("cluster_awaiting_own_blocks:")) {
                return "not yet counted a member of " + signal.substring(signal.indexOf(':') + 1)
                        + ": its own day has not changed network block at nearly every request";
            }
            String window = signal.endsWith("_1h") ? " in the hour" : signal.endsWith("_24h") ? " in the day"
                    : signal.endsWith("_2d") ? " over its day and the day before" : "";
            String base = signal.replaceAll("_(1h|24h|2d)$", "");
            return switch (base) {
                case "distinct_accounts" -> count(value) + " accounts";
                case "campaign_accounts" -> count(value) + " accounts in the campaign";
                case "campaign_accounts_held_for_own_day" -> count(value) + " of them are tied to it only through "
                        + "network blocks of a cloud's shared pool, which every customer on that pool passes through: "
                        + "each is named only once its own day is a harvest";
                case "group_requests" -> count(value) + " requests";
                case "group_reasoning_share", "reasoning_share" -> pct(value) + " of requests ask for reasoning" + window;
                case "group_first_turn_share" -> pct(value) + " of requests open a conversation" + (threshold > 0
                        ? " (a card held on its first turns needs as many as people's, " + pct(threshold) + ")" : "");
                case "group_first_turn_harvest_share" -> pct(value) + " of the requests that open a conversation ask"
                        + " for reasoning or get an answer three times their prompt or longer";
                case "group_first_turn_harvest_share_lower_bound" -> "at least " + pct(value) + " of them do, at 99 %"
                        + " confidence (the rule asks " + pct(threshold) + "): ordinary conversations sent around a"
                        + " harvest lower a card's shares, not its first turns'; held for its members, it names no one"
                        + " by itself, and each member is named only once its own days show the networks and blocks"
                        + " asked of it";
                case "group_reasoning_share_lower_bound" -> "at least " + pct(value)
                        + " ask for reasoning, at 99 % confidence (the rule asks " + pct(threshold) + ")";
                case "group_long_answer_share" -> pct(value) + " of answers to requests without reasoning are three times"
                        + " their prompt or longer";
                case "group_long_answer_share_lower_bound" -> "at least " + pct(value)
                        + " of requests without reasoning get answers three times their prompt or longer, at 99 %"
                        + " confidence (the rule asks " + pct(threshold) + ")";
                case "own_long_answer_share_upper_bound" -> "its own answers to requests without reasoning are three times"
                        + " their prompt or longer at most "
                        + pct(value) + ", at 99 % confidence (a harvest gets " + pct(threshold) + " or more)";
                case "group_confidence_z" -> String.format(Locale.ROOT, "a card of a few, held for its members: its "
                        + "shares and its roaming are taken at the lower bound of their interval %.2f standard errors "
                        + "down, where a group that names its members is judged at %.2f; it names no one by itself, and "
                        + "each member is named only once its own days show the networks and blocks asked of it",
                        value, threshold);
                case "group_roaming_share_lower_bound" -> "at least " + pct(value)
                        + " of members' later requests came from a network new to them (another than their first, then"
                        + " neither of their last two), at 99 % confidence"
                        + " (the rule asks " + pct(threshold) + "): each member is counted once its own day shows it";
                case "own_distinct_asns" -> "its own requests came from " + count(value) + " networks (ASNs)" + window
                        + " (a member of a group of roaming members needs " + count(threshold) + ")";
                case "group_first_turn_share_lower_bound" -> "at least " + pct(value)
                        + " open a conversation, at 99 % confidence (the rule asks " + pct(threshold) + ")";
                case "single_turn_share" -> pct(value) + " of conversations never get a second turn" + window;
                case "opener_share" -> pct(value) + " open a conversation" + window
                        + " (the profile asks " + pct(threshold) + ": long multi-turn work opens few)";
                case "reasoning_share_lower_bound" -> "at least " + pct(value) + " ask for reasoning" + window
                        + ", at 99 % confidence (the profile asks " + pct(threshold) + ")";
                case "single_turn_share_lower_bound" -> "at least " + pct(value) + " are conversations that never get "
                        + "a second turn" + window + ", at 99 % confidence (the profile asks " + pct(threshold) + ")";
                case "opener_share_lower_bound" -> "at least " + pct(value) + " open a conversation" + window
                        + ", at 99 % confidence (the profile asks " + pct(threshold) + ")";
                case "capability_concentration_lower_bound" -> "at least " + pct(value) + " in two capabilities"
                        + window + ", at 99 % confidence (the profile asks " + pct(threshold) + ")";
                case "group_new_account_share" -> pct(value) + " of requests from accounts created in the last 30 days";
                case "group_hosting_share" -> pct(value) + " of requests from hosting providers";
                case "group_members_judged" -> count(value) + " members sent it enough requests to judge how each was "
                        + "configured (the rule needs " + count(threshold) + ")";
                case "group_members_without_reasoning" -> count(value) + " of them asked for no reasoning at all, "
                        + (value > threshold ? "more than" : "no more than") + " one shared configuration gives by chance ("
                        + String.format(java.util.Locale.ROOT, "%.1f", threshold) + "): "
                        + (value > threshold ? "configured apart, as a tool each developer runs for themselves is, so "
                        + "hosting addresses do not corroborate it" : "run alike, as a campaign's accounts are");
                case "group_members_reasoning_dispersion" -> "their reasoning asks spread "
                        + String.format(java.util.Locale.ROOT, "%.1f", value) + " against "
                        + String.format(java.util.Locale.ROOT, "%.1f", threshold) + " that one shared configuration "
                        + "reaches by chance: " + (value > threshold ? "each member set up its own, so hosting "
                        + "addresses do not corroborate its long answers" : "run alike, as a campaign's accounts are");
                case "group_member_addresses_distinct_share" -> "its members' latest requests came from "
                        + pct(value) + " as many addresses as members (under " + pct(threshold)
                        + ", a product's few egress addresses carrying its users' accounts): "
                        + (value >= threshold ? "each member from an address of its own, as on rented machines"
                        : "members share addresses, as a product's users behind its gateway do");
                case "group_member_block_kept_share" -> pct(value) + " of its members' requests came from the network "
                        + "block (/24) of their request before (under " + pct(threshold) + ", a cloud's shared pool "
                        + "serving a product's functions): " + (value >= threshold
                        ? "each member keeps a machine or block of its own, as rented machines do"
                        : "members leave from another block at each call, as a serverless product's users do");
                case "group_member_block_changed_share" -> pct(value) + " of its members' requests came from another "
                        + "network block (/24) than their request before, each member from an address none of the "
                        + "others used last (the rule asks " + pct(threshold) + "): its members rotate through the "
                        + "provider's pool, as accounts behind a data-centre proxy service do; each is named only once "
                        + "its own day is a harvest";
                case "group_pool_members" -> count(value) + " of its sampled members each came from another network "
                        + "block (/24) at nearly every request (the rule needs " + count(threshold) + "): judged as a "
                        + "group of their own, apart from the developers who keep a machine and share the client";
                case "group_members_judged_by_blocks" -> count(value) + " sampled members sent enough requests to tell "
                        + "whether each keeps its block";
                case "group_pool_member_block_changed_share" -> pct(value) + " of those members' requests came from "
                        + "another block than their request before (a member needs " + pct(threshold) + ")";
                case "group_pool_member_requests" -> count(value) + " requests of those members";
                case "group_pool_member_reasoning_share_lower_bound" -> "at least " + pct(value) + " of those members' "
                        + "requests ask for reasoning, at 99 % confidence (the rule asks " + pct(threshold)
                        + "): each is named only once its own day is a harvest from block after block";
                case "own_block_changes" -> "its own requests came from another network block (/24) than the one "
                        + "before " + count(value) + " times" + window
                        + " (a member of a pool's rotating members needs " + count(threshold) + ")";
                case "own_block_compared" -> count(value) + " of its own requests followed one of its own" + window;
                case "own_new_block_requests" -> count(value) + " of its own " + count(threshold) + " requests"
                        + window + " came from an address block (/24) it had not used before" + (value >= threshold
                        ? ": it never came back to one, as a proxy pool's account does and a person at home does not"
                        : ": it came back to one, as a person does");
                case "own_new_block_asns" -> "those requests came from " + count(value) + " networks (ASNs) (a member "
                        + "of a group of roaming members that never came back to a block needs " + count(threshold)
                        + ")";
                case "own_block_changed_share" -> pct(value) + " of its own requests that followed one of its own "
                        + "came from another network block (/24) than the one before" + window
                        + " (a member of a group of roaming members needs " + pct(threshold) + ": a proxy hands out "
                        + "another block at nearly every request, a person stays on one network a while)";
                case "group_members_one_network_share_lower_bound" -> "at least " + pct(value) + " of its members "
                        + "came from one and the same network (ASN) and no other, at 99 % confidence (the rule asks "
                        + pct(threshold) + "): " + (value >= threshold
                        ? "one provider's machines, on the hosting list or not, as accounts rented together are"
                        : "its members spread over networks, as a product's users over their providers and carriers");
                case "card_members_judged" -> count(value) + " members sent enough requests through the card to "
                        + "judge each (the rule needs " + count(threshold) + ")";
                case "card_member_mean_reasoning_share" -> "its members ask for reasoning on " + pct(value)
                        + " of their requests on average, each member counted once (under " + pct(threshold)
                        + ", the card's reasoning would be a few heavy members', as a lab's card paying for its "
                        + "students is, and no cluster): "
                        + (value >= threshold ? "its members share the shape" : "a few members carry it");
                case "network_switch_share" -> pct(value) + " of requests minutes apart came from another network" + window;
                case "distinct_asns" -> count(value) + " networks (ASNs)" + window;
                case "quick_pairs" -> count(value) + " pairs of requests minutes apart" + window;
                case "reasoning_hours" -> count(value) + " hours with a reasoning request" + window
                        + " (the rule asks " + count(threshold) + ")";
                case "own_reasoning_share_upper_bound" -> "its own requests ask for reasoning at most " + pct(value)
                        + ", at 99 % confidence: not counted a member";
                case "own_first_turn_share_upper_bound" -> "its own requests open a conversation at most " + pct(value)
                        + ", at 99 % confidence: not counted a member";
                case "distinct_ips" -> count(value) + " addresses" + window;
                case "distinct_prefixes" -> count(value) + " /24 or /48 prefixes" + window;
                case "distinct_countries" -> count(value) + " countries" + window;
                case "prompt_diversity" -> pct(value) + " of prompts distinct" + window;
                case "capability_concentration" -> pct(value) + " of requests in two capabilities" + window;
                case "output_input_ratio" -> String.format(Locale.ROOT,
                        "answers %.1f times as long as prompts where no reasoning was asked", value) + window;
                case "answer_prompt_ratio" -> String.format(Locale.ROOT,
                        "answers %.1f times as long as their prompts, reasoning included", value) + window
                        + String.format(Locale.ROOT, " (a harvest's are %.1f times or more): ", threshold)
                        + (value >= threshold ? "short questions for long answers, as a harvest asks"
                        : "prompts carry their material, as a developer's agents send files for a diff");
                case "harvest_hours" -> count(value) + " hours of the day with an hour's worth of requests, reasoning "
                        + "on as many as the profile asks (the rule asks " + count(threshold) + "): "
                        + (value >= threshold ? "a harvest through the day"
                        : "a burst of a few hours, as a developer's scripts are: heavy use, not yet a harvest");
                case "answer_harvest_hours" -> count(value) + " hours in a row with reasoning asked on as many of "
                        + "their requests as the profile asks (hours of fewer than an hour's worth, or sittings adding up "
                        + "to twice the rule's, count wherever they fall; long answers count from " + count(threshold)
                        + "): "
                        + (value >= threshold ? "kept up, as a harvest is"
                        : "one sitting so far, or sittings hours apart, as evaluation runs are: not yet a harvest");
                case "answer_harvest_hours_yesterday" -> count(value) + " hours in a row the day before with "
                        + "reasoning asked on as many of their requests as the profile asks (" + count(threshold)
                        + " make a harvest), its answers long: a harvest then, so one from its first hour today";
                case "answer_harvest_volume" -> count(value) + " requests in the hour, more than an evaluation run "
                        + "sends in one (" + count(threshold) + "): a harvest however short";
                case "own_answer_prompt_ratio" -> String.format(Locale.ROOT,
                        "its own answers %.1f times as long as its prompts%s, reasoning included (a member needs %.1f)",
                        value, window, threshold);
                case "own_confidence_z" -> String.format(Locale.ROOT, "its own shares are taken at the lower bound "
                        + "of their interval %.2f standard errors down, where its group was judged at %.2f: the group "
                        + "is already a harvest, and what is asked of this member is that its own traffic is of the "
                        + "group's kind", value, threshold);
                case "own_reasoning_share_lower_bound" -> "at least " + pct(value) + " of its own requests ask for "
                        + "reasoning" + window + ", beyond chance (a member needs " + pct(threshold) + ")";
                case "own_blocks" -> "its own requests came from " + count(value) + " address block" + (value == 1
                        ? " (/24)" + window + ": a machine of its own" : "s (/24)" + window);
                case "own_reasoning_share" -> pct(value) + " of its own requests ask for reasoning" + window
                        + " (a harvest's share is " + pct(threshold) + " or more; its bound falls short on a light day)";
                case "own_output_share_lower_bound" -> "at least " + pct(value) + " of its own requests" + window
                        + " took a harvest's output, reasoning asked or an answer three times its prompt or longer, "
                        + "beyond chance (a member whose reasoning alone falls short needs " + pct(threshold) + ")";
                case "own_first_turn_share_lower_bound" -> "at least " + pct(value) + " of its own requests open a "
                        + "conversation" + window + ", beyond chance (a member needs " + pct(threshold) + ")";
                case "own_first_turn_harvest_share_lower_bound" -> "at least " + pct(value) + " of the requests that "
                        + "open its own conversations" + window + " ask for reasoning or get an answer three times "
                        + "their prompt or longer, beyond chance (a member whose follow-ups bring its first turns under "
                        + "the bound needs " + pct(threshold) + ")";
                case "own_first_turn_share" -> pct(value) + " of its own requests open a conversation" + window
                        + " (as many as people's at the least, " + pct(threshold) + ")";
                case "requests" -> count(value) + " requests" + window;
                case "new_model_share" -> pct(value) + " of requests moved to a newly released model";
                case "cluster_risk" -> String.format(Locale.ROOT, "member of a cluster of risk %.1f", value);
                default -> signal + " " + String.format(Locale.ROOT, "%.3g", value)
                        + (threshold > 0 ? String.format(Locale.ROOT, " (threshold %.3g)", threshold) : "");
            };
        }

        private static String pct(double share) {
            return String.format(Locale.ROOT, "%.0f %%", 100 * share);
        }

        private static String count(double value) {
            return String.format(Locale.ROOT, "%,d", Math.round(value));
        }
    }
}
