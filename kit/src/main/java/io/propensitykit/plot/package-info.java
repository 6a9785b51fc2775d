/**
 * Pictures of the kit's results drawn with XChart, one class per family of results (scores, effects, drift,
 * explanations), computing nothing: shown as %html or saved.
 */
package io.propensitykit.plot;
