/** Data with a known answer (the seeded retail generator) and loaders for the public propensity datasets. */
package io.propensitykit.data;
