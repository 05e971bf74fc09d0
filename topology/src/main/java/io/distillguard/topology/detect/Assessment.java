package io.distillguard.topology.detect;

import io.distillguard.avro.Evidence;
import java.util.ArrayList;
import java.util.List;

/**
 * The combined verdict on one subject or group: the signals that fired, each with its value and threshold, and the
 * composite risk they add up to. Risk 1 means "one signal just at its threshold"; the score is 1 - 0.5/risk.
 *
 * <p>Signals that ordinary heavy users and products also show (volume, fan-in, machine timing) can only raise a
 * subject to MEDIUM on their own; HIGH and CRITICAL need a distillation-specific signal (the extraction profile, or
 * an extraction-shaped cluster). That is the rule behind "fan-in alone is not distillation".
 */
public final class Assessment {

    /** Largest risk without a distillation-specific signal: score 1 - 0.5/2.49 = 0.799, just under HIGH. */
    static final double CORROBORATION_CAP = 2.49;

    // Allocated on first use: an assessment is made for every subject and popular group on every request, and
    // nearly all of them record nothing.
    private List<Evidence> evidence;
    private List<String> fired;
    private double[] ratios;
    private double risk;
    private boolean specific;
    private boolean heldForMembers;
    private boolean heldForOwnBlocks;
    private boolean asksYesterday;
    // What the subject's own signals add up to, and how many of the fired ones are its own, once the signals a
    // group brings are about to be added (-1 until then: every fired signal is the subject's own).
    private double ownRisk = -1;
    private int ownFired;

    /** Records a measurement for the analyst; it adds to the risk only if it reaches its threshold. */
    public Assessment measure(String signal, double value, double threshold) {
        if (evidence == null) {
            evidence = new ArrayList<>(8);
        }
        evidence.add(Alerts.evidence(signal, value, threshold));
        return this;
    }

    /** A signal that fired with strength {@code ratio} (value / threshold, at least 1), weighted and capped. */
    public Assessment fire(String signal, double ratio, double weight, double cap, boolean distillationSpecific) {
        risk += weight * Math.min(ratio, cap);
        if (fired == null) {
            fired = new ArrayList<>(4);
            ratios = new double[4];
        } else if (fired.size() == ratios.length) {
            ratios = java.util.Arrays.copyOf(ratios, ratios.length * 2);
        }
        ratios[fired.size()] = ratio;
        fired.add(signal);
        specific |= distillationSpecific;
        return this;
    }

    /**
     * The risk an assessment of this one signal alone would have: lets a caller find that its alert was already
     * emitted before building the assessment and its evidence.
     */
    public static double riskOfOne(double ratio, double weight, double cap, boolean distillationSpecific) {
        double risk = weight * Math.min(ratio, cap);
        return distillationSpecific ? risk : Math.min(risk, CORROBORATION_CAP);
    }

    /**
     * Marks the signals fired so far as the subject's own: what a group adds after this (a cluster's risk, the day's
     * earlier own peak) is not, and does not raise {@link #ownRisk()}.
     */
    Assessment ownSignalsDone() {
        ownRisk = risk;
        ownFired = fired == null ? 0 : fired.size();
        return this;
    }

    /** The uncapped sum of the subject's own fired signals (all of them unless {@link #ownSignalsDone()} was called). */
    public double ownRisk() {
        return ownRisk >= 0 ? ownRisk : risk;
    }

    /** The subject's own fired signals joined by '+', or null when none fired. */
    public String ownSignals() {
        int n = ownRisk >= 0 ? ownFired : fired == null ? 0 : fired.size();
        return n == 0 ? null : String.join("+", fired.subList(0, n));
    }

    /** Adds risk that no signal of this moment fired for (the day's earlier own peak), explained by the caller. */
    Assessment raise(double by) {
        risk += by;
        return this;
    }

    public double risk() {
        return specific && !heldForMembers ? risk : Math.min(risk, CORROBORATION_CAP);
    }

    /**
     * Holds a group's own alert under HIGH: what corroborates it is a trait each member has to show in its own
     * traffic too ({@link #heldForMembers()}), and the group alert names members before they have.
     */
    public Assessment holdForMembers() {
        heldForMembers = true;
        return this;
    }

    public boolean heldForMembers() {
        return heldForMembers;
    }

    /**
     * Holds a group of a hosted client's rotating members for each member's own blocks as well as its shape: the
     * sample that made the group is a day's first members, and the client is everyone's on that cloud.
     */
    public Assessment holdForOwnBlocks() {
        heldForOwnBlocks = true;
        return this;
    }

    public boolean heldForOwnBlocks() {
        return heldForOwnBlocks;
    }

    /**
     * Marks an assessment that the previous day's window could change (a harvest's hours that may run on from
     * yesterday) when it was made without that window: the caller reads it only then, not for every request.
     */
    Assessment asksYesterday() {
        asksYesterday = true;
        return this;
    }

    public boolean yesterdayWouldCount() {
        return asksYesterday;
    }

    /** The risk a member carries once its own traffic confirms it: {@link #risk()} without the hold. */
    public double memberRisk() {
        return specific ? risk : Math.min(risk, CORROBORATION_CAP);
    }

    public boolean fires() {
        return risk() >= 1;
    }

    public List<Evidence> evidence() {
        return evidence == null ? List.of() : evidence;
    }

    /**
     * The measurements, then one {@code fired:<SIGNAL>} row per signal that added to the risk, its value the
     * signal's strength (value over threshold, so 1 is "just at it").
     */
    public List<Evidence> evidenceWithFired() {
        List<Evidence> all = new ArrayList<>(evidence());
        if (fired != null) {
            for (int i = 0; i < fired.size(); i++) {
                all.add(Alerts.evidence("fired:" + fired.get(i), ratios[i], 1));
            }
        }
        return all;
    }
}
