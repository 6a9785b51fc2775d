/**
 * Reruns Zeppelin notes without a server, writing the executed note and a self-contained HTML report.
 *
 * <p>It behaves as Zeppelin 0.12's Spark interpreter where a note can tell: {@code z.show(df, n)}
 * shows up to {@code zeppelin.spark.maxResult} rows whatever {@code n} is; output markers split
 * results as Zeppelin's {@code InterpreterOutput} does; {@code %spark.conf} applies before Spark
 * starts. Known differences: only {@code %spark}, {@code %spark.sql}/{@code %sql}, {@code %md}
 * and {@code %spark.conf} run; a line of the REPL's echo that starts with {@code %} is indented by
 * a space, so that data held in a {@code val} stays text; the echo is not coloured; a paragraph
 * has a timeout ({@code --paragraph-timeout}), which Zeppelin has not by default.
 */
package io.propensitykit.notebook;
