package io.distillguard.topology.offline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SharedStringsTest {

    @Test
    void shouldGiveTheFirstInstanceOfATextToEveryLaterEqualOne() {
        SharedStrings strings = new SharedStrings(100);
        String first = new String("acct-1");
        String copy = new String("acct-1");

        assertThat(strings.share(first)).isSameAs(first);
        assertThat(strings.share(copy)).isSameAs(first);
        assertThat(strings.share(new String("acct-2"))).isEqualTo("acct-2").isNotSameAs(first);
        assertThat(strings.share(null)).isNull();
    }

    @Test
    void shouldStartOverPastItsCapacityAndStillGiveEqualText() {
        SharedStrings strings = new SharedStrings(10);
        String early = strings.share(new String("acct-0"));
        for (int i = 1; i <= 10; i++) {
            strings.share("acct-" + i);
        }
        // Eleven texts: the pool started over and holds only the last one.
        assertThat(strings.size()).isEqualTo(1);
        String later = new String("acct-0");
        assertThat(strings.share(later)).isEqualTo(early).isSameAs(later);
        for (int i = 0; i < 1_000; i++) {
            assertThat(strings.share(new String("acct-" + i % 37))).isEqualTo("acct-" + i % 37);
            assertThat(strings.size()).isLessThanOrEqualTo(11);
        }
    }
}
