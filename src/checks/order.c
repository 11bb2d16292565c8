/* Does the server pick suites by its own preference, and in what order?
 * Offer the accepted suites in reverse of the order found: a server that
 * follows the client takes our first; one that enforces its own order takes
 * its favourite wherever it sits. With server order, the removal sequence
 * over the accepted suites is the order itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan_ctx.h"
#include "registry/registry.h"
#include "util/log.h"

enum order_step {
    ORDER_STEP_PAIR = 0, /* the chain's first two finds, swapped */
    ORDER_STEP_REVERSED, /* accepted suites, reversed */
    ORDER_STEP_FORWARD,  /* accepted suites as found (only without a root pick) */
    ORDER_STEP_REMOVAL,  /* server order: remaining suites, minus each pick */
};

struct order_check {
    struct proto_scan *ps;
    enum order_step step;
    uint32_t ordered[RESULTS_MAX_SUITES]; /* server order found so far */
    size_t n_ordered;
    uint32_t rest[RESULTS_MAX_SUITES]; /* accepted, not yet ordered, in found order */
    size_t n_rest;
    uint8_t random[32];
};

static void order_on_probe(void *arg, const struct probe_result *res);

static bool order_send(struct order_check *oc, const uint32_t *suites, size_t n, bool reverse)
{
    struct proto_scan *ps = oc->ps;
    uint16_t codes[RESULTS_MAX_SUITES];
    for (size_t i = 0; i < n; i++) {
        codes[i] = (uint16_t)suites[reverse ? n - 1 - i : i];
    }
    struct scan_hello h;
    scan_hello_init(ps->sc, &h, ps->version, oc->random);
    h.suites = codes;
    h.n_suites = n;
    if (ps->version == VERSION_TLS13) {
        h.flags |= SCAN_HELLO_EMPTY_KEY_SHARE;
    }
    char what[96];
    snprintf(what, sizeof(what), "%s hello, %zu suites (server order)", version_name(ps->version),
             n);
    return scan_send(ps->sc, &h, false, what, order_on_probe, oc, NULL) == ST_OK;
}

static void order_on_pair(struct order_check *oc, const struct probe_result *res)
{
    struct proto_scan *ps = oc->ps;
    const struct server_flight *f = &res->flight;
    ps->order_pair_pending = false;
    bool hello = res->outcome == PROBE_ANSWERED &&
                 (f->answer == ANSWER_SERVER_HELLO || f->answer == ANSWER_HRR) &&
                 f->sh.version == ps->version;
    /* rest[0] is the server's first pick from every candidate, rest[1] the
     * second; the pair offered rest[1] first. */
    if (hello && f->sh.suite == oc->rest[0]) {
        ps->pr->order = ORDER_SERVER;
    } else if (hello && f->sh.suite == oc->rest[1]) {
        ps->pr->order = ORDER_CLIENT;
    }
    free(oc);
    order_settle(ps);
}

void order_pair_start(struct proto_scan *ps)
{
    struct order_check *oc = calloc(1, sizeof(*oc));
    if (oc == NULL) {
        return;
    }
    oc->ps = ps;
    oc->step = ORDER_STEP_PAIR;
    oc->rest[0] = ps->pr->suites[0].code;
    oc->rest[1] = ps->pr->suites[1].code;
    oc->n_rest = 2;
    ps->order_pair_pending = true;
    if (!order_send(oc, oc->rest, 2, true)) {
        ps->order_pair_pending = false;
        free(oc);
    }
}

/* Rewrites the protocol's suite list in the order found. */
static void order_apply(struct order_check *oc)
{
    struct proto_result *pr = oc->ps->pr;
    struct suite_result sorted[RESULTS_MAX_SUITES];
    size_t k = 0;
    for (size_t i = 0; i < oc->n_ordered; i++) {
        for (size_t j = 0; j < pr->n_suites; j++) {
            if (pr->suites[j].code == oc->ordered[i]) {
                sorted[k++] = pr->suites[j];
                break;
            }
        }
    }
    if (k == pr->n_suites) {
        memcpy(pr->suites, sorted, k * sizeof(sorted[0]));
    }
}

static void order_finish(struct order_check *oc, uint8_t order, const char *trouble)
{
    struct proto_scan *ps = oc->ps;
    ps->pr->order = order;
    if (order == ORDER_SERVER) {
        for (size_t i = 0; i < oc->n_rest; i++) {
            oc->ordered[oc->n_ordered++] = oc->rest[i];
        }
        order_apply(oc);
    }
    if (trouble != NULL) {
        scan_note(ps->sc, "%s: %s", version_name(ps->version), trouble);
    }
    free(oc);
}

static void order_take(struct order_check *oc, uint32_t pick)
{
    oc->ordered[oc->n_ordered++] = pick;
    for (size_t i = 0; i < oc->n_rest; i++) {
        if (oc->rest[i] == pick) {
            memmove(&oc->rest[i], &oc->rest[i + 1], (oc->n_rest - i - 1) * sizeof(oc->rest[0]));
            oc->n_rest--;
            return;
        }
    }
}

static bool order_has(const struct order_check *oc, uint32_t pick)
{
    for (size_t i = 0; i < oc->n_rest; i++) {
        if (oc->rest[i] == pick) {
            return true;
        }
    }
    return false;
}

static bool order_found_in_one_chunk(const struct proto_scan *ps)
{
    for (size_t i = 1; i < ps->pr->n_suites; i++) {
        if (ps->chunk_of[i] != ps->chunk_of[0]) {
            return false;
        }
    }
    return true;
}

/* The server enforces its order and `top` is its favourite: find the rest. */
static void order_server(struct order_check *oc, uint32_t top)
{
    struct proto_scan *ps = oc->ps;
    if (ps->root_pick_known && top == ps->pr->suites[0].code && order_found_in_one_chunk(ps)) {
        /* One chunk's removal sequence, led by the overall favourite,
         * already is the server's order. */
        order_finish(oc, ORDER_SERVER, NULL);
        return;
    }
    order_take(oc, top);
    oc->step = ORDER_STEP_REMOVAL;
    if (oc->n_rest < 2 || !order_send(oc, oc->rest, oc->n_rest, false)) {
        order_finish(oc, ORDER_SERVER, NULL);
    }
}

static void order_on_probe(void *arg, const struct probe_result *res)
{
    struct order_check *oc = arg;
    struct proto_scan *ps = oc->ps;
    const struct server_flight *f = &res->flight;
    bool hello = res->outcome == PROBE_ANSWERED &&
                 (f->answer == ANSWER_SERVER_HELLO || f->answer == ANSWER_HRR) &&
                 f->sh.version == ps->version;
    if (oc->step == ORDER_STEP_PAIR) {
        order_on_pair(oc, res);
        return;
    }
    if (!hello) {
        char why[160];
        char trouble[RESULTS_TEXT];
        probe_describe(res, why, sizeof(why));
        snprintf(trouble, sizeof(trouble), "server order %s: %s",
                 oc->step == ORDER_STEP_REMOVAL ? "incomplete" : "undetermined", why);
        order_finish(oc, oc->step == ORDER_STEP_REMOVAL ? ORDER_SERVER : ORDER_UNKNOWN, trouble);
        return;
    }
    uint32_t pick = f->sh.suite;
    if (oc->step == ORDER_STEP_PAIR) {
        order_on_pair(oc, res);
        return;
    }
    if (!order_has(oc, pick)) {
        order_finish(oc, oc->step == ORDER_STEP_REMOVAL ? ORDER_SERVER : ORDER_UNKNOWN,
                     "server order: the server picked a suite that was not offered");
        return;
    }
    switch (oc->step) {
    case ORDER_STEP_PAIR:
        break;
    case ORDER_STEP_REVERSED:
        if (pick != oc->rest[oc->n_rest - 1]) {
            order_server(oc, pick);
        } else if (ps->root_pick_known) {
            order_finish(oc, ORDER_CLIENT, NULL);
        } else {
            oc->step = ORDER_STEP_FORWARD;
            if (!order_send(oc, oc->rest, oc->n_rest, false)) {
                order_finish(oc, ORDER_UNKNOWN, "server order undetermined: no memory");
            }
        }
        break;
    case ORDER_STEP_FORWARD:
        if (pick == oc->rest[0]) {
            order_finish(oc, ORDER_CLIENT, NULL);
        } else {
            order_server(oc, pick);
        }
        break;
    case ORDER_STEP_REMOVAL:
        order_take(oc, pick);
        if (oc->n_rest < 2 || !order_send(oc, oc->rest, oc->n_rest, false)) {
            order_finish(oc, ORDER_SERVER, NULL);
        }
        break;
    }
}

void order_settle(struct proto_scan *ps)
{
    if (!ps->enumerated || ps->order_pair_pending || ps->order_settled) {
        return;
    }
    ps->order_settled = true;
    struct proto_result *pr = ps->pr;
    if (pr->state != PROTO_SUPPORTED || pr->n_suites < 2 || pr->order == ORDER_CLIENT) {
        return;
    }
    struct order_check *oc = calloc(1, sizeof(*oc));
    if (oc == NULL) {
        return;
    }
    oc->ps = ps;
    for (size_t i = 0; i < pr->n_suites; i++) {
        oc->rest[oc->n_rest++] = pr->suites[i].code;
    }
    if (pr->order == ORDER_SERVER && ps->root_pick_known) {
        order_server(oc, pr->suites[0].code);
        return;
    }
    pr->order = ORDER_UNKNOWN;
    oc->step = ORDER_STEP_REVERSED;
    if (!order_send(oc, oc->rest, oc->n_rest, true)) {
        order_finish(oc, ORDER_UNKNOWN, "server order undetermined: no memory");
    }
}
