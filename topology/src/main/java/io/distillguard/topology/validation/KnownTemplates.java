package io.distillguard.topology.validation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The system prompts of tools and products that many unrelated customers run with their own accounts, as the operator
 * lists them: an open-source research assistant each developer deploys on a machine of their own, a framework's
 * default agent prompt. Hundreds of such accounts share the prompt, and their machines on the large clouds, by
 * nobody's design; to the template link they are a campaign on rented machines. A request whose prompt is mostly a
 * listed template is therefore not grouped by its prompt (its address, network, card and cohort still are).
 *
 * <p>The file holds the templates' texts, one after another, separated by lines of {@code ---}. They are fingerprinted
 * here as a gateway's prompt text is ({@link PromptFingerprint}); the texts are not kept.
 */
public final class KnownTemplates {

    public static final KnownTemplates NONE = new KnownTemplates(new long[0], new byte[0][], "");
    /**
     * Word-pair MinHash components (of 16) a prompt must share with a listed template: half, a Jaccard similarity of
     * about 0.5. A request that is the template and a question of a few dozen words keeps most of them; a prompt that
     * is mostly the user's own material, or another template, keeps almost none.
     */
    public static final int MIN_SHARED_COMPONENTS = PromptFingerprint.MINHASH_COMPONENTS / 2;
    /** For a request that carries only a SimHash: bits it may differ by (group.template-max-distance's default). */
    public static final int MAX_SIMHASH_DISTANCE = 10;

    private final long[] simHashes;
    private final byte[][] minHashes;
    private final String source;

    private KnownTemplates(long[] simHashes, byte[][] minHashes, String source) {
        this.simHashes = simHashes;
        this.minHashes = minHashes;
        this.source = source;
    }

    /**
     * @param file the templates, separated by lines of {@code ---}; null or blank for none
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no template with words
     */
    public static KnownTemplates load(String file) {
        if (file == null || file.isBlank()) {
            return NONE;
        }
        String text;
        try {
            text = Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the templates file " + file.trim() + ": " + e.getMessage());
        }
        return of(List.of(text.split("(?m)^---\\s*$")), file.trim());
    }

    /** The templates given, each fingerprinted; blank entries are skipped. */
    public static KnownTemplates of(List<String> templates, String source) {
        List<PromptFingerprint.Fingerprints> prints = new ArrayList<>();
        for (String template : templates) {
            PromptFingerprint.Fingerprints print = PromptFingerprint.of(template);
            if (print != null) {
                prints.add(print);
            }
        }
        if (prints.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no template with words (templates are separated by "
                    + "lines of ---)");
        }
        long[] simHashes = new long[prints.size()];
        byte[][] minHashes = new byte[prints.size()][];
        for (int i = 0; i < prints.size(); i++) {
            simHashes[i] = prints.get(i).simHash();
            minHashes[i] = prints.get(i).minHash();
        }
        return new KnownTemplates(simHashes, minHashes, source);
    }

    public boolean isEmpty() {
        return simHashes.length == 0;
    }

    public int size() {
        return simHashes.length;
    }

    /**
     * Whether a prompt is mostly one of the templates: by its word-pair MinHash when it has one, else by its SimHash.
     */
    public boolean matches(Long simHash, byte[] minHash) {
        for (int t = 0; t < simHashes.length; t++) {
            if (minHash != null && minHash.length == PromptFingerprint.MINHASH_BYTES) {
                if (sharedComponents(minHash, minHashes[t]) >= MIN_SHARED_COMPONENTS) {
                    return true;
                }
            } else if (simHash != null && Long.bitCount(simHash ^ simHashes[t]) <= MAX_SIMHASH_DISTANCE) {
                return true;
            }
        }
        return false;
    }

    private static int sharedComponents(byte[] a, byte[] b) {
        int shared = 0;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i] == b[i] && a[i + 1] == b[i + 1]) {
                shared++;
            }
        }
        return shared;
    }

    @Override
    public String toString() {
        return source;
    }
}
