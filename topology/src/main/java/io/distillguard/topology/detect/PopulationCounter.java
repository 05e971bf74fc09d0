package io.distillguard.topology.detect;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.DistillguardMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Counts every request the detectors judge (valid, not a copy) and those of them that asked for reasoning, were first
 * turns and got a long answer: the live population's shares, as {@code backtest} measures them on history. The group
 * thresholds are set relative to the shares the rules assume ({@code group.population-*-share}); when the traffic moves
 * away from them (a reasoning model made the default, a new product's users), the thresholds no longer mean what the
 * rules say, and only a count of the live traffic shows it. Counting only: it changes no record and no verdict.
 */
public final class PopulationCounter<K> implements FixedKeyProcessor<K, RequestEvent, RequestEvent> {

    private FixedKeyProcessorContext<K, RequestEvent> context;
    private Sensor requests;
    private Sensor reasoning;
    private Sensor firstTurns;
    private Sensor longAnswers;

    @Override
    public void init(FixedKeyProcessorContext<K, RequestEvent> context) {
        this.context = context;
        requests = DistillguardMetrics.population(context.metrics(), "requests");
        reasoning = DistillguardMetrics.population(context.metrics(), "reasoning");
        firstTurns = DistillguardMetrics.population(context.metrics(), "first-turn");
        longAnswers = DistillguardMetrics.population(context.metrics(), "long-answer");
    }

    @Override
    public void process(FixedKeyRecord<K, RequestEvent> record) {
        RequestEvent event = record.value();
        requests.record();
        if (event.getReasoningRequested()) {
            reasoning.record();
        }
        if (event.getTurnIndex() == 0) {
            firstTurns.record();
        }
        if (HarvestShape.longAnswer(event.getPromptTokens(), event.getCompletionTokens(),
                event.getReasoningRequested())) {
            longAnswers.record();
        }
        context.forward(record);
    }
}
