/** Propensity metrics: ranking quality, calibration and lift, exact on arrays and at Spark scale. */
package io.propensitykit.metrics;
