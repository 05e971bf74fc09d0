package io.distillguard.serdes.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractJsonTest {

    private static final String MINIMAL = """
            {"event_id":"e1","event_time":1764300000000,"account_id":"a1","ip":"203.0.113.5","model":"m",
             "endpoint":"/v1/messages","prompt_tokens":10,"completion_tokens":20,"status":200}""";

    @Test
    void shouldReadAMinimalEventFillingDefaultsForAbsentOptionalFields() {
        RequestEvent event = ContractJson.read(MINIMAL, RequestEvent.class);

        assertThat(event.getEventTime()).isEqualTo(Instant.ofEpochMilli(1764300000000L));
        assertThat(event.getOrgId()).isNull();
        assertThat(event.getTurnIndex()).isZero();
        assertThat(event.getReasoningRequested()).isFalse();
    }

    @Test
    void shouldReadExplicitNullsAndOptionalValues() {
        RequestEvent event = ContractJson.read(MINIMAL.replace("\"status\":200",
                "\"status\":200,\"org_id\":null,\"asn\":64500,\"account_created_at\":1700000000000,"
                        + "\"prompt_simhash\":-5,\"reasoning_requested\":true"), RequestEvent.class);

        assertThat(event.getOrgId()).isNull();
        assertThat(event.getAsn()).isEqualTo(64500);
        assertThat(event.getAccountCreatedAt()).isEqualTo(Instant.ofEpochMilli(1700000000000L));
        assertThat(event.getPromptSimhash()).isEqualTo(-5L);
        assertThat(event.getReasoningRequested()).isTrue();
    }

    @Test
    void shouldNameTheProblemOfABadLine() {
        assertThatThrownBy(() -> ContractJson.read("{not json", RequestEvent.class))
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> ContractJson.read(MINIMAL.replace("\"account_id\":\"a1\",", ""), RequestEvent.class))
                .hasMessage("missing required field \"account_id\"");
        assertThatThrownBy(() -> ContractJson.read(MINIMAL.replace("\"prompt_tokens\":10", "\"prompt_tokens\":\"ten\""),
                RequestEvent.class)).hasMessage("field \"prompt_tokens\": expected a 32-bit integer, got \"ten\"");
        assertThatThrownBy(() -> ContractJson.read(MINIMAL.replace("\"status\":200", "\"status\":null"),
                RequestEvent.class)).hasMessage("missing required field \"status\"");
        assertThatThrownBy(() -> ContractJson.read("[1,2]", RequestEvent.class)).hasMessage("not a JSON object");
    }

    @Test
    void shouldReadEveryLineAsTheTreeReadsItOrFailAsTheTreeFails() {
        String full = MINIMAL.replace("\"status\":200", "\"status\":200,\"org_id\":\"o1\",\"asn\":64500,"
                + "\"account_created_at\":1700000000000,\"prompt_simhash\":-5,\"reasoning_requested\":true,"
                + "\"turn_index\":2,\"capability\":\"coding\",\"country\":\"US\",\"prompt_minhash\":\"" + "0a".repeat(32) + "\"");
        String[] values = {"null", "\"x\"", "1", "-7", "3000000000", "99999999999999999999", "1.5", "true", "[1]",
                "{\"a\":1}", "\"US\"", "\"" + "ff".repeat(32) + "\"", "\"" + "f".repeat(63) + "\"", "\"" + "zz".repeat(32) + "\""};
        java.util.Random random = new java.util.Random(3);
        java.util.regex.Matcher fields = java.util.regex.Pattern.compile("\"(\\w+)\":").matcher(full);
        List<String> names = new java.util.ArrayList<>();
        while (fields.find()) {
            names.add(fields.group(1));
        }
        int agreedOnRecords = 0;
        for (int i = 0; i < 3_000; i++) {
            String line = full;
            for (int change = random.nextInt(3); change >= 0; change--) {
                String name = names.get(random.nextInt(names.size()));
                String value = values[random.nextInt(values.length)];
                line = random.nextInt(4) == 0
                        ? line.replaceFirst("\"" + name + "\":(\"[^\"]*\"|[^,}]*),?", "")
                        : line.replaceFirst("\"" + name + "\":(\"[^\"]*\"|[^,}]*)",
                                java.util.regex.Matcher.quoteReplacement("\"" + name + "\":" + value));
            }
            if (random.nextInt(10) == 0) {
                line = line.replace("}", ",\"unknown\":{\"nested\":[1,2]}}");
            }
            String tree;
            try {
                tree = ContractJson.readTree(line, RequestEvent.class).toString();
            } catch (IllegalArgumentException e) {
                tree = "error: " + e.getMessage();
            }
            String streamed;
            try {
                streamed = ContractJson.read(line, RequestEvent.class).toString();
            } catch (IllegalArgumentException e) {
                streamed = "error: " + e.getMessage();
            }
            assertThat(streamed).as(line).isEqualTo(tree);
            // The same line as the bytes of a file, with other lines around it.
            byte[] utf8 = ("x\n" + line + "\ny").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String fromBytes;
            try {
                fromBytes = ContractJson.read(utf8, 2, utf8.length - 4, RequestEvent.class).toString();
            } catch (IllegalArgumentException e) {
                fromBytes = "error: " + e.getMessage();
            }
            assertThat(fromBytes).as(line).isEqualTo(tree);
            if (!tree.startsWith("error")) {
                agreedOnRecords++;
            }
        }
        assertThat(agreedOnRecords).as("lines that made a record").isGreaterThan(300);
    }

    @Test
    void shouldCarryAPromptMinHashAsHexadecimalAndNameAWrongOne() {
        byte[] minhash = new byte[32];
        for (int i = 0; i < minhash.length; i++) {
            minhash[i] = (byte) (i * 37 - 100);
        }
        RequestEvent event = ContractJson.read(MINIMAL, RequestEvent.class);
        event.setPromptMinhash(new io.distillguard.avro.PromptMinHash(minhash));
        String line = ContractJson.line(event);
        assertThat(line).contains("\"prompt_minhash\":\"" + java.util.HexFormat.of().formatHex(minhash) + "\"");
        assertThat(ContractJson.read(line, RequestEvent.class).getPromptMinhash().bytes()).isEqualTo(minhash);
        assertThat(ContractJson.read(line, RequestEvent.class)).isEqualTo(event);
        assertThatThrownBy(() -> ContractJson.read(MINIMAL.replace("\"status\":200",
                "\"status\":200,\"prompt_minhash\":\"abc\""), RequestEvent.class))
                .hasMessage("field \"prompt_minhash\": expected 64 hexadecimal digits, got \"abc\"");
    }

    @Test
    void shouldReadFieldsInAnyOrderAsInTheSchemasOrder() {
        RequestEvent event = ContractJson.read(MINIMAL.replace("\"status\":200",
                "\"status\":200,\"org_id\":\"o1\",\"asn\":64500,\"capability\":\"coding\""), RequestEvent.class);
        String inOrder = ContractJson.line(event);
        List<String> fields = new java.util.ArrayList<>(List.of(inOrder.substring(1, inOrder.length() - 1)
                .split(",(?=\")")));
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < fields.size() - 1; i++) {
            // Two neighbours swapped, the rest in schema order: where the field expected next is a wrong guess of
            // the same type (account_id and org_id are both text), only its name tells.
            List<String> swapped = new java.util.ArrayList<>(fields);
            java.util.Collections.swap(swapped, i, i + 1);
            String line = "{" + String.join(",", swapped) + "}";
            assertThat(ContractJson.read(line, RequestEvent.class)).as(line).isEqualTo(event);
        }
        for (int i = 0; i < 50; i++) {
            java.util.Collections.shuffle(fields, random);
            String line = "{" + String.join(",", fields) + "}";
            assertThat(ContractJson.read(line, RequestEvent.class)).as(line).isEqualTo(event);
        }
    }

    @Test
    void shouldWriteAlertsWithContractNamesAndRoundTrip() {
        DistillationAlert alert = DistillationAlert.newBuilder()
                .setAlertId("id").setDetector("IP_FAN_IN").setSeverity(Severity.HIGH).setScore(0.8)
                .setSubjectType(SubjectType.IP).setSubjectId("198.51.100.1")
                .setWindowStart(Instant.ofEpochMilli(1000)).setWindowEnd(Instant.ofEpochMilli(2000))
                .setTriggerEventTime(Instant.ofEpochMilli(1500)).setAccounts(List.of("a", "b")).setAccountsTotal(2)
                .setEvidence(List.of(new Evidence("distinct_accounts", 50.0, 25.0))).setRuleVersion("r1")
                .setEmittedAt(Instant.ofEpochMilli(3000)).build();

        String line = ContractJson.line(alert);

        assertThat(line).contains("\"severity\":\"HIGH\"", "\"window_start\":1000", "\"subject_type\":\"IP\"",
                "\"evidence\":[{\"signal\":\"distinct_accounts\",\"value\":50.0,\"threshold\":25.0}]");
        assertThat(ContractJson.read(line, DistillationAlert.class)).isEqualTo(alert);
    }
}
