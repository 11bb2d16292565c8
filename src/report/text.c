#include <string.h>

#include "registry/registry.h"
#include "report/names.h"
#include "report/report.h"

/* The human report: one section per target, then one verdict line. Written
 * for a terminal; the JSON report is the one to parse. */

struct text_out {
    FILE *f;
    bool color;
};

#define C_RESET  "\033[0m"
#define C_BOLD   "\033[1m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED    "\033[31m"
#define C_DIM    "\033[2m"

/* Prints s padded to width (0: unpadded), in colour when enabled. */
static void cell(const struct text_out *o, const char *color, int width, const char *s)
{
    bool on = o->color && color != NULL && color[0] != '\0';
    fprintf(o->f, "%s%-*s%s", on ? color : "", width, s, on ? C_RESET : "");
}

static void heading(const struct text_out *o, const char *title)
{
    fputc('\n', o->f);
    cell(o, C_BOLD, 0, title);
    fputc('\n', o->f);
}

static const char *grade_color(char letter)
{
    if (letter == 'A') {
        return C_GREEN;
    }
    if (letter == 'B' || letter == 'C') {
        return C_YELLOW;
    }
    return C_RED;
}

static const char *grade_text(char letter, char *buf)
{
    buf[0] = letter == 0 ? '-' : letter;
    buf[1] = '\0';
    return buf;
}

static void protocols_write(const struct text_out *o, const struct scan_results *r)
{
    heading(o, "Protocols");
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *p = &r->protos[i];
        static const char *const words[] = {"not tested", "supported", "not supported",
                                            "inconclusive"};
        static const char *const colors[] = {C_DIM, C_GREEN, "", C_YELLOW};
        unsigned st = p->state < 4 ? p->state : 0;
        const char *color = colors[st];
        if (p->state == PROTO_SUPPORTED && p->version < VERSION_TLS12) {
            /* Supported, but deprecated (RFC 8996) or broken (RFC 7568, 6176). */
            color = p->version < VERSION_TLS10 ? C_RED : C_YELLOW;
        }
        fprintf(o->f, "  %-9s ", report_version_name(p->version));
        cell(o, color, 14, words[st]);
        if (p->state == PROTO_SUPPORTED) {
            fprintf(o->f, " %zu suite%s", p->n_suites, p->n_suites == 1 ? "" : "s");
            if (!p->suites_complete) {
                fputs(" (incomplete)", o->f);
            }
        } else if (p->reason[0] != '\0') {
            fprintf(o->f, " %s", p->reason);
        }
        fputc('\n', o->f);
    }
}

/* "ECDHE x25519", "DHE 1024 bits", "RSA 2048 bits", "TLS13 x25519". */
static void kex_describe(const struct suite_info *s, const struct suite_result *sr,
                         const struct scan_results *r, char *buf, size_t len)
{
    char gbuf[16];
    const char *kex = report_suite_kex(s, sr->group);
    if (sr->group != 0) {
        snprintf(buf, len, "%s %s", kex, report_group_name(sr->group, gbuf, sizeof(gbuf)));
    } else if (sr->dh_bits != 0) {
        snprintf(buf, len, "%s %u bits", kex, sr->dh_bits);
    } else if (sr->explicit_ec_bits != 0) {
        snprintf(buf, len, "%s explicit %u bits", kex, sr->explicit_ec_bits);
    } else if (sr->rsa_export_bytes != 0) {
        snprintf(buf, len, "%s %u bits", kex, sr->rsa_export_bytes * 8u);
    } else if (s != NULL && (s->kex == KEX_RSA || s->kex == KEX_SSL2) && r->cert.present &&
               strcmp(r->cert.key_type, "RSA") == 0) {
        snprintf(buf, len, "%s %d bits", kex, r->cert.key_bits);
    } else {
        snprintf(buf, len, "%s", kex);
    }
}

static void reasons_join(const struct suite_grade *g, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; g != NULL && i < g->n_reasons && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i > 0 ? "; " : "", g->reasons[i]);
        if (n < 0) {
            return;
        }
        used += (size_t)n;
    }
}

static int suite_name_width(const struct proto_result *p)
{
    int width = 5; /* "Suite" */
    char buf[16];
    for (size_t k = 0; k < p->n_suites; k++) {
        int n = (int)strlen(report_suite_name(p->suites[k].code, buf, sizeof(buf)));
        width = n > width ? n : width;
    }
    return width;
}

static void suite_row(const struct text_out *o, const struct report_target *t, int i, size_t k,
                      int width)
{
    const struct suite_result *sr = &t->r->protos[i].suites[k];
    const struct suite_grade *g = t->grades[i] != NULL ? &t->grades[i][k] : NULL;
    const struct suite_info *s = suite_find(sr->code);
    char nbuf[16], kbuf[64], bbuf[16], rbuf[RESULTS_TEXT], gl[2];

    kex_describe(s, sr, t->r, kbuf, sizeof(kbuf));
    reasons_join(g, rbuf, sizeof(rbuf));
    int bits = g != NULL ? g->cipher_bits : (s != NULL ? s->cipher_bits : -1);
    snprintf(bbuf, sizeof(bbuf), bits >= 0 ? "%d" : "?", bits);
    char letter = g != NULL ? g->letter : '?';

    fprintf(o->f, "  %-*s  ", width, report_suite_name(sr->code, nbuf, sizeof(nbuf)));
    cell(o, grade_color(letter), 5, grade_text(letter, gl));
    fprintf(o->f, "  %-22s %4s", kbuf, bbuf);
    if (rbuf[0] != '\0') {
        fprintf(o->f, "  %s", rbuf);
    }
    fputc('\n', o->f);
}

static void suites_write(const struct text_out *o, const struct report_target *t, int i)
{
    const struct proto_result *p = &t->r->protos[i];
    static const char *const orders[] = {"", " (server order)", " (client order)"};
    char title[96];
    snprintf(title, sizeof(title), "%s suites%s", report_version_name(p->version),
             p->order == ORDER_SERVER && p->order_partial
                 ? " (server order, partly unproven: see notes)"
             : p->order < 3 ? orders[p->order]
                            : "");
    heading(o, title);
    int width = suite_name_width(p);
    fprintf(o->f, "  %-*s  %-5s  %-22s %4s  %s\n", width, "Suite", "Grade", "Key exchange", "Bits",
            "Reason");
    for (size_t k = 0; k < p->n_suites; k++) {
        suite_row(o, t, i, k, width);
    }
    if (!p->suites_complete) {
        fprintf(o->f, "  incomplete: %s\n",
                p->incomplete_reason[0] != '\0' ? p->incomplete_reason : "a probe broke");
    }
}

static void groups_write(const struct text_out *o, const struct scan_results *r)
{
    if (r->n_groups == 0 && r->groups_complete) {
        return;
    }
    heading(o, "Groups");
    for (size_t i = 0; i < r->n_groups; i++) {
        const struct group_result *g = &r->groups[i];
        const struct group_info *info = group_find(g->code);
        char gbuf[16];
        fprintf(o->f, "  %-18s", report_group_name(g->code, gbuf, sizeof(gbuf)));
        if (info != NULL && info->bits != 0) {
            fprintf(o->f, " %5u bits", info->bits);
        } else {
            fprintf(o->f, " %10s", "");
        }
        fprintf(o->f, "  %s%s%s\n", g->tls13 ? "TLSv1.3" : "", g->tls13 && g->tls12 ? ", " : "",
                g->tls12 ? "TLSv1.2 and earlier" : "");
    }
    if (!r->groups_complete) {
        fputs("  incomplete: not every group could be tested\n", o->f);
    }
}

static void cert_one_write(const struct text_out *o, const struct cert_result *c)
{
    fprintf(o->f, "  Key        %s %d bits", c->key_type, c->key_bits);
    if (c->curve[0] != '\0') {
        fprintf(o->f, " (%s)", c->curve);
    }
    if (c->rsa_exponent != 0) {
        fprintf(o->f, ", exponent %ld", c->rsa_exponent);
    }
    fprintf(o->f, "\n  Signature  %s\n", c->sig_alg);
    fprintf(o->f, "  Subject    %s\n  Issuer     %s%s\n", c->subject, c->issuer,
            c->self_signed ? " (self-signed)" : "");
    fprintf(o->f, "  Valid      %s to %s", c->not_before, c->not_after);
    if (c->expired) {
        fputc(' ', o->f);
        cell(o, C_RED, 0, "(expired)");
    }
    fprintf(o->f, "\n  Chain      %d certificate%s, seen in %s\n", c->chain_len,
            c->chain_len == 1 ? "" : "s", report_version_name(c->seen_in_version));
    fprintf(o->f, "  SHA-256    %s\n", c->sha256);
}

static void cert_write(const struct text_out *o, const struct scan_results *r)
{
    if (!r->cert.present) {
        return;
    }
    heading(o, r->n_other_certs > 0 ? "Certificates" : "Certificate");
    cert_one_write(o, &r->cert);
    for (size_t i = 0; i < r->n_other_certs; i++) {
        fputc('\n', o->f);
        cert_one_write(o, &r->other_certs[i]);
    }
}

static const char *verdict_color(unsigned verdict)
{
    static const char *const colors[] = {C_DIM, C_GREEN, C_RED, C_YELLOW};
    return verdict < 4 ? colors[verdict] : "";
}

struct client_widths {
    int id;
    int suite;
};

static void client_row(const struct text_out *o, const struct report_target *t, size_t i,
                       const struct client_widths *w)
{
    const struct client_result *c = &t->r->clients[i];
    fprintf(o->f, "  %-*s  ", w->id, c->id != NULL ? c->id : "?");
    cell(o, verdict_color(c->verdict), 12, report_client_verdict_name(c->verdict));
    if (c->verdict != CLIENT_CONNECTS) {
        fprintf(o->f, "  %s\n", c->why);
        return;
    }
    char sbuf[16], gbuf[16];
    fprintf(o->f, "  %-8s %-*s", report_version_name(c->version), w->suite,
            report_suite_name(c->suite, sbuf, sizeof(sbuf)));
    if (c->group != 0) {
        fprintf(o->f, "  %s", report_group_name(c->group, gbuf, sizeof(gbuf)));
    } else if (c->dh_bits != 0) {
        fprintf(o->f, "  DH %u bits", c->dh_bits);
    }
    fputc('\n', o->f);
}

static void client_widths_find(const struct scan_results *r, struct client_widths *w)
{
    w->id = 6;
    w->suite = 0;
    for (size_t i = 0; i < r->n_clients; i++) {
        const struct client_result *c = &r->clients[i];
        int n = c->id != NULL ? (int)strlen(c->id) : 1;
        w->id = n > w->id ? n : w->id;
        if (c->verdict == CLIENT_CONNECTS) {
            char sbuf[16];
            n = (int)strlen(report_suite_name(c->suite, sbuf, sizeof(sbuf)));
            w->suite = n > w->suite ? n : w->suite;
        }
    }
}

static void clients_write(const struct text_out *o, const struct report_target *t)
{
    const struct scan_results *r = t->r;
    if (r->n_clients == 0) {
        return;
    }
    heading(o, "Clients");
    struct client_widths w;
    client_widths_find(r, &w);
    for (size_t i = 0; i < r->n_clients; i++) {
        client_row(o, t, i, &w);
    }
}

static void notes_write(const struct text_out *o, const struct scan_results *r)
{
    if (r->n_notes == 0) {
        return;
    }
    heading(o, "Notes");
    for (size_t i = 0; i < r->n_notes; i++) {
        fprintf(o->f, "  - %s\n", r->notes[i]);
    }
}

static bool graded_below(const struct report_target *t, int i, size_t k, char min_grade)
{
    char letter = t->grades[i] != NULL ? t->grades[i][k].letter : '?';
    return letter != '?' && letter > min_grade;
}

/* Whether the same suite was already counted under an earlier protocol. */
static bool counted_before(const struct report_target *t, int i, uint32_t code, char min_grade)
{
    for (int j = 0; j < i; j++) {
        const struct proto_result *p = &t->r->protos[j];
        for (size_t k = 0; k < p->n_suites; k++) {
            if (p->suites[k].code == code && graded_below(t, j, k, min_grade)) {
                return true;
            }
        }
    }
    return false;
}

/* Distinct suites graded below the minimum: a suite offered in three
 * protocols is one weak suite to remove, not three. */
static size_t suites_below(const struct report_target *t, char min_grade)
{
    size_t n = 0;
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *p = &t->r->protos[i];
        for (size_t k = 0; k < p->n_suites; k++) {
            n += graded_below(t, i, k, min_grade) &&
                 !counted_before(t, i, p->suites[k].code, min_grade);
        }
    }
    return n;
}

/* Appends text to buf, "; "-separated from what is there. */
static void part_add(char *buf, size_t len, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 >= len) {
        return;
    }
    snprintf(buf + used, len - used, "%s%s", used > 0 ? "; " : "", text);
}

static void lost_add(char *buf, size_t len, const struct report_target *t)
{
    part_add(buf, len, "lost clients: ");
    for (size_t i = 0; i < t->n_lost; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "", t->lost[i]);
    }
}

static void why_describe(const struct report_target *t, char min_grade, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t below = suites_below(t, min_grade);
    if (below > 0) {
        char part[64];
        snprintf(part, sizeof(part), "%zu suite%s below %c", below, below == 1 ? "" : "s",
                 min_grade);
        part_add(buf, len, part);
    } else if ((t->flags & GATE_STRENGTH) && t->n_findings > 0) {
        part_add(buf, len, t->findings[0]);
    }
    if (t->n_lost > 0) {
        lost_add(buf, len, t);
    }
    if ((t->flags & GATE_INCOMPLETE) && t->r->state != TARGET_SCANNED) {
        part_add(buf, len,
                 t->r->error[0] != '\0' ? t->r->error : report_target_state_name(t->r->state));
    } else if (t->flags & GATE_INCOMPLETE) {
        part_add(buf, len, "incomplete: some probes were inconclusive");
    }
}

static void verdict_write(const struct text_out *o, const char *label, unsigned flags,
                          const char *why)
{
    char line[64];
    snprintf(line, sizeof(line), "%s (exit %u)", flags == 0 ? "PASS" : "FAIL", flags);
    fprintf(o->f, "%s", label);
    cell(o, flags == 0 ? C_GREEN C_BOLD : C_RED C_BOLD, 0, line);
    if (why[0] != '\0') {
        fprintf(o->f, ": %s", why);
    }
    fputc('\n', o->f);
}

static void target_write(const struct text_out *o, const struct report_target *t, char min_grade)
{
    const struct scan_results *r = t->r;
    char head[2 * RESULTS_TEXT + 128];
    snprintf(head, sizeof(head), "%s  (address %s, port %u, SNI %s)", r->target,
             r->address[0] != '\0' ? r->address : "none", r->port,
             r->sni[0] != '\0' ? r->sni : "none");
    cell(o, C_BOLD, 0, head);
    fputc('\n', o->f);
    if (r->state != TARGET_SCANNED) {
        fprintf(o->f, "  %s: %s\n", report_target_state_name(r->state), r->error);
    } else {
        protocols_write(o, r);
        for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
            if (r->protos[i].state == PROTO_SUPPORTED) {
                suites_write(o, t, i);
            }
        }
        groups_write(o, r);
        cert_write(o, r);
        clients_write(o, t);
        notes_write(o, r);
    }

    char gl[2], why[1024];
    fputs("\nGrade: ", o->f);
    cell(o, t->least != 0 ? grade_color(t->least) : "", 0, grade_text(t->least, gl));
    fprintf(o->f, "  (%u connections, %.2f s)\n", r->connections, r->elapsed_s);
    why_describe(t, min_grade, why, sizeof(why));
    verdict_write(o, "Verdict: ", t->flags, why);
}

/* One line per name scanned at several addresses: whether they agree. */
static void addresses_write(const struct text_out *o, const struct report *rep)
{
    if (rep->n_groups == 0) {
        return;
    }
    fputc('\n', o->f);
    cell(o, C_BOLD, 0, "Addresses");
    fputc('\n', o->f);
    for (size_t i = 0; i < rep->n_groups; i++) {
        const struct report_address_group *g = &rep->groups[i];
        const struct scan_results *rs[COMPARE_MAX_ADDRESSES];
        size_t n = g->n < COMPARE_MAX_ADDRESSES ? g->n : COMPARE_MAX_ADDRESSES;
        for (size_t k = 0; k < n; k++) {
            rs[k] = rep->targets[g->first + k].r;
        }
        char who[COMPARE_TEXT];
        report_addresses_join(rs, n, who, sizeof(who));
        fprintf(o->f, "  %s: %s", rep->targets[g->first].r->target, who);
        if (n < g->n) {
            fprintf(o->f, " (and %zu more)", g->n - n);
        }
        fputc(' ', o->f);
        if (g->cmp->consistent) {
            cell(o, C_GREEN, 0, "agree");
            fputs(" (protocols, suites, server order, groups, certificate)\n", o->f);
            continue;
        }
        cell(o, C_YELLOW, 0, "differ");
        for (size_t k = 0; k < g->cmp->n_diffs; k++) {
            fprintf(o->f, "%s%s", k == 0 ? ": " : "; ", g->cmp->diffs[k]);
        }
        fputc('\n', o->f);
    }
}

enum status report_text_write(FILE *out, const struct report *rep, bool color)
{
    struct text_out o = {out, color};
    if (rep->n_targets == 0) {
        fputs("No target to scan.\n", out);
    }
    for (size_t i = 0; i < rep->n_targets; i++) {
        if (i > 0) {
            fputc('\n', out);
        }
        target_write(&o, &rep->targets[i], rep->min_grade);
    }
    addresses_write(&o, rep);
    if (rep->n_targets > 1) {
        size_t failed = 0;
        for (size_t i = 0; i < rep->n_targets; i++) {
            failed += rep->targets[i].flags != 0;
        }
        char why[64];
        snprintf(why, sizeof(why), "%zu of %zu targets failed", failed, rep->n_targets);
        fputc('\n', out);
        verdict_write(&o, "All targets: ", rep->exit_code, failed > 0 ? why : "");
    }
    return ferror(out) ? ST_IO : ST_OK;
}
