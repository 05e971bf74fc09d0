package io.distillguard.topology.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import com.dynatrace.hash4j.similarity.ElementHashProvider;
import com.dynatrace.hash4j.similarity.SimilarityHashPolicy;
import com.dynatrace.hash4j.similarity.SimilarityHashing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PromptFingerprintTest {

    // Letters, numbers of three kinds, marks, symbols, spaces and controls, supplementary characters, a lone
    // surrogate, and characters whose lower case is longer than they are.
    private static final String[] PIECES = {
        "a", "Z", "é", "e\u0301", "ß", "İ", "Σ", "中", "𝒜", "😀", "0", "7", "42", "٣", "Ⅻ", "½", " ", "  ", "\t", "\n",
        "-", "_", ".", "!?", "\u00a0", "\u0000", "\ud800", "problem", "step", "by", "1.5e10",
    };

    @Test
    void shouldFingerprintExactlyAsTheRegularExpressionsDid() {
        Random random = new Random(13);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            int pieces = random.nextInt(30);
            for (int i = 0; i < pieces; i++) {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String prompt = text.toString();
            assertThat(PromptFingerprint.simHash(prompt)).as("%s", prompt).isEqualTo(reference(prompt));
        }
    }

    @Test
    void shouldCutLongPromptsAtTheSamePlaceEvenInsideASurrogatePair() {
        String prompt = "x".repeat(8191) + "😀 tail words here";
        assertThat(PromptFingerprint.simHash(prompt)).isEqualTo(reference(prompt));
        String words = "solve problem 17 step by step ".repeat(400);
        assertThat(PromptFingerprint.simHash(words)).isEqualTo(reference(words)).isNotNull();
    }

    @Test
    void shouldTellTemplateSlotsFromDifferentPrompts() {
        Long one = PromptFingerprint.simHash("Solve problem 123 and explain your reasoning step by step");
        Long two = PromptFingerprint.simHash("SOLVE problem 98765, and explain   your reasoning step-by-step!");
        Long other = PromptFingerprint.simHash("Write an email to my landlord about a broken heater please");
        assertThat(one).isEqualTo(two);
        assertThat(Long.bitCount(one ^ other)).isGreaterThan(10);
        assertThat(PromptFingerprint.simHash(" !? -- ")).isNull();
        assertThat(PromptFingerprint.simHash(null)).isNull();
    }

    /** The fingerprint as it was computed with regular expressions: the definition the one-pass version keeps. */
    private static Long reference(String text) {
        Pattern digits = Pattern.compile("\\d+");
        Pattern nonWord = Pattern.compile("[^\\p{L}\\p{N}]+");
        Hasher64 hasher = Hashing.komihash5_0();
        SimilarityHashPolicy policy = SimilarityHashing.simHash(64);
        String lower = text.substring(0, Math.min(text.length(), 8192)).toLowerCase(Locale.ROOT);
        String normalised = nonWord.matcher(digits.matcher(lower).replaceAll("0")).replaceAll(" ").trim();
        if (normalised.isEmpty()) {
            return null;
        }
        String[] words = normalised.split(" ");
        List<Long> shingles = new ArrayList<>();
        if (words.length < 3) {
            shingles.add(hasher.hashCharsToLong(normalised));
        } else {
            for (int i = 0; i + 3 <= words.length; i++) {
                shingles.add(hasher.hashCharsToLong(String.join(" ", Arrays.copyOfRange(words, i, i + 3))));
            }
        }
        byte[] signature = policy.createHasher().compute(ElementHashProvider.ofCollection(shingles, Long::longValue));
        long bits = 0;
        for (int i = 0; i < 64; i++) {
            bits |= policy.getComponent(signature, i) << i;
        }
        return bits;
    }
}
