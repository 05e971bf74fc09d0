package io.distillguard.topology.validation;

import io.distillguard.avro.PromptMinHash;
import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Checks each decoded request against the contract. A valid one is sanitised (ip normalised, SimHash computed
 * from prompt_text when the gateway sent none, prompt_text dropped so it is never stored or forwarded). An invalid
 * one is marked with the dead-letter headers (reason, source topic, partition, offset) for the dead-letter branch.
 */
public final class RequestTriage<K> implements FixedKeyProcessor<K, RequestEvent, RequestTriage.Triaged> {

    /** A request and, when it broke the contract, why. */
    public record Triaged(RequestEvent event, String problem) {
        public boolean valid() {
            return problem == null;
        }
    }

    private final RequestValidator validator;
    private final PromptFingerprint.Hashers hashers = new PromptFingerprint.Hashers();
    private FixedKeyProcessorContext<K, Triaged> context;
    private Sensor eventsIn;
    private Sensor deadLettered;

    public RequestTriage(DetectionConfig config) {
        this.validator = new RequestValidator(config);
    }

    @Override
    public void init(FixedKeyProcessorContext<K, Triaged> context) {
        this.context = context;
        this.eventsIn = DistillguardMetrics.eventsIn(context.metrics());
        this.deadLettered = DistillguardMetrics.contractDeadLetters(context.metrics());
    }

    @Override
    public void process(FixedKeyRecord<K, RequestEvent> record) {
        RequestEvent event = record.value();
        eventsIn.record();
        // Parsed once here: address parsing is one of the costlier steps of a request's path.
        String ip = event == null ? null : IpAddresses.normalise(event.getIp());
        String problem = validator.problemWith(event, ip, System.currentTimeMillis());
        if (problem != null) {
            deadLettered.record();
            markDeadLetter(record.headers(), problem);
            if (event != null) {
                event.setPromptText(null);
            }
            context.forward(record.withValue(new Triaged(event, problem)));
            return;
        }
        context.forward(record.withValue(new Triaged(sanitise(event, ip), null)));
    }

    private RequestEvent sanitise(RequestEvent event, String normalisedIp) {
        event.setIp(normalisedIp);
        if ((event.getPromptSimhash() == null || event.getPromptMinhash() == null) && event.getPromptText() != null) {
            // What the gateway computed stands; the text fills in only what it did not send.
            PromptFingerprint.Fingerprints fingerprints = hashers.of(event.getPromptText());
            if (fingerprints != null) {
                if (event.getPromptSimhash() == null) {
                    event.setPromptSimhash(fingerprints.simHash());
                }
                if (event.getPromptMinhash() == null) {
                    event.setPromptMinhash(new PromptMinHash(fingerprints.minHash()));
                }
            }
        }
        event.setPromptText(null);
        return event;
    }

    private void markDeadLetter(Headers headers, String problem) {
        Optional<RecordMetadata> source = context.recordMetadata();
        headers.add(DeadLetterHeaders.REASON, bytes(problem));
        headers.add(DeadLetterHeaders.STAGE, bytes("CONTRACT"));
        headers.add(DeadLetterHeaders.EXCEPTION, bytes("io.distillguard.ContractViolation"));
        headers.add(DeadLetterHeaders.MESSAGE, bytes(problem));
        source.ifPresent(meta -> {
            headers.add(DeadLetterHeaders.TOPIC, bytes(meta.topic()));
            headers.add(DeadLetterHeaders.PARTITION, bytes(Integer.toString(meta.partition())));
            headers.add(DeadLetterHeaders.OFFSET, bytes(Long.toString(meta.offset())));
        });
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
