package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.RequestEvent;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.topology.DetectionConfig;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The analyst console in a real browser (Debian's Chromium, headless, driven by Selenium through chromedriver)
 * against the live service on the broker: sign-in with an analyst token, the case queue filling live as alerts are
 * written, a card cluster's case with its members, account ids crafted as markup shown as text with none of their
 * script run, and the data routes refusing a request without a token. Screenshots go to target/console-*.png.
 */
@ExtendWith(KafkaClusterExtension.class)
class ConsoleBrowserIT {

    private static final String TOKEN = "analyst-token-" + UUID.randomUUID();
    /** An account id an attacker chose: if the console ever treats it as markup, the handler sets a flag. */
    private static final String MARKUP_ACCOUNT = "<img src=x onerror=\"window.__pwned=1\">acct";

    @TempDir
    Path dir;

    private WebDriver browser;

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void shouldShowCasesLiveAsTextToASignedInAnalystAndNothingWithoutAToken(KafkaCluster cluster) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> overrides = new HashMap<>();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            overrides.putAll(ServiceClients.isolated(cluster, registry.url(), "console-" + run, run,
                    dir.resolve("state")));
            overrides.put(DetectionConfig.VERDICTS_TOPIC, "verdicts-" + run);
            overrides.put(ServiceConfig.HTTP_PORT, "0");
            overrides.put(ServiceConfig.HTTP_ANALYSTS, "alice:" + TOKEN);
            ServiceConfig config = ServiceConfig.load(null, Map.of(), overrides);
            try (DistillguardService service = DistillguardService.start(config)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                String base = "http://127.0.0.1:" + service.httpPort();

                HttpClient http = HttpClient.newHttpClient();
                for (String route : List.of("/api/cases", "/alerts", "/metrics", "/api/stream")) {
                    HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + route)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(refused.statusCode()).as("%s without a token", route).isEqualTo(401);
                }
                HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                        assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));

                browser = chromium();
                browser.get(base + "/");
                await().atMost(Duration.ofSeconds(20)).until(() -> browser.findElement(By.id("login")).isDisplayed());
                browser.findElement(By.id("token")).sendKeys(TOKEN);
                browser.findElement(By.cssSelector("#login-form button")).click();
                await().atMost(Duration.ofSeconds(20)).until(() -> browser.findElement(By.id("console")).isDisplayed());
                assertThat(browser.findElement(By.id("analyst")).getText()).contains("alice");
                assertThat(browser.manage().getCookieNamed("distillguard_session"))
                        .as("the session cookie is HttpOnly").satisfies(c -> assertThat(c.isHttpOnly()).isTrue());
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        browser.findElement(By.id("live")).getText().equals("live"));

                // Alerts written after the page loaded: the queue fills without a reload.
                long opened = System.currentTimeMillis();
                ServiceClients.produce(config, config.detection().requestsTopic(), traffic().iterator(), e -> { });
                // The page re-renders as alerts arrive: texts are read and rows clicked in one script each, never
                // through element handles a refresh may have replaced.
                await().atMost(Duration.ofSeconds(90)).until(() -> texts("#queue tbody tr").stream()
                        .anyMatch(t -> t.contains("Cluster on card card-shared"))
                        && texts("#queue tbody tr").stream().anyMatch(t -> t.contains(MARKUP_ACCOUNT)));
                long firstCaseMs = System.currentTimeMillis() - opened;
                System.out.println("[distillguard-it] console: both cases on screen " + firstCaseMs
                        + " ms after the events were produced");
                screenshot("console-queue");
                assertThat(browser.findElements(By.cssSelector("#queue img"))).as("markup rendered as text").isEmpty();

                clickRow("Cluster on card card-shared");
                await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("case-pane")).isDisplayed());
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    // The cluster is raised at its fifth account; which five depends on how the four partitions'
                    // requests interleaved, and a sixth is a member only once it harvests through the raised cluster.
                    assertThat(texts("#case-members tbody tr td:first-child"))
                            .hasSizeBetween(5, 6).allMatch(m -> m.startsWith("acct-card-"));
                    assertThat(texts("#case-words li")).anyMatch(w -> w.endsWith(" accounts"));
                    // The graph: the card on one side, its accounts on the other, a tie each.
                    assertThat(texts("#graph svg text")).contains("PAYMENT_FINGERPRINT:card-shared");
                    assertThat(browser.findElements(By.cssSelector("#graph svg line"))).hasSizeGreaterThanOrEqualTo(5);
                    // The members' traffic over time, summed from each member's day windows in the state stores.
                    assertThat(texts("#case-chart-caption")).singleElement().asString()
                            .containsPattern("of [56] member accounts: [1-9][0-9]* requests in [0-9]+ active hours? of the [0-9]+ shown");
                    assertThat(browser.findElements(By.cssSelector("#case-chart svg rect.bar"))).isNotEmpty();
                });
                screenshot("console-case");

                // The demo's hydra: sixty accounts tied by shared addresses and cards make one case, not sixty.
                browser.findElement(By.id("close-case")).click();
                await().atMost(Duration.ofSeconds(60)).until(() -> largestCaseMembers() >= 20);
                clickLargestCase();
                await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("case-pane")).isDisplayed());
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(texts("#case-members tbody tr td:first-child")).hasSizeGreaterThanOrEqualTo(20)
                            .allMatch(m -> m.startsWith("acct-hydra-"));
                    assertThat(texts("#graph svg text")).anyMatch(t -> t.startsWith("acct-hydra-"))
                            .anyMatch(t -> t.contains("198.51.100.") || t.contains("pm-shared-"));
                    assertThat(browser.findElements(By.cssSelector("#case-chart svg rect.bar"))).isNotEmpty();
                });
                screenshot("console-hydra");
                browser.findElement(By.id("close-case")).click();
                clickRow("Cluster on card card-shared");
                await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("case-pane")).isDisplayed());

                // A member's page: its windows from the state stores and the alerts that name it.
                String member = texts("#case-members tbody tr td:first-child").get(0);
                ((JavascriptExecutor) browser).executeScript("[...document.querySelectorAll('#case-members a')]"
                        + ".find(a => a.textContent === arguments[0]).click();", member);
                await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("subject-pane")).isDisplayed());
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(browser.findElement(By.id("subject-title")).getText()).isEqualTo("Account " + member);
                    // Its day window, with the severity alerted on it (its own requests may still be on their way:
                    // implications and requests cross different repartition topics).
                    assertThat(texts("#subject-windows tbody tr")).anyMatch(t -> t.startsWith("day") && t.endsWith("HIGH"));
                    assertThat(texts("#subject-alerts tbody tr")).anyMatch(t -> t.contains("ACCOUNT_CLUSTER"))
                            .anyMatch(t -> t.contains("ACCOUNT_RISK"));
                    assertThat(texts("#subject-chart-caption")).singleElement().asString()
                            .containsPattern("of this account: [0-9]+ requests in [0-9]+ active hours? of the [0-9]+ shown");
                });
                screenshot("console-account");
                browser.findElement(By.id("close-subject")).click();

                browser.findElement(By.id("close-case")).click();
                clickRow(MARKUP_ACCOUNT);
                await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("case-pane")).isDisplayed());
                assertThat(browser.findElement(By.id("case-title")).getText()).contains(MARKUP_ACCOUNT);
                assertThat(browser.findElements(By.cssSelector("img"))).isEmpty();
                assertThat(((JavascriptExecutor) browser).executeScript("return window.__pwned === undefined"))
                        .as("no script of the attacker's ran").isEqualTo(true);

                // A dismissal: refused without a reason (nothing written), then recorded with one, read back from
                // the verdicts topic with the analyst's name, and the subject's next alert suppressed and counted.
                browser.findElement(By.id("close-case")).click();
                new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("f-severity"))).selectByValue("LOW");
                await().atMost(Duration.ofSeconds(30)).until(() -> texts("#queue tbody tr").stream()
                        .anyMatch(t -> t.contains("Account acct-nat")));
                clickRow("Account acct-nat");
                await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("case-pane")).isDisplayed());
                new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("v-kind"))).selectByValue("dismiss");
                browser.findElement(By.id("v-submit")).click();
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        browser.findElement(By.id("verdict-error")).getText().contains("needs a reason"));
                new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("v-reason"))).selectByValue("NAT");
                browser.findElement(By.id("v-note")).sendKeys("campus NAT <b>not</b> a campaign");
                browser.findElement(By.id("v-submit")).click();
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        browser.findElement(By.id("case-status")).getText().startsWith("dismissed by alice"));
                screenshot("console-dismissed");
                assertThat(browser.findElements(By.cssSelector("#case-status b"))).isEmpty();

                List<io.distillguard.avro.CaseVerdict> written = verdicts(config);
                assertThat(written).as("the verdicts topic holds exactly the one verdict").hasSize(1);
                assertThat(written.get(0).getCaseId()).isEqualTo("ACCOUNT:acct-nat");
                assertThat(written.get(0).getAnalyst()).isEqualTo("alice");
                assertThat(written.get(0).getReason()).isEqualTo(io.distillguard.avro.DismissReason.NAT);
                assertThat(written.get(0).getSubjects()).contains("ACCOUNT:acct-nat");
                assertThat(written.get(0).getSuppressUntil()).isAfter(Instant.now().plus(Duration.ofDays(6)));

                // The POST answers with the verdict it wrote; the detector applies it once its global store has
                // read it back from the topic, which the case read from that store shows.
                await().atMost(Duration.ofSeconds(30)).until(() -> caseStatus(http, base, "ACCOUNT:acct-nat")
                        .equals("dismissed"));
                Random random = new Random(9);
                // A thousand harvests 50 ms apart, all inside the current clock hour (the profile's window, and the
                // volume that makes one hour of long answers a harvest): split across an hour's end, neither part is
                // a harvest's. In an hour's first minute, the test waits for the hour to hold them.
                long hourMs = Duration.ofHours(1).toMillis();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> Math.floorMod(System.currentTimeMillis(), hourMs) >= 65_000L);
                long harvestStart = System.currentTimeMillis() - 65_000L;
                List<RequestEvent> harvests = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    harvests.add(harvest("acct-nat", "card-nat", harvestStart + i * 50L, random));
                }
                ServiceClients.produce(config, config.detection().requestsTopic(), harvests.iterator(), e -> { });
                await().atMost(Duration.ofSeconds(60)).until(() -> suppressed(http, base) >= 1);
                HttpResponse<String> high = http.send(HttpRequest.newBuilder(URI.create(base
                        + "/alerts?severity=HIGH&limit=10000")).header("Authorization", "Bearer " + TOKEN).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(high.body()).as("no HIGH alert on the dismissed account").doesNotContain("\"acct-nat\"");
                System.out.println("[distillguard-it] console: " + suppressed(http, base)
                        + " alert tier(s) suppressed after the dismissal");

                // The verdicts in force, exported for a backtest's labels: the dismissed account is benign.
                Path properties = dir.resolve("cluster.properties");
                Files.writeString(properties, String.join("\n",
                        "bootstrap.servers=" + cluster.bootstrapServers(),
                        "schema.registry.url=" + registry.url(),
                        "topic.verdicts=" + config.detection().verdictsTopic()) + "\n");
                Path exported = dir.resolve("verdicts.jsonl");
                assertThat(io.distillguard.service.cli.DistillguardCli.commandLine(false).execute(
                        "verdicts", "export", "--config", properties.toString(), "--out", exported.toString()))
                        .isZero();
                assertThat(Files.readAllLines(exported)).hasSize(1);
                assertThat(io.distillguard.service.backtest.LabelledReport.readVerdicts(exported))
                        .containsOnlyKeys("acct-nat")
                        .containsEntry("acct-nat", new io.distillguard.service.backtest.LabelledReport.Label(false,
                                "dismissed_nat"));
            }
        }
    }

    private static String caseStatus(HttpClient http, String base, String caseId) throws Exception {
        return console(http, base, "/api/cases/" + java.net.URLEncoder.encode(caseId,
                java.nio.charset.StandardCharsets.UTF_8)).path("status").asText();
    }

    private static long suppressed(HttpClient http, String base) throws Exception {
        return console(http, base, "/api/cases").path("suppressed").asLong();
    }

    /** A console API answer, read with the analyst's token. */
    private static com.fasterxml.jackson.databind.JsonNode console(HttpClient http, String base, String path)
            throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body());
    }

    /** Every record on the verdicts topic, read from the beginning. */
    private static List<io.distillguard.avro.CaseVerdict> verdicts(ServiceConfig config) {
        java.util.Properties props = new java.util.Properties();
        props.putAll(config.producerProperties());
        props.remove(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<io.distillguard.avro.CaseVerdict> out = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                io.distillguard.serdes.avro.SpecificAvroSerde.forValues(io.distillguard.avro.CaseVerdict.class,
                        config.serdeConfig()).deserializer())) {
            io.distillguard.service.TopicToEnd.read(consumer, config.detection().verdictsTopic(),
                    r -> out.add(r.value()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<String> texts(String selector) {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);", selector);
    }

    /** The members count of the queue's largest case. */
    private long largestCaseMembers() {
        Object members = ((JavascriptExecutor) browser).executeScript(
                "return Math.max(0, ...[...document.querySelectorAll('#queue tbody tr')]"
                        + ".map(r => Number(r.children[3].textContent)));");
        return ((Number) members).longValue();
    }

    private void clickLargestCase() {
        ((JavascriptExecutor) browser).executeScript("const rows = [...document.querySelectorAll('#queue tbody tr')];"
                + "rows.sort((a, b) => Number(b.children[3].textContent) - Number(a.children[3].textContent));"
                + "rows[0].click();");
    }

    private void clickRow(String text) {
        Object clicked = ((JavascriptExecutor) browser).executeScript(
                "const row = [...document.querySelectorAll('#queue tbody tr')]"
                        + ".find(r => r.textContent.includes(arguments[0]));"
                        + "if (row) { row.click(); } return row !== undefined;", text);
        assertThat(clicked).as("a case row containing %s", text).isEqualTo(true);
    }

    /** A harvester under a markup id, six accounts harvesting on one card, and an account on many networks. */
    private static List<RequestEvent> traffic() {
        Random random = new Random(5);
        // Two thousand harvests in ten minutes: however an hour boundary splits them, one hour holds the thousand
        // (volume.requests-1h) that make one account's first hour of long answers a harvest, more than an evaluation
        // run sends in one.
        long start = Instant.now().minus(Duration.ofMinutes(20)).toEpochMilli();
        // The twenty minutes must fall in one UTC day (a member's day and the card's week begin at midnight): shortly
        // after midnight they are moved to the end of the day before.
        long midnight = start - Math.floorMod(start, 86_400_000L) + 86_400_000L;
        if (start + 20 * 60_000L >= midnight) {
            start = midnight - 20 * 60_000L - 1;
        }
        List<RequestEvent> events = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            events.add(harvest(MARKUP_ACCOUNT, "card-own", start + i * 300L, random));
        }
        for (int i = 0; i < 25; i++) {
            // Plain requests from 25 networks in an hour: FAN_OUT, MEDIUM at most, a NAT's or a traveller's shape.
            events.add(RequestEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setEventTime(Instant.ofEpochMilli(start + i * 20_000L)).setAccountId("acct-nat")
                    .setIp("203.0." + i + ".9").setModel("frontier-1").setEndpoint("/v1/messages")
                    .setPromptTokens(100).setCompletionTokens(300).setStatus(200).build());
        }
        for (int a = 0; a < 6; a++) {
            for (int i = 0; i < 8; i++) {
                events.add(harvest("acct-card-" + a, "card-shared", start + (a * 8 + i) * 12_000L, random));
            }
        }
        // The demo's own traffic beside them over the same twenty minutes: its scrapers, its hydra of sixty accounts
        // on four addresses and four cards, its NAT of students and its ordinary users, and its malformed records.
        io.distillguard.service.demo.TrafficGenerator demo = new io.distillguard.service.demo.TrafficGenerator(42);
        for (int i = 0; i < DEMO_EVENTS; i++) {
            events.add(demo.next(start + i * (20 * 60_000L / DEMO_EVENTS)).event());
        }
        events.sort(java.util.Comparator.comparing(RequestEvent::getEventTime));
        return events;
    }

    private static final int DEMO_EVENTS = 4_000;

    private static RequestEvent harvest(String account, String card, long time, Random random) {
        return RequestEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setEventTime(Instant.ofEpochMilli(time)).setAccountId(account).setIp("203.0.113.77")
                .setModel("frontier-1").setEndpoint("/v1/messages").setPromptTokens(200).setCompletionTokens(2_000)
                .setStatus(200).setReasoningRequested(true).setTurnIndex(0).setCapability("coding")
                .setPromptSimhash(random.nextLong()).setPaymentFingerprint(card)
                .setUserAgent("<script>window.__pwned=2</script>")
                .setAccountCreatedAt(Instant.ofEpochMilli(time - 86_400_000L)).build();
    }

    private WebDriver chromium() {
        assertThat(new File(ConsoleBrowser.CHROMIUM).canExecute() && new File(ConsoleBrowser.CHROMEDRIVER).canExecute())
                .as("Debian's chromium and chromium-driver are needed (apt-get install chromium chromium-driver; "
                        + ".ci/run installs them)").isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File(ConsoleBrowser.CHROMIUM));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,900", "--user-data-dir=" + dir.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(ConsoleBrowser.CHROMEDRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private void screenshot(String name) throws Exception {
        File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name + ".png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Where Debian puts the browser and its driver; `.ci/run` installs both when missing. */
    static final class ConsoleBrowser {
        static final String CHROMIUM = "/usr/bin/chromium";
        static final String CHROMEDRIVER = "/usr/bin/chromedriver";

        private ConsoleBrowser() {
        }
    }
}
