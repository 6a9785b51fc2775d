/** Trains propensity MLPs in Java with DJL: a fitted feature spec, seeded training, early stopping. */
package io.propensitykit.train;
