package dev.gatehouse.hub.billing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.Currency;
import java.util.GregorianCalendar;
import java.util.Locale;
import java.util.TimeZone;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * An invoice or credit note as a PDF (Apache PDFBox), the same bytes every time it is rendered: the
 * document's metadata are fixed (its creation date is the issue date, its file id derives from the
 * document's id, no producer's clock), so time travel and re-rendering give identical files. Text is
 * set in Helvetica (WinAnsi); a character it cannot show is printed as {@code ?}, never an error.
 */
public final class InvoicePdf {
    private static final float MARGIN = 56;
    private static final float LINE = 16;
    private static final PDType1Font REGULAR = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    private static final PDType1Font BOLD = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);

    /** Who sells and who is billed, as printed. */
    public record Parties(String seller, String buyerName, String buyerEmail) {}

    private InvoicePdf() {}

    public static byte[] render(Invoice invoice, Parties parties) {
        try (PDDocument pdf = new PDDocument()) {
            PDDocumentInformation info = pdf.getDocumentInformation();
            info.setTitle(title(invoice) + " " + invoice.documentNumber());
            info.setAuthor(safe(REGULAR, parties.seller()));
            info.setCreator("Gatehouse");
            info.setProducer("Gatehouse");
            Calendar issued = new GregorianCalendar(TimeZone.getTimeZone("UTC"), Locale.ROOT);
            issued.setTimeInMillis(invoice.issuedAt().toEpochMilli());
            info.setCreationDate(issued);
            info.setModificationDate(issued);
            pdf.setDocumentId(documentId(invoice.id()));
            Pages pages = new Pages(pdf);
            pages.text(BOLD, 20, MARGIN, title(invoice) + " " + invoice.documentNumber());
            pages.down(LINE * 2);
            pages.text(BOLD, 11, MARGIN, parties.seller());
            pages.down(LINE);
            pages.text(
                    REGULAR,
                    10,
                    MARGIN,
                    "Issued " + LocalDate.ofInstant(invoice.issuedAt(), ZoneOffset.UTC) + " (UTC)");
            pages.down(LINE * 2);
            pages.text(REGULAR, 10, MARGIN, "Billed to");
            pages.down(LINE);
            pages.text(BOLD, 11, MARGIN, parties.buyerName());
            pages.down(LINE);
            pages.text(REGULAR, 10, MARGIN, parties.buyerEmail());
            pages.down(LINE * 2);
            pages.text(BOLD, 10, MARGIN, "Description");
            pages.right(BOLD, 10, "Amount");
            pages.down(LINE);
            for (Invoice.Line line : invoice.lines()) {
                pages.text(REGULAR, 10, MARGIN, line.description());
                pages.right(REGULAR, 10, money(line.amount(), invoice.currency()));
                pages.down(LINE);
            }
            pages.down(LINE / 2);
            pages.text(REGULAR, 10, MARGIN, "Subtotal");
            pages.right(REGULAR, 10, money(invoice.subtotal(), invoice.currency()));
            pages.down(LINE);
            pages.text(
                    REGULAR,
                    10,
                    MARGIN,
                    invoice.taxName() + " "
                            + BigDecimal.valueOf(invoice.taxRateBasisPoints(), 2)
                                    .toPlainString() + " %");
            pages.right(REGULAR, 10, money(invoice.tax(), invoice.currency()));
            pages.down(LINE);
            pages.text(BOLD, 11, MARGIN, "Total");
            pages.right(BOLD, 11, money(invoice.total(), invoice.currency()));
            pages.close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pdf.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("rendering " + invoice.documentNumber() + " as PDF", e);
        }
    }

    private static String title(Invoice invoice) {
        return invoice.kind() == Invoice.Kind.INVOICE ? "Invoice" : "Credit note";
    }

    /** Minor units as the currency writes them: {@code 24900 EUR} → {@code 249.00 EUR}. */
    static String money(long minor, String currency) {
        int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
        return BigDecimal.valueOf(minor, digits).toPlainString() + " " + currency;
    }

    /** The text with every character the font cannot show replaced by {@code ?}. */
    static String safe(PDType1Font font, String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> {
            String one = new String(Character.toChars(cp));
            try {
                font.encode(one);
                out.append(Character.isISOControl(cp) ? " " : one);
            } catch (IOException | IllegalArgumentException e) {
                out.append('?');
            }
        });
        return out.toString();
    }

    private static long documentId(String id) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (hash[i] & 0xff);
            }
            return value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A cursor over A4 pages that starts a new page when the current one is full. */
    private static final class Pages {
        private final PDDocument pdf;
        private PDPageContentStream stream;
        private float y;

        Pages(PDDocument pdf) throws IOException {
            this.pdf = pdf;
            newPage();
        }

        private void newPage() throws IOException {
            if (stream != null) {
                stream.close();
            }
            PDPage page = new PDPage(PDRectangle.A4);
            pdf.addPage(page);
            stream = new PDPageContentStream(pdf, page);
            y = PDRectangle.A4.getHeight() - MARGIN;
        }

        void down(float by) throws IOException {
            y -= by;
            if (y < MARGIN) {
                newPage();
            }
        }

        void text(PDType1Font font, float size, float x, String text) throws IOException {
            stream.beginText();
            stream.setFont(font, size);
            stream.newLineAtOffset(x, y);
            stream.showText(clip(font, size, safe(font, text), PDRectangle.A4.getWidth() - 2 * MARGIN - 110));
            stream.endText();
        }

        void right(PDType1Font font, float size, String text) throws IOException {
            String safe = safe(font, text);
            float width = font.getStringWidth(safe) / 1000 * size;
            stream.beginText();
            stream.setFont(font, size);
            stream.newLineAtOffset(PDRectangle.A4.getWidth() - MARGIN - width, y);
            stream.showText(safe);
            stream.endText();
        }

        /** The text cut to {@code width} points with an ellipsis of dots. */
        private static String clip(PDType1Font font, float size, String text, float width) throws IOException {
            String cut = text;
            while (!cut.isEmpty() && font.getStringWidth(cut) / 1000 * size > width) {
                cut = cut.substring(0, cut.length() - 1);
            }
            return cut.length() == text.length() ? text : cut.substring(0, Math.max(0, cut.length() - 3)) + "...";
        }

        void close() throws IOException {
            stream.close();
        }
    }
}
