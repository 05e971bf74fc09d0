package io.distillguard.service.simulate;

import io.distillguard.topology.validation.PromptFingerprint;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A synthetic language for the simulator's prompt text. What a prompt fingerprint reacts to is which words and runs
 * of words two prompts share, so the language reproduces the parts of real prompt text that decide that: a
 * vocabulary used with Zipf's law (exponent 1 over 20,000 words, so the commonest word is about one word in ten and
 * the top hundred half of the running text, as in English), a few dozen shared openings ("explain", "write a
 * function that") that start a third of prompts, and lengths from a few words to a few hundred (median about 14).
 * The words themselves are random letters: no real corpus ships with the project, and a fingerprint does not read
 * meaning. A prompt is drawn from one long, so a population that drew a random SimHash per request draws the same
 * number of values from its own random source as before, and every other population's requests are unchanged.
 */
final class PromptLanguage {

    static final int WORDS = 20_000;
    /** Words below this rank are function words ("the", "of", "to"): a template's slot is filled with others. */
    private static final int FUNCTION_WORDS = 200;
    private static final int OPENINGS = 40;

    private final String[] words;
    private final double[] cumulative;
    private final String[][] openings;

    PromptLanguage(SplittableRandom random) {
        words = new String[WORDS];
        cumulative = new double[WORDS];
        double sum = 0;
        for (int rank = 0; rank < WORDS; rank++) {
            words[rank] = Traffic.word(random);
            sum += 1.0 / (rank + 1);
            cumulative[rank] = sum;
        }
        for (int rank = 0; rank < WORDS; rank++) {
            cumulative[rank] /= sum;
        }
        openings = new String[OPENINGS][];
        for (int i = 0; i < OPENINGS; i++) {
            openings[i] = phrase(random, 2 + random.nextInt(4));
        }
    }

    /** A word as running text uses them: common ones most of the time. */
    String word(SplittableRandom random) {
        return words[rank(random)];
    }

    /** A content word (a name, a topic): what fills a template's slot. */
    String contentWord(SplittableRandom random) {
        while (true) {
            int rank = rank(random);
            if (rank >= FUNCTION_WORDS) {
                return words[rank];
            }
        }
    }

    /** A word's rank drawn by Zipf's law: the first whose cumulative share reaches a uniform draw. */
    private int rank(SplittableRandom random) {
        int rank = Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(WORDS - 1, rank < 0 ? -rank - 1 : rank);
    }

    String[] phrase(SplittableRandom random, int length) {
        String[] phrase = new String[length];
        for (int i = 0; i < length; i++) {
            phrase[i] = word(random);
        }
        return phrase;
    }

    /** A prompt someone writes: 3 to 300 words (log-normal, median 14), a shared opening a third of the time. */
    String prompt(SplittableRandom random) {
        int length = (int) Math.max(3, Math.min(300, Math.round(Math.exp(Math.log(14) + 0.8 * Traffic.gaussian(random)))));
        StringBuilder text = new StringBuilder(length * 7);
        if (random.nextInt(3) == 0) {
            String[] opening = openings[Math.min(OPENINGS - 1, (int) (-Math.log(1 - random.nextDouble()) * 8))];
            for (String w : opening) {
                text.append(w).append(' ');
            }
        }
        for (int i = 0; i < length; i++) {
            text.append(word(random)).append(' ');
        }
        return text.toString();
    }

    /** A short question of a few words and numbers, as a homework app's users type into its box. */
    String shortQuestion(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        int length = 2 + random.nextInt(5);
        for (int i = 0; i < length; i++) {
            text.append(random.nextInt(3) == 0 ? Integer.toString(random.nextInt(1_000)) : word(random)).append(' ');
        }
        return text.toString();
    }

    /** The fingerprints of the prompt drawn from {@code seed}. */
    PromptFingerprint.Fingerprints promptFingerprints(long seed) {
        return PromptFingerprint.of(prompt(new SplittableRandom(seed)));
    }

    static String join(String[] words) {
        return String.join(" ", words);
    }
}
