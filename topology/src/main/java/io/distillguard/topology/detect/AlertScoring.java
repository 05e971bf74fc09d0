package io.distillguard.topology.detect;

import io.distillguard.avro.Severity;

/**
 * One scale for every detector: a detector reports how far past its threshold a subject is (the ratio
 * value/threshold, at least 1 when it fires), and the score and severity follow from that ratio alone. An analyst
 * reads any alert the same way: score 0.5 is "just at the threshold", 0.75 is "twice it", 0.9 is "five times it".
 */
public final class AlertScoring {

    private AlertScoring() {
    }

    /** 1 - 0.5/ratio: 0.5 at the threshold, approaching 1 far past it. */
    public static double score(double ratio) {
        if (ratio <= 0) {
            return 0;
        }
        return Math.max(0, Math.min(1, 1 - 0.5 / ratio));
    }

    /** LOW below 0.65 (under ~1.4x), MEDIUM below 0.8 (2.5x), HIGH below 0.9 (5x), CRITICAL from there. */
    public static Severity severity(double score) {
        if (score >= 0.9) {
            return Severity.CRITICAL;
        }
        if (score >= 0.8) {
            return Severity.HIGH;
        }
        if (score >= 0.65) {
            return Severity.MEDIUM;
        }
        return Severity.LOW;
    }
}
