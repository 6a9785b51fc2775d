package io.propensitykit.causal;

/** Whose average effect a weighting targets. */
public enum Estimand {
    /** Average treatment effect over everyone: treated 1/e, control 1/(1-e). */
    ATE,
    /** Average effect on the treated: treated 1, control e/(1-e). */
    ATT,
    /** Average effect on the controls: treated (1-e)/e, control 1. */
    ATC
}
