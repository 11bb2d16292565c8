/* Checks against servers that misbehave in known ways: an in-process relay
 * in front of a real `openssl s_server` reads each ClientHello and, by a
 * rule, forwards it, never answers, closes or resets. The scan must find
 * what the server really supports and call broken probes inconclusive,
 * never "not supported". */
/* cmocka.h needs these system headers first; keep clang-format from sorting them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "checks/scan.h"
#include "engine/engine.h"
#include "registry/registry.h"
#include "test_engine_servers.h"
#include "util/log.h"
#include "wire/reader.h"

enum relay_action {
    RELAY_FORWARD,
    RELAY_TARPIT,
    RELAY_CLOSE,
    RELAY_RESET,
    RELAY_DECODE_ERROR, /* answers a fatal decode_error alert, as wolfSSL does */
};

/* The parts of a ClientHello a rule looks at. */
struct hello_facts {
    size_t len; /* whole record */
    uint16_t client_version;
    bool has_suite_0035;
    size_t n_suites;
};

typedef enum relay_action (*relay_rule)(const struct hello_facts *h);

#define RELAY_BUF 32768

struct relay {
    uv_tcp_t listener;
    unsigned short port;
    unsigned short upstream;
    relay_rule rule;
};

struct relay_conn {
    struct relay *relay;
    uv_tcp_t down; /* the scanner */
    uv_tcp_t up;   /* s_server */
    uv_connect_t connect_req;
    uint8_t hello[RELAY_BUF];
    size_t have;
    bool decided;
    bool up_open;
    bool closing;
    int open_handles;
};

static void relay_conn_freed(uv_handle_t *h)
{
    struct relay_conn *rc = h->data;
    if (--rc->open_handles == 0) {
        free(rc);
    }
}

static void relay_conn_close(struct relay_conn *rc, bool reset)
{
    if (rc->closing) {
        return;
    }
    rc->closing = true;
    if (reset) {
        uv_tcp_close_reset(&rc->down, relay_conn_freed);
    } else {
        uv_close((uv_handle_t *)&rc->down, relay_conn_freed);
    }
    if (rc->up_open) {
        uv_close((uv_handle_t *)&rc->up, relay_conn_freed);
    }
}

static void relay_alloc(uv_handle_t *h, size_t n, uv_buf_t *buf)
{
    (void)h;
    buf->base = malloc(n);
    buf->len = buf->base != NULL ? n : 0;
}

struct relay_write {
    uv_write_t req;
    char data[];
};

static void relay_written(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

static void relay_send(uv_tcp_t *to, const void *data, size_t n)
{
    struct relay_write *w = malloc(sizeof(*w) + n);
    memcpy(w->data, data, n);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
    if (uv_write(&w->req, (uv_stream_t *)to, &b, 1, relay_written) != 0) {
        free(w);
    }
}

static void relay_on_up_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct relay_conn *rc = s->data;
    if (n > 0 && !rc->closing) {
        relay_send(&rc->down, buf->base, (size_t)n);
    } else if (n < 0) {
        relay_conn_close(rc, false);
    }
    free(buf->base);
}

static void relay_on_up_connect(uv_connect_t *req, int status)
{
    struct relay_conn *rc = req->data;
    if (rc->closing) {
        return;
    }
    if (status != 0) {
        relay_conn_close(rc, true);
        return;
    }
    uv_read_start((uv_stream_t *)&rc->up, relay_alloc, relay_on_up_read);
    relay_send(&rc->up, rc->hello, rc->have);
}

static bool hello_facts_read(const uint8_t *buf, size_t n, struct hello_facts *h)
{
    struct reader r = rd_init(buf, n);
    rd_u8(&r);
    rd_u16(&r);
    uint16_t rec_len = rd_u16(&r);
    if (!rd_ok(&r) || n < 5u + rec_len) {
        return false; /* not all of the record yet */
    }
    h->len = 5u + rec_len;
    rd_u8(&r);
    rd_u24(&r);
    h->client_version = rd_u16(&r);
    rd_skip(&r, 32);
    rd_vec8(&r);
    struct reader suites = rd_vec16(&r);
    h->has_suite_0035 = false;
    while (rd_left(&suites) >= 2) {
        h->has_suite_0035 |= rd_u16(&suites) == 0x0035;
        h->n_suites++;
    }
    return true;
}

static void relay_decide(struct relay_conn *rc)
{
    struct hello_facts h;
    memset(&h, 0, sizeof(h));
    bool complete = hello_facts_read(rc->hello, rc->have, &h);
    if (!complete && rc->have < RELAY_BUF) {
        return;
    }
    rc->decided = true;
    switch (rc->relay->rule(&h)) {
    case RELAY_FORWARD:
        uv_tcp_init(rc->down.loop, &rc->up);
        rc->up.data = rc;
        rc->up_open = true;
        rc->open_handles++;
        struct sockaddr_in a;
        uv_ip4_addr("127.0.0.1", rc->relay->upstream, &a);
        rc->connect_req.data = rc;
        uv_tcp_connect(&rc->connect_req, &rc->up, (struct sockaddr *)&a, relay_on_up_connect);
        break;
    case RELAY_TARPIT:
        break;
    case RELAY_CLOSE:
        relay_conn_close(rc, false);
        break;
    case RELAY_RESET:
        relay_conn_close(rc, true);
        break;
    case RELAY_DECODE_ERROR: {
        /* The client ends the connection once it has read the alert. */
        static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32};
        relay_send(&rc->down, alert, sizeof(alert));
        break;
    }
    }
}

static void relay_on_down_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct relay_conn *rc = s->data;
    if (n < 0) {
        relay_conn_close(rc, false);
    } else if (n > 0 && !rc->closing) {
        if (rc->decided && rc->up_open) {
            relay_send(&rc->up, buf->base, (size_t)n);
        } else if (!rc->decided) {
            size_t take = (size_t)n < RELAY_BUF - rc->have ? (size_t)n : RELAY_BUF - rc->have;
            memcpy(rc->hello + rc->have, buf->base, take);
            rc->have += take;
            relay_decide(rc);
        }
    }
    free(buf->base);
}

static void relay_on_connection(uv_stream_t *listener, int status)
{
    struct relay *relay = listener->data;
    assert_int_equal(status, 0);
    struct relay_conn *rc = calloc(1, sizeof(*rc));
    rc->relay = relay;
    uv_tcp_init(listener->loop, &rc->down);
    rc->down.data = rc;
    rc->open_handles = 1;
    assert_int_equal(uv_accept(listener, (uv_stream_t *)&rc->down), 0);
    uv_read_start((uv_stream_t *)&rc->down, relay_alloc, relay_on_down_read);
}

static void relay_start(struct relay *relay, uv_loop_t *loop, unsigned short upstream,
                        relay_rule rule)
{
    memset(relay, 0, sizeof(*relay));
    relay->upstream = upstream;
    relay->rule = rule;
    uv_tcp_init(loop, &relay->listener);
    relay->listener.data = relay;
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_tcp_bind(&relay->listener, (struct sockaddr *)&a, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&relay->listener, 64, relay_on_connection), 0);
    int len = sizeof(a);
    uv_tcp_getsockname(&relay->listener, (struct sockaddr *)&a, &len);
    relay->port = ntohs(a.sin_port);
}

static void relay_close_conn(uv_handle_t *h, void *arg)
{
    (void)arg;
    /* Connections still open when the scan is done: tarpitted ones. */
    if (h->type == UV_TCP && h->data != NULL && !uv_is_closing(h)) {
        struct relay_conn *rc = h->data;
        if (h == (uv_handle_t *)&rc->down) {
            relay_conn_close(rc, false);
        }
    }
}

struct robust_run {
    struct scan_results *r;
    struct relay *relay;
    uv_loop_t *loop;
};

static void on_scan_done(struct scan_results *r, void *arg)
{
    struct robust_run *run = arg;
    assert_null(run->r);
    run->r = r;
    run->relay->listener.data = NULL;
    uv_close((uv_handle_t *)&run->relay->listener, NULL);
    uv_walk(run->loop, relay_close_conn, NULL);
}

/* Scans an s_server (TLS 1.2, two suites) through a relay applying rule. */
static struct scan_results *scan_through(const struct test_dir *d, relay_rule rule,
                                         unsigned timeout_ms)
{
    unsigned short port = test_free_port();
    const char *const extra[] = {"-cipher", "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA", "-tls1_2",
                                 NULL};
    pid_t pid = test_s_server_start(d, port, extra);
    assert_true(pid > 0);

    struct engine *e = engine_new(NULL);
    struct relay relay;
    relay_start(&relay, engine_loop(e), port, rule);
    struct robust_run run = {.relay = &relay, .loop = engine_loop(e)};
    struct scan_options o = {.timeout_ms = timeout_ms, .parallel = 8};
    char spec[64];
    char err[256];
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", relay.port);
    assert_int_equal(scan_start(e, &o, spec, on_scan_done, &run, err, sizeof(err)), ST_OK);
    assert_int_equal(engine_run(e), ST_OK);
    engine_free(e);
    test_server_stop(pid);
    assert_non_null(run.r);
    return run.r;
}

static bool has_note(const struct scan_results *r, const char *part)
{
    for (size_t i = 0; i < r->n_notes; i++) {
        if (strstr(r->notes[i], part) != NULL) {
            return true;
        }
    }
    return false;
}

static const struct proto_result *proto(const struct scan_results *r, uint16_t v)
{
    return &r->protos[results_proto_index(v)];
}

static enum relay_action rule_lb_bug(const struct hello_facts *h)
{
    return h->len >= 256 && h->len <= 511 ? RELAY_TARPIT : RELAY_FORWARD;
}

static enum relay_action rule_close_tls10(const struct hello_facts *h)
{
    return h->client_version == VERSION_TLS10 ? RELAY_CLOSE : RELAY_FORWARD;
}

static enum relay_action rule_reset_on_0035(const struct hello_facts *h)
{
    return h->has_suite_0035 ? RELAY_RESET : RELAY_FORWARD;
}

/* wolfSSL's default limit: more than 150 suites and the hello is refused. */
static enum relay_action rule_close_over_150_suites(const struct hello_facts *h)
{
    return h->n_suites > 150 ? RELAY_CLOSE : RELAY_FORWARD;
}

static enum relay_action rule_decode_error_over_150_suites(const struct hello_facts *h)
{
    return h->n_suites > 150 ? RELAY_DECODE_ERROR : RELAY_FORWARD;
}

static int certs_setup(void **state)
{
    static struct test_dir d;
    if (!test_dir_make(&d, "rsa:2048")) {
        return -1;
    }
    *state = &d;
    return 0;
}

static int certs_teardown(void **state)
{
    test_dir_remove(*state);
    return 0;
}

/* Through the rule, TLS 1.2 is found with both of the server's suites, and
 * a note names the workaround. */
static void check_tls12_whole(struct scan_results *r, const char *note)
{
    const struct proto_result *p12 = proto(r, VERSION_TLS12);
    assert_int_equal(p12->state, PROTO_SUPPORTED);
    assert_true(p12->suites_complete);
    assert_int_equal(p12->n_suites, 2);
    assert_true(has_note(r, note));
    results_free(r);
}

static void test_checks_robust_padding_beats_the_load_balancer_bug(void **state)
{
    check_tls12_whole(scan_through(*state, rule_lb_bug, 400), "padded");
}

static void test_checks_robust_plain_close_is_a_refusal(void **state)
{
    struct scan_results *r = scan_through(*state, rule_close_tls10, 2000);
    const struct proto_result *p10 = proto(r, VERSION_TLS10);
    assert_int_equal(p10->state, PROTO_NOT_SUPPORTED);
    assert_string_equal(p10->reason, "connection closed without an alert");
    assert_int_equal(proto(r, VERSION_TLS12)->state, PROTO_SUPPORTED);
    assert_int_equal(proto(r, VERSION_TLS12)->n_suites, 2);
    results_free(r);
}

static void test_checks_robust_reset_is_never_not_supported(void **state)
{
    struct scan_results *r = scan_through(*state, rule_reset_on_0035, 2000);
    const struct proto_result *p12 = proto(r, VERSION_TLS12);
    /* Every hello with 0x0035 is reset: the protocol is found through the
     * halves without it, and the rest is reported as untested, not absent. */
    assert_int_equal(p12->state, PROTO_SUPPORTED);
    assert_false(p12->suites_complete);
    assert_non_null(strstr(p12->incomplete_reason, "reset"));
    assert_int_equal(p12->n_suites, 1);
    assert_int_equal(p12->suites[0].code, 0xc02f);
    assert_true(has_note(r, "halves"));
    results_free(r);
}

/* The first TLS 1.2 hello (every candidate) is refused for its length: cut
 * to the likeliest, TLS 1.2 is found, with all its suites. */
static void test_checks_robust_suite_count_limit_is_not_a_refusal(void **state)
{
    check_tls12_whole(scan_through(*state, rule_close_over_150_suites, 2000),
                      "refused a ClientHello of 339 suites (connection closed without an alert)");
}

static void test_checks_robust_decode_error_on_many_suites_is_not_a_refusal(void **state)
{
    check_tls12_whole(scan_through(*state, rule_decode_error_over_150_suites, 2000),
                      "refused a ClientHello of 339 suites (alert decode_error)");
}

int main(void)
{
    if (getenv("TLSGATE_TEST_LOG") != NULL) {
        log_setup(LOG_INFO, false);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checks_robust_padding_beats_the_load_balancer_bug),
        cmocka_unit_test(test_checks_robust_plain_close_is_a_refusal),
        cmocka_unit_test(test_checks_robust_reset_is_never_not_supported),
        cmocka_unit_test(test_checks_robust_suite_count_limit_is_not_a_refusal),
        cmocka_unit_test(test_checks_robust_decode_error_on_many_suites_is_not_a_refusal),
    };
    return cmocka_run_group_tests(tests, certs_setup, certs_teardown);
}
