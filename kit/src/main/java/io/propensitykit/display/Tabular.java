package io.propensitykit.display;

import tech.tablesaw.api.Table;

/**
 * A result that shows itself in a note the one way every kit result does: as a table, its numbers
 * printed as people read them. Its {@code toString}, what a REPL echoes, is one short rounded line.
 *
 * <pre>{@code
 * val deciles = Deciles.of(scored, "propensity", "purchased")
 * deciles.show()                       // a Zeppelin %table
 * deciles.table().write().csv("deciles.csv")
 * }</pre>
 */
public interface Tabular {

    /**
     * The result as a Tablesaw table, each column with the print format its numbers call for.
     *
     * @return a new table
     */
    Table table();

    /** Shows {@link #table()} in the note, as Zeppelin {@code %table} output. */
    default void show() {
        Display.show(table());
    }
}
