/** Scores Spark DataFrames with a propensity model: batched per partition, as a SQL UDF, or as an ML Transformer. */
package io.propensitykit.spark;
