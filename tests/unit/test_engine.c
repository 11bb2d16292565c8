/* Engine unit tests: every probe outcome against real sockets on 127.0.0.1.
 * Misbehaving servers run in-process on the engine's own loop; a real TLS
 * server is `openssl s_server`. */
/* cmocka.h needs these system headers first; keep clang-format from sorting them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "engine/engine.h"
#include "registry/registry.h"
#include "test_engine_servers.h"
#include "wire/hello_client.h"

enum bad_mode {
    BAD_CLOSE,       /* reads the hello, then closes (FIN) */
    BAD_RESET,       /* reads the hello, then resets (RST) */
    BAD_TARPIT,      /* reads and never answers */
    BAD_TRICKLE,     /* answers one byte every 100 ms */
    BAD_HTTP,        /* answers plain HTTP */
    BAD_HELLO_ABOVE, /* a ServerHello of TLS 1.3 (legacy field), above the TLS 1.2 offered */
    BAD_HELLO_BELOW, /* a ServerHello of TLS 1.1, below the TLS 1.2 offered */
};

#define BAD_MAX_CLIENTS 16

struct bad_client {
    uv_tcp_t tcp;
    uv_timer_t timer;
    struct bad_server *srv;
    uv_write_t wreq;
    size_t sent;
    bool closing;
};

struct bad_server {
    uv_tcp_t listener;
    enum bad_mode mode;
    unsigned short port;
    unsigned accepted;
    unsigned open_now;
    unsigned max_open;
    struct bad_client *clients[BAD_MAX_CLIENTS];
    size_t n_clients;
};

static const char bad_http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
static const uint8_t bad_trickle[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c};

/* A ServerHello with no extensions (RFC 5246 7.4.1.3): record and handshake
 * headers, version at [9..10], 32-byte random, empty session id, suite
 * TLS_RSA_WITH_AES_128_CBC_SHA, null compression. */
#define BAD_HELLO_LEN (5 + 4 + 38)
static void bad_server_hello(uint8_t out[BAD_HELLO_LEN], uint16_t version)
{
    static const uint8_t head[] = {0x16, 0x03, 0x03, 0x00, 42, 0x02, 0x00, 0x00, 38};
    memset(out, 0x11, BAD_HELLO_LEN);
    memcpy(out, head, sizeof(head));
    out[9] = (uint8_t)(version >> 8);
    out[10] = (uint8_t)version;
    out[43] = 0x00; /* session id length */
    out[44] = 0x00;
    out[45] = 0x2f;
    out[46] = 0x00; /* compression */
}

static void bad_client_close(struct bad_client *bc, bool reset)
{
    if (bc->closing) {
        return;
    }
    bc->closing = true;
    bc->srv->open_now--;
    if (reset) {
        uv_tcp_close_reset(&bc->tcp, NULL);
    } else {
        uv_close((uv_handle_t *)&bc->tcp, NULL);
    }
    uv_close((uv_handle_t *)&bc->timer, NULL);
}

static void bad_alloc(uv_handle_t *h, size_t n, uv_buf_t *buf)
{
    (void)h;
    static char scratch[65536]; /* test-only sink; contents are never read */
    (void)n;
    *buf = uv_buf_init(scratch, sizeof(scratch));
}

static void bad_on_trickle(uv_timer_t *t)
{
    struct bad_client *bc = t->data;
    if (bc->sent < sizeof(bad_trickle) && !bc->closing) {
        uv_buf_t b = uv_buf_init((char *)&bad_trickle[bc->sent], 1);
        bc->sent++;
        uv_try_write((uv_stream_t *)&bc->tcp, &b, 1);
    }
}

static void bad_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    struct bad_client *bc = s->data;
    if (nread < 0) {
        bad_client_close(bc, false);
        return;
    }
    if (nread == 0 || bc->sent > 0) {
        return;
    }
    switch (bc->srv->mode) {
    case BAD_CLOSE:
        bad_client_close(bc, false);
        break;
    case BAD_RESET:
        bad_client_close(bc, true);
        break;
    case BAD_TARPIT:
        break;
    case BAD_TRICKLE:
        uv_timer_start(&bc->timer, bad_on_trickle, 0, 100);
        break;
    case BAD_HTTP: {
        uv_buf_t b = uv_buf_init((char *)bad_http, sizeof(bad_http) - 1);
        bc->sent = b.len;
        uv_try_write((uv_stream_t *)&bc->tcp, &b, 1);
        break;
    }
    case BAD_HELLO_ABOVE:
    case BAD_HELLO_BELOW: {
        static uint8_t hello[BAD_HELLO_LEN];
        bad_server_hello(hello, bc->srv->mode == BAD_HELLO_ABOVE ? VERSION_TLS13 : VERSION_TLS11);
        uv_buf_t b = uv_buf_init((char *)hello, sizeof(hello));
        bc->sent = b.len;
        uv_try_write((uv_stream_t *)&bc->tcp, &b, 1);
        break;
    }
    }
}

static void bad_on_connection(uv_stream_t *listener, int status)
{
    struct bad_server *srv = listener->data;
    assert_int_equal(status, 0);
    struct bad_client *bc = calloc(1, sizeof(*bc));
    bc->srv = srv;
    uv_tcp_init(listener->loop, &bc->tcp);
    uv_timer_init(listener->loop, &bc->timer);
    bc->tcp.data = bc;
    bc->timer.data = bc;
    assert_int_equal(uv_accept(listener, (uv_stream_t *)&bc->tcp), 0);
    srv->accepted++;
    srv->open_now++;
    if (srv->open_now > srv->max_open) {
        srv->max_open = srv->open_now;
    }
    assert_true(srv->n_clients < BAD_MAX_CLIENTS);
    srv->clients[srv->n_clients++] = bc;
    uv_read_start((uv_stream_t *)&bc->tcp, bad_alloc, bad_on_read);
}

static void bad_server_start(struct bad_server *srv, uv_loop_t *loop, enum bad_mode mode)
{
    memset(srv, 0, sizeof(*srv));
    srv->mode = mode;
    uv_tcp_init(loop, &srv->listener);
    srv->listener.data = srv;
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_tcp_bind(&srv->listener, (struct sockaddr *)&a, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&srv->listener, 64, bad_on_connection), 0);
    int len = sizeof(a);
    uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&a, &len);
    srv->port = ntohs(a.sin_port);
}

static void bad_server_stop(struct bad_server *srv)
{
    for (size_t i = 0; i < srv->n_clients; i++) {
        bad_client_close(srv->clients[i], false);
    }
    uv_close((uv_handle_t *)&srv->listener, NULL);
}

/* What each test's probes reported. */
struct probe_log {
    unsigned pending;
    unsigned done;
    enum probe_outcome outcome[16];
    enum flight_answer answer[16];
    uint16_t suite[16];
    size_t bytes[16];
    double elapsed_ms[16];
    bool refusal[16];
    struct bad_server *srv; /* stopped once every probe is back */
};

static void log_probe_done(void *arg, const struct probe_result *res)
{
    struct probe_log *pl = arg;
    assert_true(pl->done < 16);
    pl->outcome[pl->done] = res->outcome;
    pl->answer[pl->done] = res->flight.answer;
    pl->suite[pl->done] = res->flight.sh.suite;
    pl->bytes[pl->done] = res->bytes_received;
    pl->elapsed_ms[pl->done] = res->elapsed_ms;
    pl->refusal[pl->done] = probe_is_refusal(res);
    pl->done++;
    if (--pl->pending == 0 && pl->srv != NULL) {
        bad_server_stop(pl->srv);
    }
}

static struct engine_target *target_on(struct engine *e, unsigned short port, unsigned timeout_ms,
                                       unsigned parallel, double rate)
{
    struct engine_target_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct sockaddr_in *a = (struct sockaddr_in *)&cfg.addr;
    uv_ip4_addr("127.0.0.1", port, a);
    cfg.timeout_ms = timeout_ms;
    cfg.parallel = parallel;
    cfg.rate = rate;
    cfg.label = "test";
    return engine_target_new(e, &cfg);
}

/* Any bytes do for servers that do not parse them. */
static const uint8_t fake_hello[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};

static void send_fake(struct engine_target *t, struct probe_log *pl, unsigned n)
{
    struct probe_request req = {.hello = fake_hello,
                                .hello_len = sizeof(fake_hello),
                                .version = VERSION_TLS12,
                                .what = "fake hello"};
    pl->pending += n;
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(engine_probe(t, &req, log_probe_done, pl), ST_OK);
    }
}

/* Runs n probes against an in-process server misbehaving in `mode`. */
static void run_bad(enum bad_mode mode, unsigned n, unsigned timeout_ms, unsigned parallel,
                    struct probe_log *pl, struct bad_server *srv, unsigned *connections)
{
    struct engine *e = engine_new(&(struct engine_config){.jobs = 1});
    bad_server_start(srv, engine_loop(e), mode);
    memset(pl, 0, sizeof(*pl));
    pl->srv = srv;
    struct engine_target *t = target_on(e, srv->port, timeout_ms, parallel, 0);
    send_fake(t, pl, n);
    assert_int_equal(engine_run(e), ST_OK);
    *connections = engine_target_connections(t);
    engine_target_free(t);
    engine_free(e);
    for (size_t i = 0; i < srv->n_clients; i++) {
        free(srv->clients[i]); /* closed by bad_server_stop, loop done */
    }
}

static void test_engine_probe_refused_on_closed_port(void **state)
{
    (void)state;
    struct engine *e = engine_new(&(struct engine_config){.jobs = 1});
    struct probe_log pl;
    memset(&pl, 0, sizeof(pl));
    struct engine_target *t = target_on(e, test_free_port(), 2000, 8, 0);
    send_fake(t, &pl, 1);
    assert_int_equal(engine_run(e), ST_OK);
    assert_int_equal(pl.done, 1);
    assert_int_equal(pl.outcome[0], PROBE_REFUSED);
    assert_false(pl.refusal[0]);
    assert_int_equal(engine_target_connections(t), 1);
    engine_target_free(t);
    engine_free(e);
}

static void test_engine_probe_closed_without_alert(void **state)
{
    (void)state;
    struct probe_log pl;
    struct bad_server srv;
    unsigned conns;
    run_bad(BAD_CLOSE, 1, 2000, 8, &pl, &srv, &conns);
    assert_int_equal(pl.outcome[0], PROBE_CLOSED);
    assert_int_equal(pl.bytes[0], 0);
}

static void test_engine_probe_reset(void **state)
{
    (void)state;
    struct probe_log pl;
    struct bad_server srv;
    unsigned conns;
    run_bad(BAD_RESET, 1, 2000, 8, &pl, &srv, &conns);
    assert_int_equal(pl.outcome[0], PROBE_RESET);
}

static void test_engine_probe_tarpit_times_out(void **state)
{
    (void)state;
    struct probe_log pl;
    struct bad_server srv;
    unsigned conns;
    run_bad(BAD_TARPIT, 1, 300, 8, &pl, &srv, &conns);
    assert_int_equal(pl.outcome[0], PROBE_TIMEOUT);
    assert_true(pl.elapsed_ms[0] >= 290 && pl.elapsed_ms[0] < 1000);
}

static void test_engine_probe_trickle_ends_within_timeout(void **state)
{
    (void)state;
    struct probe_log pl;
    struct bad_server srv;
    unsigned conns;
    run_bad(BAD_TRICKLE, 1, 450, 8, &pl, &srv, &conns);
    assert_int_equal(pl.outcome[0], PROBE_TIMEOUT);
    /* Bytes kept coming, yet the one timer still ended the probe. */
    assert_true(pl.bytes[0] >= 3);
    assert_true(pl.elapsed_ms[0] < 1000);
}

static void test_engine_probe_plain_http_is_garbled(void **state)
{
    (void)state;
    struct probe_log pl;
    struct bad_server srv;
    unsigned conns;
    run_bad(BAD_HTTP, 1, 2000, 8, &pl, &srv, &conns);
    assert_int_equal(pl.outcome[0], PROBE_GARBLED);
}

/* RFC 5246 E.1: a server never answers above the client's version; one that
 * does is broken, and its answer must not read as "TLS 1.2 not supported". */
static void test_engine_probe_server_hello_above_offer_is_garbled(void **state)
{
    (void)state;
    struct probe_log pl;
    struct bad_server srv;
    unsigned conns;
    run_bad(BAD_HELLO_ABOVE, 1, 2000, 8, &pl, &srv, &conns);
    assert_int_equal(pl.outcome[0], PROBE_GARBLED);
    assert_false(pl.refusal[0]);
}

static void test_engine_probe_server_hello_below_offer_is_refusal(void **state)
{
    (void)state;
    struct probe_log pl;
    struct bad_server srv;
    unsigned conns;
    run_bad(BAD_HELLO_BELOW, 1, 2000, 8, &pl, &srv, &conns);
    assert_int_equal(pl.outcome[0], PROBE_ANSWERED);
    assert_true(pl.refusal[0]);
}

/* The target's budget ends a probe still waiting at the deadline, and one
 * admitted after it without a connection. */
static void test_engine_budget_bounds_the_target(void **state)
{
    (void)state;
    struct engine *e = engine_new(&(struct engine_config){.jobs = 1});
    struct bad_server srv;
    bad_server_start(&srv, engine_loop(e), BAD_TARPIT);
    struct probe_log pl;
    memset(&pl, 0, sizeof(pl));
    pl.srv = &srv;
    struct engine_target_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    uv_ip4_addr("127.0.0.1", srv.port, (struct sockaddr_in *)&cfg.addr);
    cfg.timeout_ms = 5000;
    cfg.budget_ms = 200;
    cfg.parallel = 1;
    cfg.label = "test";
    struct engine_target *t = engine_target_new(e, &cfg);
    send_fake(t, &pl, 2);
    assert_int_equal(engine_run(e), ST_OK);
    assert_int_equal(pl.done, 2);
    assert_int_equal(pl.outcome[0], PROBE_OVER_BUDGET);
    assert_int_equal(pl.outcome[1], PROBE_OVER_BUDGET);
    assert_true(pl.elapsed_ms[0] >= 190 && pl.elapsed_ms[0] < 1000);
    assert_int_equal(engine_target_connections(t), 1);
    engine_target_free(t);
    engine_free(e);
    for (size_t i = 0; i < srv.n_clients; i++) {
        free(srv.clients[i]);
    }
}

static void abandon_on_timer(uv_timer_t *timer)
{
    engine_target_abandon(timer->data);
    uv_close((uv_handle_t *)timer, NULL);
}

/* Abandoning ends the connections waiting on a silent server at once, and a
 * queued one without connecting. */
static void test_engine_abandon_ends_everything(void **state)
{
    (void)state;
    struct engine *e = engine_new(&(struct engine_config){.jobs = 1});
    struct bad_server srv;
    bad_server_start(&srv, engine_loop(e), BAD_TARPIT);
    struct probe_log pl;
    memset(&pl, 0, sizeof(pl));
    pl.srv = &srv;
    struct engine_target *t = target_on(e, srv.port, 5000, 2, 0);
    send_fake(t, &pl, 3);
    uv_timer_t timer;
    uv_timer_init(engine_loop(e), &timer);
    timer.data = t;
    uv_timer_start(&timer, abandon_on_timer, 100, 0);
    assert_int_equal(engine_run(e), ST_OK);
    assert_int_equal(pl.done, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pl.outcome[i], PROBE_ABANDONED);
        assert_true(pl.elapsed_ms[i] < 1000);
    }
    assert_int_equal(engine_target_connections(t), 2);
    engine_target_free(t);
    engine_free(e);
    for (size_t i = 0; i < srv.n_clients; i++) {
        free(srv.clients[i]);
    }
}

static void test_engine_parallel_limit_holds(void **state)
{
    (void)state;
    struct probe_log pl;
    struct bad_server srv;
    unsigned conns;
    run_bad(BAD_TARPIT, 5, 150, 2, &pl, &srv, &conns);
    assert_int_equal(pl.done, 5);
    assert_int_equal(conns, 5);
    assert_int_equal(srv.accepted, 5);
    assert_true(srv.max_open <= 2);
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(pl.outcome[i], PROBE_TIMEOUT);
    }
}

/* Which probe of test_engine_bulk_waits_behind_others ended when. */
struct order_log {
    char order[8];
    size_t n;
    unsigned pending;
    struct bad_server *srv;
};

struct order_probe {
    struct order_log *log;
    char name;
};

static void order_probe_done(void *arg, const struct probe_result *res)
{
    (void)res;
    struct order_probe *op = arg;
    struct order_log *ol = op->log;
    ol->order[ol->n++] = op->name;
    if (--ol->pending == 0) {
        bad_server_stop(ol->srv);
    }
}

static void test_engine_bulk_waits_behind_others(void **state)
{
    (void)state;
    struct engine *e = engine_new(&(struct engine_config){.jobs = 1});
    struct bad_server srv;
    bad_server_start(&srv, engine_loop(e), BAD_CLOSE);
    struct engine_target *t = target_on(e, srv.port, 2000, 1, 0);
    struct order_log ol = {.srv = &srv, .pending = 4};
    struct order_probe ops[4] = {{&ol, 'a'}, {&ol, 'b'}, {&ol, 'c'}, {&ol, 'd'}};
    /* With one slot, a bulk probe takes it when nothing else waits (a), but
     * the probes queued after it that are not bulk (c, d) go before the
     * bulk probe queued earlier (b). */
    for (int i = 0; i < 4; i++) {
        struct probe_request req = {.hello = fake_hello,
                                    .hello_len = sizeof(fake_hello),
                                    .version = VERSION_TLS12,
                                    .what = "fake hello",
                                    .bulk = i < 2};
        assert_int_equal(engine_probe(t, &req, order_probe_done, &ops[i]), ST_OK);
    }
    assert_int_equal(engine_run(e), ST_OK);
    assert_int_equal(ol.n, 4);
    assert_memory_equal(ol.order, "acdb", 4);
    engine_target_free(t);
    engine_free(e);
    for (size_t i = 0; i < srv.n_clients; i++) {
        free(srv.clients[i]);
    }
}

static void test_engine_rate_spaces_connections(void **state)
{
    (void)state;
    struct engine *e = engine_new(&(struct engine_config){.jobs = 1});
    struct probe_log pl;
    memset(&pl, 0, sizeof(pl));
    struct engine_target *t = target_on(e, test_free_port(), 2000, 8, 20.0);
    uint64_t start = uv_now(engine_loop(e));
    send_fake(t, &pl, 4);
    assert_int_equal(engine_run(e), ST_OK);
    /* 20 per second: the 4th connection starts 150 ms after the first. */
    assert_true(uv_now(engine_loop(e)) - start >= 140);
    assert_int_equal(pl.done, 4);
    engine_target_free(t);
    engine_free(e);
}

struct job_log {
    struct engine_job job;
    struct engine *e;
    int *order;
    int id;
    int *n;
};

static void job_start(struct engine_job *job)
{
    struct job_log *jl = (struct job_log *)job;
    jl->order[(*jl->n)++] = jl->id;
    engine_job_finish(jl->e, job);
}

static void test_engine_jobs_run_in_order(void **state)
{
    (void)state;
    struct engine *e = engine_new(&(struct engine_config){.jobs = 2});
    int order[3];
    int n = 0;
    struct job_log jobs[3];
    for (int i = 0; i < 3; i++) {
        jobs[i] =
            (struct job_log){.job = {.start = job_start}, .e = e, .order = order, .id = i, .n = &n};
        engine_job_submit(e, &jobs[i].job);
    }
    assert_int_equal(engine_run(e), ST_OK);
    assert_int_equal(n, 3);
    assert_int_equal(order[2], 2);
    engine_free(e);
}

struct resolve_log {
    bool called;
    char err[320];
    char addr[64];
};

static void on_resolved(void *arg, const struct sockaddr_storage *addr, const char *err)
{
    struct resolve_log *rl = arg;
    rl->called = true;
    snprintf(rl->err, sizeof(rl->err), "%s", err != NULL ? err : "");
    engine_addr_text(addr, rl->addr, sizeof(rl->addr));
}

static void test_engine_resolve_literal_and_failure(void **state)
{
    (void)state;
    struct engine *e = engine_new(NULL);
    struct resolve_log ok = {0};
    struct resolve_log bad = {0};
    assert_int_equal(engine_resolve(e, "127.0.0.1", 443, AF_INET, on_resolved, &ok), ST_OK);
    assert_int_equal(engine_resolve(e, "no-such-host.invalid", 443, AF_UNSPEC, on_resolved, &bad),
                     ST_OK);
    assert_int_equal(engine_run(e), ST_OK);
    assert_true(ok.called && bad.called);
    assert_string_equal(ok.addr, "127.0.0.1");
    assert_string_equal(ok.err, "");
    assert_non_null(strstr(bad.err, "cannot resolve no-such-host.invalid"));
    engine_free(e);
}

struct resolve_all_log {
    bool called;
    size_t n;
    char err[320];
    char first[64];
    uint16_t port;
};

static void on_resolved_all(void *arg, const struct sockaddr_storage *addrs, size_t n,
                            const char *err)
{
    struct resolve_all_log *rl = arg;
    rl->called = true;
    rl->n = n;
    snprintf(rl->err, sizeof(rl->err), "%s", err != NULL ? err : "");
    if (n > 0) {
        engine_addr_text(&addrs[0], rl->first, sizeof(rl->first));
        rl->port = ntohs(((const struct sockaddr_in6 *)&addrs[0])->sin6_port);
    }
}

/* A literal is its one address (sin_port and sin6_port share an offset);
 * a failure is worded as engine_resolve words it. */
static void test_engine_resolve_all_literal_and_failure(void **state)
{
    (void)state;
    struct engine *e = engine_new(NULL);
    struct resolve_all_log v6 = {0};
    struct resolve_all_log bad = {0};
    assert_int_equal(engine_resolve_all(e, "::1", 8443, AF_UNSPEC, on_resolved_all, &v6), ST_OK);
    assert_int_equal(
        engine_resolve_all(e, "no-such-host.invalid", 443, AF_UNSPEC, on_resolved_all, &bad),
        ST_OK);
    assert_false(v6.called); /* never from inside the call */
    assert_int_equal(engine_run(e), ST_OK);
    assert_true(v6.called && bad.called);
    assert_int_equal(v6.n, 1);
    assert_string_equal(v6.first, "::1");
    assert_int_equal(v6.port, 8443);
    assert_string_equal(v6.err, "");
    assert_int_equal(bad.n, 0);
    assert_non_null(strstr(bad.err, "cannot resolve no-such-host.invalid"));
    engine_free(e);
}

/* Real TLS: our own hello to openssl s_server, and a libssl handshake. */
struct tls_log {
    bool called;
    bool ok;
    int chain_len;
    size_t leaf_len;
    uint16_t version;
};

static void on_tls(void *arg, const struct tls_handshake_result *res)
{
    struct tls_log *tl = arg;
    tl->called = true;
    tl->ok = res->ok;
    tl->chain_len = res->chain_len;
    tl->leaf_len = res->leaf_len;
    tl->version = res->version;
}

static void test_engine_real_server_answers(void **state)
{
    (void)state;
    struct test_dir d;
    assert_true(test_dir_make(&d, "rsa:2048"));
    unsigned short port = test_free_port();
    const char *const extra[] = {"-cipher", "ECDHE-RSA-AES128-GCM-SHA256", NULL};
    pid_t pid = test_s_server_start(&d, port, extra);
    assert_true(pid > 0);

    struct engine *e = engine_new(NULL);
    struct engine_target *t = target_on(e, port, 5000, 8, 0);

    uint16_t suites[] = {0xc02f, 0x009c};
    uint8_t random[32] = {1};
    struct scan_hello h = {
        .version = VERSION_TLS12, .suites = suites, .n_suites = 2, .random = random};
    uint8_t buf[HELLO_MAX_LEN];
    size_t len;
    assert_int_equal(hello_scan_build(&h, buf, sizeof(buf), &len), ST_OK);
    struct probe_log pl;
    memset(&pl, 0, sizeof(pl));
    pl.pending = 1;
    struct probe_request req = {.hello = buf,
                                .hello_len = len,
                                .version = VERSION_TLS12,
                                .want_full = true,
                                .what = "TLS 1.2 hello"};
    assert_int_equal(engine_probe(t, &req, log_probe_done, &pl), ST_OK);
    struct tls_log tl = {0};
    assert_int_equal(
        engine_tls_handshake(t, "localhost", VERSION_TLS12, VERSION_TLS13, on_tls, &tl), ST_OK);
    assert_int_equal(engine_run(e), ST_OK);

    assert_int_equal(pl.outcome[0], PROBE_ANSWERED);
    assert_int_equal(pl.answer[0], ANSWER_SERVER_HELLO);
    assert_int_equal(pl.suite[0], 0xc02f);
    assert_true(tl.called && tl.ok);
    assert_int_equal(tl.chain_len, 1);
    assert_true(tl.leaf_len > 500);
    assert_int_equal(engine_target_connections(t), 2);

    engine_target_free(t);
    engine_free(e);
    test_server_stop(pid);
    test_dir_remove(&d);
}

static void test_engine_tls_handshake_to_closed_port(void **state)
{
    (void)state;
    struct engine *e = engine_new(NULL);
    struct engine_target *t = target_on(e, test_free_port(), 1000, 8, 0);
    struct tls_log tl = {0};
    assert_int_equal(engine_tls_handshake(t, NULL, VERSION_TLS13, VERSION_TLS13, on_tls, &tl),
                     ST_OK);
    assert_int_equal(engine_run(e), ST_OK);
    assert_true(tl.called);
    assert_false(tl.ok);
    engine_target_free(t);
    engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_probe_refused_on_closed_port),
        cmocka_unit_test(test_engine_probe_closed_without_alert),
        cmocka_unit_test(test_engine_probe_reset),
        cmocka_unit_test(test_engine_probe_tarpit_times_out),
        cmocka_unit_test(test_engine_probe_trickle_ends_within_timeout),
        cmocka_unit_test(test_engine_probe_plain_http_is_garbled),
        cmocka_unit_test(test_engine_probe_server_hello_above_offer_is_garbled),
        cmocka_unit_test(test_engine_probe_server_hello_below_offer_is_refusal),
        cmocka_unit_test(test_engine_budget_bounds_the_target),
        cmocka_unit_test(test_engine_abandon_ends_everything),
        cmocka_unit_test(test_engine_parallel_limit_holds),
        cmocka_unit_test(test_engine_bulk_waits_behind_others),
        cmocka_unit_test(test_engine_rate_spaces_connections),
        cmocka_unit_test(test_engine_jobs_run_in_order),
        cmocka_unit_test(test_engine_resolve_literal_and_failure),
        cmocka_unit_test(test_engine_resolve_all_literal_and_failure),
        cmocka_unit_test(test_engine_real_server_answers),
        cmocka_unit_test(test_engine_tls_handshake_to_closed_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
