package io.distillguard.service.demo;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import java.util.stream.Collectors;

/** One line per alert, for people watching a terminal: what fired, about whom, and why. */
public final class AlertFormatter {

    private AlertFormatter() {
    }

    public static String line(DistillationAlert alert) {
        String evidence = alert.getEvidence().stream().map(AlertFormatter::evidence).collect(Collectors.joining(", "));
        String accounts = alert.getAccountsTotal() <= 1 ? ""
                : " accounts=" + alert.getAccountsTotal() + " e.g. " + alert.getAccounts().stream().limit(3)
                        .collect(Collectors.joining(","));
        return String.format("%-8s %-15s %s:%s score=%.2f %s%s",
                alert.getSeverity(), alert.getDetector(), alert.getSubjectType(), alert.getSubjectId(),
                alert.getScore(), evidence, accounts);
    }

    private static String evidence(Evidence e) {
        return String.format("%s=%s/%s", e.getSignal(), number(e.getValue()), number(e.getThreshold()));
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format("%.2f", v);
    }
}
