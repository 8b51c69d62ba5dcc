package io.simproc.control;

import io.simproc.config.ConfigException;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A scenario as text with the name and directory it is parsed against: what a checkpoint keeps, so that a restore
 * parses exactly what the daemon ran, whatever became of the file since.
 */
public record ScenarioSource(String file, String text, String dir) {
    /** Read a scenario file. */
    public static ScenarioSource read(Path file) {
        try {
            return new ScenarioSource(file.toString(), Files.readString(file, StandardCharsets.UTF_8),
                    file.toAbsolutePath().getParent().toString());
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, 0, "cannot read scenario: " + e.getMessage());
        }
    }

    /** Parse it; a relative {@code machine:} path resolves against {@link #dir()} (null: the working directory). */
    public Scenario parse(ScenarioParser parser) {
        return parser.parse(file, text, dir == null ? null : Path.of(dir));
    }
}
