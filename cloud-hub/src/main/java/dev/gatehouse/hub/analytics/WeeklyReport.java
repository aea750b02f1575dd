package dev.gatehouse.hub.analytics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * A site's weekly report, as mail text and as a one-page PDF (PDFBox, as the invoices): the four
 * occupancies of a week from Monday to Sunday in the site's zone, each with its definition — the same
 * figures and words as the console and the API, from the same {@link Analytics.SiteReport}.
 */
public final class WeeklyReport {
    private static final PDType1Font REGULAR = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    private static final PDType1Font BOLD = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
    private static final int WRAP = 100;

    private WeeklyReport() {}

    /** One figure of the report: its name, its value as text, and its definition. */
    record Figure(String name, String value, String definition) {}

    private static String percent(Optional<Double> ratio) {
        return ratio.map(v -> String.format(Locale.ROOT, "%.1f %%", v * 100)).orElse("n/a");
    }

    static List<Figure> figures(Analytics.SiteReport r) {
        long bookable =
                r.utilisation().stream().mapToLong(Occupancy.Use::bookableMs).sum();
        long booked =
                r.utilisation().stream().mapToLong(Occupancy.Use::bookedMs).sum();
        long checkedIn =
                r.utilisation().stream().mapToLong(Occupancy.Use::checkedInMs).sum();
        Optional<Double> utilisation = bookable == 0 ? Optional.empty() : Optional.of((double) booked / bookable);
        Optional<Double> actual = bookable == 0 ? Optional.empty() : Optional.of((double) checkedIn / bookable);
        return List.of(
                new Figure(
                        "Physical occupancy",
                        percent(r.physical().peakRatio()) + " at the peak hour ("
                                + r.physical().peak() + " of "
                                + r.physical().capacity() + " people), "
                                + percent(r.physical().averageRatio())
                                + " on average",
                        Occupancy.PHYSICAL_DEFINITION),
                new Figure(
                        "Sold occupancy",
                        percent(r.sold().ratio()) + " (" + r.sold().teamSeats() + " team seats + "
                                + r.sold().memberships() + " memberships / coefficient "
                                + r.sold().coefficientPercent() / 100.0 + ", of "
                                + r.sold().desks() + " desks)",
                        Occupancy.SOLD_DEFINITION),
                new Figure(
                        "Utilisation",
                        percent(utilisation) + " booked, " + percent(actual) + " actual (checked in), over "
                                + r.utilisation().size() + " resources",
                        Occupancy.UTILISATION_DEFINITION),
                new Figure(
                        "No-show rate",
                        percent(r.noShows().rate()) + " ("
                                + r.noShows().released().size() + " released of "
                                + r.noShows().decided().size() + ")",
                        Occupancy.NO_SHOW_DEFINITION));
    }

    public static String subject(Analytics.SiteReport r) {
        return "Weekly report: " + r.site().name() + ", " + r.period().from() + " to "
                + r.period().to();
    }

    public static String text(Analytics.SiteReport r) {
        StringBuilder text = new StringBuilder(subject(r)).append("\n\n");
        for (Figure f : figures(r)) {
            text.append(f.name())
                    .append(": ")
                    .append(f.value())
                    .append("\n  ")
                    .append(f.definition())
                    .append("\n\n");
        }
        text.append("Days in ")
                .append(r.site().zone().getId())
                .append("; figures as of ")
                .append(r.asOf())
                .append(". The PDF attached holds the same.\n");
        return text.toString();
    }

    /** The report's mail to {@code to}: the text, with {@code pdf} ({@link #pdf}) attached. */
    public static dev.gatehouse.hub.accounts.Mail mail(Analytics.SiteReport r, String to, byte[] pdf) {
        return new dev.gatehouse.hub.accounts.Mail(
                to,
                subject(r),
                text(r),
                null,
                List.of(new dev.gatehouse.hub.accounts.Mail.Attachment(
                        "weekly-" + r.site().id() + "-" + r.period().from() + ".pdf", "application/pdf", pdf)));
    }

    /** The report as a one-page A4 PDF. */
    public static byte[] pdf(Analytics.SiteReport r) {
        try (PDDocument pdf = new PDDocument();
                ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage(PDRectangle.A4);
            pdf.addPage(page);
            pdf.getDocumentInformation().setTitle(subject(r));
            try (PDPageContentStream s = new PDPageContentStream(pdf, page)) {
                s.beginText();
                s.newLineAtOffset(56, 780);
                s.setFont(BOLD, 14);
                s.showText(safe(subject(r)));
                s.setLeading(14);
                s.newLine();
                s.setFont(REGULAR, 9);
                s.showText(safe("Days in " + r.site().zone().getId() + "; figures as of " + r.asOf()));
                s.newLine();
                for (Figure f : figures(r)) {
                    s.newLine();
                    s.setFont(BOLD, 11);
                    s.showText(safe(f.name() + ": " + f.value()));
                    s.newLine();
                    s.setFont(REGULAR, 8);
                    for (String line : wrap(f.definition())) {
                        s.showText(safe(line));
                        s.newLine();
                    }
                }
                s.endText();
            }
            pdf.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the weekly report's PDF", e);
        }
    }

    /** What Helvetica's WinAnsi encoding lacks, in letters it has. */
    private static String safe(String text) {
        return text.replace("→", "->").replace("≤", "<=").replace("≥", ">=");
    }

    private static List<String> wrap(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > WRAP) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
