package io.distillguard.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.topology.DetectionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {

    @TempDir
    Path dir;

    @Test
    void shouldDefaultToExactlyOnceAndDocumentedDetectionSettings() {
        ServiceConfig config = ServiceConfig.load(null, Map.of(), Map.of());

        assertThat(config.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(config.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("distillguard");
        assertThat(config.detection().grace()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.detection().ruleVersion()).isEqualTo(io.distillguard.topology.rules.DetectionRules.defaults().version());
        assertThat(config.detection().requestsTopic()).isEqualTo("requests");
    }

    @Test
    void shouldApplyFileThenEnvironmentThenCommandLine() throws Exception {
        Path file = dir.resolve("distillguard.properties");
        Files.writeString(file, """
                bootstrap.servers=file:9092
                window.grace=1m
                topic.alerts=alerts-from-file
                commit.interval.ms=250
                """);
        Map<String, String> env = Map.of(
                "DISTILLGUARD_WINDOW_GRACE", "7m",
                "DISTILLGUARD_TOPIC_ALERTS", "alerts-from-env",
                "DISTILLGUARD_HOME", "/opt/distillguard",
                "PATH", "/usr/bin");

        ServiceConfig config = ServiceConfig.load(file, env, Map.of(DetectionConfig.ALERTS_TOPIC, "alerts-from-cli"));

        assertThat(config.get("bootstrap.servers")).isEqualTo("file:9092");
        assertThat(config.detection().grace()).isEqualTo(Duration.ofMinutes(7));
        assertThat(config.detection().alertsTopic()).isEqualTo("alerts-from-cli");
        Properties kafka = config.kafkaProperties();
        assertThat(kafka.getProperty("commit.interval.ms")).isEqualTo("250");
        assertThat(kafka).doesNotContainKey(DetectionConfig.ALERTS_TOPIC);
    }

    @Test
    void shouldPassKafkaSecuritySettingsToKafkaStreamsAndToThePlainClientsBesideIt() {
        Map<String, String> secured = Map.of(
                "DISTILLGUARD_BOOTSTRAP_SERVERS", "broker:9093",
                "DISTILLGUARD_SECURITY_PROTOCOL", "SASL_SSL",
                "DISTILLGUARD_SASL_MECHANISM", "SCRAM-SHA-512",
                "DISTILLGUARD_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"distillguard\" password=\"s3cret\";",
                "DISTILLGUARD_SSL_TRUSTSTORE_LOCATION", "/etc/distillguard/truststore.p12",
                "DISTILLGUARD_SSL_KEYSTORE_LOCATION", "/etc/distillguard/keystore.p12");

        ServiceConfig config = ServiceConfig.load(null, secured, Map.of());
        Properties streams = io.distillguard.service.DistillguardService.streamsConfig(config);
        Properties client = io.distillguard.service.DistillguardService.clientProps(streams);

        for (Properties props : java.util.List.of(streams, client)) {
            assertThat(props).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("ssl.truststore.location", "/etc/distillguard/truststore.p12")
                    .containsEntry("ssl.keystore.location", "/etc/distillguard/keystore.p12");
            assertThat(props.getProperty("sasl.jaas.config")).contains("ScramLoginModule");
        }
        assertThat(client).as("the alerts reader is not a member of the streams' group")
                .doesNotContainKey(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    @Test
    void shouldAcceptAnyKafkaStreamsKeyFromTheEnvironment() {
        ServiceConfig config = ServiceConfig.load(null, Map.of("DISTILLGUARD_NUM_STANDBY_REPLICAS", "1",
                "DISTILLGUARD_SCHEMA_REGISTRY_URL", "http://registry:8081"), Map.of());

        assertThat(config.kafkaProperties().getProperty("num.standby.replicas")).isEqualTo("1");
        assertThat(config.serdeConfig()).containsEntry("schema.registry.url", "http://registry:8081");
    }

    @Test
    void shouldRefuseAnUnknownDistillguardEnvironmentVariable() {
        assertThatThrownBy(() -> ServiceConfig.load(null, Map.of("DISTILLGUARD_BOOTSTRAP_SERVER", "x:9092"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("DISTILLGUARD_BOOTSTRAP_SERVER");
    }

    @Test
    void shouldGroupTemplatesUnderFourBandsUnlessToldTwoOrSixAndRefuseOtherCounts() {
        assertThat(ServiceConfig.load(null, Map.of(), Map.of()).detection().templateTables()).isEqualTo(4);
        assertThat(ServiceConfig.load(null, Map.of("DISTILLGUARD_DETECTOR_TEMPLATE_TABLES", "6"), Map.of()).detection()
                .templateTables()).isEqualTo(6);
        assertEachRefused(DetectionConfig.TEMPLATE_TABLES, "expected 2", "3", "8", "0", "four");
    }

    @Test
    void shouldGroupPromptsUnderFourWordBandsUnlessToldTwoOrNoneAndRefuseOtherCounts() {
        assertThat(ServiceConfig.load(null, Map.of(), Map.of()).detection().wordBands()).isEqualTo(4);
        assertThat(ServiceConfig.load(null, Map.of("DISTILLGUARD_DETECTOR_WORD_BANDS", "0"), Map.of()).detection()
                .wordBands()).isZero();
        assertEachRefused(DetectionConfig.WORD_BANDS, "expected 0", "1", "3", "6", "-1", "four");
    }

    @Test
    void shouldGroupAPromptWithWordBandsUnderNoSimHashTableUnlessToldAndRefuseOtherCounts() {
        assertThat(ServiceConfig.load(null, Map.of(), Map.of()).detection().templateTablesWithWords()).isZero();
        assertThat(ServiceConfig.load(null, Map.of("DISTILLGUARD_DETECTOR_TEMPLATE_TABLES_WITH_WORDS", "2"), Map.of())
                .detection().promptBands().simHashTables(true)).isEqualTo(2);
        assertEachRefused(DetectionConfig.TEMPLATE_TABLES_WITH_WORDS, "expected 0", "1", "3", "8", "-1", "two");
    }

    @Test
    void shouldListNoHostedProductUnlessToldAndRefuseAnEntryThatIsNoNetwork() {
        assertThat(ServiceConfig.load(null, Map.of(), Map.of()).detection().hostedProductNetworks().isEmpty()).isTrue();
        assertThat(ServiceConfig.load(null, Map.of("DISTILLGUARD_DETECTOR_HOSTED_PRODUCT_NETWORKS",
                "3.5.140.8/29,3.5.141.8/29"), Map.of()).detection().hostedProductNetworks().contains("3.5.141.12")).isTrue();
        assertEachRefused(DetectionConfig.HOSTED_PRODUCT_NETWORKS, "CIDR", "3.5.140.8/29,not-a-network", "3.5.140.8/99");
    }

    @Test
    void shouldListNoKnownTemplateUnlessToldAndRefuseAFileItCannotUse(@TempDir Path dir) throws Exception {
        assertThat(ServiceConfig.load(null, Map.of(), Map.of()).detection().knownTemplates().isEmpty()).isTrue();
        Path known = Files.writeString(dir.resolve("known.txt"), "You are a research assistant. Question:\n---\n"
                + "Review this diff as a senior engineer would:");
        assertThat(ServiceConfig.load(null, Map.of("DISTILLGUARD_DETECTOR_KNOWN_TEMPLATES_FILE", known.toString()),
                Map.of()).detection().knownTemplates().size()).isEqualTo(2);
        Path blank = Files.writeString(dir.resolve("blank.txt"), "---\n");
        assertEachRefused(DetectionConfig.KNOWN_TEMPLATES_FILE, "templates", dir.resolve("absent.txt").toString(),
                blank.toString());
    }

    private static void assertEachRefused(String key, String expected, String... values) {
        for (String bad : values) {
            assertThatThrownBy(() -> ServiceConfig.load(null, Map.of(), Map.of(key, bad)))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key).hasMessageContaining(expected);
        }
    }

    @Test
    void shouldRefuseAGracePeriodOfAnHourOrMore() {
        assertThatThrownBy(() -> ServiceConfig.load(null, Map.of(), Map.of(DetectionConfig.GRACE, "1h")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(DetectionConfig.GRACE).hasMessageContaining("under 1h");
        assertThat(ServiceConfig.load(null, Map.of(), Map.of(DetectionConfig.GRACE, "59m")).detection().grace())
                .isEqualTo(Duration.ofMinutes(59));
    }

    @Test
    void shouldRefuseAMalformedDurationNamingTheKey() {
        assertThatThrownBy(() -> ServiceConfig.load(null, Map.of(), Map.of(DetectionConfig.GRACE, "an hour")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(DetectionConfig.GRACE);
    }

    @Test
    void shouldLoadTheRulesFileNamedInTheEnvironmentAndRefuseABadOne() throws Exception {
        Path rules = io.distillguard.service.RulesFiles.write(dir, "rules.yaml",
                "version: default-2026-12-08.25", "version: team-7");
        assertThat(ServiceConfig.load(null, Map.of("DISTILLGUARD_RULES_FILE", rules.toString()), Map.of())
                .detection().ruleVersion()).isEqualTo("team-7");

        Files.writeString(rules, Files.readString(rules).replace("requests-1h: 1000", "requests-1h: -1"));
        assertThatThrownBy(() -> ServiceConfig.load(null, Map.of("DISTILLGUARD_RULES_FILE", rules.toString()), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("subject.volume.requests-1h");
    }

    @Test
    void shouldWriteAlertsAsAvroByDefaultAndAsPlainJsonWhenAsked() {
        io.distillguard.avro.DistillationAlert alert = io.distillguard.avro.DistillationAlert.newBuilder()
                .setAlertId("a").setDetector("ACCOUNT_VOLUME").setSeverity(io.distillguard.avro.Severity.HIGH)
                .setScore(0.85).setSubjectType(io.distillguard.avro.SubjectType.ACCOUNT).setSubjectId("acct")
                .setWindowStart(java.time.Instant.EPOCH).setWindowEnd(java.time.Instant.EPOCH)
                .setTriggerEventTime(java.time.Instant.EPOCH).setAccounts(java.util.List.of("acct")).setAccountsTotal(1)
                .setEvidence(java.util.List.of()).setRuleVersion("r").setEmittedAt(java.time.Instant.EPOCH).build();
        ServiceConfig json = ServiceConfig.load(null, Map.of("DISTILLGUARD_ALERTS_FORMAT", "json"), Map.of());
        byte[] bytes = json.alertSerde().serializer().serialize("alerts", alert);

        assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("{\"alert_id\":\"a\"").contains("\"severity\":\"HIGH\"");
        assertThat(json.alertSerde().deserializer().deserialize("alerts", bytes)).isEqualTo(alert);

        ServiceConfig avro = ServiceConfig.load(null, Map.of(), Map.of("schema.registry.url", "mock://alerts-format"));
        assertThat(avro.alertSerde().serializer().serialize("alerts", alert)[0]).as("Confluent magic byte").isZero();
        assertThatThrownBy(() -> ServiceConfig.load(null, Map.of(), Map.of(ServiceConfig.ALERTS_FORMAT, "xml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.format");
    }

    @Test
    void shouldRequireARegistryUrlForTheSerdes() {
        ServiceConfig config = ServiceConfig.load(null, Map.of(), Map.of());
        assertThatThrownBy(config::serdeConfig).isInstanceOf(ConfigException.class)
                .hasMessageContaining("DISTILLGUARD_SCHEMA_REGISTRY_URL");
    }
}
