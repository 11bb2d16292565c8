#include "report/compare.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"
#include "report/names.h"

/* The scanned addresses being compared (a bit each in the masks below), and
 * where the phrases go. */
struct cmp {
    const struct scan_results *r[COMPARE_MAX_ADDRESSES];
    size_t n;
    struct address_comparison *out;
};

/* Addresses whose scans agree on one thing, in order of first appearance. */
struct classes {
    uint64_t mask[COMPARE_MAX_ADDRESSES];
    size_t rep[COMPARE_MAX_ADDRESSES]; /* the first address of each class */
    size_t n;
};

/* Distinct codes (suites or groups) and which addresses have each. */
struct code_union {
    uint32_t code[COMPARE_MAX_CODES];
    uint64_t mask[COMPARE_MAX_CODES];
    size_t n;
};

typedef bool (*same_fn)(const struct scan_results *a, const struct scan_results *b, int p);
typedef const char *(*code_name_fn)(uint32_t code, char *buf, size_t len);

static uint64_t bit(size_t i)
{
    return (uint64_t)1 << i;
}

static size_t popcount(uint64_t mask)
{
    return (size_t)__builtin_popcountll(mask);
}

static void text_add(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends to a NUL-terminated buffer, cutting what does not fit. */
static void text_add(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= len) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static void diff_add(struct address_comparison *out, const char *text)
{
    if (out->n_diffs < COMPARE_MAX_DIFFS - 1) {
        snprintf(out->diffs[out->n_diffs++], COMPARE_TEXT, "%s", text);
        return;
    }
    out->n_dropped++;
    out->n_diffs = COMPARE_MAX_DIFFS;
    snprintf(out->diffs[COMPARE_MAX_DIFFS - 1], COMPARE_TEXT, "%zu more difference%s not listed",
             out->n_dropped, out->n_dropped == 1 ? "" : "s");
}

/* "a", "a and b", "a, b and c" for the addresses in mask. */
static void mask_join(const struct cmp *c, uint64_t mask, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t total = popcount(mask), k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if ((mask & bit(i)) == 0) {
            continue;
        }
        const char *sep = k == 0 ? "" : (k + 1 == total ? " and " : ", ");
        text_add(buf, len, "%s%s", sep, c->r[i]->address);
        k++;
    }
}

void report_addresses_join(const struct scan_results *const *r, size_t n, char *buf, size_t len)
{
    if (len == 0) {
        return;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == n ? " and " : ", ");
        text_add(buf, len, "%s%s", sep, r[i]->address);
    }
}

static uint64_t all_mask(const struct cmp *c)
{
    return c->n >= COMPARE_MAX_ADDRESSES ? UINT64_MAX : bit(c->n) - 1;
}

/* Splits the addresses in `among` into classes by `same` (for protocol p). */
static void classes_find(const struct cmp *c, uint64_t among, same_fn same, int p,
                         struct classes *cl)
{
    cl->n = 0;
    for (size_t i = 0; i < c->n; i++) {
        if ((among & bit(i)) == 0) {
            continue;
        }
        size_t k = 0;
        while (k < cl->n && !same(c->r[cl->rep[k]], c->r[i], p)) {
            k++;
        }
        if (k == cl->n) {
            cl->rep[cl->n] = i;
            cl->mask[cl->n++] = 0;
        }
        cl->mask[k] |= bit(i);
    }
}

static const char *state_words(unsigned state)
{
    static const char *const words[] = {
        [PROTO_NOT_TESTED] = "not tested",
        [PROTO_SUPPORTED] = "supported",
        [PROTO_NOT_SUPPORTED] = "not supported",
        [PROTO_INCONCLUSIVE] = "inconclusive",
    };
    return state < sizeof(words) / sizeof(words[0]) ? words[state] : "unknown";
}

static bool same_state(const struct scan_results *a, const struct scan_results *b, int p)
{
    return a->protos[p].state == b->protos[p].state;
}

static unsigned class_state(const struct cmp *c, const struct classes *cl, size_t k, int p)
{
    return c->r[cl->rep[k]]->protos[p].state;
}

/* "TLSv1.0 supported on a only" when the others do not support it at all;
 * otherwise every status with its addresses. */
static void protocol_compare(struct cmp *c, int p)
{
    struct classes cl;
    classes_find(c, all_mask(c), same_state, p, &cl);
    if (cl.n < 2) {
        return;
    }
    char text[COMPARE_TEXT], who[COMPARE_TEXT];
    snprintf(text, sizeof(text), "%s", report_version_name(c->r[0]->protos[p].version));
    unsigned s0 = class_state(c, &cl, 0, p), s1 = class_state(c, &cl, 1, p);
    bool yes_no = (s0 == PROTO_SUPPORTED && s1 == PROTO_NOT_SUPPORTED) ||
                  (s0 == PROTO_NOT_SUPPORTED && s1 == PROTO_SUPPORTED);
    if (cl.n == 2 && yes_no) {
        mask_join(c, cl.mask[s0 == PROTO_SUPPORTED ? 0 : 1], who, sizeof(who));
        text_add(text, sizeof(text), " supported on %s only", who);
        diff_add(c->out, text);
        return;
    }
    for (size_t k = 0; k < cl.n; k++) {
        mask_join(c, cl.mask[k], who, sizeof(who));
        text_add(text, sizeof(text), "%s %s on %s", k > 0 ? "," : "",
                 state_words(class_state(c, &cl, k, p)), who);
    }
    diff_add(c->out, text);
}

static void union_add(struct code_union *u, uint32_t code, size_t i)
{
    for (size_t k = 0; k < u->n; k++) {
        if (u->code[k] == code) {
            u->mask[k] |= bit(i);
            return;
        }
    }
    if (u->n < COMPARE_MAX_CODES) {
        u->code[u->n] = code;
        u->mask[u->n++] = bit(i);
    }
}

/* "<label> on a only: X, Y": the codes found on exactly the addresses of
 * u->mask[first], listed while they fit. */
static void union_phrase(struct cmp *c, const struct code_union *u, size_t first, bool *listed,
                         const char *label_one, const char *label_many, code_name_fn name)
{
    uint64_t m = u->mask[first];
    size_t count = 0, shown = 0;
    for (size_t j = first; j < u->n; j++) {
        count += u->mask[j] == m;
    }
    char text[COMPARE_TEXT] = "", who[COMPARE_TEXT];
    mask_join(c, m, who, sizeof(who));
    text_add(text, sizeof(text), "%s on %s only:", count == 1 ? label_one : label_many, who);
    bool full = false;
    for (size_t j = first; j < u->n; j++) {
        if (u->mask[j] != m) {
            continue;
        }
        listed[j] = true;
        char nbuf[32];
        const char *s = name(u->code[j], nbuf, sizeof(nbuf));
        /* room for the ", and N more" that follows a cut list */
        full = full || strlen(text) + strlen(s) + 32 >= sizeof(text);
        if (!full) {
            text_add(text, sizeof(text), "%s %s", shown > 0 ? "," : "", s);
            shown++;
        }
    }
    if (shown < count) {
        text_add(text, sizeof(text), " and %zu more", count - shown);
    }
    diff_add(c->out, text);
}

/* One phrase per set of addresses that some codes are found on, when that
 * is not every address in `among`; returns how many phrases. */
static size_t union_compare(struct cmp *c, const struct code_union *u, uint64_t among,
                            const char *label_one, const char *label_many, code_name_fn name)
{
    bool listed[COMPARE_MAX_CODES] = {false};
    size_t phrases = 0;
    for (size_t k = 0; k < u->n; k++) {
        if (!listed[k] && u->mask[k] != among) {
            union_phrase(c, u, k, listed, label_one, label_many, name);
            phrases++;
        }
    }
    return phrases;
}

static uint64_t supporting(const struct cmp *c, int p)
{
    uint64_t m = 0;
    for (size_t i = 0; i < c->n; i++) {
        m |= c->r[i]->protos[p].state == PROTO_SUPPORTED ? bit(i) : 0;
    }
    return m;
}

static bool same_order(const struct scan_results *a, const struct scan_results *b, int p)
{
    const struct proto_result *x = &a->protos[p], *y = &b->protos[p];
    if (x->order != y->order) {
        return false;
    }
    if (x->order != ORDER_SERVER) {
        return true;
    }
    if (x->n_suites != y->n_suites) {
        return false;
    }
    for (size_t k = 0; k < x->n_suites; k++) {
        if (x->suites[k].code != y->suites[k].code) {
            return false;
        }
    }
    return true;
}

/* Every class keeps a server order, in different sequences: the first
 * position where they part, and each class's suite there. */
static void server_order_phrase(struct cmp *c, int p, const struct classes *cl)
{
    const struct proto_result *p0 = &c->r[cl->rep[0]]->protos[p];
    size_t pos = p0->n_suites;
    for (size_t k = 1; k < cl->n; k++) {
        const struct proto_result *pk = &c->r[cl->rep[k]]->protos[p];
        for (size_t j = 0; j < pos && j < pk->n_suites; j++) {
            pos = pk->suites[j].code != p0->suites[j].code ? j : pos;
        }
    }
    char text[COMPARE_TEXT], who[COMPARE_TEXT], nbuf[32];
    snprintf(text, sizeof(text),
             "%s server order differs from position %zu:", report_version_name(p0->version),
             pos + 1);
    for (size_t k = 0; k < cl->n; k++) {
        const struct proto_result *pk = &c->r[cl->rep[k]]->protos[p];
        uint32_t code = pos < pk->n_suites ? pk->suites[pos].code : 0;
        mask_join(c, cl->mask[k], who, sizeof(who));
        text_add(text, sizeof(text), "%s %s on %s", k > 0 ? "," : "",
                 report_suite_name(code, nbuf, sizeof(nbuf)), who);
    }
    diff_add(c->out, text);
}

/* With the same suites everywhere: whether each address keeps the same
 * order ("TLSv1.2 server order on a, client order on b"). */
static void order_compare(struct cmp *c, int p, uint64_t among)
{
    struct classes cl;
    classes_find(c, among, same_order, p, &cl);
    if (cl.n < 2) {
        return;
    }
    size_t servers = 0;
    for (size_t k = 0; k < cl.n; k++) {
        servers += c->r[cl.rep[k]]->protos[p].order == ORDER_SERVER;
    }
    if (servers == cl.n) {
        server_order_phrase(c, p, &cl);
        return;
    }
    char text[COMPARE_TEXT], who[COMPARE_TEXT];
    snprintf(text, sizeof(text), "%s", report_version_name(c->r[0]->protos[p].version));
    bool server_seen = false;
    for (size_t k = 0; k < cl.n; k++) {
        unsigned order = c->r[cl.rep[k]]->protos[p].order;
        const char *words = order == ORDER_CLIENT ? "client order" : "order unknown";
        if (order == ORDER_SERVER) {
            words = server_seen ? "another server order" : "server order";
            server_seen = true;
        }
        mask_join(c, cl.mask[k], who, sizeof(who));
        text_add(text, sizeof(text), "%s %s on %s", k > 0 ? "," : "", words, who);
    }
    diff_add(c->out, text);
}

/* Each protocol supported on two addresses or more: its suites there. */
static void suites_compare(struct cmp *c, int p)
{
    uint64_t among = supporting(c, p);
    if (popcount(among) < 2) {
        return;
    }
    struct code_union u = {.n = 0};
    for (size_t i = 0; i < c->n; i++) {
        const struct proto_result *pr = &c->r[i]->protos[p];
        for (size_t k = 0; (among & bit(i)) != 0 && k < pr->n_suites; k++) {
            union_add(&u, pr->suites[k].code, i);
        }
    }
    char one[32], many[32];
    const char *v = report_version_name(c->r[0]->protos[p].version);
    snprintf(one, sizeof(one), "%s suite", v);
    snprintf(many, sizeof(many), "%s suites", v);
    if (union_compare(c, &u, among, one, many, report_suite_name) == 0) {
        order_compare(c, p, among);
    }
}

static const char *group_name(uint32_t code, char *buf, size_t len)
{
    return report_group_name((uint16_t)code, buf, len);
}

/* The groups accepted in TLS 1.3 (tls13) or in TLS 1.2 and earlier, among
 * the addresses that support those protocols. */
static void groups_compare(struct cmp *c, bool tls13, uint64_t among, const char *one,
                           const char *many)
{
    if (popcount(among) < 2) {
        return;
    }
    struct code_union u = {.n = 0};
    for (size_t i = 0; i < c->n; i++) {
        const struct scan_results *r = c->r[i];
        for (size_t k = 0; (among & bit(i)) != 0 && k < r->n_groups; k++) {
            if (tls13 ? r->groups[k].tls13 : r->groups[k].tls12) {
                union_add(&u, r->groups[k].code, i);
            }
        }
    }
    (void)union_compare(c, &u, among, one, many, group_name);
}

static bool same_cert(const struct scan_results *a, const struct scan_results *b, int p)
{
    (void)p;
    if (a->cert.present != b->cert.present) {
        return false;
    }
    return !a->cert.present || strcmp(a->cert.sha256, b->cert.sha256) == 0;
}

/* Fingerprints shortened to 16 hex digits: enough to tell them apart; each
 * target's certificate carries the whole one. */
static void cert_compare(struct cmp *c)
{
    struct classes cl;
    classes_find(c, all_mask(c), same_cert, 0, &cl);
    if (cl.n < 2) {
        return;
    }
    char text[COMPARE_TEXT] = "certificate differs (", who[COMPARE_TEXT];
    bool named = false; /* "SHA-256" said once, before the first fingerprint */
    for (size_t k = 0; k < cl.n; k++) {
        const struct cert_result *cert = &c->r[cl.rep[k]]->cert;
        mask_join(c, cl.mask[k], who, sizeof(who));
        if (cert->present) {
            text_add(text, sizeof(text), "%s%s%.16s on %s", k > 0 ? ", " : "",
                     named ? "" : "SHA-256 ", cert->sha256, who);
            named = true;
        } else {
            text_add(text, sizeof(text), "%sno certificate on %s", k > 0 ? ", " : "", who);
        }
    }
    text_add(text, sizeof(text), ")");
    diff_add(c->out, text);
}

static const char *unscanned_words(unsigned state)
{
    static const char *const words[] = {
        [TARGET_SCANNED] = "scanned",
        [TARGET_UNRESOLVED] = "unresolved",
        [TARGET_UNREACHABLE] = "unreachable",
        [TARGET_NOT_TLS] = "not TLS",
    };
    return state < sizeof(words) / sizeof(words[0]) ? words[state] : "unknown";
}

/* Takes the scanned addresses into c; names each one that was not. */
static void scanned_collect(struct cmp *c, const struct scan_results *const *r, size_t n)
{
    char text[COMPARE_TEXT];
    size_t past = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i]->state != TARGET_SCANNED) {
            snprintf(text, sizeof(text), "%s could not be scanned (%s)",
                     r[i]->address[0] != '\0' ? r[i]->address : r[i]->target,
                     unscanned_words(r[i]->state));
            diff_add(c->out, text);
        } else if (c->n < COMPARE_MAX_ADDRESSES) {
            c->r[c->n++] = r[i];
        } else {
            past++;
        }
    }
    if (past > 0) {
        snprintf(text, sizeof(text), "%zu more address%s not compared (at most %d are)", past,
                 past == 1 ? "" : "es", COMPARE_MAX_ADDRESSES);
        diff_add(c->out, text);
    }
}

void report_addresses_compare(const struct scan_results *const *r, size_t n,
                              struct address_comparison *out)
{
    memset(out, 0, sizeof(*out));
    struct cmp c = {.n = 0, .out = out};
    scanned_collect(&c, r, n);
    if (c.n >= 2) {
        for (int p = 0; p < RESULTS_NUM_PROTOS; p++) {
            protocol_compare(&c, p);
        }
        for (int p = 0; p < RESULTS_NUM_PROTOS; p++) {
            suites_compare(&c, p);
        }
        int tls13 = results_proto_index(VERSION_TLS13);
        uint64_t older = supporting(&c, results_proto_index(VERSION_TLS10)) |
                         supporting(&c, results_proto_index(VERSION_TLS11)) |
                         supporting(&c, results_proto_index(VERSION_TLS12));
        groups_compare(&c, true, supporting(&c, tls13), "TLSv1.3 group", "TLSv1.3 groups");
        groups_compare(&c, false, older, "TLSv1.2 (and earlier) group",
                       "TLSv1.2 (and earlier) groups");
        cert_compare(&c);
    }
    out->consistent = out->n_diffs == 0;
}
