package io.propensitykit.notebook.planted;

/** Stands in for the runner's classes (another module) in {@code HouseRulesTest}. */
public final class RunnerPart {

    private RunnerPart() {}
}
