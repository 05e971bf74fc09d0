package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.state.AccountRequest;
import io.distillguard.topology.state.AccountWindowStats;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.kstream.Windowed;

/** ACCOUNT_VOLUME: requests or tokens of one account in a window over their thresholds. */
public final class AccountVolumeDetector implements Detector<AccountWindowStats> {

    public static final String NAME = "ACCOUNT_VOLUME";

    private final DetectionConfig config;

    public AccountVolumeDetector(DetectionConfig config) {
        this.config = config;
    }

    public static AccountWindowStats empty() {
        return new AccountWindowStats(0L, 0L, 0L, 0L);
    }

    /** The part of a request this detector's windows need, which is all that crosses the repartition topic. */
    public static AccountRequest project(RequestEvent request) {
        return new AccountRequest(request.getEventTime().toEpochMilli(), request.getPromptTokens(),
                request.getCompletionTokens());
    }

    public static AccountWindowStats add(AccountRequest request, AccountWindowStats stats) {
        stats.setRequests(stats.getRequests() + 1);
        stats.setPromptTokens(stats.getPromptTokens() + request.getPromptTokens());
        stats.setCompletionTokens(stats.getCompletionTokens() + request.getCompletionTokens());
        stats.setLastEventTime(Math.max(stats.getLastEventTime(), request.getEventTime()));
        return stats;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SubjectType subjectType() {
        return SubjectType.ACCOUNT;
    }

    @Override
    public double ratio(AccountWindowStats stats) {
        long tokens = stats.getPromptTokens() + stats.getCompletionTokens();
        return Math.max((double) stats.getRequests() / config.accountRequestsThreshold(),
                (double) tokens / config.accountTokensThreshold());
    }

    @Override
    public DistillationAlert alert(Windowed<String> account, AccountWindowStats stats, double ratio) {
        long tokens = stats.getPromptTokens() + stats.getCompletionTokens();
        List<Evidence> evidence = new ArrayList<>(2);
        evidence.add(Alerts.evidence("requests", stats.getRequests(), config.accountRequestsThreshold()));
        evidence.add(Alerts.evidence("total_tokens", tokens, config.accountTokensThreshold()));
        return Alerts.alert(NAME, SubjectType.ACCOUNT, account.key(),
                account.window().start(), account.window().end(), stats.getLastEventTime(), ratio,
                List.of(account.key()), 1, evidence, config.ruleVersion());
    }
}
