package io.simproc.control;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Simulation;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.StepRegistry;

/**
 * What control requests act on: the mounted machine, the simulation thread pacing it, and the scenarios running on
 * it.
 */
public record Daemon(Kernel kernel, Simulation simulation, ScenarioEngine scenarios) {
    /** The parser of the scenarios this daemon accepts. */
    public ScenarioParser parser() {
        return new ScenarioParser(StepRegistry.standard());
    }
}
