package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.service.demo.TrafficGenerator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFilesTest {

    @TempDir
    Path dir;

    /** Every line as {@code BufferedReader.readLine} gives it, here from the byte spans. */
    private static List<String> lines(byte[] bytes, int chunk) throws IOException {
        // A stream that hands out at most chunk bytes a read, so lines and CR LF pairs straddle the reads.
        InputStream in = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
        EventFiles.Utf8Lines lines = new EventFiles.Utf8Lines(in);
        List<String> out = new ArrayList<>();
        while (lines.next()) {
            out.add(lines.text());
        }
        return out;
    }

    private static List<String> readLines(byte[] bytes) throws IOException {
        return new java.io.BufferedReader(new java.io.InputStreamReader(new ByteArrayInputStream(bytes),
                StandardCharsets.UTF_8)).lines().toList();
    }

    @Test
    void linesEndWhereAReaderEndsThemWhateverTheReadsAndTerminators() throws IOException {
        String text = "a\nb\r\nc\rd\n\n\r\n  \nlast-without-end";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 2, 3, 5, 1 << 16}) {
            assertThat(lines(bytes, chunk)).as("chunk " + chunk).isEqualTo(readLines(bytes));
        }
        assertThat(lines(new byte[0], 4)).isEmpty();
        assertThat(lines("x\r".getBytes(StandardCharsets.UTF_8), 1)).containsExactly("x");
    }

    @Test
    void randomTextSplitsAsAReaderSplitsIt() throws IOException {
        Random random = new Random(11);
        String alphabet = "ab\r\n é€\t{}\"";
        for (int round = 0; round < 200; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(round < 100 ? 40 : 200_000);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            assertThat(lines(bytes, 1 + random.nextInt(70_000))).isEqualTo(readLines(bytes));
        }
    }

    @Test
    void eventsAreReadFromTheBytesAsFromTheTextAndBadLinesKeepTheirNumbersAndText() throws IOException {
        TrafficGenerator traffic = new TrafficGenerator(3);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<RequestEvent> written = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            RequestEvent event = traffic.next(1_764_000_000_000L + i * 50L).event();
            written.add(event);
            file.writeBytes((ContractJson.line(event) + (i % 3 == 0 ? "\r\n" : "\n")).getBytes(StandardCharsets.UTF_8));
            if (i == 100) {
                file.writeBytes("   \n".getBytes(StandardCharsets.UTF_8));
                file.writeBytes("{\"event_id\": \"broken\n".getBytes(StandardCharsets.UTF_8));
            }
            if (i == 200) {
                // Not UTF-8: read as text with a replacement character, then refused for what it is.
                file.writeBytes(new byte[] {'{', '"', 'x', (byte) 0xff, '"', ':', '1', '}', '\n'});
            }
        }
        Path path = dir.resolve("events.jsonl");
        Files.write(path, file.toByteArray());
        List<RequestEvent> read = new ArrayList<>();
        List<EventFiles.Entry> rejected = new ArrayList<>();
        try (EventFiles events = EventFiles.open(List.of(path))) {
            events.forEachRemaining(entry -> {
                if (entry.rejected()) {
                    rejected.add(entry);
                } else {
                    read.add(entry.event());
                }
            });
        }
        assertThat(read).isEqualTo(written);
        assertThat(rejected).extracting(EventFiles.Entry::line).containsExactly(103L, 204L);
        assertThat(rejected.get(0).raw()).isEqualTo("{\"event_id\": \"broken");
        assertThat(rejected.get(0).rejectReason()).startsWith("not JSON");
        assertThat(rejected.get(1).raw()).isEqualTo("{\"x\uFFFD\":1}");
    }
}
