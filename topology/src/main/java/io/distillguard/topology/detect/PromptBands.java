package io.distillguard.topology.detect;

/**
 * Which bands a prompt is grouped under (link keys of kind PROMPT_CLUSTER): {@code templateTables} bands of its
 * SimHash ({@code detector.template-tables}), {@code wordBands} bands of its word-pair MinHash
 * ({@code detector.word-bands}), and, for a prompt that has word bands, only {@code templateTablesWithWords} of the
 * SimHash tables ({@code detector.template-tables-with-words}, at most {@code templateTables}).
 *
 * <p>Why fewer SimHash tables beside word bands: a template's fillings (a slot of words) move its SimHash by ten to
 * twenty bits and scatter over its bands, where its word bands keep most of them together; the SimHash bands are
 * what groups the prompts of a gateway that sends no text and no MinHash. Each band is a window update per request,
 * the detector's main cost.
 */
public record PromptBands(int templateTables, int wordBands, int templateTablesWithWords) {

    /** SimHash tables for a prompt with word bands ({@code hasWordBands}) or without. */
    public int simHashTables(boolean hasWordBands) {
        return hasWordBands && wordBands > 0 ? Math.min(templateTables, templateTablesWithWords) : templateTables;
    }
}
