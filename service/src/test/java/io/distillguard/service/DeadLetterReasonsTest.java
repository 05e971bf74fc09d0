package io.distillguard.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeadLetterReasonsTest {

    @Test
    void reasonsOfOneClassMakeOneLineShownByTheFirstWhole() {
        DeadLetterReasons reasons = new DeadLetterReasons();
        reasons.add("ip \"300.1.2.3\" is not a single IPv4 or IPv6 address");
        reasons.add("ip \"::zz\" is not a single IPv4 or IPv6 address");
        reasons.add("Unknown magic byte 0x0b");
        reasons.add("Unknown magic byte 0x7f");
        reasons.add("event_time 1700000000000 is 3 days before the window");

        assertThat(reasons.total()).isEqualTo(5);
        assertThat(reasons.byClass()).containsOnlyKeys("ip \"...\" is not a single IPv4 or IPv6 address",
                "Unknown magic byte N", "event_time N is N days before the window");
        assertThat(reasons.shown()).containsEntry(
                "ip \"300.1.2.3\" is not a single IPv4 or IPv6 address (and others like it)", 2L)
                .containsEntry("Unknown magic byte 0x0b (and others like it)", 2L)
                .containsEntry("event_time 1700000000000 is 3 days before the window", 1L);
    }
}
