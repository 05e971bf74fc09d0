package io.distillguard.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.distillguard.avro.PromptMinHash;
import io.distillguard.avro.RequestEvent;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroBinarySerdeTest {

    @Test
    void shouldDecodeTheSameOnManyThreadsFromTheFirstRecordOn() throws Exception {
        DistillationAlert alert = DistillationAlert.newBuilder().setAlertId("a").setDetector("IP_FAN_IN")
                .setSeverity(Severity.HIGH).setScore(0.9).setSubjectType(SubjectType.IP).setSubjectId("203.0.113.1")
                .setWindowStart(Instant.ofEpochMilli(1_000)).setWindowEnd(Instant.ofEpochMilli(2_000))
                .setTriggerEventTime(Instant.ofEpochMilli(1_500)).setAccounts(List.of("x", "y")).setAccountsTotal(2)
                .setEvidence(List.of(new Evidence("distinct_accounts", 60.0, 50.0))).setRuleVersion("r")
                .setEmittedAt(Instant.EPOCH).build();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 50; round++) {
                // A fresh serde each round: the first decodes on every thread race to build the readers.
                AvroBinarySerde<DistillationAlert> serde = new AvroBinarySerde<>(DistillationAlert.class);
                byte[] bytes = serde.serializer().serialize("t", alert);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<DistillationAlert>> decoded = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    decoded.add(threads.submit(() -> {
                        start.await();
                        return serde.deserializer().deserialize("t", bytes);
                    }));
                }
                start.countDown();
                for (Future<DistillationAlert> one : decoded) {
                    assertThat(one.get()).isEqualTo(alert);
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * A store kept across an upgrade that appended an optional field to its record holds records without it: they
     * are read with the field's default. A record cut short anywhere else is still refused.
     */
    @Test
    void shouldReadARecordWrittenBeforeAnOptionalFieldWasAppendedWithItsDefault() throws Exception {
        RequestEvent event = SpecificAvroSerdeTest.event();
        event.setPromptMinhash(null);
        Schema before = AvroBinarySerde.withoutTrailingDefaults(RequestEvent.getClassSchema()).get(0);
        assertThat(before.getFields()).hasSize(RequestEvent.getClassSchema().getFields().size() - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<RequestEvent>(before).write(event, encoder);
        encoder.flush();
        byte[] old = out.toByteArray();

        AvroBinarySerde<RequestEvent> serde = new AvroBinarySerde<>(RequestEvent.class);
        assertThat(serde.deserializer().deserialize("state", old)).isEqualTo(event);

        event.setPromptMinhash(new PromptMinHash(new byte[32]));
        byte[] current = serde.serializer().serialize("state", event);
        assertThat(serde.deserializer().deserialize("state", current)).isEqualTo(event);
        byte[] cut = Arrays.copyOf(current, current.length - 40);
        assertThatThrownBy(() -> serde.deserializer().deserialize("state", cut))
                .isInstanceOf(SerializationException.class);
    }
}
