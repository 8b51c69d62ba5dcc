package io.simproc.control;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Simulation;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.ScenarioRun;
import io.simproc.scenario.StepRegistry;

/**
 * What control requests act on: the mounted machine, the simulation thread pacing it, the scenarios running on it,
 * and the journal of its inputs that checkpoints are made of.
 */
public record Daemon(Kernel kernel, Simulation simulation, ScenarioEngine scenarios, Journal journal) {
    /** The parser of the scenarios this daemon accepts. */
    public ScenarioParser parser() {
        return new ScenarioParser(StepRegistry.standard());
    }

    /**
     * Start {@code scenario} (parsed from {@code source}) as the machine's writer and journal it: at mount time its
     * time 0 is the next jiffy; otherwise its steps at 0 run now.
     */
    public ScenarioRun runScenario(ScenarioSource source, Scenario scenario, boolean atMount) {
        return kernel.mutate(() -> {
            journal.scenario(kernel.jiffies(), atMount, source);
            return atMount ? scenarios.start(scenario) : scenarios.runNow(scenario);
        });
    }
}
