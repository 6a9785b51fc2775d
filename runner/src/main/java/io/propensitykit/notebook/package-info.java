/** Reruns Zeppelin notes without a server, writing the executed note and a self-contained HTML report. */
package io.propensitykit.notebook;
