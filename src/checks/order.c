/* Does the server pick suites by its own preference, and in what order?
 *
 * The protocol's first hello offered every candidate; the same list reversed
 * goes out as soon as the server has answered it. A server that follows the
 * client takes another suite from the reversed list (unless it accepts only
 * one); one that enforces its order takes the same favourite wherever it
 * sits.
 *
 * For a server that enforces its order, every answer is a fact "x is
 * preferred to each other suite offered": the favourite to all, each chain's
 * find to the later finds of its chunk. The order is then sorted out by
 * rounds of probes that run side by side: predict the order from the facts
 * (ties broken by suite_prior.c's guess), and for each neighbouring pair the
 * facts do not settle, offer that suite with all those predicted after it;
 * the answer is the true favourite among them. When every neighbouring pair
 * is settled, the order is proven, not guessed. A good guess settles in one
 * or two rounds; after ORDER_PARALLEL_ROUNDS, or a round whose answers mostly
 * contradicted the guess, the rounds send one probe each (a removal chain
 * over what is left), which bounds the connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan_ctx.h"
#include "registry/registry.h"
#include "util/log.h"

#define ORDER_PARALLEL_ROUNDS 3
#define ORDER_WORDS           ((RESULTS_MAX_SUITES + 63) / 64)

enum order_step {
    ORDER_STEP_REVERSED = 0, /* no reversed first hello: accepted suites, reversed */
    ORDER_STEP_FORWARD,      /* ... then as found (only without a known favourite) */
    ORDER_STEP_SORT,         /* server order: rounds of suffix probes */
};

struct order_check {
    struct proto_scan *ps;
    enum order_step step;
    size_t n;
    uint32_t codes[RESULTS_MAX_SUITES]; /* accepted suites; a node is an index here */
    /* prefers[i] bit j: the server is known to prefer codes[i] to codes[j] */
    uint64_t prefers[RESULTS_MAX_SUITES][ORDER_WORDS];
    uint16_t predicted[RESULTS_MAX_SUITES]; /* nodes in predicted order */
    unsigned rounds;
    unsigned sent, hits;  /* this round's probes, and those that found the prediction right */
    unsigned probes_left; /* bound on the sort's probes */
    unsigned pending;     /* probes of this round still out */
    bool conflict;        /* some answer contradicted an earlier one */
    char trouble[RESULTS_TEXT];
};

/* One probe of a sort round: it offered predicted[from..n-1]. */
struct order_probe {
    struct order_check *oc;
    size_t from;
};

static bool bit_get(const uint64_t *row, size_t j)
{
    return (row[j / 64] >> (j % 64)) & 1;
}

static void bit_set(uint64_t *row, size_t j)
{
    row[j / 64] |= (uint64_t)1 << (j % 64);
}

static bool order_hello_ok(const struct proto_scan *ps, const struct probe_result *res)
{
    const struct server_flight *f = &res->flight;
    return res->outcome == PROBE_ANSWERED &&
           (f->answer == ANSWER_SERVER_HELLO || f->answer == ANSWER_HRR) &&
           f->sh.version == ps->version;
}

/* Every hello of this file: the protocol's version, the suites in the order
 * given, and what the enumeration had to do to get answers (flags). */
static bool order_hello_send(struct proto_scan *ps, const uint16_t *codes, size_t n, unsigned flags,
                             bool full, const char *what, scan_probe_fn cb, void *arg)
{
    uint8_t random[32];
    struct scan_hello h;
    scan_hello_init(ps->sc, &h, ps->version, random);
    h.suites = codes;
    h.n_suites = n;
    h.flags = flags;
    if (ps->version == VERSION_TLS13) {
        h.flags |= SCAN_HELLO_EMPTY_KEY_SHARE;
    }
    return scan_send(ps->sc, &h, full, what, cb, arg, NULL) == ST_OK;
}

static bool order_send_codes(struct order_check *oc, const uint32_t *suites, size_t n,
                             bool chacha_last, scan_probe_fn cb, void *arg)
{
    struct proto_scan *ps = oc->ps;
    uint16_t *codes = malloc((n > 0 ? n : 1) * sizeof(*codes));
    if (codes == NULL) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        codes[i] = (uint16_t)suites[i];
    }
    if (chacha_last) {
        suite_chacha_last(codes, n);
    }
    char what[96];
    snprintf(what, sizeof(what), "%s hello, %zu suites (server order)", version_name(ps->version),
             n);
    bool ok = order_hello_send(ps, codes, n, ps->workaround_flags, false, what, cb, arg);
    free(codes);
    return ok;
}

/* Without a server order the suites are listed strongest first (the prior's
 * order): the order the chains found them in depends on which answer came
 * back first. */
static void order_list_by_prior(struct proto_result *pr)
{
    struct suite_result *s = pr->suites;
    for (size_t i = 1; i < pr->n_suites; i++) {
        struct suite_result x = s[i];
        uint64_t key = suite_prior_key(x.code);
        size_t j = i;
        while (j > 0 && suite_prior_key(s[j - 1].code) > key) {
            s[j] = s[j - 1];
            j--;
        }
        s[j] = x;
    }
}

/* Rewrites the protocol's suite list in the predicted order. */
static void order_apply(struct order_check *oc)
{
    struct proto_result *pr = oc->ps->pr;
    struct suite_result *sorted = malloc(pr->n_suites * sizeof(*sorted));
    if (sorted == NULL || oc->n != pr->n_suites) {
        free(sorted);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < oc->n; i++) {
        uint32_t code = oc->codes[oc->predicted[i]];
        for (size_t j = 0; j < pr->n_suites; j++) {
            if (pr->suites[j].code == code) {
                sorted[k++] = pr->suites[j];
                break;
            }
        }
    }
    if (k == pr->n_suites) {
        memcpy(pr->suites, sorted, k * sizeof(sorted[0]));
    }
    free(sorted);
}

/* One probe offering a ChaCha20 suite first, before the server's
 * favourite: taking it means the server prefers ChaCha20 only for clients
 * that do (OpenSSL's PrioritizeChaCha, for phones without AES hardware). */
struct order_chacha {
    struct proto_scan *ps;
    uint16_t chacha;
};

static void order_on_chacha(void *arg, const struct probe_result *res)
{
    struct order_chacha *ch = arg;
    struct proto_scan *ps = ch->ps;
    if (order_hello_ok(ps, res) && res->flight.sh.suite == ch->chacha) {
        scan_note(ps->sc,
                  "%s: the server prefers ChaCha20 for a client that lists it first "
                  "(OpenSSL's PrioritizeChaCha); the server order listed is for the others",
                  version_name(ps->version));
    }
    free(ch);
}

static void order_chacha_start(struct proto_scan *ps)
{
    const struct proto_result *pr = ps->pr;
    if (pr->n_suites < 2 || suite_is_chacha(pr->suites[0].code)) {
        return;
    }
    size_t at = 0;
    for (size_t i = 1; i < pr->n_suites && at == 0; i++) {
        at = suite_is_chacha(pr->suites[i].code) ? i : 0;
    }
    struct order_chacha *ch = malloc(sizeof(*ch));
    if (at == 0 || ch == NULL) {
        free(ch);
        return;
    }
    *ch = (struct order_chacha){.ps = ps, .chacha = (uint16_t)pr->suites[at].code};
    uint16_t codes[2] = {ch->chacha, (uint16_t)pr->suites[0].code};
    char what[96];
    snprintf(what, sizeof(what), "%s hello, ChaCha20 first (server order)",
             version_name(ps->version));
    if (!order_hello_send(ps, codes, 2, ps->workaround_flags, false, what, order_on_chacha, ch)) {
        free(ch);
    }
}

static void order_finish(struct order_check *oc, uint8_t order, const char *trouble)
{
    struct proto_scan *ps = oc->ps;
    ps->pr->order = order;
    if (order == ORDER_SERVER) {
        order_apply(oc);
        /* Any trouble left some neighbouring pair unproven (or, with a
         * conflict, contradicted): the list is the best prediction only. */
        ps->pr->order_partial = trouble != NULL;
        if (trouble == NULL) {
            order_chacha_start(ps);
        }
    } else {
        order_list_by_prior(ps->pr);
    }
    if (trouble != NULL) {
        scan_note(ps->sc, "%s: %s", version_name(ps->version), trouble);
    }
    free(oc);
}

static size_t order_node_of(const struct order_check *oc, uint32_t code)
{
    for (size_t i = 0; i < oc->n; i++) {
        if (oc->codes[i] == code) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Records "winner is preferred to each of these", unless an earlier answer
 * said the opposite (the server's choice then depends on what is offered:
 * kept once, noted). */
static void order_learn(struct order_check *oc, size_t winner, const uint16_t *nodes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t loser = nodes[i];
        if (loser == winner) {
            continue;
        }
        if (bit_get(oc->prefers[loser], winner)) {
            oc->conflict = true;
            continue;
        }
        bit_set(oc->prefers[winner], loser);
    }
}

/* Transitive closure (Warshall, a row at a time). */
static void order_close(struct order_check *oc)
{
    size_t words = (oc->n + 63) / 64;
    for (size_t k = 0; k < oc->n; k++) {
        for (size_t i = 0; i < oc->n; i++) {
            if (i != k && bit_get(oc->prefers[i], k)) {
                for (size_t w = 0; w < words; w++) {
                    oc->prefers[i][w] |= oc->prefers[k][w];
                }
            }
        }
    }
}

/* Predicted order: repeatedly the suite no remaining one is known to beat,
 * the prior's favourite among several. */
static void order_predict(struct order_check *oc)
{
    size_t words = (oc->n + 63) / 64;
    uint64_t left[ORDER_WORDS] = {0};
    for (size_t i = 0; i < oc->n; i++) {
        bit_set(left, i);
    }
    for (size_t pos = 0; pos < oc->n; pos++) {
        uint64_t beaten[ORDER_WORDS] = {0};
        for (size_t i = 0; i < oc->n; i++) {
            if (bit_get(left, i)) {
                for (size_t w = 0; w < words; w++) {
                    beaten[w] |= oc->prefers[i][w];
                }
            }
        }
        size_t best = SIZE_MAX;
        uint64_t best_key = UINT64_MAX;
        size_t fallback = SIZE_MAX; /* a cycle left no suite unbeaten */
        for (size_t i = 0; i < oc->n; i++) {
            if (!bit_get(left, i)) {
                continue;
            }
            uint64_t key = suite_prior_key(oc->codes[i]);
            if (fallback == SIZE_MAX) {
                fallback = i;
            }
            if (!bit_get(beaten, i) && (best == SIZE_MAX || key < best_key)) {
                best = i;
                best_key = key;
            }
        }
        if (best == SIZE_MAX) {
            best = fallback;
        }
        oc->predicted[pos] = (uint16_t)best;
        left[best / 64] &= ~((uint64_t)1 << (best % 64));
    }
}

static void order_sort_round(struct order_check *oc);

static void order_on_sort_probe(void *arg, const struct probe_result *res)
{
    struct order_probe *op = arg;
    struct order_check *oc = op->oc;
    struct proto_scan *ps = oc->ps;
    if (!order_hello_ok(ps, res)) {
        char why[160];
        probe_describe(res, why, sizeof(why));
        snprintf(oc->trouble, sizeof(oc->trouble), "server order incomplete: %s", why);
    } else {
        size_t winner = order_node_of(oc, res->flight.sh.suite);
        bool offered = false;
        for (size_t i = op->from; i < oc->n && winner != SIZE_MAX; i++) {
            offered |= oc->predicted[i] == winner;
        }
        if (!offered) {
            snprintf(oc->trouble, sizeof(oc->trouble),
                     "server order incomplete: the server picked a suite that was not offered");
        } else {
            oc->hits += winner == oc->predicted[op->from];
            order_learn(oc, winner, &oc->predicted[op->from], oc->n - op->from);
        }
    }
    free(op);
    if (--oc->pending == 0) {
        order_sort_round(oc);
    }
}

/* Offers predicted[from..] reversed: a server that followed the client would
 * take the last predicted, so the answer cannot agree with the prediction by
 * accident. */
static bool order_sort_send(struct order_check *oc, size_t from)
{
    uint32_t *offer = malloc((oc->n - from) * sizeof(*offer));
    struct order_probe *op = malloc(sizeof(*op));
    if (offer == NULL || op == NULL) {
        free(offer);
        free(op);
        return false;
    }
    size_t k = 0;
    for (size_t i = oc->n; i-- > from;) {
        offer[k++] = oc->codes[oc->predicted[i]];
    }
    *op = (struct order_probe){.oc = oc, .from = from};
    oc->pending++;
    bool ok = order_send_codes(oc, offer, k, true, order_on_sort_probe, op);
    free(offer);
    if (!ok) {
        oc->pending--;
        free(op);
    }
    return ok;
}

/* Is the suite at `pos` known to beat every one predicted after it? */
static bool order_is_final(const struct order_check *oc, size_t pos)
{
    const uint64_t *row = oc->prefers[oc->predicted[pos]];
    for (size_t i = pos + 1; i < oc->n; i++) {
        if (!bit_get(row, oc->predicted[i])) {
            return false;
        }
    }
    return true;
}

static void order_sort_round(struct order_check *oc)
{
    order_close(oc);
    order_predict(oc);
    const char *conflict = oc->conflict ? "server order: some answers contradict earlier ones "
                                          "(the server's choice depends on what is offered); "
                                          "listed in the order the earlier answers gave"
                                        : NULL;
    if (oc->trouble[0] != '\0') {
        order_finish(oc, ORDER_SERVER, oc->trouble);
        return;
    }
    size_t first_open = oc->n;
    for (size_t i = 0; i + 1 < oc->n; i++) {
        if (!order_is_final(oc, i)) {
            first_open = i;
            break;
        }
    }
    if (first_open == oc->n) {
        order_finish(oc, ORDER_SERVER, conflict);
        return;
    }
    if (oc->probes_left == 0) {
        order_finish(oc, ORDER_SERVER,
                     conflict != NULL
                         ? conflict
                         : "server order incomplete: the probes allowed for it ran out");
        return;
    }
    /* Side by side only while the guess holds up: when most of a round's
     * answers contradicted it, the rest goes one probe at a time. */
    bool guess_held = oc->rounds == 0 || 2 * oc->hits >= oc->sent;
    oc->rounds++;
    bool parallel = oc->rounds <= ORDER_PARALLEL_ROUNDS && guess_held;
    oc->sent = 0;
    oc->hits = 0;
    for (size_t i = first_open; i + 1 < oc->n && oc->probes_left > 0; i++) {
        bool open = i == first_open ||
                    (parallel && !bit_get(oc->prefers[oc->predicted[i]], oc->predicted[i + 1]));
        if (!open) {
            continue;
        }
        if (!order_sort_send(oc, i)) {
            break;
        }
        oc->probes_left--;
        oc->sent++;
        if (!parallel) {
            break;
        }
    }
    if (oc->pending == 0) {
        order_finish(oc, ORDER_SERVER, "server order incomplete: no memory");
    }
}

/* The server enforces its order and codes[top] is its favourite (SIZE_MAX:
 * unknown). The facts so far: the favourite beats all; within a chunk, each
 * find beats the later ones (they were offered with it). */
static void order_sort_start(struct order_check *oc, size_t top)
{
    struct proto_scan *ps = oc->ps;
    oc->step = ORDER_STEP_SORT;
    ps->pr->order = ORDER_SERVER;
    for (size_t i = 0; i < oc->n; i++) {
        for (size_t j = i + 1; j < oc->n; j++) {
            if (ps->chunk_of[i] == ps->chunk_of[j]) {
                bit_set(oc->prefers[i], j);
            }
        }
    }
    if (top != SIZE_MAX) {
        for (size_t j = 0; j < oc->n; j++) {
            if (j != top) {
                bit_set(oc->prefers[top], j);
            }
        }
    }
    /* A removal chain takes n - 1 probes; the rounds may take up to twice
     * that before they stop at their best prediction. */
    oc->probes_left = (unsigned)(2 * oc->n + 4);
    order_sort_round(oc);
}

static void order_on_check(void *arg, const struct probe_result *res)
{
    struct order_check *oc = arg;
    struct proto_scan *ps = oc->ps;
    if (!order_hello_ok(ps, res)) {
        char why[160];
        char trouble[RESULTS_TEXT];
        probe_describe(res, why, sizeof(why));
        snprintf(trouble, sizeof(trouble), "server order undetermined: %s", why);
        order_finish(oc, ORDER_UNKNOWN, trouble);
        return;
    }
    size_t pick = order_node_of(oc, res->flight.sh.suite);
    if (pick == SIZE_MAX) {
        order_finish(oc, ORDER_UNKNOWN,
                     "server order undetermined: the server picked a suite that was not offered");
        return;
    }
    if (oc->step == ORDER_STEP_REVERSED) {
        if (pick != oc->n - 1) {
            order_sort_start(oc, pick);
        } else if (ps->root_pick_known) {
            order_finish(oc, ORDER_CLIENT, NULL);
        } else {
            oc->step = ORDER_STEP_FORWARD;
            if (!order_send_codes(oc, oc->codes, oc->n, false, order_on_check, oc)) {
                order_finish(oc, ORDER_UNKNOWN, "server order undetermined: no memory");
            }
        }
        return;
    }
    if (pick == 0) {
        order_finish(oc, ORDER_CLIENT, NULL);
    } else {
        order_sort_start(oc, pick);
    }
}

static void order_on_reverse(void *arg, const struct probe_result *res)
{
    struct proto_scan *ps = arg;
    ps->reverse_pending = false;
    if (order_hello_ok(ps, res)) {
        ps->reverse_known = true;
        ps->reverse_pick = res->flight.sh.suite;
        memset(&ps->reverse_found, 0, sizeof(ps->reverse_found));
        ps->reverse_found.code = ps->reverse_pick;
        suite_result_from_flight(&ps->reverse_found, &res->flight);
    }
    chunk_reverse_known(ps, order_hello_ok(ps, res) ? &res->flight : NULL);
    order_settle(ps);
}

void order_reverse_start(struct proto_scan *ps, const uint32_t *suites, size_t n, unsigned flags)
{
    uint16_t *codes = malloc((n > 0 ? n : 1) * sizeof(*codes));
    if (codes == NULL || n < 2) {
        free(codes);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        codes[i] = (uint16_t)suites[n - 1 - i];
    }
    char what[96];
    snprintf(what, sizeof(what), "%s hello, %zu suites reversed (server order)",
             version_name(ps->version), n);
    /* TLS <= 1.2: the whole flight, for the certificate and key exchange
     * of a suite this answer may be the only one to find. */
    bool full = ps->version <= VERSION_TLS12;
    ps->reverse_pending = order_hello_send(ps, codes, n, flags, full, what, order_on_reverse, ps);
    ps->reverse_sent = ps->reverse_pending;
    free(codes);
}

void order_settle(struct proto_scan *ps)
{
    if (!ps->enumerated || ps->reverse_pending || ps->order_settled) {
        return;
    }
    ps->order_settled = true;
    struct proto_result *pr = ps->pr;
    if (pr->state != PROTO_SUPPORTED || pr->n_suites < 2) {
        return;
    }
    struct order_check *oc = calloc(1, sizeof(*oc));
    if (oc == NULL) {
        return;
    }
    oc->ps = ps;
    oc->n = pr->n_suites;
    for (size_t i = 0; i < pr->n_suites; i++) {
        oc->codes[i] = pr->suites[i].code;
    }
    bool reverse_found = false;
    for (size_t i = 0; i < pr->n_suites; i++) {
        reverse_found |= ps->reverse_known && pr->suites[i].code == ps->reverse_pick;
    }
    if (reverse_found && ps->root_pick_known && !ps->order_mixed) {
        /* suites[0] is the pick from every candidate in the first order. */
        if (ps->reverse_pick != pr->suites[0].code) {
            order_finish(oc, ORDER_CLIENT, NULL);
        } else {
            order_sort_start(oc, 0);
        }
        return;
    }
    /* No reversed first hello to compare with (the first probe needed
     * workarounds, or its reversal broke): ask with the accepted suites. */
    pr->order = ORDER_UNKNOWN;
    oc->step = ORDER_STEP_REVERSED;
    uint32_t reversed[RESULTS_MAX_SUITES];
    for (size_t i = 0; i < oc->n; i++) {
        reversed[i] = oc->codes[oc->n - 1 - i];
    }
    if (!order_send_codes(oc, reversed, oc->n, false, order_on_check, oc)) {
        order_finish(oc, ORDER_UNKNOWN, "server order undetermined: no memory");
    }
}
