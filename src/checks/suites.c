/* Which suites does the server accept in each protocol? Removal enumeration:
 * offer a list, record the suite the server picks, take it out, offer the
 * rest, until the server refuses. A protocol's first probe (the root chunk)
 * offers every candidate at once, so one connection both answers "is this
 * version supported" and finds the server's first choice. Once it has, the
 * rest fans out into chunks that run side by side, each its own removal
 * chain: many small chunks where servers usually accept much, a few large
 * ones elsewhere (suite_prior.c), so that no chain is long. The same first
 * hello goes out again reversed (order.c): together with the chains it tells
 * whether the server follows the client's order or its own, and in what
 * order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan_ctx.h"
#include "registry/registry.h"
#include "util/log.h"

/* Halving a chunk whose probes break stops at this depth (chunks of 16 of
 * 128): past it the cause is not the hello's size, and more probes would only
 * multiply timeouts. */
#define CHUNK_MAX_SPLIT_DEPTH 3
/* RFC 7685: the load-balancer bug concerns hellos of 256..511 bytes. */
#define HELLO_PAD_MIN 256
#define HELLO_PAD_MAX 511

enum chunk_tried {
    TRIED_RETRY = 1 << 0,
    TRIED_PAD = 1 << 1,
    TRIED_NOEXT = 1 << 2,
};

struct chunk {
    struct proto_scan *ps;
    uint32_t *suites;
    size_t n;
    unsigned flags;    /* enum scan_hello_flag */
    bool root;         /* the protocol's first probe: every candidate */
    size_t root_at;    /* where the root's pick sat in its list */
    unsigned tried;    /* enum chunk_tried: workarounds already used */
    bool noext_trial;  /* the last hello went without extensions as a trial */
    bool closed_retry; /* that trial follows a plain close of the first probe */
    int split_depth;
    char broken_why[RESULTS_TEXT]; /* what broke before the trial */
    uint16_t id;
    size_t last_len; /* bytes of the last hello sent */
    uint8_t random[32];
};

static void chunk_send(struct chunk *c);

size_t suite_candidates(uint16_t version, uint32_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < suite_table_len && n < cap; i++) {
        const struct suite_info *s = &suite_table[i];
        if (suite_usable_in(s, version) && (version == VERSION_SSL2 || s->code <= 0xffff)) {
            out[n++] = s->code;
        }
    }
    return n;
}

void suite_result_from_flight(struct suite_result *sr, const struct server_flight *f)
{
    sr->group = f->sh.key_share_group;
    if (f->kx.present && f->kx.is_ecdh) {
        sr->group = f->kx.named_curve;
        sr->explicit_ec_bits = f->kx.explicit_bits;
    }
    if (f->kx.present && f->kx.is_dh) {
        sr->dh_bits = f->kx.dh_p_bits;
    }
    if (f->kx.present) {
        sr->rsa_export_bytes = f->kx.rsa_modulus_bytes;
    }
}

static void chunk_done(struct chunk *c)
{
    struct proto_scan *ps = c->ps;
    free(c->suites);
    free(c);
    if (--ps->live_chunks == 0) {
        protocol_enumerated(ps);
    }
}

void chunk_start(struct proto_scan *ps, const uint32_t *suites, size_t n, bool root,
                 uint16_t chunk_id, unsigned flags, int split_depth)
{
    /* Halves of a broken chunk have had their retry and workarounds. */
    unsigned tried = split_depth > 0 ? TRIED_RETRY | TRIED_PAD | TRIED_NOEXT : 0;
    struct chunk *c = calloc(1, sizeof(*c));
    uint32_t *copy = malloc((n > 0 ? n : 1) * sizeof(*copy));
    if (c == NULL || copy == NULL) {
        free(c);
        free(copy);
        ps->broken = true;
        snprintf(ps->pr->incomplete_reason, sizeof(ps->pr->incomplete_reason), "out of memory");
        return;
    }
    memcpy(copy, suites, n * sizeof(*copy));
    *c = (struct chunk){.ps = ps,
                        .suites = copy,
                        .n = n,
                        .flags = flags,
                        .root = root,
                        .split_depth = split_depth,
                        .id = chunk_id,
                        .tried = tried};
    ps->live_chunks++;
    chunk_send(c);
}

static void chunk_inconclusive(struct chunk *c, const char *why)
{
    struct proto_scan *ps = c->ps;
    ps->broken = true;
    ps->pr->suites_complete = false;
    snprintf(ps->pr->incomplete_reason, sizeof(ps->pr->incomplete_reason),
             "%zu suites could not be tested: %.200s", c->n, why);
    chunk_done(c);
}

static void chunk_refused(struct chunk *c, const char *why)
{
    struct proto_scan *ps = c->ps;
    if (c->root || ps->refusal_why[0] == '\0') {
        snprintf(ps->refusal_why, sizeof(ps->refusal_why), "%s", why);
    }
    if (c->root) {
        ps->refused = true;
    }
    chunk_done(c);
}

static void chunk_anomaly(struct chunk *c, const char *what)
{
    scan_note(c->ps->sc, "%s: %s", version_name(c->ps->version), what);
    chunk_inconclusive(c, what);
}

static void chunk_record(struct proto_scan *ps, const struct suite_result *sr, uint16_t chunk_id)
{
    struct proto_result *pr = ps->pr;
    if (pr->n_suites < RESULTS_MAX_SUITES) {
        pr->suites[pr->n_suites] = *sr;
        ps->chunk_of[pr->n_suites] = chunk_id;
        pr->n_suites++;
    }
}

/* Starts chunks over suites (sorted by suite_prior_sort), one per stretch
 * of suite_prior_chunk_len. */
static void chunk_lay_out(struct proto_scan *ps, const uint32_t *suites, size_t n, unsigned flags)
{
    for (size_t start = 0; start < n;) {
        size_t k = suite_prior_chunk_len(suites + start, n - start);
        chunk_start(ps, suites + start, k, false, ps->next_chunk_id++, flags, 0);
        start += k;
    }
}

/* Some stacks refuse a hello that lists more suites than they hold (wolfSSL:
 * 150 by default, embedded builds far fewer), with decode_error or a plain
 * close, as if the version were not spoken. The first hello is then cut to
 * the SCAN_CHUNK_SUITES likeliest, and the rest goes to chunks of its own
 * size or less; its pick is then no longer the favourite of every
 * candidate (order.c asks). */
static bool chunk_root_limit(struct chunk *c, const char *why)
{
    struct proto_scan *ps = c->ps;
    if (!c->root || ps->root_limited || c->n <= SCAN_CHUNK_SUITES) {
        return false;
    }
    ps->root_limited = true;
    snprintf(ps->root_limit_why, sizeof(ps->root_limit_why),
             "%s: the server refused a ClientHello of %zu suites (%.120s) and took one of %d: "
             "%d at most from then on",
             version_name(ps->version), c->n, why, SCAN_CHUNK_SUITES, SCAN_CHUNK_SUITES);
    chunk_lay_out(ps, c->suites + SCAN_CHUNK_SUITES, c->n - SCAN_CHUNK_SUITES, c->flags);
    c->n = SCAN_CHUNK_SUITES;
    c->tried = 0;
    chunk_send(c);
    return true;
}

/* The root's first find is in, and so is the reversed hello's when it was
 * sent: the other candidates go to chunks laid out by the prior, each
 * started at once. A server that follows the client's order picked from the
 * root the first suite it accepts in the root's order, and from the reversal
 * the last: nothing outside the two needs a probe (the reversal's pick is
 * recorded here). */
static void chunk_fan_out(struct chunk *c, size_t root_at)
{
    struct proto_scan *ps = c->ps;
    size_t from = 0;
    size_t to = c->n; /* c->suites no longer holds the root's pick */
    bool client = false;
    if (ps->reverse_sent && ps->reverse_known && !ps->root_limited &&
        ps->reverse_pick != ps->pr->suites[0].code) {
        for (size_t i = 0; i < c->n; i++) {
            if (c->suites[i] == ps->reverse_pick && i >= root_at) {
                client = true;
                from = root_at;
                to = i;
            }
        }
    }
    if (client) {
        chunk_record(ps, &ps->reverse_found, ps->next_chunk_id++);
        groups_on_suite(ps->sc, ps->version, ps->reverse_pick);
        /* The rest is inferred, not seen: one hello of everything outside
         * the two picks must be refused. If it is not, the server mixes the
         * orders (order.c then asks), and its chain lists what was missed. */
        size_t n_out = 0;
        uint32_t *outside = malloc((c->n > 0 ? c->n : 1) * sizeof(*outside));
        for (size_t i = 0; outside != NULL && i < c->n; i++) {
            if (i < from || i > to) {
                outside[n_out++] = c->suites[i];
            }
        }
        if (outside == NULL) {
            from = 0;
            to = c->n; /* cannot check the inference: probe everything */
        } else if (n_out > 0) {
            uint16_t id = ps->next_chunk_id++;
            ps->outside_chunk = id;
            chunk_start(ps, outside, n_out, false, id, c->flags, 0);
        }
        free(outside);
    }
    suite_prior_sort(c->suites + from, to - from);
    chunk_lay_out(ps, c->suites + from, to - from, c->flags);
    chunk_done(c);
}

void chunk_reverse_known(struct proto_scan *ps, const struct server_flight *f)
{
    if (f != NULL && ps->version <= VERSION_TLS12) {
        certificate_from_flight(ps->sc, f, ps->version);
    }
    struct chunk *c = ps->fan_out_waiting;
    if (c != NULL) {
        ps->fan_out_waiting = NULL;
        chunk_fan_out(c, c->root_at);
    }
}

static void chunk_accept(struct chunk *c, size_t at, const struct server_flight *f)
{
    struct proto_scan *ps = c->ps;
    struct proto_result *pr = ps->pr;
    /* Only a reversal sent with the root is waited for (protocols.c). */
    bool wait_for_reverse = c->root && ps->reverse_pending;
    if (!ps->accepted_any && c->root && !ps->root_limited) {
        ps->root_pick_known = true;
    }
    if (!ps->accepted_any && c->root && ps->root_limited) {
        scan_note(ps->sc, "%s", ps->root_limit_why); /* the cut was what it needed */
    }
    ps->accepted_any = true;
    if (c->noext_trial) {
        c->noext_trial = false;
        c->closed_retry = false;
        scan_note(ps->sc, "%s: the server only answers a ClientHello without extensions",
                  version_name(ps->version));
        ps->workaround_flags |= SCAN_HELLO_NO_EXTENSIONS;
    }
    if (c->id != 0 && c->id == ps->outside_chunk) {
        ps->order_mixed = true; /* a suite the client-order inference ruled out */
    }
    if (pr->n_suites < RESULTS_MAX_SUITES) {
        struct suite_result *sr = &pr->suites[pr->n_suites];
        memset(sr, 0, sizeof(*sr));
        sr->code = c->suites[at];
        suite_result_from_flight(sr, f);
        ps->chunk_of[pr->n_suites] = c->id;
        pr->n_suites++;
    }
    if (ps->version <= VERSION_TLS12) {
        certificate_from_flight(ps->sc, f, ps->version);
    }
    groups_on_suite(ps->sc, ps->version, c->suites[at]);
    if (c->root && !ps->reverse_sent && ps->version != VERSION_SSL2) {
        order_reverse_start(ps, c->suites, c->n, c->flags);
    }
    memmove(&c->suites[at], &c->suites[at + 1], (c->n - at - 1) * sizeof(c->suites[0]));
    c->n--;
    c->tried &= ~(unsigned)TRIED_RETRY; /* each step may be retried once */

    if (c->n == 0) {
        chunk_done(c);
    } else if (wait_for_reverse) {
        c->root_at = at; /* fans out once the reversal is back */
        ps->fan_out_waiting = c;
    } else if (c->root) {
        chunk_fan_out(c, at);
    } else {
        chunk_send(c);
    }
}

static void chunk_on_hello(struct chunk *c, const struct probe_result *res)
{
    struct proto_scan *ps = c->ps;
    const struct server_hello *sh = &res->flight.sh;
    char text[RESULTS_TEXT];
    if (sh->version != ps->version) {
        snprintf(text, sizeof(text), "server answered with %s", version_name(sh->version));
        if (!ps->accepted_any) {
            chunk_refused(c, text);
        } else {
            chunk_anomaly(c, text);
        }
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (c->suites[i] == sh->suite) {
            chunk_accept(c, i, &res->flight);
            return;
        }
    }
    snprintf(text, sizeof(text), "server picked suite 0x%04x, which was not offered", sh->suite);
    chunk_anomaly(c, text);
}

static void chunk_on_sslv2(struct chunk *c, const struct server_flight *f)
{
    struct proto_scan *ps = c->ps;
    ps->accepted_any = true;
    for (size_t i = 0; i < f->n_ssl2_specs && ps->pr->n_suites < RESULTS_MAX_SUITES; i++) {
        for (size_t j = 0; j < c->n; j++) {
            if (c->suites[j] == f->ssl2_specs[i]) {
                struct suite_result *sr = &ps->pr->suites[ps->pr->n_suites++];
                memset(sr, 0, sizeof(*sr));
                sr->code = f->ssl2_specs[i];
                break;
            }
        }
    }
    /* The SERVER-HELLO carries the server's certificate: an SSLv2-only
     * server has no other place to read it from. */
    certificate_from_flight(ps->sc, f, VERSION_SSL2);
    chunk_done(c);
}

static int chunk_code_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Retry, then the known intolerances (RFC 7685 padding; extension-intolerant
 * pre-2006 stacks), then halve the chunk, then give up on it. */
static void chunk_work_around(struct chunk *c, const char *why)
{
    struct proto_scan *ps = c->ps;
    const char *vname = version_name(ps->version);
    bool pad_window = c->last_len >= HELLO_PAD_MIN && c->last_len <= HELLO_PAD_MAX;
    /* In the window, the padded hello is the retry: a plain one would only
     * wait out the same timeout again. */
    if (!(c->tried & TRIED_RETRY) && !(pad_window && !(c->tried & TRIED_PAD))) {
        c->tried |= TRIED_RETRY;
        chunk_send(c);
        return;
    }
    if (!(c->tried & TRIED_PAD) && pad_window) {
        c->tried |= TRIED_PAD | TRIED_RETRY;
        c->flags |= SCAN_HELLO_PAD;
        ps->workaround_flags |= SCAN_HELLO_PAD;
        scan_note(ps->sc, "%s: retried with a padded ClientHello (RFC 7685) after: %s", vname, why);
        chunk_send(c);
        return;
    }
    if (!(c->tried & TRIED_NOEXT) && ps->version != VERSION_SSL2 && ps->version != VERSION_TLS13) {
        c->tried |= TRIED_NOEXT;
        c->flags |= SCAN_HELLO_NO_EXTENSIONS;
        c->noext_trial = true;
        snprintf(c->broken_why, sizeof(c->broken_why), "%s", why);
        scan_note(ps->sc, "%s: retried with a ClientHello without extensions after: %s", vname,
                  why);
        chunk_send(c);
        return;
    }
    if (chunk_root_limit(c, why)) {
        return;
    }
    if (c->n > 1 && c->split_depth < CHUNK_MAX_SPLIT_DEPTH) {
        scan_note(ps->sc, "%s: split a ClientHello of %zu suites in halves after: %s", vname, c->n,
                  why);
        /* Halves by code point: what servers choke on tends to be a range
         * (codes newer than the stack), which this isolates fastest. */
        qsort(c->suites, c->n, sizeof(c->suites[0]), chunk_code_cmp);
        size_t half = c->n / 2;
        chunk_start(ps, c->suites, half, false, ps->next_chunk_id++, c->flags, c->split_depth + 1);
        chunk_start(ps, c->suites + half, c->n - half, false, ps->next_chunk_id++, c->flags,
                    c->split_depth + 1);
        chunk_done(c);
        return;
    }
    chunk_inconclusive(c, why);
}

/* A hello without extensions got no ServerHello: its answer proves nothing
 * (without signature_algorithms or groups a server may refuse what it would
 * otherwise accept), so drop the trial and go on with what broke before. */
static void chunk_noext_failed(struct chunk *c)
{
    c->noext_trial = false;
    c->flags &= ~(unsigned)SCAN_HELLO_NO_EXTENSIONS;
    if (c->closed_retry) {
        c->closed_retry = false;
        if (!chunk_root_limit(c, "connection closed without an alert")) {
            chunk_refused(c, "connection closed without an alert");
        }
        return;
    }
    char why[RESULTS_TEXT];
    snprintf(why, sizeof(why), "%s", c->broken_why);
    chunk_work_around(c, why);
}

/* The probe broke (no answer, reset, garbage, close). */
static void chunk_on_broken(struct chunk *c, const struct probe_result *res)
{
    struct proto_scan *ps = c->ps;
    char why[RESULTS_TEXT];
    probe_describe(res, why, sizeof(why));

    if (res->outcome == PROBE_OVER_BUDGET) {
        chunk_inconclusive(c, why); /* no workaround can help: no time is left */
        return;
    }
    if (c->root && !ps->accepted_any && ps->sc->phase == SCAN_PHASE_PROTOCOLS) {
        ps->parked = c; /* judged once the other protocols have answered */
        ps->parked_outcome = res->outcome;
        snprintf(ps->refusal_why, sizeof(ps->refusal_why), "%s", why);
        return;
    }
    if (c->noext_trial) {
        chunk_noext_failed(c);
        return;
    }
    if (res->outcome == PROBE_CLOSED) {
        /* Others got answers from this server, so a plain close is how it
         * says no. */
        if (ps->accepted_any) {
            scan_note(ps->sc, "%s: the server refuses by closing the connection without an alert",
                      version_name(ps->version));
        }
        chunk_refused(c, "connection closed without an alert");
        return;
    }
    chunk_work_around(c, why);
}

static void chunk_on_probe(void *arg, const struct probe_result *res)
{
    struct chunk *c = arg;
    if (res->outcome != PROBE_ANSWERED) {
        chunk_on_broken(c, res);
        return;
    }
    char why[RESULTS_TEXT];
    switch (res->flight.answer) {
    case ANSWER_ALERT:
        if (res->flight.alert_desc == ALERT_UNRECOGNIZED_NAME) {
            /* Says nothing about versions or suites, only about the name. */
            chunk_inconclusive(c, "alert unrecognized_name: the server does not accept the name "
                                  "sent as SNI (see --sni)");
            break;
        }
        if (c->noext_trial) {
            chunk_noext_failed(c);
            break;
        }
        probe_describe(res, why, sizeof(why));
        /* Alerts that fault the hello's form, not its versions or suites. */
        bool form = res->flight.alert_desc == ALERT_DECODE_ERROR ||
                    res->flight.alert_desc == ALERT_ILLEGAL_PARAMETER ||
                    res->flight.alert_desc == ALERT_RECORD_OVERFLOW;
        if (form && chunk_root_limit(c, why)) {
            break;
        }
        chunk_refused(c, why);
        break;
    case ANSWER_SERVER_HELLO:
    case ANSWER_HRR:
        chunk_on_hello(c, res);
        break;
    case ANSWER_SSL2_SERVER_HELLO:
        if (c->ps->version == VERSION_SSL2) {
            chunk_on_sslv2(c, &res->flight);
        } else {
            chunk_anomaly(c, "server answered a TLS hello with an SSLv2 SERVER-HELLO");
        }
        break;
    default:
        chunk_anomaly(c, "server answer of unknown kind");
        break;
    }
}

static enum status chunk_send_sslv2(struct chunk *c, char *what)
{
    uint8_t *buf = malloc(HELLO_MAX_LEN);
    if (buf == NULL) {
        return ST_NO_MEMORY;
    }
    uint8_t challenge[16];
    memcpy(challenge, c->random, sizeof(challenge));
    size_t len = 0;
    enum status st = hello_sslv2_build(c->suites, c->n, challenge, buf, HELLO_MAX_LEN, &len);
    if (st == ST_OK) {
        c->last_len = len;
        st = scan_send_raw(c->ps->sc, buf, len, VERSION_SSL2, SCAN_SEND_SSLV2, what, chunk_on_probe,
                           c);
    }
    free(buf);
    return st;
}

static enum status chunk_send_tls(struct chunk *c, const char *what)
{
    struct proto_scan *ps = c->ps;
    uint16_t *codes = malloc(c->n * sizeof(*codes));
    if (codes == NULL) {
        return ST_NO_MEMORY;
    }
    for (size_t i = 0; i < c->n; i++) {
        codes[i] = (uint16_t)c->suites[i];
    }
    if (!c->root) {
        /* A chain's finds are read as the server's preference (order.c);
         * the root keeps its order, which the reversal mirrors. */
        suite_chacha_last(codes, c->n);
    }
    struct scan_hello h;
    scan_hello_init(ps->sc, &h, ps->version, c->random);
    h.suites = codes;
    h.n_suites = c->n;
    /* Once one hello of the protocol needed padding, every one in the
     * window is padded from the start (the extension is harmless). */
    h.flags = c->flags | (ps->workaround_flags & SCAN_HELLO_PAD);
    if (ps->version == VERSION_TLS13) {
        /* The HelloRetryRequest names suite and group: no key share needed. */
        h.flags |= SCAN_HELLO_EMPTY_KEY_SHARE;
    }
    bool full = ps->version <= VERSION_TLS12;
    enum status st = scan_send(ps->sc, &h, full, what, chunk_on_probe, c, &c->last_len);
    free(codes);
    return st;
}

static void chunk_send(struct chunk *c)
{
    struct proto_scan *ps = c->ps;
    char what[96];
    snprintf(what, sizeof(what), "%s hello, %zu suites%s%s", version_name(ps->version), c->n,
             c->root ? " (protocol probe)" : "", c->flags & SCAN_HELLO_PAD ? ", padded" : "");
    if (ps->version == VERSION_SSL2) {
        memset(c->random, 0x11, sizeof(c->random));
    }
    enum status st =
        ps->version == VERSION_SSL2 ? chunk_send_sslv2(c, what) : chunk_send_tls(c, what);
    if (st != ST_OK) {
        char why[RESULTS_TEXT];
        snprintf(why, sizeof(why), "could not build the hello: %s", status_name(st));
        chunk_inconclusive(c, why);
    }
}

void chunk_unpark(struct proto_scan *ps)
{
    struct chunk *c = ps->parked;
    if (c == NULL) {
        return;
    }
    ps->parked = NULL;
    if (ps->parked_outcome == PROBE_CLOSED) {
        /* The same server answered other probes: a plain close after this
         * hello is its way of refusing the version, unless it is choking on
         * our extensions, which one hello without them tells apart. */
        if (ps->version == VERSION_SSL2 || ps->version == VERSION_TLS13) {
            chunk_refused(c, "connection closed without an alert");
            return;
        }
        c->closed_retry = true;
        c->noext_trial = true;
        c->tried |= TRIED_RETRY | TRIED_NOEXT;
        c->flags |= SCAN_HELLO_NO_EXTENSIONS;
        chunk_send(c);
        return;
    }
    c->tried |= TRIED_RETRY;
    chunk_send(c);
}

void chunk_discard_parked(struct proto_scan *ps)
{
    struct chunk *c = ps->parked;
    if (c == NULL) {
        return;
    }
    ps->parked = NULL;
    ps->live_chunks--;
    free(c->suites);
    free(c);
}
