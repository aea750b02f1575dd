package dev.gatehouse.hub.members;

import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a member search looks up: the lower-cased e-mail and full name of every member, the name
 * once from each of its words on, one row each in {@code member_terms} (tenant, term, member), so
 * "the start of an e-mail, a name or a word of it" is an index range over terms instead of a scan
 * of every member.
 * Written in the same transaction as the member's row.
 */
public final class MemberTerms {
    /** Terms are cut to this many characters (a search longer than that matches by its start). */
    public static final int MAX_TERM = 200;

    private MemberTerms() {}

    /**
     * The member's search terms, lower-cased, without repeats: the e-mail, and the full name from each
     * of its words on ("ada king lovelace", "king lovelace", "lovelace"), so a search for the start of
     * any word — or of several words in a row — is the start of a term.
     */
    public static Set<String> of(String email, String fullName) {
        Set<String> terms = new LinkedHashSet<>();
        add(terms, email);
        String[] words = fullName.strip().split("\\s+");
        for (int i = 0; i < words.length; i++) {
            add(terms, String.join(" ", java.util.Arrays.asList(words).subList(i, words.length)));
        }
        return terms;
    }

    private static void add(Set<String> terms, String text) {
        String term = text.strip().toLowerCase(Locale.ROOT);
        if (!term.isEmpty()) {
            terms.add(term.length() > MAX_TERM ? term.substring(0, MAX_TERM) : term);
        }
    }

    /** Replaces the member's terms with those of {@code email} and {@code fullName}. */
    public static void replace(Connection c, String tenantId, String memberId, String email, String fullName)
            throws SQLException {
        Sql.update(c, "DELETE FROM member_terms WHERE tenant_id = ? AND member_id = ?", tenantId, memberId);
        insert(c, List.of(new Row(tenantId, memberId, email, fullName)));
    }

    /** One member's fields to index. */
    public record Row(String tenantId, String memberId, String email, String fullName) {}

    /** Adds the terms of members that have none yet (new members, a bulk load). */
    public static void insert(Connection c, List<Row> members) throws SQLException {
        List<List<?>> rows = new ArrayList<>();
        for (Row member : members) {
            for (String term : of(member.email(), member.fullName())) {
                rows.add(List.of(member.tenantId(), term, member.memberId()));
            }
        }
        if (!rows.isEmpty()) {
            Sql.batch(c, "INSERT INTO member_terms (tenant_id, term, member_id) VALUES (?, ?, ?)", rows);
        }
    }
}
