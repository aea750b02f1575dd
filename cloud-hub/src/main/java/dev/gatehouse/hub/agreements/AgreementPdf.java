package dev.gatehouse.hub.agreements;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.List;
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
 * A signed visitor agreement as a PDF (Apache PDFBox): the text the visitor read (the published
 * version rendered with the signature's variables), then who signed, when, where, and the hashes that
 * tie it to the published version. The same bytes every time (no producer's clock). Helvetica
 * (WinAnsi): a character it cannot show is printed as {@code ?}.
 */
final class AgreementPdf {
    private static final float MARGIN = 56;
    private static final float LINE = 14;
    private static final float WIDTH = PDRectangle.A4.getWidth() - 2 * MARGIN;
    private static final PDType1Font REGULAR = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    private static final PDType1Font BOLD = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
    private static final PDType1Font MONO = new PDType1Font(Standard14Fonts.FontName.COURIER);

    private AgreementPdf() {}

    static byte[] render(AgreementStore.Signature signature, String title, String rendered, String siteName) {
        try (PDDocument pdf = new PDDocument()) {
            PDDocumentInformation info = pdf.getDocumentInformation();
            info.setTitle(safe(REGULAR, title) + " signed by " + safe(REGULAR, signature.signerName()));
            info.setCreator("Gatehouse");
            info.setProducer("Gatehouse");
            Calendar signed = new GregorianCalendar(TimeZone.getTimeZone("UTC"), Locale.ROOT);
            signed.setTimeInMillis(signature.signedAt().toEpochMilli());
            info.setCreationDate(signed);
            info.setModificationDate(signed);
            Cursor page = new Cursor(pdf);
            // The rendered text starts with the title line; print it bold, the rest as written.
            String[] lines = rendered.split("\n", -1);
            page.wrapped(BOLD, 16, lines[0]);
            page.down(LINE / 2);
            for (int i = 1; i < lines.length; i++) {
                page.wrapped(REGULAR, 11, lines[i]);
            }
            page.down(LINE);
            page.wrapped(BOLD, 11, "Signed");
            page.wrapped(
                    REGULAR,
                    10,
                    "by " + signature.signerName()
                            + signature.signerEmail().map(e -> " <" + e + ">").orElse(""));
            page.wrapped(
                    REGULAR,
                    10,
                    "at " + siteName + " (" + signature.source() + "), "
                            + signature.signedAt().atOffset(ZoneOffset.UTC).toLocalDateTime() + " UTC");
            page.wrapped(
                    REGULAR,
                    10,
                    "sign-in event " + signature.eventId()
                            + signature.passId().map(p -> ", visitor pass " + p).orElse(""));
            page.wrapped(REGULAR, 10, "agreement " + signature.agreementId() + " version " + signature.version());
            page.wrapped(MONO, 8, "version sha256  " + signature.sha256());
            page.wrapped(MONO, 8, "document sha256 " + signature.renderedSha256());
            page.close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pdf.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("rendering signature " + signature.id() + " as PDF", e);
        }
    }

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

    /** A cursor over A4 pages that wraps lines at the margin and starts a new page when one is full. */
    private static final class Cursor {
        private final PDDocument pdf;
        private PDPageContentStream stream;
        private float y;

        Cursor(PDDocument pdf) throws IOException {
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

        void wrapped(PDType1Font font, float size, String text) throws IOException {
            for (String line : wrap(font, size, safe(font, text))) {
                stream.beginText();
                stream.setFont(font, size);
                stream.newLineAtOffset(MARGIN, y);
                stream.showText(line);
                stream.endText();
                down(size + 4);
            }
        }

        private static List<String> wrap(PDType1Font font, float size, String text) throws IOException {
            List<String> out = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            for (String word : text.split(" ", -1)) {
                String candidate = line.isEmpty() ? word : line + " " + word;
                if (!line.isEmpty() && font.getStringWidth(candidate) / 1000 * size > WIDTH) {
                    out.add(line.toString());
                    line = new StringBuilder(word);
                } else {
                    line = new StringBuilder(candidate);
                }
            }
            out.add(line.toString());
            return out;
        }

        void close() throws IOException {
            stream.close();
        }
    }
}
