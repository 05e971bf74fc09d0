package io.distillguard.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;

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
}
