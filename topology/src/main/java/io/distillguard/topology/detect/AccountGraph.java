package io.distillguard.topology.detect;

import io.distillguard.topology.state.CampaignEdge;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One day's account graph, kept up to date edge by edge: link groups tied when at least two accounts harvested
 * through both, as a union-find over the groups, and each account's groups. Adding a member costs one step per group
 * the account is already in; reading the components costs one pass over the groups and the accounts. The result
 * depends only on which members each group has, never on the order they were added in, so the processor can rebuild
 * it from its store after a restart or a task's move (in key order, where it was built in event-time order) and get
 * the same components. That holds past {@link #MAX_LINKS_PER_ACCOUNT} too: an account ties through its groups with
 * the smallest keys, not its first ones.
 */
final class AccountGraph {

    /**
     * Groups an account ties, at most: an eval harness or a heavy developer sends a day's requests through thousands
     * of prompt bands, and each new one would cost a step per band it has (a cost that grows with the square). A
     * harvester through this many groups is heavy enough for the per-account profile; the graph is for light accounts.
     */
    static final int MAX_LINKS_PER_ACCOUNT = 64;

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> keys = new ArrayList<>();
    private int[] parent = new int[64];
    /** Each account's groups, in key order, at most {@link #MAX_LINKS_PER_ACCOUNT}. */
    private final Map<String, int[]> linksOf = new HashMap<>();
    private final Map<Long, Integer> shared = new HashMap<>();
    /**
     * Whether a group left an account's bound since the union-find was built: its ties may be undone, which a
     * union-find cannot do, so it is built again from the pair counts before the components are next read.
     */
    private boolean stale;
    /** Accounts in a template's or card's group without a harvest through it: see {@link #addOthers}. */
    private final Map<String, int[]> othersOf = new HashMap<>();

    /** Adds {@code members} to the group {@code linkKey} (members it has already are skipped). */
    void add(String linkKey, Collection<String> members) {
        int id = idOf(linkKey);
        for (String account : members) {
            int[] links = linksOf.get(account);
            if (links == null) {
                linksOf.put(account, new int[] {id});
                continue;
            }
            int at = insertionPoint(links, id);
            if (at < 0 || at >= MAX_LINKS_PER_ACCOUNT) {
                // Already in it, or past the account's bound (a key larger than each of its groups'): no tie.
                continue;
            }
            for (int link : links) {
                long pair = pair(link, id);
                if (shared.merge(pair, 1, Integer::sum) == 2) {
                    union(link, id);
                }
            }
            int[] grown = inserted(links, at, id);
            if (grown.length > MAX_LINKS_PER_ACCOUNT) {
                // The group with the largest key leaves the account's bound, and its pairs with the account's others;
                // a tie is undone only where a pair falls under two accounts.
                int dropped = grown[MAX_LINKS_PER_ACCOUNT];
                grown = Arrays.copyOf(grown, MAX_LINKS_PER_ACCOUNT);
                for (int link : grown) {
                    Integer after = shared.computeIfPresent(pair(link, dropped), (k, n) -> n == 1 ? null : n - 1);
                    stale |= after != null && after == 1;
                }
            }
            linksOf.put(account, grown);
        }
    }

    /** Where group {@code id} goes in {@code links} (kept in key order), or -1 when it is there already. */
    private int insertionPoint(int[] links, int id) {
        String key = keys.get(id);
        int low = 0;
        int high = links.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int order = keys.get(links[mid]).compareTo(key);
            if (order < 0) {
                low = mid + 1;
            } else if (order > 0) {
                high = mid - 1;
            } else {
                return -1;
            }
        }
        return low;
    }

    /** {@code links} with {@code id} at {@code at}, one longer. */
    private static int[] inserted(int[] links, int at, int id) {
        int[] grown = new int[links.length + 1];
        System.arraycopy(links, 0, grown, 0, at);
        grown[at] = id;
        System.arraycopy(links, at, grown, at + 1, links.length - at);
        return grown;
    }

    private static long pair(int a, int b) {
        return (long) Math.min(a, b) << 32 | Math.max(a, b);
    }

    /**
     * Adds a template's or card's accounts that harvested nothing through it: members of the campaign the group is
     * part of, never a tie between groups (a follow-up on a campaign's template says it is the campaign's, not which
     * of its groups belong together).
     */
    void addOthers(String linkKey, Collection<String> accounts) {
        if (accounts.isEmpty() || !LinkKind.of(linkKey).tiesAlone()) {
            // An address block's or a signup hour's bystanders are not the campaign's on that group alone.
            return;
        }
        int id = idOf(linkKey);
        for (String account : accounts) {
            int[] links = othersOf.get(account);
            if (links == null) {
                othersOf.put(account, new int[] {id});
                continue;
            }
            int at = insertionPoint(links, id);
            if (at < 0 || at >= MAX_LINKS_PER_ACCOUNT) {
                continue;
            }
            int[] grown = inserted(links, at, id);
            othersOf.put(account, grown.length > MAX_LINKS_PER_ACCOUNT
                    ? Arrays.copyOf(grown, MAX_LINKS_PER_ACCOUNT) : grown);
        }
    }

    private int idOf(String linkKey) {
        return ids.computeIfAbsent(linkKey, k -> {
            keys.add(k);
            if (keys.size() > parent.length) {
                parent = Arrays.copyOf(parent, parent.length * 2);
            }
            parent[keys.size() - 1] = keys.size() - 1;
            return keys.size() - 1;
        });
    }

    int links() {
        return keys.size();
    }

    /**
     * The components of at least two groups, each with its groups (as {@code edgeOf} gives them now) and its members:
     * the accounts in at least two of its groups, or in one group of a kind that ties alone
     * ({@link LinkKind#tiesAlone()}: a harvest on one of the campaign's own templates, its card), each with the
     * smallest key of its groups there as its tie. One such group is enough because a template varied per request
     * often keeps only some of its bands, and a light account's first harvest would otherwise wait for its second.
     * A template's or card's accounts that harvested nothing through it ({@link #addOthers}) are members too, through
     * a group that is extraction-shaped now ({@code shapedNow}).
     */
    List<CampaignProcessor.Campaign> campaigns(Function<String, CampaignEdge> edgeOf, Predicate<CampaignEdge> shapedNow) {
        if (stale) {
            rebuildTies();
        }
        Map<Integer, List<Integer>> byRoot = new HashMap<>();
        for (int id = 0; id < keys.size(); id++) {
            byRoot.computeIfAbsent(find(id), r -> new ArrayList<>()).add(id);
        }
        Map<Integer, CampaignProcessor.Campaign> campaigns = new HashMap<>();
        byRoot.forEach((root, members) -> {
            if (members.size() >= 2) {
                CampaignProcessor.Campaign campaign = new CampaignProcessor.Campaign();
                for (int id : members) {
                    CampaignEdge edge = edgeOf.apply(keys.get(id));
                    if (edge != null) {
                        campaign.links.put(keys.get(id), edge);
                    }
                }
                campaigns.put(root, campaign);
            }
        });
        for (Map.Entry<String, int[]> account : linksOf.entrySet()) {
            int[] links = account.getValue();
            for (int i = 0; i < links.length; i++) {
                int root = find(links[i]);
                CampaignProcessor.Campaign campaign = campaigns.get(root);
                if (campaign == null || campaign.members.contains(account.getKey())) {
                    continue;
                }
                String tie = null;
                int inIt = 0;
                boolean ownTrait = false;
                for (int link : links) {
                    if (find(link) == root) {
                        inIt++;
                        String key = keys.get(link);
                        tie = tie == null || key.compareTo(tie) < 0 ? key : tie;
                        ownTrait |= LinkKind.of(key).tiesAlone();
                    }
                }
                if (inIt >= 2 || ownTrait) {
                    campaign.members.add(account.getKey());
                    campaign.paths.put(account.getKey(), tie);
                }
            }
        }
        for (Map.Entry<String, int[]> account : othersOf.entrySet()) {
            Map<Integer, String> ties = new HashMap<>();
            for (int link : account.getValue()) {
                String key = keys.get(link);
                CampaignProcessor.Campaign campaign = campaigns.get(find(link));
                CampaignEdge edge = campaign == null ? null : campaign.links.get(key);
                if (edge == null || !shapedNow.test(edge)) {
                    // A group a heavy non-harvester has since swamped (a company's batch job on a template the
                    // campaign uses too) no longer speaks for whoever joined it without a harvest.
                    continue;
                }
                ties.merge(find(link), key, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
            ties.forEach((root, tie) -> {
                CampaignProcessor.Campaign campaign = campaigns.get(root);
                if (campaign != null && campaign.members.add(account.getKey())) {
                    campaign.paths.put(account.getKey(), tie);
                }
            });
        }
        // Ordered by id (their smallest group key), so they are judged in the same order on every run.
        Map<String, CampaignProcessor.Campaign> ordered = new TreeMap<>();
        campaigns.values().stream().filter(c -> !c.links.isEmpty()).forEach(c -> ordered.put(c.id(), c));
        return new ArrayList<>(ordered.values());
    }

    /** The union-find again from the pair counts, which always hold exactly the ties the accounts' bounds allow. */
    private void rebuildTies() {
        for (int id = 0; id < keys.size(); id++) {
            parent[id] = id;
        }
        for (Map.Entry<Long, Integer> tie : shared.entrySet()) {
            if (tie.getValue() >= 2) {
                union((int) (tie.getKey() >>> 32), (int) (long) tie.getKey());
            }
        }
        stale = false;
    }

    private int find(int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    private void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }
}
