package io.simproc.record;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a recording to a file in the format its extension names: {@code .csv} (CSV), {@code .om} or {@code .txt}
 * (OpenMetrics text). Atomically: a temporary file beside it, renamed when complete.
 */
public final class RecordingFiles {
    /** The formats, by extension. */
    public enum Format {
        CSV, OPENMETRICS
    }

    private RecordingFiles() {
    }

    /** The format of {@code file}; an IllegalArgumentException of one line for another extension. */
    public static Format formatOf(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        if (name.endsWith(".om") || name.endsWith(".txt")) {
            return Format.OPENMETRICS;
        }
        throw new IllegalArgumentException(file + ": unknown recording format (name it .csv for CSV, .om or .txt for"
                + " OpenMetrics)");
    }

    /**
     * Write {@code r} to {@code file}; OpenMetrics timestamps count from {@code startEpochMillis} at scenario time
     * 0 and every sample carries the {@code target} labels (job, instance).
     */
    public static void write(Path file, Recording r, long startEpochMillis, Map<String, String> target)
            throws IOException {
        Format format = formatOf(file);
        Path abs = file.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                if (format == Format.CSV) {
                    CsvWriter.write(r, w);
                } else {
                    OpenMetricsWriter.write(r, startEpochMillis, target, w);
                }
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
