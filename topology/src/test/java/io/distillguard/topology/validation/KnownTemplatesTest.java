package io.distillguard.topology.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownTemplatesTest {

    private static final String RESEARCH = "You are a careful research assistant. Break the question into the "
            + "sub-questions that must be answered first, answer each with its evidence, then write a structured "
            + "report with a summary, numbered findings and their sources. Question: ";
    private static final String REVIEW = "Review the following pull request as a senior engineer would: name the bugs "
            + "first, then risky changes, then style, each with the line it concerns and a suggested fix. Diff:";

    @Test
    void templatesSeparatedByDashedLinesEachMatchTheirOwnFillingsAndNotOtherPrompts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("known.txt"), RESEARCH + "\n---\n" + REVIEW + "\n---\n\n");
        KnownTemplates known = KnownTemplates.load(file.toString());

        assertThat(known.size()).isEqualTo(2);
        assertThat(matches(known, RESEARCH + "what caused the collapse of bronze age trade routes")).isTrue();
        assertThat(matches(known, REVIEW + " +return cache.get(key) -return null")).isTrue();
        assertThat(matches(known, "what caused the collapse of bronze age trade routes in the eastern mediterranean "
                + "and how do historians date it")).isFalse();
        // A prompt that is mostly the user's own material keeps too few of the template's word pairs.
        assertThat(matches(known, RESEARCH + "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron "
                + "rho sigma tau upsilon phi chi psi omega mercury venus earth mars jupiter saturn uranus neptune pluto "
                + "ceres vesta pallas juno hygiea europa ganymede callisto io titan rhea iapetus dione tethys enceladus "
                + "mimas miranda ariel umbriel titania oberon triton nereid charon nix hydra kerberos styx")).isFalse();
    }

    @Test
    void aMissingOrEmptyFileIsRefusedByName(@TempDir Path dir) throws Exception {
        assertThat(KnownTemplates.load(" ").isEmpty()).isTrue();
        assertThatThrownBy(() -> KnownTemplates.load(dir.resolve("absent.txt").toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent.txt");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n---\n  \n");
        assertThatThrownBy(() -> KnownTemplates.load(empty.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no template");
    }

    private static boolean matches(KnownTemplates known, String prompt) {
        PromptFingerprint.Fingerprints print = PromptFingerprint.of(prompt);
        return known.matches(print.simHash(), print.minHash());
    }
}
