#include "cli/assess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gate.h"
#include "registry/registry.h"

static enum status grades_compute(struct assessment *a, const struct scan_results *r)
{
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *p = &r->protos[i];
        if (p->n_suites == 0) {
            continue;
        }
        a->grades[i] = calloc(p->n_suites, sizeof(*a->grades[i]));
        if (a->grades[i] == NULL) {
            return ST_NO_MEMORY;
        }
        for (size_t k = 0; k < p->n_suites; k++) {
            const struct suite_info *s = suite_find(p->suites[k].code);
            struct suite_grade *g = &a->grades[i][k];
            if (s == NULL) {
                /* A code the registry does not know has no strength to grade. */
                g->letter = '?';
                g->kex_bits = -1;
                g->cipher_bits = -1;
                continue;
            }
            grade_suite(s, &p->suites[k], p->version, results_cert_for_suite(r, s->code), g);
        }
        a->rt.grades[i] = a->grades[i];
    }
    return ST_OK;
}

static const struct client_result *client_find(const struct scan_results *r, const char *id)
{
    for (size_t i = 0; i < r->n_clients; i++) {
        if (r->clients[i].id != NULL && strcmp(r->clients[i].id, id) == 0) {
            return &r->clients[i];
        }
    }
    return NULL;
}

/* A required client is lost when its handshake fails, or when it was not
 * simulated at all; an inconclusive one is not known to be lost (the target
 * is flagged incomplete instead, see gate_target_flags). */
static bool client_lost(const struct client_result *c)
{
    return c == NULL || c->verdict == CLIENT_FAILS || c->verdict == CLIENT_NOT_RUN;
}

/* Appends "id: why" to reach_why, one line per lost client. */
static void reach_why_add(struct assessment *a, const char *id, const struct client_result *c)
{
    size_t used = strlen(a->reach_why);
    const char *why = c == NULL ? "not simulated" : (c->why[0] != '\0' ? c->why : "fails");
    snprintf(a->reach_why + used, sizeof(a->reach_why) - used, "%s cannot connect: %s\n", id, why);
}

/* Checks the clients the team requires (--require-client) against the
 * simulations: names each lost one and returns GATE_REACH if any. */
static enum status reach_judge(struct assessment *a, const struct scan_results *r,
                               const struct client_db *db, const char *require, unsigned *reach)
{
    const struct client_profile **req = NULL;
    size_t n_req = 0;
    char err[256];
    TRY(client_db_select(db, require, &req, &n_req, err, sizeof(err)));
    a->lost = calloc(n_req + 1, sizeof(*a->lost));
    if (a->lost == NULL) {
        free(req);
        return ST_NO_MEMORY;
    }
    for (size_t i = 0; i < n_req; i++) {
        const char *id = client_id(req[i]);
        const struct client_result *c = client_find(r, id);
        if (client_lost(c)) {
            a->lost[a->rt.n_lost++] = id;
            reach_why_add(a, id, c);
        }
    }
    free(req);
    a->rt.lost = a->lost;
    *reach = a->rt.n_lost > 0 ? GATE_REACH : 0;
    return ST_OK;
}

static enum status names_compute(struct assessment *a, const struct scan_results *r,
                                 const struct client_db *db)
{
    a->names = calloc(r->n_clients + 1, sizeof(*a->names));
    if (a->names == NULL) {
        return ST_NO_MEMORY;
    }
    for (size_t i = 0; db != NULL && i < r->n_clients; i++) {
        const struct client_profile *p =
            r->clients[i].id != NULL ? client_db_find(db, r->clients[i].id) : NULL;
        a->names[i] = p != NULL ? client_name(p) : NULL;
    }
    a->rt.client_names = a->names;
    return ST_OK;
}

/* The grade findings, then one finding per lost client. */
static enum status findings_collect(struct assessment *a)
{
    size_t lines = 1;
    for (const char *p = a->reach_why; *p != '\0'; p++) {
        lines += *p == '\n';
    }
    a->findings = calloc(a->verdict.n_findings + lines, sizeof(*a->findings));
    if (a->findings == NULL) {
        return ST_NO_MEMORY;
    }
    size_t n = 0;
    for (size_t i = 0; i < a->verdict.n_findings; i++) {
        a->findings[n++] = a->verdict.findings[i];
    }
    for (char *line = a->reach_why; *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        if (line[0] != '\0') {
            a->findings[n++] = line;
        }
        line = nl != NULL ? nl + 1 : line + strlen(line);
    }
    a->rt.findings = a->findings;
    a->rt.n_findings = n;
    return ST_OK;
}

enum status cli_assess(struct assessment *a, const struct scan_results *r,
                       const struct grade_policy *policy, const struct client_db *db,
                       const char *require)
{
    memset(a, 0, sizeof(*a));
    a->rt.r = r;
    TRY(grades_compute(a, r));
    grade_scan(r, policy, &a->verdict);
    a->rt.least = a->verdict.least;

    /* An unreachable target loses no client by itself: it is incomplete. */
    unsigned reach = 0;
    if (db != NULL && require != NULL && r->state == TARGET_SCANNED) {
        TRY(reach_judge(a, r, db, require, &reach));
    }
    a->rt.flags = gate_target_flags(r, a->verdict.flags, reach);
    TRY(names_compute(a, r, db));
    return findings_collect(a);
}

void cli_assessment_clear(struct assessment *a)
{
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        free(a->grades[i]);
    }
    free(a->findings);
    free(a->lost);
    free(a->names);
    memset(a, 0, sizeof(*a));
}
