/* Checks unit tests: scan_start end to end against real servers on
 * 127.0.0.1 (openssl s_server, a plain HTTP server, a silent listener), and
 * the target spec parser. */
/* cmocka.h needs these system headers first; keep clang-format from sorting them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "checks/scan.h"
#include "checks/target_spec.h"
#include "clients/client.h"
#include "engine/engine.h"
#include "registry/registry.h"
#include "test_engine_servers.h"

struct certs {
    struct test_dir rsa;
    struct test_dir ec;
};

static int certs_setup(void **state)
{
    static struct certs certs;
    if (!test_dir_make(&certs.rsa, "rsa:2048") ||
        !test_dir_make(&certs.ec, "ec -pkeyopt ec_paramgen_curve:prime256v1")) {
        return -1;
    }
    *state = &certs;
    return 0;
}

static int certs_teardown(void **state)
{
    struct certs *c = *state;
    test_dir_remove(&c->rsa);
    test_dir_remove(&c->ec);
    return 0;
}

static void on_scan_done(struct scan_results *r, void *arg)
{
    struct scan_results **out = arg;
    assert_null(*out); /* exactly once */
    *out = r;
}

/* Scans spec with a fresh engine and returns the results (caller frees). */
static struct scan_results *scan_run(const char *spec, unsigned timeout_ms)
{
    struct engine *e = engine_new(&(struct engine_config){.jobs = 1});
    struct scan_options o = {.timeout_ms = timeout_ms, .parallel = 8, .default_port = 443};
    struct scan_results *r = NULL;
    char err[256];
    assert_int_equal(scan_start(e, &o, spec, on_scan_done, &r, err, sizeof(err)), ST_OK);
    assert_null(r); /* never called back from inside scan_start */
    assert_int_equal(engine_run(e), ST_OK);
    engine_free(e);
    assert_non_null(r);
    return r;
}

static struct scan_results *scan_s_server(const struct test_dir *d, const char *const *extra)
{
    unsigned short port = test_free_port();
    pid_t pid = test_s_server_start(d, port, extra);
    assert_true(pid > 0);
    char spec[64];
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
    struct scan_results *r = scan_run(spec, 5000);
    test_server_stop(pid);
    return r;
}

static const struct proto_result *proto(const struct scan_results *r, uint16_t v)
{
    return &r->protos[results_proto_index(v)];
}

static bool has_suite(const struct proto_result *p, uint32_t code)
{
    for (size_t i = 0; i < p->n_suites; i++) {
        if (p->suites[i].code == code) {
            return true;
        }
    }
    return false;
}

static void test_checks_target_spec_forms(void **state)
{
    (void)state;
    char host[256];
    char err[256];
    uint16_t port = 0;
    assert_int_equal(
        target_spec_parse("example.test", 443, host, sizeof(host), &port, err, sizeof(err)), ST_OK);
    assert_string_equal(host, "example.test");
    assert_int_equal(port, 443);
    assert_int_equal(
        target_spec_parse("h.test:8443", 443, host, sizeof(host), &port, err, sizeof(err)), ST_OK);
    assert_int_equal(port, 8443);
    assert_int_equal(
        target_spec_parse("[::1]:8443", 443, host, sizeof(host), &port, err, sizeof(err)), ST_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 8443);
    assert_int_equal(target_spec_parse("::1", 443, host, sizeof(host), &port, err, sizeof(err)),
                     ST_OK);
    assert_int_equal(port, 443);

    static const char *const bad[] = {"",        "h.test:",  "h.test:0", "h.test:65536",
                                      "[::1",    "[::1]x",   "a b",      "h.test:12a",
                                      "fe80::x", "h.test:-1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(
            target_spec_parse(bad[i], 443, host, sizeof(host), &port, err, sizeof(err)), ST_USAGE);
        assert_true(err[0] != '\0');
    }
    assert_true(target_is_ip_literal("127.0.0.1"));
    assert_true(target_is_ip_literal("::1"));
    assert_false(target_is_ip_literal("localhost"));
}

static void test_checks_scan_usage_error_is_synchronous(void **state)
{
    (void)state;
    struct engine *e = engine_new(NULL);
    struct scan_options o = {.timeout_ms = 1000};
    struct scan_results *r = NULL;
    char err[256] = "";
    assert_int_equal(scan_start(e, &o, "host:notaport", on_scan_done, &r, err, sizeof(err)),
                     ST_USAGE);
    assert_non_null(strstr(err, "port"));
    assert_int_equal(engine_run(e), ST_OK);
    assert_null(r);
    engine_free(e);
}

static void test_checks_scan_finds_exactly_the_configured_suites(void **state)
{
    struct certs *c = *state;
    const char *const extra[] = {"-cipher", "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA", "-tls1_2",
                                 NULL};
    struct scan_results *r = scan_s_server(&c->rsa, extra);

    assert_int_equal(r->state, TARGET_SCANNED);
    const struct proto_result *p12 = proto(r, VERSION_TLS12);
    assert_int_equal(p12->state, PROTO_SUPPORTED);
    assert_true(p12->suites_complete);
    assert_int_equal(p12->n_suites, 2);
    assert_true(has_suite(p12, 0xc02f));
    assert_true(has_suite(p12, 0x0035));
    /* s_server follows the client's order unless told -serverpref. */
    assert_int_equal(p12->order, ORDER_CLIENT);
    static const uint16_t others[] = {VERSION_SSL2, VERSION_SSL3, VERSION_TLS10, VERSION_TLS11,
                                      VERSION_TLS13};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        assert_int_equal(proto(r, others[i])->state, PROTO_NOT_SUPPORTED);
        assert_true(proto(r, others[i])->reason[0] != '\0');
    }
    for (size_t i = 0; i < p12->n_suites; i++) {
        if (p12->suites[i].code == 0xc02f) {
            assert_int_not_equal(p12->suites[i].group, 0);
        }
    }
    assert_true(r->cert.present);
    assert_string_equal(r->cert.key_type, "RSA");
    assert_int_equal(r->cert.key_bits, 2048);
    assert_int_equal(r->cert.rsa_exponent, 65537);
    assert_string_equal(r->cert.subject, "CN=localhost");
    assert_string_equal(r->cert.sig_alg, "sha256WithRSAEncryption");
    assert_true(r->cert.self_signed);
    assert_false(r->cert.expired);
    assert_int_equal(r->cert.chain_len, 1);
    assert_int_equal(strlen(r->cert.sha256), 64);
    struct group_result *x25519 = results_group(r, 0x001d);
    assert_true(x25519->tls12);
    assert_true(r->groups_complete);
    assert_true(r->connections >= 8);
    results_free(r);
}

static void test_checks_scan_server_order_and_dhe_size(void **state)
{
    struct certs *c = *state;
    const char *const extra[] = {"-serverpref", "-cipher",
                                 "AES256-SHA:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
                                 "-tls1_2", NULL};
    struct scan_results *r = scan_s_server(&c->rsa, extra);
    const struct proto_result *p12 = proto(r, VERSION_TLS12);
    assert_int_equal(p12->state, PROTO_SUPPORTED);
    assert_int_equal(p12->order, ORDER_SERVER);
    assert_int_equal(p12->n_suites, 3);
    assert_int_equal(p12->suites[0].code, 0x0035);
    assert_int_equal(p12->suites[1].code, 0x009e);
    assert_int_equal(p12->suites[2].code, 0xc02f);
    assert_int_equal(p12->suites[1].dh_bits, 2048);
    results_free(r);
}

static void test_checks_scan_tls13_only_server(void **state)
{
    struct certs *c = *state;
    const char *const extra[] = {
        "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256",
        "-groups", "X25519:P-256",  NULL};
    struct scan_results *r = scan_s_server(&c->ec, extra);
    const struct proto_result *p13 = proto(r, VERSION_TLS13);
    assert_int_equal(p13->state, PROTO_SUPPORTED);
    assert_int_equal(p13->n_suites, 2);
    assert_true(has_suite(p13, 0x1301));
    assert_true(has_suite(p13, 0x1303));
    assert_int_equal(proto(r, VERSION_TLS12)->state, PROTO_NOT_SUPPORTED);

    size_t tls13_groups = 0;
    for (size_t i = 0; i < r->n_groups; i++) {
        if (r->groups[i].tls13) {
            tls13_groups++;
            assert_true(r->groups[i].code == 0x001d || r->groups[i].code == 0x0017);
        }
    }
    assert_int_equal(tls13_groups, 2);
    /* The certificate came from a libssl handshake (TLS 1.3 encrypts it). */
    assert_true(r->cert.present);
    assert_int_equal(r->cert.seen_in_version, VERSION_TLS13);
    assert_string_equal(r->cert.key_type, "EC");
    assert_string_equal(r->cert.curve, "prime256v1");
    assert_int_equal(r->cert.key_bits, 256);
    results_free(r);
}

static void test_checks_scan_simulates_clients_once_per_hello(void **state)
{
    struct certs *c = *state;
    char err[256];
    struct client_db *db = client_db_load(NULL, err, sizeof(err));
    assert_non_null(db);
    const struct client_profile **sel = NULL;
    size_t n_sel = 0;
    assert_int_equal(client_db_select(db, "openssl-3.0,openssl-3.0-local,ie-8-xp", &sel, &n_sel,
                                      err, sizeof(err)),
                     ST_OK);
    assert_int_equal(n_sel, 3);

    unsigned short port = test_free_port();
    const char *const extra[] = {"-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-tls1_2", NULL};
    pid_t pid = test_s_server_start(&c->rsa, port, extra);
    assert_true(pid > 0);
    char spec[64];
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
    struct engine *e = engine_new(NULL);
    struct scan_options o = {.timeout_ms = 5000, .parallel = 8, .clients = sel, .n_clients = n_sel};
    struct scan_results *r = NULL;
    assert_int_equal(scan_start(e, &o, spec, on_scan_done, &r, err, sizeof(err)), ST_OK);
    assert_int_equal(engine_run(e), ST_OK);
    engine_free(e);
    test_server_stop(pid);

    assert_non_null(r);
    assert_int_equal(r->n_clients, 3);
    for (size_t i = 0; i < r->n_clients; i++) {
        assert_string_equal(r->clients[i].id, client_id(sel[i]));
        if (strncmp(r->clients[i].id, "openssl-3.0", 11) == 0) {
            assert_int_equal(r->clients[i].verdict, CLIENT_CONNECTS);
            assert_int_equal(r->clients[i].version, VERSION_TLS12);
            assert_int_equal(r->clients[i].suite, 0xc02f);
        } else {
            /* IE 8 on XP offers neither TLS 1.2 nor this suite. */
            assert_int_equal(r->clients[i].verdict, CLIENT_FAILS);
            assert_true(r->clients[i].why[0] != '\0');
        }
    }
    /* The scan without clients, for the count of connections they add. */
    unsigned with_clients = r->connections;
    results_free(r);
    pid = test_s_server_start(&c->rsa, port, extra);
    assert_true(pid > 0);
    struct scan_results *bare = scan_run(spec, 5000);
    test_server_stop(pid);
    size_t distinct = client_hello_key(sel[0]) == client_hello_key(sel[1]) ? 2 : 3;
    assert_int_equal(with_clients, bare->connections + distinct);
    results_free(bare);
    free(sel);
    client_db_free(db);
}

static void test_checks_scan_closed_port_is_unreachable(void **state)
{
    (void)state;
    char spec[64];
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", test_free_port());
    struct scan_results *r = scan_run(spec, 2000);
    assert_int_equal(r->state, TARGET_UNREACHABLE);
    assert_non_null(strstr(r->error, "refused"));
    results_free(r);
}

static void test_checks_scan_unresolvable_name(void **state)
{
    (void)state;
    struct scan_results *r = scan_run("no-such-host.invalid:443", 2000);
    assert_int_equal(r->state, TARGET_UNRESOLVED);
    assert_non_null(strstr(r->error, "no-such-host.invalid"));
    assert_int_equal(r->connections, 0);
    results_free(r);
}

static void test_checks_scan_silent_server_is_unreachable_within_timeout(void **state)
{
    (void)state;
    /* The kernel completes the TCP handshake for a listening socket even if
     * nobody ever accepts: a server that never answers. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 64), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    char spec[64];
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", ntohs(a.sin_port));
    struct scan_results *r = scan_run(spec, 400);
    close(fd);
    assert_int_equal(r->state, TARGET_UNREACHABLE);
    assert_non_null(strstr(r->error, "did not answer"));
    /* One timeout, not one per retry. */
    assert_true(r->elapsed_s < 1.5);
    results_free(r);
}

static void test_checks_scan_plain_http_is_not_tls(void **state)
{
    (void)state;
    unsigned short port = test_free_port();
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%u", port);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl("/usr/bin/python3", "python3", "-m", "http.server", "--bind", "127.0.0.1", port_text,
              (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && !test_port_open(port); i++) {
        struct timespec ts = {0, 30 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    char spec[64];
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
    struct scan_results *r = scan_run(spec, 3000);
    test_server_stop(pid);
    assert_int_equal(r->state, TARGET_NOT_TLS);
    assert_non_null(strstr(r->error, "does not speak TLS"));
    results_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checks_target_spec_forms),
        cmocka_unit_test(test_checks_scan_usage_error_is_synchronous),
        cmocka_unit_test(test_checks_scan_finds_exactly_the_configured_suites),
        cmocka_unit_test(test_checks_scan_server_order_and_dhe_size),
        cmocka_unit_test(test_checks_scan_tls13_only_server),
        cmocka_unit_test(test_checks_scan_simulates_clients_once_per_hello),
        cmocka_unit_test(test_checks_scan_closed_port_is_unreachable),
        cmocka_unit_test(test_checks_scan_unresolvable_name),
        cmocka_unit_test(test_checks_scan_silent_server_is_unreachable_within_timeout),
        cmocka_unit_test(test_checks_scan_plain_http_is_not_tls),
    };
    return cmocka_run_group_tests(tests, certs_setup, certs_teardown);
}
