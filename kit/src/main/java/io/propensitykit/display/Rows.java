package io.propensitykit.display;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Lays a result's rows out as a Tablesaw table, a column at a time, each number column with its
 * decimals: how every kit result builds its {@link Tabular#table()}.
 *
 * <pre>{@code
 * return Rows.of("deciles", rows).count("decile", Decile::decile).number("rate", Decile::rate, 4).table();
 * }</pre>
 *
 * @param <R> the row type
 */
public final class Rows<R> {

    private final String name;
    private final List<R> rows;
    private final List<Column<?>> columns = new ArrayList<>();

    private Rows(String name, List<R> rows) {
        this.name = name;
        this.rows = List.copyOf(rows);
    }

    /**
     * Starts a table of these rows.
     *
     * @param name the table's name
     * @param rows one element per table row
     * @param <R> the row type
     * @return the table to lay out
     */
    public static <R> Rows<R> of(String name, List<R> rows) {
        return new Rows<>(name, rows);
    }

    /**
     * A text column.
     *
     * @param column the header
     * @param value the cell of a row; null prints as an empty cell
     * @return these rows
     */
    public Rows<R> text(String column, Function<R, ?> value) {
        columns.add(StringColumn.create(column, rows.stream().map(r -> {
            Object v = value.apply(r);
            return v == null ? "" : v.toString();
        }).toList()));
        return this;
    }

    /**
     * A whole-number column (rows, counts, an index), thousands grouped.
     *
     * @param column the header
     * @param value the cell of a row
     * @return these rows
     */
    public Rows<R> count(String column, ToLongFunction<R> value) {
        LongColumn c = LongColumn.create(column, rows.stream().mapToLong(value).toArray());
        c.setPrintFormatter(Formats.fixed(0));
        columns.add(c);
        return this;
    }

    /**
     * A number column printed with {@code places} decimals ({@link Formats#fixed(int)}).
     *
     * @param column the header
     * @param value the cell of a row
     * @param places decimals
     * @return these rows
     */
    public Rows<R> number(String column, ToDoubleFunction<R> value, int places) {
        DoubleColumn c = DoubleColumn.create(column, rows.stream().mapToDouble(value).toArray());
        c.setPrintFormatter(Formats.fixed(places));
        columns.add(c);
        return this;
    }

    /**
     * The table.
     *
     * @return a new table with the columns in the order they were added
     */
    public Table table() {
        return Table.create(name, columns.toArray(new Column<?>[0]));
    }
}
