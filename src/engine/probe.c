#include "engine/probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/engine_internal.h"
#include "registry/registry.h"
#include "util/log.h"

struct probe {
    struct conn conn; /* first: conn callbacks get back to the probe */
    uint8_t *hello;
    size_t hello_len;
    uint8_t *hs_buf; /* mmap'd while connected; NULL before */
    bool want_full;
    bool expect_sslv2;
    probe_done_fn done;
    void *arg;
    char what[128];
    struct probe_result res;
};

static void probe_describe_answer(const struct probe_result *res, char *buf, size_t len)
{
    const struct server_flight *f = &res->flight;
    const struct suite_info *s = suite_find(f->sh.suite);
    const char *suite = s != NULL ? s->name : "an unknown suite";

    switch (f->answer) {
    case ANSWER_SERVER_HELLO:
        snprintf(buf, len, "ServerHello %s, %s (0x%04x)", version_name(f->sh.version), suite,
                 f->sh.suite);
        break;
    case ANSWER_HRR:
        snprintf(buf, len, "HelloRetryRequest, %s (0x%04x), group 0x%04x", suite, f->sh.suite,
                 f->sh.key_share_group);
        break;
    case ANSWER_ALERT:
        snprintf(buf, len, "alert %s", alert_name(f->alert_desc));
        break;
    case ANSWER_SSL2_SERVER_HELLO:
        snprintf(buf, len, "SSLv2 SERVER-HELLO with %zu cipher specs", f->n_ssl2_specs);
        break;
    default:
        snprintf(buf, len, "an answer of unknown kind");
        break;
    }
}

void probe_describe(const struct probe_result *res, char *buf, size_t len)
{
    if (len == 0) {
        return;
    }
    switch (res->outcome) {
    case PROBE_ANSWERED:
        probe_describe_answer(res, buf, len);
        break;
    case PROBE_CLOSED:
        if (res->bytes_received > 0) {
            snprintf(buf, len, "connection closed in the middle of the answer (%zu bytes)",
                     res->bytes_received);
        } else {
            snprintf(buf, len, "connection closed without an alert");
        }
        break;
    case PROBE_RESET:
        snprintf(buf, len, "connection reset by peer");
        break;
    case PROBE_TIMEOUT:
        snprintf(buf, len, "no complete answer within %.1f s (%zu bytes received)",
                 res->elapsed_ms / 1000.0, res->bytes_received);
        break;
    case PROBE_GARBLED:
        snprintf(buf, len, "%s", res->flight.why[0] != '\0' ? res->flight.why : "not TLS");
        break;
    case PROBE_REFUSED:
        snprintf(buf, len, "connection refused");
        break;
    case PROBE_ABANDONED:
        snprintf(buf, len, "not finished: the server answered other probes in another protocol");
        break;
    case PROBE_OVER_BUDGET:
        snprintf(buf, len,
                 "not finished: the scan of this target reached its time limit "
                 "(--max-time)");
        break;
    case PROBE_NET_ERROR:
    default:
        snprintf(buf, len, "network error: %s", strerror(res->sys_errno));
        break;
    }
}

bool probe_is_refusal(const struct probe_result *res)
{
    if (res->outcome != PROBE_ANSWERED) {
        return false;
    }
    const struct server_flight *f = &res->flight;
    if (f->answer == ANSWER_ALERT) {
        return true;
    }
    /* A ServerHello of a lower version says the server does not do this one
     * (RFC 5246 E.1: it answers with the highest it supports below); a higher
     * one never gets here (see probe_version_above_offer). */
    bool hello = f->answer == ANSWER_SERVER_HELLO || f->answer == ANSWER_HRR;
    return hello && res->version_offered != 0 && res->version_offered != VERSION_SSL2 &&
           f->sh.version < res->version_offered;
}

static struct probe *probe_of(struct conn *c)
{
    return (struct probe *)c;
}

/* The reassembly buffer exists only while a connection is up: a target queues
 * a hundred probes at once (the client simulation), and a fleet run holds
 * many targets. It is its own mapping so that the pages an answer touched go
 * back to the system when the probe ends, whatever the heap looks like. */
static void probe_on_connected(struct conn *c)
{
    struct probe *p = probe_of(c);
    void *buf =
        mmap(NULL, FLIGHT_MAX_HS_MSG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        conn_end(c, PROBE_NET_ERROR, ENOMEM);
        return;
    }
    p->hs_buf = buf;
    server_flight_init(&p->res.flight, p->hs_buf, FLIGHT_MAX_HS_MSG, p->want_full, p->expect_sslv2);
    conn_write(c, p->hello, p->hello_len);
}

/* RFC 5246 E.1, RFC 8446 4.1.3: a server may answer with a version below the
 * client's highest, never above it. Such a ServerHello is a broken server, not
 * a refusal, and what follows it cannot be read at the version it claims. */
static bool probe_version_above_offer(const struct probe *p)
{
    const struct server_flight *f = &p->res.flight;
    uint16_t offered = p->res.version_offered;
    return f->got_server_hello && offered != 0 && offered != VERSION_SSL2 &&
           f->sh.version > offered;
}

static void probe_on_data(struct conn *c, const uint8_t *buf, size_t len)
{
    struct probe *p = probe_of(c);
    enum flight_state st = server_flight_feed(&p->res.flight, buf, len);
    if (probe_version_above_offer(p)) {
        struct server_flight *f = &p->res.flight;
        snprintf(f->why, sizeof(f->why), "ServerHello chose %s (0x%04x), above the %s offered",
                 version_name(f->sh.version), f->sh.version, version_name(p->res.version_offered));
        conn_end(c, PROBE_GARBLED, 0);
    } else if (st == FLIGHT_DONE) {
        conn_end(c, PROBE_ANSWERED, 0);
    } else if (st == FLIGHT_GARBLED) {
        conn_end(c, PROBE_GARBLED, 0);
    }
}

static void probe_on_closed(struct conn *c)
{
    struct probe *p = probe_of(c);
    p->res.outcome = c->outcome;
    p->res.sys_errno = c->sys_errno;
    p->res.bytes_received = c->bytes_received;
    p->res.elapsed_ms = c->elapsed_ms;

    if (log_enabled(LOG_INFO)) {
        char said[256];
        probe_describe(&p->res, said, sizeof(said));
        log_msg(c->t->label, LOG_INFO, "%s: %s (%.0f ms)", p->what, said, p->res.elapsed_ms);
    }
    p->done(p->arg, &p->res);
    if (p->hs_buf != NULL) {
        munmap(p->hs_buf, FLIGHT_MAX_HS_MSG);
    }
    free(p->hello);
    free(p);
}

static const struct conn_ops probe_ops = {
    .connected = probe_on_connected,
    .data = probe_on_data,
    .closed = probe_on_closed,
};

enum status engine_probe(struct engine_target *t, const struct probe_request *req,
                         probe_done_fn done, void *arg)
{
    struct probe *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return ST_NO_MEMORY;
    }
    p->hello = malloc(req->hello_len);
    if (p->hello == NULL) {
        free(p);
        return ST_NO_MEMORY;
    }
    memcpy(p->hello, req->hello, req->hello_len);
    p->hello_len = req->hello_len;
    p->done = done;
    p->arg = arg;
    snprintf(p->what, sizeof(p->what), "%s", req->what != NULL ? req->what : "hello");
    p->res.version_offered = req->version;
    p->want_full = req->want_full;
    p->expect_sslv2 = req->expect_sslv2;
    /* No buffer until connected (see probe_on_connected): a probe that never
     * connects has an empty flight. */
    server_flight_init(&p->res.flight, NULL, 0, req->want_full, req->expect_sslv2);

    conn_init(&p->conn, t, &probe_ops);
    p->conn.bulk = req->bulk;
    conn_submit(&p->conn);
    return ST_OK;
}
