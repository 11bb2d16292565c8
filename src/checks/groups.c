/* Which key exchange groups does the server accept? Removal again: offer a
 * chunk of groups in supported_groups, note the one the server picks, take it
 * out, repeat until it refuses.
 *  - TLS 1.3: an empty key_share forces a HelloRetryRequest whose
 *    selected_group is the pick (RFC 8446 4.2.8), so no key is computed.
 *  - TLS <= 1.2: only ECDHE suites are offered and the curve is read from the
 *    ServerKeyExchange (RFC 8422 5.4). FFDHE groups are not enumerated there:
 *    few servers negotiate them (RFC 7919); DHE sizes are kept per suite. */
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
    h.groups = gc->groups;
    h.n_groups = gc->n;
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

/* Starts one chunk per SCAN_CHUNK_GROUPS candidates of the kinds wanted. */
static void groups_start(struct scan_ctx *sc, uint16_t version, const uint16_t *suites,
                         size_t n_suites, bool tls13)
{
    struct group_chunk *gc = NULL;
    for (size_t i = 0; i < group_table_len; i++) {
        const struct group_info *g = &group_table[i];
        bool wanted = tls13 ? g->kind != GROUP_EXPLICIT : g->kind == GROUP_EC;
        if (!wanted) {
            continue;
        }
        if (gc == NULL) {
            gc = calloc(1, sizeof(*gc));
            if (gc == NULL) {
                sc->r->groups_complete = false;
                return;
            }
            *gc = (struct group_chunk){.sc = sc, .version = version, .n_suites = n_suites};
            memcpy(gc->suites, suites, n_suites * sizeof(suites[0]));
        }
        gc->groups[gc->n++] = g->code;
        if (gc->n == SCAN_CHUNK_GROUPS) {
            group_chunk_send(gc);
            gc = NULL;
        }
    }
    if (gc != NULL) {
        group_chunk_send(gc);
    }
}

void groups_tls13_start(struct scan_ctx *sc)
{
    const struct proto_result *pr = &sc->r->protos[results_proto_index(VERSION_TLS13)];
    uint16_t suites[RESULTS_MAX_SUITES];
    size_t n = 0;
    for (size_t i = 0; i < pr->n_suites; i++) {
        suites[n++] = (uint16_t)pr->suites[i].code;
    }
    if (n > 0) {
        groups_start(sc, VERSION_TLS13, suites, n, true);
    }
}

/* The ECDHE suites the server accepted in one version. */
static size_t groups_ecdhe_suites(const struct proto_result *pr, uint16_t *out)
{
    size_t n = 0;
    for (size_t i = 0; pr->state == PROTO_SUPPORTED && i < pr->n_suites; i++) {
        const struct suite_info *s = suite_find(pr->suites[i].code);
        if (s != NULL && s->kex == KEX_ECDHE) {
            out[n++] = (uint16_t)s->code;
        }
    }
    return n;
}

void groups_tls12_start(struct scan_ctx *sc, bool early)
{
    static const uint16_t versions[] = {VERSION_TLS12, VERSION_TLS11, VERSION_TLS10, VERSION_SSL3};
    size_t n_versions = early ? 1 : sizeof(versions) / sizeof(versions[0]);
    for (size_t v = 0; !sc->groups12_started && v < n_versions; v++) {
        const struct proto_result *pr = &sc->r->protos[results_proto_index(versions[v])];
        uint16_t suites[RESULTS_MAX_SUITES];
        size_t n = groups_ecdhe_suites(pr, suites);
        if (n > 0) {
            sc->groups12_started = true;
            groups_start(sc, versions[v], suites, n, false);
        }
    }
}
