package io.propensitykit.display;

import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.util.Locale;

/**
 * How the kit prints numbers in tables: a fixed number of decimals with thousands grouped, and a
 * value that rounds to zero printed without a sign (a shift of identical sides is a rounding error
 * either side of zero, not "-0.0000").
 */
public final class Formats {

    private Formats() {}

    /**
     * A column format with {@code places} decimals.
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
                return super.format(Math.abs(number) < half ? 0.0 : number, result, position);
            }
        };
        format.setRoundingMode(RoundingMode.HALF_UP); // as String.format rounds
        return format;
    }
}
