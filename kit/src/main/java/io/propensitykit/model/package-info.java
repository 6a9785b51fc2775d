/** Loads a propensity model (TorchScript or DJL-saved) once per JVM, checks it, and scores float batches. */
package io.propensitykit.model;
