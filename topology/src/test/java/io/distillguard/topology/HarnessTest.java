package io.distillguard.topology;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test that starts the topology with its own rules and closes it after each test. */
public abstract class HarnessTest {

    @TempDir
    protected Path stateDir;

    private TopologyHarness harness;

    /** The topology on the bundled rules with some lines replaced (pairs of old and new text). */
    protected TopologyHarness start(String... ruleReplacements) {
        harness = new TopologyHarness(stateDir, TopologyHarness.rules(ruleReplacements));
        return harness;
    }

    /** The same with service settings over the defaults. */
    protected TopologyHarness startWith(java.util.Properties settings, String... ruleReplacements) {
        harness = new TopologyHarness(stateDir, TopologyHarness.rules(ruleReplacements), settings);
        return harness;
    }

    @AfterEach
    void closeHarness() {
        if (harness != null) {
            harness.close();
        }
    }
}
