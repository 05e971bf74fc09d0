package io.distillguard.topology.validation;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import com.dynatrace.hash4j.similarity.ElementHashProvider;
import com.dynatrace.hash4j.similarity.SimilarityHashPolicy;
import com.dynatrace.hash4j.similarity.SimilarityHashing;
import com.dynatrace.hash4j.similarity.SimilarityHasher;
import java.util.Arrays;
import java.util.Locale;

/**
 * The fingerprints of a normalised prompt, for gateways that send prompt_text but no prompt_simhash or
 * prompt_minhash. Prompts that differ only in numbers, case and spacing (the slots of a template) get the same or a
 * nearby SimHash. A template whose slot holds words moves its SimHash by a few bits each time, and different bits
 * each time, so its fillings seldom share a band of it; the MinHash of its word pairs keeps most of its components
 * (a filling shares all but the few pairs around its slot), so they share its bands.
 */
public final class PromptFingerprint {

    private static final Hasher64 HASHER = Hashing.komihash5_0();
    private static final SimilarityHashPolicy POLICY = SimilarityHashing.simHash(64);
    private static final int SHINGLE = 3;
    /** Components of the MinHash, 16 bits each: four bands of four. */
    public static final int MINHASH_COMPONENTS = 16;
    public static final int MINHASH_BYTES = 2 * MINHASH_COMPONENTS;
    private static final SimilarityHashPolicy MINHASH_POLICY = SimilarityHashing.minHash(MINHASH_COMPONENTS, 16);
    /** For the simulator and configuration; a request's path uses its processor's own {@link Hashers}. */
    private static final ThreadLocal<Hashers> HASHERS = ThreadLocal.withInitial(Hashers::new);
    // Long prompts are mostly pasted material; the template that identifies a campaign sits in the first part.
    private static final int MAX_CHARS = 8192;

    private PromptFingerprint() {
    }

    /** Both fingerprints of one prompt. */
    public record Fingerprints(long simHash, byte[] minHash) {
    }

    /**
     * A SimHash and a MinHash hasher, each with its scratch arrays, for one thread. A processor (one thread at a
     * time) holds its own: a thread-local's slot in a thread's map is shared with every library's thread-locals, and
     * its lookup took 4 % of the offline runner's samples in one profile and none in the next.
     */
    public static final class Hashers {
        private final SimilarityHasher simHash = POLICY.createHasher();
        private final SimilarityHasher minHash = MINHASH_POLICY.createHasher();

        /** Both fingerprints of {@code text} from one normalisation, or null when it holds no words. */
        public Fingerprints of(String text) {
            Normalised normalised = normalised(text);
            return normalised == null ? null
                    : new Fingerprints(PromptFingerprint.simHash(normalised, simHash), minHash(normalised, minHash));
        }
    }

    /** The SimHash of {@code text}, or null when it holds no words. */
    public static Long simHash(String text) {
        Normalised normalised = normalised(text);
        return normalised == null ? null : simHash(normalised, HASHERS.get().simHash);
    }

    /** Both fingerprints of {@code text} from one normalisation, or null when it holds no words. */
    public static Fingerprints of(String text) {
        return HASHERS.get().of(text);
    }

    private static Normalised normalised(String text) {
        if (text == null) {
            return null;
        }
        Normalised normalised = normalise(text.substring(0, Math.min(text.length(), MAX_CHARS)).toLowerCase(Locale.ROOT));
        return normalised.words() == 0 ? null : normalised;
    }

    /**
     * The MinHash of the prompt's distinct pairs of adjacent words (its one word when it has one), 16 components of
     * 16 bits, each written big-endian. Pairs rather than single words: a stranger's prompt shares common words
     * ("the", "of", "how") with any template, and with single words enough of them meet a template's band by chance
     * that the band's first request is often a stranger's; pairs of words are met far less often by chance.
     */
    static byte[] minHash(Normalised normalised, SimilarityHasher hasher) {
        String joined = normalised.text();
        long[] pairs;
        if (normalised.words() < 2) {
            pairs = new long[] {HASHER.hashCharsToLong(joined)};
        } else {
            pairs = new long[normalised.words() - 1];
            for (int i = 0; i < pairs.length; i++) {
                pairs[i] = HASHER.hashCharsToLong(joined.substring(normalised.start(i), normalised.end(i + 1)));
            }
        }
        byte[] signature = hasher.compute(ElementHashProvider.ofValues(pairs));
        byte[] out = new byte[MINHASH_BYTES];
        for (int i = 0; i < MINHASH_COMPONENTS; i++) {
            long component = MINHASH_POLICY.getComponent(signature, i);
            out[2 * i] = (byte) (component >>> 8);
            out[2 * i + 1] = (byte) component;
        }
        return out;
    }

    private static long simHash(Normalised normalised, SimilarityHasher hasher) {
        String joined = normalised.text();
        long[] shingles;
        if (normalised.words() < SHINGLE) {
            shingles = new long[] {HASHER.hashCharsToLong(joined)};
        } else {
            // A shingle is SHINGLE words joined by single spaces, which is how they stand in the normalised text.
            shingles = new long[normalised.words() - SHINGLE + 1];
            for (int i = 0; i < shingles.length; i++) {
                shingles[i] = HASHER.hashCharsToLong(joined.substring(normalised.start(i), normalised.end(i + SHINGLE - 1)));
            }
        }
        byte[] signature = hasher.compute(ElementHashProvider.ofValues(shingles));
        long bits = 0;
        for (int i = 0; i < 64; i++) {
            bits |= POLICY.getComponent(signature, i) << i;
        }
        return bits;
    }

    /** Normalised text and where each of its words starts and ends. */
    record Normalised(String text, int[] bounds, int words) {
        int start(int word) {
            return bounds[2 * word];
        }

        int end(int word) {
            return bounds[2 * word + 1];
        }
    }

    /**
     * Every run of ASCII digits becomes one "0" and every run of characters that are neither letters nor numbers one
     * space, with none at either end: what replacing {@code \d+} with "0", then {@code [^\p{L}\p{N}]+} with " ",
     * then a trim did, in one pass. The regular expressions were half the cost of a fingerprint, and fingerprints a
     * twelfth of the live stream threads' time.
     */
    static Normalised normalise(String lower) {
        StringBuilder out = new StringBuilder(lower.length());
        int[] bounds = new int[16];
        int words = 0;
        boolean inWord = false;
        boolean inDigits = false;
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            boolean asciiDigit = cp >= '0' && cp <= '9';
            if (!asciiDigit && !isLetterOrNumber(cp)) {
                if (inWord) {
                    bounds[2 * words + 1] = out.length();
                    words++;
                }
                inWord = false;
                inDigits = false;
                continue;
            }
            if (!inWord) {
                if (words > 0) {
                    out.append(' ');
                }
                if (2 * words + 2 > bounds.length) {
                    bounds = Arrays.copyOf(bounds, bounds.length * 2);
                }
                bounds[2 * words] = out.length();
                inWord = true;
            }
            if (!asciiDigit) {
                out.appendCodePoint(cp);
            } else if (!inDigits) {
                out.append('0');
            }
            inDigits = asciiDigit;
        }
        if (inWord) {
            bounds[2 * words + 1] = out.length();
            words++;
        }
        return new Normalised(out.toString(), bounds, words);
    }

    /** {@code \p{L}} or {@code \p{N}} as java.util.regex reads them: the letter and number categories. */
    private static boolean isLetterOrNumber(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
                 Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }
}
