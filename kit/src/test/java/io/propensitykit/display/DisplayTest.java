package io.propensitykit.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Tables as people read them: numbers grouped and rounded by column, identifiers and text untouched. */
class DisplayTest {

    @Test
    void fixedPlacesSwitchToAnExponentForHugeNumbers() {
        var f = Formats.fixed(4).getFormat();
        assertEquals("123,456.7891", f.format(123456.78912));
        assertEquals("999,999,999,999,999.0000", f.format(999_999_999_999_999.0));
        assertEquals("1.0000e+15", f.format(1e15));
        assertEquals("-2.5000e+300", f.format(-2.5e300));
        assertEquals("0.0000", f.format(-0.00001), "no negative zero");
    }

    @Test
    void aNameIsPrintedOnOneLineOrRefused() {
        assertEquals("/models/x\\n%html <b>\\r\\u0007\\u2028.pt",
                Formats.oneLine("/models/x\n%html <b>\r\u0007\u2028.pt"));
        assertEquals("plain name, kept", Formats.oneLine("plain name, kept"));
        assertEquals("the feature 'a\\nb' holds a line break or another control character; a feature is one line of"
                + " text", assertThrows(IllegalArgumentException.class, () -> Formats.requireOneLine("feature", "a\nb"))
                .getMessage());
    }

    @Test
    void countsAreGroupedAndIdentifiersAreNot() {
        Formats.Column customers = Formats.readable("customers", List.of("20094", "1234567", "7", "-45000"));
        assertEquals(List.of("20,094", "1,234,567", "7", "-45,000"), customers.cells());
        assertTrue(customers.numeric());
        for (String id : List.of("customer_id", "id", "ID", "Customer Id", "customerId")) {
            assertEquals(List.of("100234", "7"), Formats.readable(id, List.of("100234", "7")).cells(), id);
        }
        // "paid" ends in "id" but is no identifier.
        assertEquals(List.of("12,000"), Formats.readable("paid", List.of("12000")).cells());
    }

    @Test
    void rawDecimalsAreRoundedByTheColumnsSize() {
        // Hand-rounded references: HALF_UP at the places the column's largest magnitude picks.
        assertEquals(List.of("0.4907", "0.0120"),
                Formats.readable("rate", List.of("0.4906937394247039", "0.012000000000000002")).cells());
        assertEquals(List.of("523.41", "17.00"), Formats.readable("monetary", List.of("523.4123456789", "17.0000000001"))
                .cells());
        assertEquals(List.of("1,523", "-20,001"), Formats.readable("stddev", List.of("1523.4123456789", "-20000.5000001"))
                .cells());
        assertEquals(List.of("0.0000"), Formats.readable("tiny", List.of("-1.0E-9")).cells(), "no -0.0000");
        // Written with their places already (a %sql round(x, 4), the kit's own formatters): kept, grouped.
        assertEquals(List.of("0.4907", "20,094.5", "12,345.25"),
                Formats.readable("mixed", List.of("0.4907", "20094.5", "12,345.25")).cells());
    }

    @Test
    void textNullsAndMixedColumnsStayAsTheyAre() {
        Formats.Column channel = Formats.readable("channel", List.of("web", "12345"));
        assertEquals(List.of("web", "12345"), channel.cells());
        assertFalse(channel.numeric());
        Formats.Column withNulls = Formats.readable("n", List.of("null", "", "NaN", "12345"));
        assertEquals(List.of("null", "", "NaN", "12,345"), withNulls.cells());
        assertTrue(withNulls.numeric());
    }

    @Test
    void anHtmlTableEscapesCellsAndAlignsNumbers() {
        String html = Display.htmlTable("channel\tcustomers\tmean_score\n<web>\t20094\t0.4906937394247039\nstore\t312\t0.25\n");
        assertEquals("<table class=\"result\">\n"
                + "<tr><th>channel</th><th class=\"num\">customers</th><th class=\"num\">mean_score</th></tr>\n"
                + "<tr><td>&lt;web&gt;</td><td class=\"num\">20,094</td><td class=\"num\">0.4907</td></tr>\n"
                + "<tr><td>store</td><td class=\"num\">312</td><td class=\"num\">0.25</td></tr>\n"
                + "</table>", html);
    }

    /** A rerun's report: a changed cell keeps this run's value, the earlier one beside it, both escaped. */
    @Test
    void aChangedCellShowsWhatItWas() {
        String html = Display.htmlTable("channel\tcustomers\n<web>\t20094\nstore\t312\n",
                (row, column) -> row == 0 && column == 1 ? "19,000" : row == 1 && column == 0 ? "<shop>" : null);
        assertEquals("<table class=\"result\">\n"
                + "<tr><th>channel</th><th class=\"num\">customers</th></tr>\n"
                + "<tr><td>&lt;web&gt;</td><td class=\"num changed\">20,094 <span class=\"was\">was 19,000</span></td></tr>\n"
                + "<tr><td class=\"changed\">store <span class=\"was\">was &lt;shop&gt;</span></td><td class=\"num\">312</td>"
                + "</tr>\n</table>", html);
    }

    @Test
    void rowsCountsAreGrouped() {
        record R(long n) {}
        String data = Display.tableData(Rows.of("t", List.of(new R(20094), new R(3))).count("n", R::n).table());
        assertEquals("n\n20,094\n3\n", data);
    }
}
