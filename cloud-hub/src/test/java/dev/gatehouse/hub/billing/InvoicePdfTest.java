package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

/**
 * The PDF of an invoice, read back with PDFBox's text extraction: what it says, the same bytes at
 * every rendering (time travel compares them), names the font cannot show, and many lines.
 */
class InvoicePdfTest {
    private static final InvoicePdf.Parties PARTIES =
            new InvoicePdf.Parties("Demo Coworking", "Ada Lovelace", "ada@example.com");

    private static Invoice invoice(String id, Invoice.Kind kind, List<Invoice.Line> lines, String currency) {
        long subtotal = lines.stream().mapToLong(Invoice.Line::amount).sum();
        long tax = Proration.share(Math.abs(subtotal), 1900, 10_000) * Long.signum(subtotal);
        return new Invoice(
                id,
                "mem_1",
                kind,
                kind == Invoice.Kind.INVOICE ? "INV" : "CN",
                7,
                currency,
                subtotal,
                "USt.",
                1900,
                tax,
                subtotal + tax,
                Instant.parse("2027-03-10T11:00:00Z"),
                Instant.parse("2027-03-24T11:00:00Z"),
                lines);
    }

    private static String text(byte[] pdf) throws IOException {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    private static int pages(byte[] pdf) throws IOException {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return document.getNumberOfPages();
        }
    }

    @Test
    void itSaysWhatTheInvoiceSaysAndIsTheSameBytesEveryTime() throws IOException {
        Invoice invoice = invoice(
                "inv_a",
                Invoice.Kind.INVOICE,
                List.of(
                        new Invoice.Line(1, "chg_1", "Monthly, from 2027-03-10", 14123),
                        new Invoice.Line(2, "chg_2", "Unused days of the old package, from 2027-03-25", -13481)),
                "EUR");
        byte[] pdf = InvoicePdf.render(invoice, PARTIES);

        assertThat(new String(pdf, 0, 5, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("%PDF-");
        assertThat(text(pdf))
                .contains(
                        "Invoice INV-000007",
                        "Demo Coworking",
                        "Ada Lovelace",
                        "ada@example.com",
                        "Issued 2027-03-10 (UTC)",
                        "Monthly, from 2027-03-10",
                        "141.23 EUR",
                        "-134.81 EUR",
                        "Subtotal",
                        "6.42 EUR",
                        "USt. 19.00 %",
                        "1.22 EUR",
                        "7.64 EUR");
        // Why: billing time travel must give identical documents, and a PDF mailed twice must not differ.
        assertThat(InvoicePdf.render(invoice, PARTIES)).isEqualTo(pdf);
        assertThat(InvoicePdf.render(invoice("inv_b", Invoice.Kind.INVOICE, invoice.lines(), "EUR"), PARTIES))
                .isNotEqualTo(pdf);
    }

    @Test
    void aCreditNoteANameTheFontCannotShowAndACurrencyWithoutCents() throws IOException {
        Invoice credit = invoice(
                "inv_c", Invoice.Kind.CREDIT_NOTE, List.of(new Invoice.Line(1, "chg_9", "Cancelled 😀", -5000)), "JPY");
        byte[] pdf =
                InvoicePdf.render(credit, new InvoicePdf.Parties("Łódź Hub", "Zoë Łukasiewicz", "zoe@example.com"));
        assertThat(text(pdf))
                .contains("Credit note CN-000007", "?ód? Hub", "Zoë ?ukasiewicz", "Cancelled ?", "-5000 JPY");
    }

    @Test
    void manyLinesGoOnToMorePages() throws IOException {
        List<Invoice.Line> lines = new ArrayList<>();
        for (int i = 1; i <= 120; i++) {
            lines.add(new Invoice.Line(i, "chg_" + i, "Room booking " + i, 2500));
        }
        byte[] pdf = InvoicePdf.render(invoice("inv_d", Invoice.Kind.INVOICE, lines, "EUR"), PARTIES);
        assertThat(pages(pdf)).isGreaterThan(2);
        assertThat(text(pdf)).contains("Room booking 60", "Room booking 120", "3000.00 EUR");
    }
}
