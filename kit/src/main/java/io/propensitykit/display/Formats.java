package io.propensitykit.display;

import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the kit prints numbers in tables: a fixed number of decimals with thousands grouped, and a
 * value that rounds to zero printed without a sign (a shift of identical sides is a rounding error
 * either side of zero, not "-0.0000"). The kit's own tables choose each column's decimals; a table
 * of raw values (a DataFrame shown with {@code z.show}, a {@code %sql} result) is made readable
 * column by column in reports by {@link #readable(String, List)}.
 */
public final class Formats {

    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+\\.(\\d+)");
    private static final Pattern EXPONENT = Pattern.compile("-?\\d+(\\.\\d+)?[eE][-+]?\\d+");
    private static final Pattern GROUPED = Pattern.compile("-?\\d{1,3}(,\\d{3})+(\\.\\d+)?");
    private static final Pattern ID_COLUMN = Pattern.compile("(?i)(.*[_ ])?id");

    private Formats() {}

    /**
     * A value as one line, for a {@code toString}: a line break or another control character is
     * written as its escape ({@code \\n}, {@code \\u0007}), so that a name read from a file can
     * never start a line of its own in Zeppelin's output, where {@code %html} switches the type.
     *
     * @param value any value
     * @return its text on one line
     */
    public static String oneLine(Object value) {
        String text = String.valueOf(value);
        if (text.codePoints().noneMatch(Formats::breaksLine)) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(c -> {
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (breaksLine(c)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /**
     * Refuses a name that is not one line of text.
     *
     * @param what what the value names, for the message, e.g. {@code feature}
     * @param value the value, or null
     * @throws IllegalArgumentException when it holds a line break or another control character
     */
    public static void requireOneLine(String what, String value) {
        if (value != null && value.codePoints().anyMatch(Formats::breaksLine)) {
            throw new IllegalArgumentException("the " + what + " '" + oneLine(value) + "' holds a line break or"
                    + " another control character; a " + what + " is one line of text");
        }
    }

    private static boolean breaksLine(int c) {
        return Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
    }

    /** From here on, {@link #fixed} writes numbers with an exponent. */
    private static final double HUGE = 1e15;

    /**
     * A column format with {@code places} decimals; numbers of 10^15 and more in magnitude are
     * written with an exponent, as {@code 1.2346e+300}.
     *
     * @param places decimals, 0 or more
     * @return the formatter, for {@code column.setPrintFormatter(...)}
     */
    public static NumberColumnFormatter fixed(int places) {
        return new NumberColumnFormatter(decimals(places));
    }

    private static DecimalFormat decimals(int places) {
        if (places < 0) {
            throw new IllegalArgumentException("decimals must be 0 or more, found " + places);
        }
        String pattern = places == 0 ? "#,##0" : "#,##0." + "0".repeat(places);
        double half = 0.5 * Math.pow(10, -places);
        DecimalFormat format = new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT)) {
            private static final long serialVersionUID = 1L;

            @Override
            public StringBuffer format(double number, StringBuffer result, FieldPosition position) {
                if (Double.isFinite(number) && Math.abs(number) >= HUGE) {
                    // 1e300 in fixed notation is a 300-digit cell that widens the whole table.
                    return result.append(String.format(Locale.ROOT, "%." + Math.max(places, 1) + "e", number));
                }
                return super.format(Math.abs(number) < half ? 0.0 : number, result, position);
            }
        };
        format.setRoundingMode(RoundingMode.HALF_UP); // as String.format rounds
        return format;
    }

    /**
     * One column of a table made readable, and whether it holds numbers. Whole numbers get thousands
     * separators, except in an identifier column ({@code id}, {@code customer_id}); raw decimals (more
     * than six places, or an exponent) are rounded to places chosen by the column's size: 4 below 10
     * (rates, probabilities), 2 below 1,000, none above. Numbers already written with their places
     * keep them, grouped; text, {@code null} and blanks stay as they are.
     *
     * @param column the header, to tell identifiers apart
     * @param cells the column's cells as text
     * @return the cells to show
     */
    public static Column readable(String column, List<String> cells) {
        boolean id = ID_COLUMN.matcher(column.strip()).matches() || column.strip().matches(".*[a-z]Id");
        boolean numeric = false;
        double largest = 0;
        for (String cell : cells) {
            String c = cell.strip();
            if (c.isEmpty() || c.equals("null") || c.equals("NaN")) {
                continue;
            }
            if (!(INTEGER.matcher(c).matches() || DECIMAL.matcher(c).matches() || EXPONENT.matcher(c).matches()
                    || GROUPED.matcher(c).matches())) {
                return new Column(List.copyOf(cells), false);
            }
            numeric = true;
            largest = Math.max(largest, Math.abs(Double.parseDouble(c.replace(",", ""))));
        }
        if (!numeric) {
            return new Column(List.copyOf(cells), false);
        }
        int rawPlaces = largest < 10 ? 4 : largest < 1_000 ? 2 : 0;
        List<String> shown = new ArrayList<>(cells.size());
        for (String cell : cells) {
            String c = cell.strip();
            var decimal = DECIMAL.matcher(c);
            if (INTEGER.matcher(c).matches() && !id) {
                shown.add(decimals(0).format(new BigDecimal(c)));
            } else if (decimal.matches() && decimal.group(1).length() <= 6) {
                shown.add(decimals(decimal.group(1).length()).format(new BigDecimal(c)));
            } else if (decimal.matches() || EXPONENT.matcher(c).matches()) {
                shown.add(decimals(rawPlaces).format(Double.parseDouble(c)));
            } else {
                shown.add(cell);
            }
        }
        return new Column(shown, true);
    }

    /**
     * A column as shown.
     *
     * @param cells the cells
     * @param numeric whether every cell that holds a value holds a number (shown right-aligned)
     */
    public record Column(List<String> cells, boolean numeric) {}
}
