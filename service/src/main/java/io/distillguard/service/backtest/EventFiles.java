package io.distillguard.service.backtest;

import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.json.ContractJson;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Reads request events from files, one after the other in the order given: JSON Lines (gzip-compressed or not,
 * detected from the bytes, not the name) and Avro object container files (their writer schema resolved against
 * RequestEvent). A line that is not a valid event comes back as a rejected {@link Entry} with its reason, and
 * reading goes on.
 */
public final class EventFiles implements Iterator<EventFiles.Entry>, AutoCloseable {

    /** One event, or the reason its line was rejected; {@code line} is 1-based (the record number for Avro). */
    public record Entry(Path file, long line, RequestEvent event, String rejectReason, String raw) {
        public boolean rejected() {
            return rejectReason != null;
        }
    }

    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

    private final List<Path> files;
    private final AtomicLong bytesRead = new AtomicLong();
    private int fileIndex = -1;
    private Iterator<Entry> current = List.<Entry>of().iterator();
    private AutoCloseable open;

    private EventFiles(List<Path> files) {
        this.files = files;
    }

    /** Checks every file before any is read, so that a typo fails at once and not after an hour of work. */
    public static EventFiles open(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("No event files given");
        }
        for (Path file : files) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException("Cannot read event file " + file
                        + (Files.exists(file) ? " (not a readable regular file)" : " (no such file)"));
            }
            if (file.toFile().length() == 0) {
                throw new IllegalArgumentException(file + " is empty: an event file holds one JSON RequestEvent a line");
            }
        }
        return new EventFiles(List.copyOf(files));
    }

    /** Total size of the files on disk, for progress. */
    public long totalBytes() {
        long total = 0;
        for (Path file : files) {
            try {
                total += Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return total;
    }

    /** Bytes of the files consumed so far (compressed bytes for gzip files). */
    public long bytesRead() {
        return bytesRead.get();
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext()) {
            closeCurrent();
            if (++fileIndex >= files.size()) {
                return false;
            }
            current = openFile(files.get(fileIndex));
        }
        return true;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }

    @Override
    public void close() {
        closeCurrent();
    }

    private void closeCurrent() {
        if (open != null) {
            try {
                open.close();
            } catch (Exception e) {
                // Closing a file we only read cannot lose data.
            }
            open = null;
        }
    }

    private Iterator<Entry> openFile(Path file) {
        try {
            InputStream in = new BufferedInputStream(new CountingInputStream(Files.newInputStream(file), bytesRead), 1 << 16);
            byte[] head = peek(in, 4);
            if (head.length == 4 && head[0] == AVRO_MAGIC[0] && head[1] == AVRO_MAGIC[1] && head[2] == AVRO_MAGIC[2]
                    && head[3] == AVRO_MAGIC[3]) {
                return avro(file, in);
            }
            if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            }
            return jsonLines(file, in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read event file " + file + ": " + e.getMessage(), e);
        }
    }

    private Iterator<Entry> jsonLines(Path file, InputStream in) {
        open = in;
        Utf8Lines lines = new Utf8Lines(in);
        return new Iterator<>() {
            private long lineNumber;
            private boolean more = read();

            private boolean read() {
                try {
                    boolean found;
                    do {
                        found = lines.next();
                        lineNumber++;
                    } while (found && lines.blank());
                    return found;
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + file + " at line " + lineNumber + ": " + e.getMessage(), e);
                }
            }

            @Override
            public boolean hasNext() {
                return more;
            }

            @Override
            public Entry next() {
                if (!more) {
                    throw new NoSuchElementException();
                }
                long number = lineNumber;
                Entry entry;
                try {
                    entry = new Entry(file, number, ContractJson.read(lines.buffer(), lines.start(), lines.length(),
                            RequestEvent.class), null, null);
                } catch (IllegalArgumentException e) {
                    entry = new Entry(file, number, null, e.getMessage(), lines.text());
                }
                more = read();
                return entry;
            }
        };
    }

    /**
     * The lines of a UTF-8 stream as spans of one byte buffer, for the JSON parser to read without a String of each
     * (decoding every line to text, then the parser reading the text, was a tenth of a backtest's reading). Lines end
     * as {@link BufferedReader#readLine} ends them: at a line feed, a carriage return, or both.
     *
     * <p>Written by hand: the JDK and Jackson read lines only as text.
     */
    static final class Utf8Lines {
        private final InputStream in;
        private byte[] buffer = new byte[1 << 16];
        private int filled;
        private int start;
        private int end;
        private int next;
        private boolean eof;

        Utf8Lines(InputStream in) {
            this.in = in;
        }

        /** Moves to the next line; false at the end of the stream. */
        boolean next() throws IOException {
            start = next;
            int scan = start;
            while (true) {
                for (; scan < filled; scan++) {
                    byte b = buffer[scan];
                    if (b == '\n' || b == '\r') {
                        if (b == '\r' && scan + 1 == filled && !eof) {
                            // A carriage return at the end of what is read: a line feed may follow it.
                            break;
                        }
                        end = scan;
                        next = scan + 1 < filled && b == '\r' && buffer[scan + 1] == '\n' ? scan + 2 : scan + 1;
                        return true;
                    }
                }
                if (eof) {
                    if (start == filled) {
                        return false;
                    }
                    end = filled;
                    next = filled;
                    return true;
                }
                int offset = scan - start;
                fill();
                scan = start + offset;
            }
        }

        /** Keeps the current line's bytes and reads more after them, growing the buffer for a line longer than it. */
        private void fill() throws IOException {
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                next -= start;
                start = 0;
            }
            if (filled == buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                eof = true;
            } else {
                filled += n;
            }
        }

        byte[] buffer() {
            return buffer;
        }

        int start() {
            return start;
        }

        int length() {
            return end - start;
        }

        String text() {
            return new String(buffer, start, end - start, StandardCharsets.UTF_8);
        }

        /** Whether the line is empty or white space only ({@link String#isBlank}). */
        boolean blank() {
            for (int i = start; i < end; i++) {
                int b = buffer[i] & 0xff;
                if (b >= 0x80) {
                    return text().isBlank();
                }
                if (!Character.isWhitespace(b)) {
                    return false;
                }
            }
            return true;
        }
    }

    private Iterator<Entry> avro(Path file, InputStream in) throws IOException {
        DataFileStream<RequestEvent> stream = new DataFileStream<>(in, new SpecificDatumReader<>(RequestEvent.class));
        open = stream;
        return new Iterator<>() {
            private long record;

            @Override
            public boolean hasNext() {
                return stream.hasNext();
            }

            @Override
            public Entry next() {
                record++;
                try {
                    return new Entry(file, record, stream.next(), null, null);
                } catch (RuntimeException e) {
                    return new Entry(file, record, null, "unreadable Avro record: " + e.getMessage(), null);
                }
            }
        };
    }

    private static byte[] peek(InputStream in, int n) throws IOException {
        in.mark(n);
        byte[] head = in.readNBytes(n);
        in.reset();
        return head;
    }

    /** Counts bytes as they are read from disk. */
    private static final class CountingInputStream extends FilterInputStream {
        private final AtomicLong counter;

        CountingInputStream(InputStream in, AtomicLong counter) {
            super(in);
            this.counter = counter;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counter.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counter.addAndGet(n);
            }
            return n;
        }
    }
}
