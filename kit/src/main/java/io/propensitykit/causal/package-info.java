/** Treatment-propensity diagnostics and effect estimates: overlap, weights, balance, IPW and AIPW. */
package io.propensitykit.causal;
