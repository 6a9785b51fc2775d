/**
 * Why a model scores as it does, computed inside Spark: permutation importance and partial dependence with ICE
 * curves; the results ({@code ImportanceReport}, {@code Dependence}) need no Spark to be shown or drawn.
 */
package io.propensitykit.explain;
