#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/profile.h"
#include "grade/grade.h"
#include "registry/registry.h"

/* Reach: which required clients a server lost, and why. */

/* The versions the scan found the server to support, lowest and highest. */
static bool server_version_range(const struct scan_results *r, uint16_t *lo, uint16_t *hi)
{
    bool any = false;
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *pr = &r->protos[i];
        if (pr->state != PROTO_SUPPORTED || pr->version == VERSION_SSL2) {
            continue;
        }
        *lo = any && *lo < pr->version ? *lo : pr->version;
        *hi = any && *hi > pr->version ? *hi : pr->version;
        any = true;
    }
    return any;
}

static bool client_takes_version(const struct client_profile *p, uint16_t v)
{
    bool offered = false;
    for (size_t i = 0; i < p->n_versions; i++) {
        offered = offered || p->versions[i] == v;
    }
    if (p->n_versions == 0) {
        offered = v >= VERSION_SSL3 && v <= p->client_version;
    }
    return offered && v >= p->accepts.min_version;
}

__attribute__((format(printf, 2, 3))) static void set_why(struct client_result *res,
                                                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->why, sizeof(res->why), fmt, ap);
    va_end(ap);
}

void client_result_refine(const struct client_profile *p, const struct scan_results *r,
                          struct client_result *res)
{
    /* only alert-based failures: the alert's words are all the probe knew */
    const char *alert = strstr(res->why, "(server alert ");
    uint16_t lo = 0;
    uint16_t hi = 0;
    if (res->verdict != CLIENT_FAILS || alert == NULL || !server_version_range(r, &lo, &hi)) {
        return;
    }
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *pr = &r->protos[i];
        if (pr->state == PROTO_SUPPORTED && client_takes_version(p, pr->version)) {
            return; /* a version in common: the alert's reason stands */
        }
    }
    char tail[RESULTS_TEXT];
    snprintf(tail, sizeof(tail), "%s", alert);
    if (p->max_version < lo) {
        set_why(res, "server requires %s%s, client tops out at %s %s", client_version_words(lo),
                lo == hi ? "" : " or later", client_version_words(p->max_version), tail);
    } else if (p->accepts.min_version > hi) {
        set_why(res, "server tops out at %s, client requires %s %s", client_version_words(hi),
                client_version_words(p->accepts.min_version), tail);
    } else {
        set_why(res, "no protocol version in common %s", tail);
    }
}

static const struct client_result *result_of(const struct scan_results *r, const char *id)
{
    for (size_t i = 0; i < r->n_clients; i++) {
        if (r->clients[i].id != NULL && strcmp(r->clients[i].id, id) == 0) {
            return &r->clients[i];
        }
    }
    return NULL;
}

/* Appends one line to why; lines past the buffer are cut, never overrun. */
static void why_append(char *why, size_t len, const char *id, const char *what, const char *text)
{
    size_t used = strlen(why);
    if (used + 1 < len) {
        snprintf(why + used, len - used, "%s: %s%s\n", id, what, text);
    }
}

unsigned client_gate(const struct client_db *db, const char *require_list,
                     const struct scan_results *r, char *why, size_t why_len)
{
    const struct client_profile **sel = NULL;
    size_t n = 0;
    char err[256];
    why[0] = '\0';
    if (require_list == NULL || require_list[0] == '\0') {
        return 0;
    }
    if (client_db_select(db, require_list, &sel, &n, err, sizeof(err)) != ST_OK) {
        snprintf(why, why_len, "--require-client: %s\n", err);
        return GATE_REACH;
    }
    bool lost = false;
    for (size_t i = 0; i < n; i++) {
        const struct client_result *found = result_of(r, sel[i]->id);
        if (found == NULL || found->verdict == CLIENT_NOT_RUN) {
            why_append(why, why_len, sel[i]->id, "not simulated in this scan", "");
            lost = true;
            continue;
        }
        struct client_result res = *found;
        client_result_refine(sel[i], r, &res);
        if (res.verdict == CLIENT_FAILS) {
            why_append(why, why_len, res.id, "", res.why);
        } else if (res.verdict == CLIENT_INCONCLUSIVE) {
            why_append(why, why_len, res.id, "could not be checked: ", res.why);
        }
        lost = lost || res.verdict != CLIENT_CONNECTS;
    }
    free(sel);
    return lost ? GATE_REACH : 0;
}
