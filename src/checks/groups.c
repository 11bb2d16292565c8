/* Which key exchange groups does the server accept? Removal again: offer a
 * chunk of groups in supported_groups, note the one the server picks, take it
 * out, repeat until it refuses.
 *  - TLS 1.3: an empty key_share forces a HelloRetryRequest whose
 *    selected_group is the pick (RFC 8446 4.2.8), so no key is computed.
 *  - TLS <= 1.2: only ECDHE suites are offered and the curve is read from the
 *    ServerKeyExchange (RFC 8422 5.4). FFDHE groups are not enumerated there:
 *    few servers negotiate them (RFC 7919); DHE sizes are kept per suite.
 *    RFC 8422 5.1 lets supported_groups constrain the certificate's curve
 *    too: ECDHE_RSA suites are used when the server takes any, and with only
 *    ECDHE_ECDSA ones the certificate's curve is offered in every probe, or
 *    a server would refuse each hello without it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan_ctx.h"
#include "registry/registry.h"
#include "util/log.h"

struct group_chunk {
    struct scan_ctx *sc;
    uint16_t version;
    uint16_t groups[SCAN_CHUNK_GROUPS];
    size_t n;
    uint16_t suites[RESULTS_MAX_SUITES];
    size_t n_suites;
    uint16_t cert_curve; /* offered in every probe (ECDSA suites only); 0 if none */
    bool retried;
    uint8_t random[32];
};

static void group_chunk_send(struct group_chunk *gc);

static void group_chunk_end(struct group_chunk *gc, const char *trouble)
{
    if (trouble != NULL) {
        gc->sc->r->groups_complete = false;
        scan_note(gc->sc, "%s groups: %s", version_name(gc->version), trouble);
    }
    free(gc);
}

static void group_chunk_accept(struct group_chunk *gc, uint16_t group)
{
    for (size_t i = 0; i < gc->n; i++) {
        if (gc->groups[i] != group) {
            continue;
        }
        struct group_result *g = results_group(gc->sc->r, group);
        if (g != NULL && gc->version == VERSION_TLS13) {
            g->tls13 = true;
        } else if (g != NULL) {
            g->tls12 = true;
        }
        memmove(&gc->groups[i], &gc->groups[i + 1], (gc->n - i - 1) * sizeof(gc->groups[0]));
        gc->n--;
        gc->retried = false;
        if (gc->n == 0) {
            group_chunk_end(gc, NULL);
        } else {
            group_chunk_send(gc);
        }
        return;
    }
    if (group == gc->cert_curve) {
        /* The certificate's curve, offered last, was picked over the rest of
         * the chunk. A server that follows the client's order (OpenSSL and
         * nginx apply one preference setting to suites and groups) takes none
         * of the rest; one that enforces its own may simply prefer it. */
        const struct proto_result *pr = &gc->sc->r->protos[results_proto_index(gc->version)];
        if (pr->order != ORDER_CLIENT) {
            struct scan_ctx *sc = gc->sc;
            for (size_t i = 0; i < gc->n && sc->n_groups12_unsure < RESULTS_MAX_GROUPS; i++) {
                sc->groups12_unsure[sc->n_groups12_unsure++] = gc->groups[i];
            }
            sc->groups12_unsure_version = gc->version;
        }
        group_chunk_end(gc, NULL);
        return;
    }
    char trouble[RESULTS_TEXT];
    snprintf(trouble, sizeof(trouble), "server picked group 0x%04x, which was not offered", group);
    group_chunk_end(gc, trouble);
}

static void group_chunk_on_probe(void *arg, const struct probe_result *res)
{
    struct group_chunk *gc = arg;
    const struct server_flight *f = &res->flight;
    char why[RESULTS_TEXT];
    probe_describe(res, why, sizeof(why));

    if (res->outcome != PROBE_ANSWERED) {
        if (!gc->retried) {
            gc->retried = true;
            group_chunk_send(gc);
            return;
        }
        group_chunk_end(gc, why);
        return;
    }
    bool hello = f->answer == ANSWER_SERVER_HELLO || f->answer == ANSWER_HRR;
    if (!hello || f->sh.version != gc->version) {
        group_chunk_end(gc, NULL); /* a refusal: none of the rest is accepted */
        return;
    }
    uint16_t group = f->sh.key_share_group;
    if (gc->version != VERSION_TLS13) {
        group = f->kx.present && f->kx.is_ecdh ? f->kx.named_curve : 0;
    }
    if (group == 0) {
        group_chunk_end(gc, "the server's answer names no group");
        return;
    }
    group_chunk_accept(gc, group);
}

static void group_chunk_send(struct group_chunk *gc)
{
    struct scan_hello h;
    scan_hello_init(gc->sc, &h, gc->version, gc->random);
    h.suites = gc->suites;
    h.n_suites = gc->n_suites;
    uint16_t groups[SCAN_CHUNK_GROUPS + 1];
    memcpy(groups, gc->groups, gc->n * sizeof(groups[0]));
    h.groups = groups;
    h.n_groups = gc->n;
    bool has_curve = false;
    for (size_t i = 0; i < gc->n; i++) {
        has_curve = has_curve || groups[i] == gc->cert_curve;
    }
    if (gc->cert_curve != 0 && !has_curve) {
        groups[h.n_groups++] = gc->cert_curve; /* last: the least preferred */
    }
    if (gc->version == VERSION_TLS13) {
        h.flags |= SCAN_HELLO_EMPTY_KEY_SHARE;
    }
    char what[96];
    snprintf(what, sizeof(what), "%s hello, %zu groups", version_name(gc->version), gc->n);
    bool full = gc->version <= VERSION_TLS12;
    if (scan_send(gc->sc, &h, full, what, group_chunk_on_probe, gc, NULL) != ST_OK) {
        group_chunk_end(gc, "could not build the hello");
    }
}

/* The groups servers usually accept, most common first: each pair of them
 * is its own chunk, so that no chain of finds is long (groups_start). */
static const uint16_t groups_likely[] = {
    0x001d, 0x0017, /* x25519, secp256r1 */
    0x0018, 0x0019, /* secp384r1, secp521r1 */
    0x11ec, 0x001e, /* X25519MLKEM768, x448 */
    0x11eb, 0x11ed, /* SecP256r1MLKEM768, SecP384r1MLKEM1024 */
    0x0100, 0x0101, /* ffdhe2048, ffdhe3072 */
};
#define GROUPS_LIKELY_CHUNK 2

static bool groups_is_likely(uint16_t code)
{
    for (size_t i = 0; i < sizeof(groups_likely) / sizeof(groups_likely[0]); i++) {
        if (groups_likely[i] == code) {
            return true;
        }
    }
    return false;
}

static bool groups_wanted(const struct group_info *g, bool tls13)
{
    return g != NULL && (tls13 ? g->kind != GROUP_EXPLICIT : g->kind == GROUP_EC);
}

static struct group_chunk *group_chunk_new(struct scan_ctx *sc, uint16_t version,
                                           const uint16_t *suites, size_t n_suites,
                                           uint16_t cert_curve)
{
    struct group_chunk *gc = calloc(1, sizeof(*gc));
    if (gc == NULL) {
        sc->r->groups_complete = false;
        return NULL;
    }
    *gc = (struct group_chunk){
        .sc = sc, .version = version, .n_suites = n_suites, .cert_curve = cert_curve};
    memcpy(gc->suites, suites, n_suites * sizeof(suites[0]));
    return gc;
}

/* Starts the chunks over every candidate of the kinds wanted: the likely
 * groups in pairs, the rest SCAN_CHUNK_GROUPS at a time, all at once. */
static void groups_start(struct scan_ctx *sc, uint16_t version, const uint16_t *suites,
                         size_t n_suites, bool tls13, uint16_t cert_curve)
{
    uint16_t order[RESULTS_MAX_GROUPS];
    size_t n = 0;
    size_t n_likely = 0;
    for (size_t i = 0; i < sizeof(groups_likely) / sizeof(groups_likely[0]); i++) {
        if (groups_wanted(group_find(groups_likely[i]), tls13) && n < RESULTS_MAX_GROUPS) {
            order[n++] = groups_likely[i];
        }
    }
    n_likely = n;
    for (size_t i = 0; i < group_table_len && n < RESULTS_MAX_GROUPS; i++) {
        const struct group_info *g = &group_table[i];
        if (groups_wanted(g, tls13) && !groups_is_likely(g->code)) {
            order[n++] = g->code;
        }
    }
    for (size_t start = 0; start < n;) {
        size_t cap = start < n_likely ? GROUPS_LIKELY_CHUNK : SCAN_CHUNK_GROUPS;
        size_t end = start < n_likely ? n_likely : n;
        size_t k = end - start < cap ? end - start : cap;
        struct group_chunk *gc = group_chunk_new(sc, version, suites, n_suites, cert_curve);
        if (gc == NULL) {
            return;
        }
        memcpy(gc->groups, order + start, k * sizeof(order[0]));
        gc->n = k;
        group_chunk_send(gc);
        start += k;
    }
}

void groups_on_suite(struct scan_ctx *sc, uint16_t version, uint32_t code)
{
    const struct suite_info *s = suite_find(code);
    uint16_t one = (uint16_t)code;
    if (version == VERSION_TLS13 && !sc->groups13_started) {
        sc->groups13_started = true;
        groups_start(sc, VERSION_TLS13, &one, 1, true, 0);
    } else if (version == VERSION_TLS12 && !sc->groups12_started && s != NULL &&
               s->kex == KEX_ECDHE && s->auth != AUTH_ECDSA) {
        sc->groups12_started = true;
        groups_start(sc, VERSION_TLS12, &one, 1, false, 0);
    }
}

void groups_tls13_start(struct scan_ctx *sc)
{
    if (sc->groups13_started) {
        return;
    }
    const struct proto_result *pr = &sc->r->protos[results_proto_index(VERSION_TLS13)];
    uint16_t suites[RESULTS_MAX_SUITES];
    size_t n = 0;
    for (size_t i = 0; i < pr->n_suites; i++) {
        suites[n++] = (uint16_t)pr->suites[i].code;
    }
    if (n > 0) {
        sc->groups13_started = true;
        groups_start(sc, VERSION_TLS13, suites, n, true, 0);
    }
}

/* The ECDHE suites the server accepted in one version: those not signed with
 * ECDSA when there are any. Sets *ecdsa_only when only ECDSA ones exist. */
static size_t groups_ecdhe_suites(const struct proto_result *pr, uint16_t *out, bool *ecdsa_only)
{
    size_t n = 0;
    size_t n_ecdsa = 0;
    uint16_t ecdsa[RESULTS_MAX_SUITES];
    for (size_t i = 0; pr->state == PROTO_SUPPORTED && i < pr->n_suites; i++) {
        const struct suite_info *s = suite_find(pr->suites[i].code);
        if (s == NULL || s->kex != KEX_ECDHE) {
            continue;
        }
        if (s->auth == AUTH_ECDSA) {
            ecdsa[n_ecdsa++] = (uint16_t)s->code;
        } else {
            out[n++] = (uint16_t)s->code;
        }
    }
    *ecdsa_only = n == 0 && n_ecdsa > 0;
    if (*ecdsa_only) {
        memcpy(out, ecdsa, n_ecdsa * sizeof(out[0]));
        n = n_ecdsa;
    }
    return n;
}

/* The named group of the server's EC certificate, 0 when it has none. */
static uint16_t groups_cert_curve(const struct scan_results *r)
{
    const struct cert_result *ec = results_cert_for_key_type(r, "EC");
    if (ec == NULL || ec->curve[0] == '\0') {
        return 0;
    }
    /* libcrypto's short name for P-256 is not the IANA one. */
    const char *name = strcmp(ec->curve, "prime256v1") == 0 ? "secp256r1" : ec->curve;
    const struct group_info *g = group_find_name(name);
    return g != NULL ? g->code : 0;
}

void groups_tls12_start(struct scan_ctx *sc, bool early)
{
    static const uint16_t versions[] = {VERSION_TLS12, VERSION_TLS11, VERSION_TLS10, VERSION_SSL3};
    size_t n_versions = early ? 1 : sizeof(versions) / sizeof(versions[0]);
    for (size_t v = 0; !sc->groups12_started && v < n_versions; v++) {
        const struct proto_result *pr = &sc->r->protos[results_proto_index(versions[v])];
        uint16_t suites[RESULTS_MAX_SUITES];
        bool ecdsa_only = false;
        size_t n = groups_ecdhe_suites(pr, suites, &ecdsa_only);
        if (n > 0) {
            sc->groups12_started = true;
            groups_start(sc, versions[v], suites, n, false,
                         ecdsa_only ? groups_cert_curve(sc->r) : 0);
        }
    }
}

/* The groups an ECDSA server hid behind its certificate's curve in TLS 1.2
 * are judged by TLS 1.3, where no certificate constrains the groups: one the
 * server refuses there is taken as refused here too (servers configure one
 * group list for both); one it accepts there stays untested, and the list is
 * incomplete. */
void groups_settle(struct scan_ctx *sc)
{
    size_t n = sc->n_groups12_unsure;
    if (n == 0) {
        return;
    }
    const char *v = version_name(sc->groups12_unsure_version);
    const struct proto_result *tls13 = &sc->r->protos[results_proto_index(VERSION_TLS13)];
    if (tls13->state != PROTO_SUPPORTED || !sc->r->groups_complete) {
        sc->r->groups_complete = false;
        scan_note(sc,
                  "%s groups: the server prefers its ECDSA certificate's curve, which every "
                  "hello must offer: %zu other groups could not be tested",
                  v, n);
        return;
    }
    size_t open = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sc->r->n_groups; k++) {
            const struct group_result *g = &sc->r->groups[k];
            open += g->code == sc->groups12_unsure[i] && g->tls13;
        }
    }
    if (open > 0) {
        sc->r->groups_complete = false;
        scan_note(sc,
                  "%s groups: the server prefers its ECDSA certificate's curve, which every "
                  "hello must offer: %zu groups it accepts in TLS 1.3 could not be tested",
                  v, open);
        return;
    }
    scan_note(sc,
              "%s groups: the server prefers its ECDSA certificate's curve over %zu others "
              "offered with it, all refused in TLS 1.3; taken as refused in %s too",
              v, n, v);
}
