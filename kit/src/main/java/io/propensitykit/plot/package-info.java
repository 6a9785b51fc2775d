/** Score-distribution and diagnostic plots drawn with XChart, binned inside Spark, shown as %html or saved. */
package io.propensitykit.plot;
