package io.distillguard.service.console;

import io.distillguard.avro.CaseVerdict;
import io.distillguard.serdes.avro.SpecificAvroSerde;
import io.distillguard.service.config.ServiceConfig;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes analysts' verdicts to the compacted verdicts topic, keyed by case, and waits for the broker's
 * acknowledgement: a verdict the console reports as saved is on the topic (acks=all, idempotent).
 */
public final class VerdictWriter implements AutoCloseable {

    private final KafkaProducer<String, CaseVerdict> producer;
    private final String topic;

    public VerdictWriter(ServiceConfig config) {
        java.util.Properties props = config.producerProperties();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "distillguard-verdicts");
        this.producer = new KafkaProducer<>(props, new StringSerializer(),
                SpecificAvroSerde.forValues(CaseVerdict.class, config.serdeConfig()).serializer());
        this.topic = config.detection().verdictsTopic();
    }

    public boolean enabled() {
        return topic != null && !topic.isBlank();
    }

    /** Writes {@code verdict} under its case id; throws when the broker did not take it within ten seconds. */
    public void write(CaseVerdict verdict) throws ExecutionException, InterruptedException, TimeoutException {
        producer.send(new ProducerRecord<>(topic, verdict.getCaseId(), verdict)).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
