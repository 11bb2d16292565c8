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

static bool client_offers_suite(const struct client_profile *p, uint16_t version, uint32_t code)
{
    bool offered = false;
    for (size_t i = 0; i < p->n_suites && !offered; i++) {
        offered = p->suites[i] == code;
    }
    bool ats_ok = !p->ats.present || version >= VERSION_TLS13;
    for (size_t i = 0; i < p->ats.n_suites && !ats_ok; i++) {
        ats_ok = p->ats.suites[i] == code;
    }
    return offered && ats_ok;
}

/* True when the server accepts, for this kind of key exchange, a group the
 * client offers (or the client sends no groups, so any curve will do). */
static bool group_in_common(const struct client_profile *p, const struct scan_results *r,
                            bool tls13)
{
    if (!p->sends_groups || !r->groups_complete || r->n_groups == 0) {
        return true; /* nothing known against it */
    }
    for (size_t i = 0; i < r->n_groups; i++) {
        const struct group_result *g = &r->groups[i];
        bool usable = tls13 ? g->tls13 : g->tls12;
        for (size_t k = 0; k < p->n_groups && usable; k++) {
            if (p->groups[k] == g->code) {
                return true;
            }
        }
    }
    return false;
}

/* Versions are shared: is a suite? The scan's enumeration says, when it is
 * complete. */
static void refine_suites(const struct client_profile *p, const struct scan_results *r,
                          struct client_result *res, const char *tail)
{
    const struct suite_result *shared = NULL;
    uint16_t at = 0;
    bool complete = true;
    for (int i = RESULTS_NUM_PROTOS - 1; i >= 0 && shared == NULL; i--) {
        const struct proto_result *pr = &r->protos[i];
        if (pr->state != PROTO_SUPPORTED || !client_takes_version(p, pr->version)) {
            continue;
        }
        complete = complete && pr->suites_complete;
        for (size_t k = 0; k < pr->n_suites && shared == NULL; k++) {
            if (client_offers_suite(p, pr->version, pr->suites[k].code)) {
                shared = &pr->suites[k];
                at = pr->version;
            }
        }
    }
    if (shared == NULL) {
        return; /* the alert's "no shared cipher suite" stands (or cannot be checked) */
    }
    const struct suite_info *si = suite_find(shared->code);
    bool ecdhe = si != NULL && (si->kex == KEX_ECDHE || si->kex == KEX_TLS13);
    char buf[16];
    snprintf(buf, sizeof(buf), "0x%04x", (unsigned)shared->code);
    if (ecdhe && !group_in_common(p, r, at >= VERSION_TLS13)) {
        set_why(res, "no shared group: none of the server's %s groups is offered by the client %s",
                client_version_words(at), tail);
    } else if (complete) {
        set_why(res, "server refused the hello though both support %s with %s %s",
                si != NULL ? si->name : buf, client_version_words(at), tail);
    }
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
    char tail[RESULTS_TEXT];
    snprintf(tail, sizeof(tail), "%s", alert);
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *pr = &r->protos[i];
        if (pr->state == PROTO_SUPPORTED && client_takes_version(p, pr->version)) {
            refine_suites(p, r, res, tail);
            return;
        }
    }
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
