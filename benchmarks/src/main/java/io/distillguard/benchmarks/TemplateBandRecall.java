package io.distillguard.benchmarks;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import com.dynatrace.hash4j.similarity.ElementHashProvider;
import com.dynatrace.hash4j.similarity.SimilarityHashPolicy;
import com.dynatrace.hash4j.similarity.SimilarityHashing;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.validation.PromptFingerprint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

/**
 * How prompt templates filled with text, not the simulator's random bit flips, land in the template bands: for
 * instructions of L fixed words with k slot words filled at random, the bits a filled prompt's SimHash differs in
 * from its template's (the bitwise majority of its variants), and the share of variants whose band is shared by at
 * least one in a hundred of them ({@link #GROUPED}), in table 0 and in any of the first 2, 4 or 6 tables.
 * The simulator flips 0-8 random bits; this says which real templates that range stands for. A second table does the
 * same for a SimHash over single words instead of the fingerprint's three-word shingles (not what the product
 * computes: the alternative, measured); a third for the product's word bands, which group what the SimHash bands
 * scatter.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.distillguard.benchmarks.TemplateBandRecall</pre>
 */
public final class TemplateBandRecall {

    private static final int TEMPLATES = 30;
    private static final int VARIANTS = 300;
    /**
     * A filling is grouped in a table when its band is shared by this many of the template's fillings (one in a
     * hundred): a real template's slots move the same few marginal bits again and again, so its fillings gather in a
     * handful of band values per table, each a group the account graph ties through the accounts it shares.
     */
    private static final int GROUPED = VARIANTS / 100;

    private TemplateBandRecall() {
    }

    public static void main(String[] args) {
        table("the prompt fingerprint (3-word shingles, PromptFingerprint)", PromptFingerprint::simHash);
        table("a SimHash over single words (an alternative, not the product's)", TemplateBandRecall::wordSimHash);
        minHashTable();
    }

    /**
     * The product's word bands ({@code detector.word-bands}): four 64-bit bands of the MinHash of the prompt's word
     * pairs ({@link PromptFingerprint}). A filling's minimum pairs are the template's unless a pair around its slot
     * hashes lower, so most fillings share the template's band value: one group, not many. The last column is the
     * share of fillings within the word bands' SimHash bound (group.word-band-max-distance, 20 bits) of the first
     * filling of their group, which is what the group's check compares against.
     */
    private static void minHashTable() {
        SplittableRandom random = new SplittableRandom(20261203);
        System.out.println("the word bands (four bands of four components of the word-pair MinHash, PromptFingerprint), "
                + TEMPLATES + " templates x " + VARIANTS + " fillings each:");
        System.out.println("| fixed words | slot words | largest group in band 0 | grouped in one of 2 bands | of 4 |"
                + " within 20 bits of its group's first |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (int fixed : new int[] {10, 20, 50, 100}) {
            for (int slot : new int[] {1, 3, 10}) {
                double largest = 0;
                double[] grouped = new double[2];
                double near = 0;
                for (int t = 0; t < TEMPLATES; t++) {
                    String[] words = words(random, fixed);
                    List<Map<Long, Integer>> counts = new ArrayList<>();
                    List<Map<Long, Long>> firsts = new ArrayList<>();
                    for (int band = 0; band < 4; band++) {
                        counts.add(new HashMap<>());
                        firsts.add(new HashMap<>());
                    }
                    long[][] bands = new long[VARIANTS][4];
                    long[] simhashes = new long[VARIANTS];
                    for (int v = 0; v < VARIANTS; v++) {
                        PromptFingerprint.Fingerprints prints = PromptFingerprint.of(filled(random, words, slot, false));
                        simhashes[v] = prints.simHash();
                        for (int band = 0; band < 4; band++) {
                            bands[v][band] = LinkRiskProcessor.wordBand(prints.minHash(), band);
                            counts.get(band).merge(bands[v][band], 1, Integer::sum);
                            firsts.get(band).putIfAbsent(bands[v][band], prints.simHash());
                        }
                    }
                    largest += counts.get(0).values().stream().mapToInt(Integer::intValue).max().orElse(0);
                    for (int v = 0; v < VARIANTS; v++) {
                        boolean inTwo = false;
                        boolean inFour = false;
                        boolean close = false;
                        for (int band = 0; band < 4; band++) {
                            boolean in = counts.get(band).get(bands[v][band]) >= GROUPED;
                            inTwo |= in && band < 2;
                            inFour |= in;
                            close |= in && Long.bitCount(firsts.get(band).get(bands[v][band]) ^ simhashes[v]) <= 20;
                        }
                        grouped[0] += inTwo ? 1 : 0;
                        grouped[1] += inFour ? 1 : 0;
                        near += close ? 1 : 0;
                    }
                }
                double n = (double) TEMPLATES * VARIANTS;
                System.out.printf("| %d | %d | %.0f %% | %.0f %% | %.0f %% | %.0f %% |%n", fixed, slot, 100 * largest / n,
                        100 * grouped[0] / n, 100 * grouped[1] / n, 100 * near / n);
            }
        }
        System.out.println();
    }

    private static String[] words(SplittableRandom random, int n) {
        String[] words = new String[n];
        for (int i = 0; i < n; i++) {
            words[i] = word(random);
        }
        return words;
    }

    /** The template's words with {@code slot} fresh words (or numbers) in the middle, a full stop every 12 words. */
    private static String filled(SplittableRandom random, String[] words, int slot, boolean numbers) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            if (i == words.length / 2) {
                for (int s = 0; s < slot; s++) {
                    text.append(numbers ? Integer.toString(random.nextInt(1_000_000)) : word(random)).append(' ');
                }
            }
            text.append(words[i]).append(i % 12 == 11 ? ". " : " ");
        }
        return text.toString();
    }

    private static void table(String title, ToLongFunction<String> fingerprint) {
        SplittableRandom random = new SplittableRandom(20261203);
        System.out.println(title + ", " + TEMPLATES + " templates x " + VARIANTS + " fillings each:");
        System.out.println("| fixed words | slot words | slot | bits from the template (mean / p90) | largest group in table 0"
                + " | grouped in table 0 | in one of 2 tables | of 4 | of 6 |");
        System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        for (int fixed : new int[] {10, 20, 50, 100, 200}) {
            for (int slot : new int[] {1, 3, 10}) {
                print(fixed + " | " + slot + " | words", measure(random, fixed, slot, false, 0, fingerprint));
            }
        }
        print("20 | 3 | numbers", measure(random, 20, 3, true, 0, fingerprint));
        for (int bits : new int[] {2, 4, 8}) {
            // The simulator's templates, for comparison: up to this many random bits flipped, as Traffic.nearby does.
            print("- | - | the simulator, up to " + bits + " bits flipped", measure(random, 0, 0, false, bits, fingerprint));
        }
        System.out.println();
    }

    private static void print(String row, double[] r) {
        System.out.printf("| %s | %.1f / %.0f | %.0f %% | %.0f %% | %.0f %% | %.0f %% | %.0f %% |%n", row, r[0], r[1],
                100 * r[6], 100 * r[2], 100 * r[3], 100 * r[4], 100 * r[5]);
    }

    /**
     * Mean and p90 of the bits flipped, the shares grouped in table 0 and in one of 2, 4 and 6 tables, then the share
     * of its fillings the largest group of table 0 holds (a template whose fillings spread over many small groups
     * gives each too few accounts a day to tie them).
     */
    static double[] measure(SplittableRandom random, int fixed, int slot, boolean numbers, int bitFlips,
                            ToLongFunction<String> fingerprint) {
        double flipped = 0;
        int[] flips = new int[TEMPLATES * VARIANTS];
        double[] kept = new double[4];
        double largest = 0;
        for (int t = 0; t < TEMPLATES; t++) {
            String[] words = words(random, fixed);
            long[] hashes = new long[VARIANTS];
            long simulated = random.nextLong();
            for (int v = 0; v < VARIANTS && bitFlips > 0; v++) {
                hashes[v] = simulated;
                for (int flip = random.nextInt(bitFlips + 1); flip > 0; flip--) {
                    hashes[v] ^= 1L << random.nextInt(64);
                }
            }
            for (int v = 0; v < VARIANTS && bitFlips == 0; v++) {
                hashes[v] = fingerprint.applyAsLong(filled(random, words, slot, numbers));
            }
            long center = 0;
            for (int bit = 0; bit < 64; bit++) {
                int ones = 0;
                for (long hash : hashes) {
                    ones += (int) (hash >>> bit & 1);
                }
                if (2 * ones > VARIANTS) {
                    center |= 1L << bit;
                }
            }
            List<Map<Long, Integer>> counts = new ArrayList<>();
            for (int table = 0; table < 6; table++) {
                Map<Long, Integer> count = new HashMap<>();
                for (long hash : hashes) {
                    count.merge(LinkRiskProcessor.templateBand(hash, table), 1, Integer::sum);
                }
                counts.add(count);
            }
            largest += counts.get(0).values().stream().mapToInt(Integer::intValue).max().orElse(0);
            for (int v = 0; v < VARIANTS; v++) {
                int bits = Long.bitCount(hashes[v] ^ center);
                flipped += bits;
                flips[t * VARIANTS + v] = bits;
                boolean[] grouped = new boolean[6];
                for (int table = 0; table < 6; table++) {
                    grouped[table] = counts.get(table).get(LinkRiskProcessor.templateBand(hashes[v], table)) >= GROUPED;
                }
                kept[0] += grouped[0] ? 1 : 0;
                kept[1] += grouped[0] || grouped[1] ? 1 : 0;
                kept[2] += grouped[0] || grouped[1] || grouped[2] || grouped[3] ? 1 : 0;
                kept[3] += grouped[0] || grouped[1] || grouped[2] || grouped[3] || grouped[4] || grouped[5] ? 1 : 0;
            }
        }
        java.util.Arrays.sort(flips);
        double n = (double) TEMPLATES * VARIANTS;
        return new double[] {flipped / n, flips[(int) (0.9 * flips.length)], kept[0] / n, kept[1] / n, kept[2] / n,
                kept[3] / n, largest / n};
    }

    private static final Hasher64 WORDS = Hashing.komihash5_0();
    private static final SimilarityHashPolicy SIMHASH = SimilarityHashing.simHash(64);

    /** SimHash over the prompt's words, digits as one "0" as the fingerprint normalises them. */
    static long wordSimHash(String text) {
        String[] words = text.toLowerCase(Locale.ROOT).replaceAll("[0-9]+", "0").split("[^a-z0-9]+");
        long[] features = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            features[i] = WORDS.hashCharsToLong(words[i]);
        }
        byte[] signature = SIMHASH.createHasher().compute(ElementHashProvider.ofValues(features));
        long bits = 0;
        for (int i = 0; i < 64; i++) {
            bits |= SIMHASH.getComponent(signature, i) << i;
        }
        return bits;
    }

    /** A word of four to nine letters: distinct words hash apart as real ones do. */
    private static String word(SplittableRandom random) {
        int length = 4 + random.nextInt(6);
        StringBuilder word = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
    }
}
