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

    @Test
    void aTemplatesFillingsKeepMostMinHashComponentsAndStrangersKeepAlmostNone() {
        Random random = new Random(17);
        String[] fixed = words(random, 30);
        int fillings = 0;
        int strangers = 0;
        for (int n = 0; n < 200; n++) {
            byte[] one = PromptFingerprint.of(filled(random, fixed)).minHash();
            byte[] two = PromptFingerprint.of(filled(random, fixed)).minHash();
            byte[] stranger = PromptFingerprint.of(String.join(" ", words(random, 30))).minHash();
            fillings += sameComponents(one, two);
            strangers += sameComponents(one, stranger);
        }
        assertThat(fillings / 200.0).as("components two fillings share").isGreaterThan(10);
        assertThat(strangers / 200.0).as("components a stranger shares").isLessThan(0.5);
    }

    @Test
    void bothFingerprintsComeFromOneNormalisation() {
        String prompt = "Solve problem 123 and explain your reasoning step by step";
        PromptFingerprint.Fingerprints both = PromptFingerprint.of(prompt);
        assertThat(both.simHash()).isEqualTo(PromptFingerprint.simHash(prompt));
        assertThat(both.minHash()).hasSize(PromptFingerprint.MINHASH_BYTES)
                .isEqualTo(PromptFingerprint.of("SOLVE problem 98765, and explain   your reasoning step-by-step!").minHash());
        assertThat(PromptFingerprint.of("one").minHash()).hasSize(PromptFingerprint.MINHASH_BYTES);
        assertThat(PromptFingerprint.of(" !? -- ")).isNull();
        assertThat(PromptFingerprint.of(null)).isNull();
    }

    @Test
    void aProcessorsHashersReusedForEveryPromptGiveWhatFreshOnesGive() {
        // The hashers keep scratch arrays between calls: nothing of one prompt may reach the next one's fingerprints.
        PromptFingerprint.Hashers reused = new PromptFingerprint.Hashers();
        Random random = new Random(29);
        for (int n = 0; n < 2_000; n++) {
            String prompt = String.join(" ", words(random, 1 + random.nextInt(40)));
            PromptFingerprint.Fingerprints once = new PromptFingerprint.Hashers().of(prompt);
            PromptFingerprint.Fingerprints again = reused.of(prompt);
            assertThat(again.simHash()).as(prompt).isEqualTo(once.simHash());
            assertThat(again.minHash()).as(prompt).isEqualTo(once.minHash());
        }
        assertThat(reused.of("Summarise this article about 7 topics for a busy reader").simHash())
                .isEqualTo(PromptFingerprint.simHash("Summarise this article about 7 topics for a busy reader"));
    }

    @Test
    void theFingerprintsOfAKnownPromptAreTheirPublishedValues() {
        // A gateway that computes prompt_minhash itself checks its implementation against this value (docs/contracts.md);
        // a change to it is a change of the event contract, which old and new gateways would not share.
        assertThat(java.util.HexFormat.of().formatHex(
                PromptFingerprint.of("Summarise this article about 7 topics for a busy reader").minHash()))
                .isEqualTo("4c6c1c676ad0896ddf9174b18880d2ffd875c99e9f27552db067ebffc9689fe3");
        assertThat(Long.toHexString(PromptFingerprint.simHash("Summarise this article about 7 topics for a busy reader")))
                .isEqualTo("aa72d88cab92b2a7");
    }

    private static String[] words(Random random, int n) {
        String[] words = new String[n];
        for (int i = 0; i < n; i++) {
            char[] letters = new char[4 + random.nextInt(6)];
            for (int j = 0; j < letters.length; j++) {
                letters[j] = (char) ('a' + random.nextInt(26));
            }
            words[i] = new String(letters);
        }
        return words;
    }

    private static String filled(Random random, String[] fixed) {
        List<String> text = new ArrayList<>(Arrays.asList(fixed));
        text.addAll(fixed.length / 2, Arrays.asList(words(random, 3)));
        return String.join(" ", text);
    }

    private static int sameComponents(byte[] a, byte[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i += 2) {
            same += a[i] == b[i] && a[i + 1] == b[i + 1] ? 1 : 0;
        }
        return same;
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
