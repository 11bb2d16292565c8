#include "checks/scan.h"

#include <arpa/inet.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan_ctx.h"
#include "checks/target_spec.h"
#include "registry/registry.h"
#include "util/log.h"

struct scan_send_req {
    struct scan_ctx *sc;
    scan_probe_fn cb;
    void *arg;
};

void scan_op_begin(struct scan_ctx *sc)
{
    sc->pending++;
}

static void scan_advance(struct scan_ctx *sc);

void scan_op_end(struct scan_ctx *sc)
{
    if (--sc->pending == 0) {
        scan_advance(sc);
    }
}

void scan_note(struct scan_ctx *sc, const char *fmt, ...)
{
    char text[RESULTS_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < sc->r->n_notes; i++) {
        if (strcmp(sc->r->notes[i], text) == 0) {
            return;
        }
    }
    log_msg(sc->label, LOG_INFO, "note: %s", text);
    results_note(sc->r, "%s", text);
}

void scan_hello_init(struct scan_ctx *sc, struct scan_hello *h, uint16_t version,
                     uint8_t random[32])
{
    memset(h, 0, sizeof(*h));
    if (RAND_bytes(random, 32) != 1) {
        /* The random only has to differ between hellos, not be secret. */
        memset(random, 0x5a, 32);
    }
    h->version = version;
    h->sni = sc->sni;
    h->random = random;
}

/* Two TLS hellos answered in plain text (an HTTP or SSH server) and no TLS
 * answer yet: the target does not speak TLS, and its other first-round probes
 * (an SSLv2 hello that an HTTP server keeps waiting on) are ended now instead
 * of at --timeout. Only TLS-format hellos count: a protocol multiplexer may
 * send an SSLv2 hello, which does not start like TLS, to another service. */
static void scan_saw_plain_text(struct scan_ctx *sc, const struct probe_result *res)
{
    bool tls_hello = res->version_offered >= VERSION_SSL3;
    if (!res->flight.plain_text || !tls_hello || sc->any_tls || sc->t == NULL ||
        sc->phase != SCAN_PHASE_PROTOCOLS) {
        return;
    }
    if (++sc->n_plain_text == 2) {
        engine_target_abandon(sc->t);
    }
}

void scan_saw(struct scan_ctx *sc, const struct probe_result *res)
{
    sc->n_seen++;
    if (res->outcome == PROBE_NET_ERROR) {
        sc->n_net_error++;
    }
    switch (res->outcome) {
    case PROBE_ANSWERED:
        sc->any_tls = true;
        break;
    case PROBE_GARBLED:
        if (!sc->any_garbled) {
            probe_describe(res, sc->garbled_why, sizeof(sc->garbled_why));
        }
        sc->any_garbled = true;
        scan_saw_plain_text(sc, res);
        break;
    case PROBE_REFUSED:
        sc->n_refused++;
        break;
    case PROBE_OVER_BUDGET:
        sc->n_over_budget++;
        scan_note(sc,
                  "the scan stopped at its time limit of %g s (--max-time): what it had "
                  "not finished is marked incomplete",
                  sc->opts.budget_ms / 1000.0);
        break;
    case PROBE_TIMEOUT:
        sc->n_timeout++;
        if (res->bytes_received > sc->timeout_bytes_max) {
            sc->timeout_bytes_max = res->bytes_received;
        }
        break;
    default:
        sc->n_other_broken++;
        if (res->outcome == PROBE_CLOSED && res->bytes_received > sc->closed_bytes_max) {
            sc->closed_bytes_max = res->bytes_received;
        }
        break;
    }
}

static void scan_on_probe(void *arg, const struct probe_result *res)
{
    struct scan_send_req *req = arg;
    struct scan_ctx *sc = req->sc;
    scan_saw(sc, res);
    req->cb(req->arg, res);
    free(req);
    scan_op_end(sc);
}

enum status scan_send_raw(struct scan_ctx *sc, const uint8_t *hello, size_t len, uint16_t version,
                          unsigned flags, const char *what, scan_probe_fn cb, void *arg)
{
    struct scan_send_req *req = malloc(sizeof(*req));
    if (req == NULL) {
        return ST_NO_MEMORY;
    }
    *req = (struct scan_send_req){.sc = sc, .cb = cb, .arg = arg};
    struct probe_request pr = {.hello = hello,
                               .hello_len = len,
                               .version = version,
                               .want_full = (flags & SCAN_SEND_FULL) != 0,
                               .expect_sslv2 = (flags & SCAN_SEND_SSLV2) != 0,
                               .bulk = (flags & SCAN_SEND_BULK) != 0,
                               .what = what};
    enum status st = engine_probe(sc->t, &pr, scan_on_probe, req);
    if (st != ST_OK) {
        free(req);
        return st;
    }
    scan_op_begin(sc);
    return ST_OK;
}

enum status scan_send(struct scan_ctx *sc, const struct scan_hello *h, bool want_full,
                      const char *what, scan_probe_fn cb, void *arg, size_t *sent_len)
{
    uint8_t *buf = malloc(HELLO_MAX_LEN);
    if (buf == NULL) {
        return ST_NO_MEMORY;
    }
    size_t len = 0;
    enum status st = hello_scan_build(h, buf, HELLO_MAX_LEN, &len);
    if (st == ST_OK) {
        st = scan_send_raw(sc, buf, len, h->version, want_full ? SCAN_SEND_FULL : 0, what, cb, arg);
    }
    if (sent_len != NULL) {
        *sent_len = len;
    }
    free(buf);
    return st;
}

static bool scan_next_address(struct scan_ctx *sc);

static int group_by_code(const void *a, const void *b)
{
    const struct group_result *x = a, *y = b;
    return (x->code > y->code) - (x->code < y->code);
}

static void scan_finish(struct scan_ctx *sc)
{
    struct scan_results *r = sc->r;
    sc->phase = SCAN_PHASE_DONE;
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        chunk_discard_parked(&sc->protos[i]);
    }
    if (sc->t != NULL) {
        r->connections = sc->prior_connections + engine_target_connections(sc->t);
        engine_target_free(sc->t);
        sc->t = NULL;
    }
    if (scan_next_address(sc)) {
        return;
    }
    /* Parallel probes find groups in any order: the report lists them by code
     * point, the same from one run to the next. */
    qsort(r->groups, r->n_groups, sizeof(r->groups[0]), group_by_code);
    if (sc->n_over_budget > 0 && !(sc->groups12_started && sc->groups13_started)) {
        /* The time limit may have come before the suites that start them. */
        r->groups_complete = false;
    }
    r->elapsed_s = (double)(uv_now(engine_loop(sc->e)) - sc->started_ms) / 1000.0;
    log_msg(sc->label, LOG_INFO, "scan finished: %u connections, %.3f s", r->connections,
            r->elapsed_s);
    engine_job_finish(sc->e, &sc->job);
    if (sc->addresses_done != NULL) {
        sc->addresses_done(sc->done_arg, NULL, 0, r);
    } else {
        sc->done(r, sc->done_arg);
    }
    free(sc);
}

/* Sets the target's state and its one-sentence error. */
static void scan_fail(struct scan_ctx *sc, enum target_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void scan_fail(struct scan_ctx *sc, enum target_state state, const char *fmt, ...)
{
    sc->r->state = (uint8_t)state;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sc->r->error, sizeof(sc->r->error), fmt, ap);
    va_end(ap);
}

/* No probe of the first round got a TLS answer: say what the target is. A
 * timeout outweighs a close: a TLS-only server closes on the SSLv2 hello, so
 * a server that is merely slow would otherwise read as one that hangs up. */
static void scan_judge_unanswered(struct scan_ctx *sc)
{
    double timeout_s = sc->opts.timeout_ms / 1000.0;
    if (sc->any_garbled) {
        scan_fail(sc, TARGET_NOT_TLS, "%s does not speak TLS: %s", sc->label, sc->garbled_why);
    } else if (sc->n_over_budget > 0) {
        scan_fail(sc, TARGET_UNREACHABLE,
                  "%s gave no TLS answer before the scan's time limit "
                  "of %g s (--max-time)",
                  sc->label, sc->opts.budget_ms / 1000.0);
    } else if (sc->n_other_broken == 0 && sc->n_timeout == 0) {
        scan_fail(sc, TARGET_UNREACHABLE, "%s refused the connection", sc->label);
    } else if (sc->n_timeout > 0 && sc->timeout_bytes_max > 0) {
        scan_fail(sc, TARGET_UNREACHABLE,
                  "%s timed out: no complete TLS answer within %.1f s (at most %zu byte%s "
                  "arrived on a connection)",
                  sc->label, timeout_s, sc->timeout_bytes_max,
                  sc->timeout_bytes_max == 1 ? "" : "s");
    } else if (sc->n_timeout > 0) {
        scan_fail(sc, TARGET_UNREACHABLE, "%s did not answer within %.1f s", sc->label, timeout_s);
    } else if (sc->closed_bytes_max > 0) {
        scan_fail(sc, TARGET_NOT_TLS,
                  "%s closed every connection in the middle of its answer (at most %zu bytes "
                  "arrived): the answer was cut short",
                  sc->label, sc->closed_bytes_max);
    } else {
        scan_fail(sc, TARGET_NOT_TLS,
                  "%s closed or reset every connection without answering a TLS ClientHello",
                  sc->label);
    }
}

static void scan_advance(struct scan_ctx *sc)
{
    if (sc->phase == SCAN_PHASE_PROTOCOLS) {
        if (!sc->any_tls) {
            scan_judge_unanswered(sc);
            scan_finish(sc);
            return;
        }
        sc->phase = SCAN_PHASE_RETRIES;
        protocols_after_first_round(sc);
        if (sc->pending > 0) {
            return;
        }
    }
    if (sc->phase == SCAN_PHASE_RETRIES) {
        sc->phase = SCAN_PHASE_DETAILS;
        groups_tls12_start(sc, false);
        certificate_start(sc, false);
        if (!sc->cert_pending) {
            clients_start(sc); /* no-op when the certificate already started them */
        }
        if (sc->pending > 0) {
            return;
        }
    }
    if (sc->phase == SCAN_PHASE_DETAILS) {
        groups_settle(sc);
        certificate_settle(sc);
        clients_refine(sc);
        scan_finish(sc);
    }
}

static void scan_on_resolved(void *arg, const struct sockaddr_storage *addr, const char *err)
{
    struct scan_ctx *sc = arg;
    struct scan_results *r = sc->r;
    if (err != NULL) {
        scan_fail(sc, TARGET_UNRESOLVED, "%s", err);
        scan_finish(sc);
        return;
    }
    engine_addr_text(addr, r->address, sizeof(r->address));
    struct engine_target_config cfg = {.addr = *addr,
                                       .parallel = sc->opts.parallel,
                                       .rate = sc->opts.rate,
                                       .timeout_ms = sc->opts.timeout_ms,
                                       .budget_ms = sc->opts.budget_ms,
                                       .label = sc->label};
    sc->t = engine_target_new(sc->e, &cfg);
    if (sc->t == NULL) {
        scan_fail(sc, TARGET_UNREACHABLE, "out of memory");
        scan_finish(sc);
        return;
    }
    log_msg(sc->label, LOG_DEBUG, "resolved to %s", r->address);
    /* The first round is counted as one operation of its own, so that
     * probes finishing while it is still being queued cannot end the phase. */
    scan_op_begin(sc);
    protocols_start(sc);
    scan_op_end(sc);
}

/* The lookup could not even be started. */
static void scan_resolve_failed(struct scan_ctx *sc, enum status st)
{
    scan_fail(sc, TARGET_UNRESOLVED, "cannot resolve %s: %s", sc->host, status_name(st));
    scan_finish(sc);
}

/* Scans the first address and keeps the others for scan_next_address. */
static void scan_on_resolved_all(void *arg, const struct sockaddr_storage *addrs, size_t n,
                                 const char *err)
{
    struct scan_ctx *sc = arg;
    if (err != NULL) {
        scan_on_resolved(sc, NULL, err);
        return;
    }
    for (size_t i = 1; i < n && sc->n_more_addrs < SCAN_MAX_ADDRESSES; i++) {
        sc->more_addrs[sc->n_more_addrs++] = addrs[i];
    }
    scan_on_resolved(sc, &addrs[0], NULL);
}

static void scan_job_start(struct engine_job *job)
{
    struct scan_ctx *sc = (struct scan_ctx *)job;
    sc->started_ms = uv_now(engine_loop(sc->e));
    if (sc->pinned || sc->fallback) {
        scan_on_resolved(sc, &sc->pin_addr, NULL);
        return;
    }
    enum status st =
        engine_resolve_all(sc->e, sc->host, sc->port, sc->opts.family, scan_on_resolved_all, sc);
    if (st != ST_OK) {
        scan_resolve_failed(sc, st);
    }
}

static void scan_on_addresses(void *arg, const struct sockaddr_storage *addrs, size_t n,
                              const char *err)
{
    struct scan_ctx *sc = arg;
    if (err != NULL) {
        scan_fail(sc, TARGET_UNRESOLVED, "%s", err);
        scan_finish(sc); /* hands the unresolved results to addresses_done */
        return;
    }
    log_msg(sc->label, LOG_DEBUG, "resolved to %zu address%s", n, n == 1 ? "" : "es");
    sc->addresses_done(sc->done_arg, addrs, n, NULL);
    engine_job_finish(sc->e, &sc->job);
    results_free(sc->r);
    free(sc);
}

static void scan_addresses_job_start(struct engine_job *job)
{
    struct scan_ctx *sc = (struct scan_ctx *)job;
    sc->started_ms = uv_now(engine_loop(sc->e));
    enum status st =
        engine_resolve_all(sc->e, sc->host, sc->port, sc->opts.family, scan_on_addresses, sc);
    if (st != ST_OK) {
        scan_resolve_failed(sc, st);
    }
}

static void scan_ctx_fill(struct scan_ctx *sc, const struct scan_options *opts)
{
    sc->opts = *opts;
    if (sc->opts.timeout_ms == 0) {
        sc->opts.timeout_ms = ENGINE_DEFAULT_TIMEOUT;
    }
    bool literal = target_is_ip_literal(sc->host);
    const char *sni = opts->sni != NULL ? opts->sni : (literal ? "" : sc->host);
    snprintf(sc->sni, sizeof(sc->sni), "%s", sni);
    snprintf(sc->label, sizeof(sc->label), "%s%s%s:%u", strchr(sc->host, ':') ? "[" : "", sc->host,
             strchr(sc->host, ':') ? "]" : "", sc->port);

    struct scan_results *r = sc->r;
    snprintf(r->host, sizeof(r->host), "%s", sc->host);
    snprintf(r->sni, sizeof(r->sni), "%s", sc->sni);
    r->port = sc->port;
    r->groups_complete = true;
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        sc->protos[i].sc = sc;
        sc->protos[i].pr = &r->protos[i];
        sc->protos[i].version = r->protos[i].version;
    }
}

/* A scan_ctx for target_spec with its results filled in, not yet submitted. */
static enum status scan_ctx_new(struct engine *e, const struct scan_options *opts,
                                const char *target_spec, struct scan_ctx **out, char *err,
                                size_t errlen)
{
    struct scan_ctx *sc = calloc(1, sizeof(*sc));
    if (sc == NULL) {
        snprintf(err, errlen, "out of memory");
        return ST_NO_MEMORY;
    }
    uint16_t default_port = opts->default_port != 0 ? opts->default_port : 443;
    enum status st = target_spec_parse(target_spec, default_port, sc->host, sizeof(sc->host),
                                       &sc->port, err, errlen);
    if (st != ST_OK) {
        free(sc);
        return st;
    }
    sc->r = results_new();
    if (sc->r == NULL) {
        free(sc);
        snprintf(err, errlen, "out of memory");
        return ST_NO_MEMORY;
    }
    snprintf(sc->r->target, sizeof(sc->r->target), "%s", target_spec);
    sc->e = e;
    scan_ctx_fill(sc, opts);
    *out = sc;
    return ST_OK;
}

/* A name whose address took no connection at all (each refused or
 * unroutable) is scanned at its next address, as clients fall back: e.g.
 * "localhost" resolving to ::1 first, with a server on 127.0.0.1 only. The
 * new scan replaces this one, and its notes say what was tried. */
static bool scan_next_address(struct scan_ctx *sc)
{
    bool no_connection = sc->n_seen > 0 && sc->n_refused + sc->n_net_error == sc->n_seen;
    if (sc->pinned || sc->n_more_addrs == 0 || sc->r->state != TARGET_UNREACHABLE ||
        !no_connection) {
        return false;
    }
    struct scan_ctx *next = NULL;
    char err[256];
    if (scan_ctx_new(sc->e, &sc->opts, sc->r->target, &next, err, sizeof(err)) != ST_OK) {
        return false;
    }
    next->done = sc->done;
    next->done_arg = sc->done_arg;
    next->job.start = scan_job_start;
    next->fallback = true;
    next->pin_addr = sc->more_addrs[0];
    next->n_more_addrs = sc->n_more_addrs - 1;
    memcpy(next->more_addrs, sc->more_addrs + 1, next->n_more_addrs * sizeof(next->more_addrs[0]));
    next->prior_connections = sc->r->connections;
    for (size_t i = 0; i < sc->r->n_notes; i++) {
        results_note(next->r, "%s", sc->r->notes[i]);
    }
    results_note(next->r, "tried %s first: %s", sc->r->address, sc->r->error);
    log_msg(sc->label, LOG_INFO, "no connection to %s: trying the next address", sc->r->address);

    engine_job_finish(sc->e, &sc->job);
    results_free(sc->r);
    free(sc);
    engine_job_submit(next->e, &next->job);
    return true;
}

/* A host name scanned at one of its several addresses says which one in its
 * log lines and error sentences; an IP literal already is its address. */
static void scan_ctx_pin(struct scan_ctx *sc, const struct sockaddr_storage *addr)
{
    sc->pinned = true;
    sc->pin_addr = *addr;
    if (target_is_ip_literal(sc->host)) {
        return;
    }
    char text[64];
    engine_addr_text(addr, text, sizeof(text));
    size_t used = strlen(sc->label);
    snprintf(sc->label + used, sizeof(sc->label) - used, " (%s)", text);
}

enum status scan_start_at(struct engine *e, const struct scan_options *opts,
                          const char *target_spec, const struct sockaddr_storage *addr,
                          scan_done_fn done, void *arg, char *err, size_t errlen)
{
    struct scan_ctx *sc = NULL;
    TRY(scan_ctx_new(e, opts, target_spec, &sc, err, errlen));
    sc->done = done;
    sc->done_arg = arg;
    sc->job.start = scan_job_start;
    if (addr != NULL) {
        scan_ctx_pin(sc, addr);
    }
    engine_job_submit(e, &sc->job);
    return ST_OK;
}

enum status scan_start(struct engine *e, const struct scan_options *opts, const char *target_spec,
                       scan_done_fn done, void *arg, char *err, size_t errlen)
{
    return scan_start_at(e, opts, target_spec, NULL, done, arg, err, errlen);
}

enum status scan_addresses_resolve(struct engine *e, const struct scan_options *opts,
                                   const char *target_spec, scan_addresses_fn done, void *arg,
                                   char *err, size_t errlen)
{
    struct scan_ctx *sc = NULL;
    TRY(scan_ctx_new(e, opts, target_spec, &sc, err, errlen));
    sc->addresses_done = done;
    sc->done_arg = arg;
    sc->job.start = scan_addresses_job_start;
    engine_job_submit(e, &sc->job);
    return ST_OK;
}
