/**
 * Pieces the kit's packages share and users need not: quantile edges, column checks, digests. Not
 * API: it may change between releases, and it depends on no other package of the kit.
 */
package io.propensitykit.internal;
