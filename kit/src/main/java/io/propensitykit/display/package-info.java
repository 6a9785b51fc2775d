/** Zeppelin output ({@code %table}, {@code %html}, {@code %text}) from the kit's results, with one escaping rule. */
package io.propensitykit.display;
