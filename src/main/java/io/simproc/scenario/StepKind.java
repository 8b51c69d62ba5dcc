package io.simproc.scenario;

import io.simproc.config.YamlNode;

/**
 * A kind of timeline step: the YAML key that names it ({@code malloc}, {@code spawn}...) and the parser of its
 * value. Parsing checks everything that can be checked before the machine runs — keys, sizes, references to
 * processes and regions through {@link Names} — and throws {@link io.simproc.config.ConfigException} at the
 * offending node. Kinds are registered in {@link StepRegistry#standard()}.
 */
public interface StepKind {
    /** The key of a timeline entry that selects this kind. */
    String key();

    /** Parse the step's value; {@code names} holds the processes and regions defined by earlier entries. */
    Step parse(YamlNode value, Names names);
}
