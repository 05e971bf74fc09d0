package io.distillguard.topology.validation;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import com.dynatrace.hash4j.similarity.ElementHashProvider;
import com.dynatrace.hash4j.similarity.SimilarityHashPolicy;
import com.dynatrace.hash4j.similarity.SimilarityHashing;
import com.dynatrace.hash4j.similarity.SimilarityHasher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * 64-bit SimHash of a normalised prompt, for gateways that send prompt_text but no prompt_simhash. Prompts that
 * differ only in numbers, case and spacing (the slots of a template) get the same or a nearby hash.
 */
public final class PromptFingerprint {

    private static final Hasher64 HASHER = Hashing.komihash5_0();
    private static final SimilarityHashPolicy POLICY = SimilarityHashing.simHash(64);
    private static final ThreadLocal<SimilarityHasher> SIMHASH = ThreadLocal.withInitial(POLICY::createHasher);
    private static final int SHINGLE = 3;
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    // Long prompts are mostly pasted material; the template that identifies a campaign sits in the first part.
    private static final int MAX_CHARS = 8192;

    private PromptFingerprint() {
    }

    /** The SimHash of {@code text}, or null when it holds no words. */
    public static Long simHash(String text) {
        if (text == null) {
            return null;
        }
        String lower = text.substring(0, Math.min(text.length(), MAX_CHARS)).toLowerCase(Locale.ROOT);
        String normalised = NON_WORD.matcher(DIGITS.matcher(lower).replaceAll("0")).replaceAll(" ").trim();
        if (normalised.isEmpty()) {
            return null;
        }
        String[] words = normalised.split(" ");
        List<Long> shingles = new ArrayList<>();
        if (words.length < SHINGLE) {
            shingles.add(HASHER.hashCharsToLong(normalised));
        } else {
            for (int i = 0; i + SHINGLE <= words.length; i++) {
                shingles.add(HASHER.hashCharsToLong(String.join(" ", java.util.Arrays.copyOfRange(words, i, i + SHINGLE))));
            }
        }
        byte[] signature = SIMHASH.get().compute(ElementHashProvider.ofCollection(shingles, Long::longValue));
        long bits = 0;
        for (int i = 0; i < 64; i++) {
            bits |= POLICY.getComponent(signature, i) << i;
        }
        return bits;
    }
}
