/* client_judge and client_gate on constructed server answers: one case per
 * verdict and per failure reason. */
/* cmocka needs these first; clang-format would sort it above them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "clients/client.h"
#include "grade/grade.h"
#include "registry/registry.h"
#include "wire/server_flight.h"

#define DATA_DIR TESTS_DIR "/../data/clients"

static struct client_db *db;

static int db_setup(void **state)
{
    (void)state;
    char err[512] = "";
    db = client_db_load(DATA_DIR, err, sizeof(err));
    if (db == NULL) {
        fprintf(stderr, "load failed: %s\n", err);
        return -1;
    }
    return 0;
}

static int db_teardown(void **state)
{
    (void)state;
    client_db_free(db);
    return 0;
}

static const struct client_profile *prof(const char *id)
{
    const struct client_profile *p = client_db_find(db, id);
    assert_non_null(p);
    return p;
}

static struct probe_result alert(uint8_t desc)
{
    struct probe_result r;
    memset(&r, 0, sizeof(r));
    r.outcome = PROBE_ANSWERED;
    r.flight.answer = ANSWER_ALERT;
    r.flight.alert_level = 2;
    r.flight.alert_desc = desc;
    return r;
}

static struct probe_result server_hello(uint16_t version, uint16_t suite)
{
    struct probe_result r;
    memset(&r, 0, sizeof(r));
    r.outcome = PROBE_ANSWERED;
    r.flight.answer = ANSWER_SERVER_HELLO;
    r.flight.sh.version = version;
    r.flight.sh.legacy_version = version > VERSION_TLS12 ? VERSION_TLS12 : version;
    r.flight.sh.suite = suite;
    return r;
}

static struct probe_result ecdhe12(uint16_t suite, uint16_t curve)
{
    struct probe_result r = server_hello(VERSION_TLS12, suite);
    r.flight.kx.present = true;
    r.flight.kx.is_ecdh = true;
    r.flight.kx.named_curve = curve;
    return r;
}

static struct cert_result rsa_cert(int bits, const char *sig)
{
    struct cert_result c;
    memset(&c, 0, sizeof(c));
    c.present = true;
    snprintf(c.key_type, sizeof(c.key_type), "RSA");
    c.key_bits = bits;
    snprintf(c.sig_alg, sizeof(c.sig_alg), "%s", sig);
    return c;
}

static void judge(const char *id, const struct probe_result *res, const struct cert_result *cert,
                  struct client_result *out)
{
    client_judge(prof(id), res, cert, out);
    assert_string_equal(out->id, id);
}

static void expect_fail(const struct client_result *out, const char *words)
{
    assert_int_equal(out->verdict, CLIENT_FAILS);
    if (strstr(out->why, words) == NULL) {
        fail_msg("why \"%s\" lacks \"%s\"", out->why, words);
    }
}

static void test_clients_judge_no_shared_suite(void **state)
{
    (void)state;
    struct probe_result r = alert(ALERT_HANDSHAKE_FAILURE);
    struct client_result out;
    judge("chrome-137", &r, NULL, &out);
    expect_fail(&out, "no shared cipher suite (server alert handshake_failure)");
}

static void test_clients_judge_ats_no_ecdhe(void **state)
{
    (void)state;
    struct probe_result r = alert(ALERT_HANDSHAKE_FAILURE);
    struct client_result out;
    judge("ios-17", &r, NULL, &out);
    expect_fail(&out, "ATS: the server accepts none of the forward-secret suites ATS allows");
}

static void test_clients_judge_connects_tls13(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS13, 0x1301);
    r.flight.sh.key_share_group = 0x001d;
    struct client_result out;
    struct cert_result cert = rsa_cert(2048, "sha256WithRSAEncryption");
    judge("chrome-137", &r, &cert, &out);
    assert_int_equal(out.verdict, CLIENT_CONNECTS);
    assert_int_equal(out.version, VERSION_TLS13);
    assert_int_equal(out.suite, 0x1301);
    assert_int_equal(out.group, 0x001d);
}

static void test_clients_judge_connects_rsa_kex(void **state)
{
    (void)state;
    /* Safari (no ATS) takes a TLS_RSA suite that ATS apps refuse */
    struct probe_result r = server_hello(VERSION_TLS12, 0x009c);
    struct client_result out;
    struct cert_result cert = rsa_cert(2048, "sha256WithRSAEncryption");
    judge("safari-26.4-ios", &r, &cert, &out);
    assert_int_equal(out.verdict, CLIENT_CONNECTS);
    assert_int_equal(out.suite, 0x009c);
}

static void test_clients_judge_tls13_required(void **state)
{
    (void)state;
    struct probe_result r = alert(ALERT_PROTOCOL_VERSION);
    struct client_result out;
    judge("ios-9", &r, NULL, &out);
    expect_fail(&out, "server refused every version");
    struct scan_results *sr = results_new();
    assert_non_null(sr);
    sr->protos[results_proto_index(VERSION_TLS13)].state = PROTO_SUPPORTED;
    sr->protos[results_proto_index(VERSION_TLS12)].state = PROTO_NOT_SUPPORTED;
    client_result_refine(prof("ios-9"), sr, &out);
    expect_fail(&out, "server requires TLS 1.3, client tops out at TLS 1.2");
    results_free(sr);
}

static void test_clients_judge_server_too_old(void **state)
{
    (void)state;
    struct probe_result r = alert(ALERT_PROTOCOL_VERSION);
    struct client_result out;
    judge("chrome-137", &r, NULL, &out);
    struct scan_results *sr = results_new();
    assert_non_null(sr);
    sr->protos[results_proto_index(VERSION_TLS10)].state = PROTO_SUPPORTED;
    client_result_refine(prof("chrome-137"), sr, &out);
    expect_fail(&out, "server tops out at TLS 1.0, client requires TLS 1.2");
    results_free(sr);
}

static void test_clients_judge_refine_keeps_reason_with_common_version(void **state)
{
    (void)state;
    struct probe_result r = alert(ALERT_HANDSHAKE_FAILURE);
    struct client_result out;
    judge("chrome-137", &r, NULL, &out);
    struct scan_results *sr = results_new();
    assert_non_null(sr);
    sr->protos[results_proto_index(VERSION_TLS12)].state = PROTO_SUPPORTED;
    client_result_refine(prof("chrome-137"), sr, &out);
    expect_fail(&out, "no shared cipher suite");
    results_free(sr);
}

static void test_clients_judge_refine_no_shared_group(void **state)
{
    (void)state;
    /* the server has ECDHE suites the client offers, but only on x448 */
    struct probe_result r = alert(ALERT_HANDSHAKE_FAILURE);
    struct client_result out;
    judge("ios-17", &r, NULL, &out);
    struct scan_results *sr = results_new();
    assert_non_null(sr);
    struct proto_result *pr = &sr->protos[results_proto_index(VERSION_TLS12)];
    pr->state = PROTO_SUPPORTED;
    pr->suites_complete = true;
    pr->suites[pr->n_suites++].code = 0xc02f;
    sr->groups_complete = true;
    results_group(sr, 0x001e)->tls12 = true;
    client_result_refine(prof("ios-17"), sr, &out);
    expect_fail(&out, "no shared group");

    /* with a common curve the reason names the suite both support */
    results_group(sr, 0x0017)->tls12 = true;
    judge("ios-17", &r, NULL, &out);
    client_result_refine(prof("ios-17"), sr, &out);
    expect_fail(&out, "though both support TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 with TLS 1.2");

    /* the incident: only TLS_RSA suites; the ATS reason stands */
    pr->suites[0].code = 0x009c;
    judge("ios-17", &r, NULL, &out);
    client_result_refine(prof("ios-17"), sr, &out);
    expect_fail(&out, "ATS: the server accepts none of the forward-secret suites ATS allows");
    results_free(sr);
}

static void test_clients_judge_dh_too_small(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS12, 0x009e);
    r.flight.kx.present = true;
    r.flight.kx.is_dh = true;
    r.flight.kx.dh_p_bits = 1024;
    struct client_result out;
    judge("python-3.11-local", &r, NULL, &out);
    expect_fail(&out, "DH 1024 bits below the client's minimum 2048");
    assert_int_equal(out.dh_bits, 1024);

    /* the same server is fine for a client with a 1024-bit floor */
    judge("java-17-local", &r, NULL, &out);
    assert_int_equal(out.verdict, CLIENT_CONNECTS);
    assert_int_equal(out.dh_bits, 1024);
}

static void test_clients_judge_dh_too_large(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS12, 0x009f);
    r.flight.kx.present = true;
    r.flight.kx.is_dh = true;
    r.flight.kx.dh_p_bits = 8192;
    struct client_result out;
    judge("ie-11-win8.1", &r, NULL, &out);
    expect_fail(&out, "DH 8192 bits above the client's maximum 4096");
}

static void test_clients_judge_ats_rsa_key_too_small(void **state)
{
    (void)state;
    struct probe_result r = ecdhe12(0xc02f, 0x0017);
    struct cert_result cert = rsa_cert(1024, "sha256WithRSAEncryption");
    struct client_result out;
    judge("ios-17", &r, &cert, &out);
    expect_fail(&out, "ATS: certificate RSA 1024 bits below 2048");
}

static void test_clients_judge_ats_sha1_signature(void **state)
{
    (void)state;
    struct probe_result r = ecdhe12(0xc02f, 0x0017);
    struct cert_result cert = rsa_cert(2048, "sha1WithRSAEncryption");
    struct client_result out;
    judge("ios-13", &r, &cert, &out);
    expect_fail(&out, "ATS: certificate signed with sha1WithRSAEncryption");
    cert = rsa_cert(2048, "sha256WithRSAEncryption");
    judge("ios-13", &r, &cert, &out);
    assert_int_equal(out.verdict, CLIENT_CONNECTS);
    assert_int_equal(out.group, 0x0017);
}

static void test_clients_judge_ats_version(void **state)
{
    (void)state;
    /* ios-9 accepts only TLS 1.2; a server answering TLS 1.0 loses it */
    struct probe_result r = ecdhe12(0xc013, 0x0017);
    r.flight.sh.version = VERSION_TLS10;
    struct client_result out;
    judge("ios-9", &r, NULL, &out);
    expect_fail(&out, "below the client's minimum TLS 1.2");
}

static void test_clients_judge_suite_not_offered(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS12, 0x000a);
    struct client_result out;
    judge("chrome-137", &r, NULL, &out);
    expect_fail(&out, "server chose a suite the client did not offer");
}

static void test_clients_judge_version_not_offered(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS13, 0x1301);
    r.flight.sh.key_share_group = 0x001d;
    struct client_result out;
    judge("ie-11-win7", &r, NULL, &out);
    expect_fail(&out, "server chose TLS 1.3, which the client did not offer");
    r = server_hello(VERSION_TLS10, 0xc013);
    judge("chrome-137", &r, NULL, &out);
    expect_fail(&out, "server chose TLS 1.0, below the client's minimum TLS 1.2");
}

static void test_clients_judge_curve_not_offered(void **state)
{
    (void)state;
    struct probe_result r = ecdhe12(0xc02f, 0x0019); /* secp521r1 */
    struct client_result out;
    judge("chrome-137", &r, NULL, &out);
    expect_fail(&out, "server chose curve secp521r1, which the client did not offer");
    r.flight.kx.named_curve = 0;
    r.flight.kx.explicit_bits = 256;
    judge("chrome-137", &r, NULL, &out);
    expect_fail(&out, "explicit curve");
}

static void test_clients_judge_tls13_group_without_share(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS13, 0x1301);
    r.flight.sh.key_share_group = 0x0018;
    struct client_result out;
    judge("chrome-137", &r, NULL, &out);
    expect_fail(&out, "no key share");
}

static void test_clients_judge_hrr(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS13, 0x1302);
    r.flight.answer = ANSWER_HRR;
    r.flight.sh.key_share_group = 0x0018; /* secp384r1: supported, no share sent */
    struct client_result out;
    judge("chrome-137", &r, NULL, &out);
    assert_int_equal(out.verdict, CLIENT_CONNECTS);
    assert_non_null(strstr(out.why, "HelloRetryRequest for secp384r1"));
    r.flight.sh.key_share_group = 0x001d; /* already sent */
    judge("chrome-137", &r, NULL, &out);
    expect_fail(&out, "already sent");
    r.flight.sh.key_share_group = 0x0100; /* ffdhe2048: not supported by Chrome */
    judge("chrome-137", &r, NULL, &out);
    expect_fail(&out, "does not support");
}

static void test_clients_judge_requires_sha2(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS13, 0x1301);
    r.flight.sh.key_share_group = 0x001d;
    struct cert_result cert = rsa_cert(2048, "sha1WithRSAEncryption");
    struct client_result out;
    judge("chrome-137", &r, &cert, &out);
    expect_fail(&out, "the client requires SHA-2");
}

static void test_clients_judge_rsa_below_minimum(void **state)
{
    (void)state;
    struct probe_result r = server_hello(VERSION_TLS13, 0x1301);
    r.flight.sh.key_share_group = 0x001d;
    struct cert_result cert = rsa_cert(1024, "sha256WithRSAEncryption");
    struct client_result out;
    judge("curl-local", &r, &cert, &out);
    expect_fail(&out, "certificate RSA 1024 bits below the client's minimum 2048");
}

static void test_clients_judge_legacy_kx_signature(void **state)
{
    (void)state;
    /* s_client and Python on this machine: TLS 1.0 with RSA key exchange
     * connects, TLS 1.0 with DHE-RSA fails "legacy sigalg disallowed" */
    struct probe_result r = server_hello(VERSION_TLS10, 0x0033);
    r.flight.kx.present = true;
    r.flight.kx.is_dh = true;
    r.flight.kx.dh_p_bits = 2048;
    struct client_result out;
    judge("openssl-3.0-local", &r, NULL, &out);
    expect_fail(&out, "TLS 1.0 key exchange with MD5+SHA-1");
    r = server_hello(VERSION_TLS10, 0x002f);
    judge("openssl-3.0-local", &r, NULL, &out);
    assert_int_equal(out.verdict, CLIENT_CONNECTS);
    r = server_hello(VERSION_TLS10, 0x0033);
    judge("android-4.4", &r, NULL, &out);
    assert_int_equal(out.verdict, CLIENT_CONNECTS);
}

static void test_clients_judge_inconclusive(void **state)
{
    (void)state;
    struct probe_result r;
    memset(&r, 0, sizeof(r));
    r.outcome = PROBE_RESET;
    struct client_result out;
    judge("chrome-137", &r, NULL, &out);
    assert_int_equal(out.verdict, CLIENT_INCONCLUSIVE);
    assert_string_equal(out.why, "connection reset by peer");
    r.outcome = PROBE_TIMEOUT;
    r.elapsed_ms = 5000;
    judge("chrome-137", &r, NULL, &out);
    assert_int_equal(out.verdict, CLIENT_INCONCLUSIVE);
    assert_non_null(strstr(out.why, "5.0 s"));
}

static void test_clients_judge_sslv2_answer(void **state)
{
    (void)state;
    struct probe_result r;
    memset(&r, 0, sizeof(r));
    r.outcome = PROBE_ANSWERED;
    r.flight.answer = ANSWER_SSL2_SERVER_HELLO;
    struct client_result out;
    judge("android-2.3", &r, NULL, &out);
    expect_fail(&out, "SSLv2");
}

/* The incident: TLS_RSA-only server; every ATS client is lost, Safari and
 * old Android still connect. */
static void test_clients_gate_names_lost_ats_clients(void **state)
{
    (void)state;
    const struct client_profile **all = NULL;
    size_t n = 0;
    char err[256];
    assert_int_equal(client_db_select(db, "all", &all, &n, err, sizeof(err)), ST_OK);
    struct scan_results *sr = results_new();
    assert_non_null(sr);
    sr->protos[results_proto_index(VERSION_TLS12)].state = PROTO_SUPPORTED;
    sr->clients = calloc(n, sizeof(*sr->clients));
    sr->n_clients = n;
    struct cert_result cert = rsa_cert(2048, "sha256WithRSAEncryption");
    for (size_t i = 0; i < n; i++) {
        struct probe_result fail = alert(ALERT_HANDSHAKE_FAILURE);
        struct probe_result ok = server_hello(VERSION_TLS12, 0x009c);
        client_judge(all[i], client_in_group(all[i], "ats") ? &fail : &ok, &cert, &sr->clients[i]);
    }
    char why[8192];
    assert_int_equal(client_gate(db, "ats", sr, why, sizeof(why)), GATE_REACH);
    assert_non_null(strstr(why, "ios-17: ATS: the server accepts none of the forward-secret suites ATS allows"));
    assert_non_null(strstr(why, "macos-12.3: ATS:"));
    assert_null(strstr(why, "safari"));
    assert_int_equal(client_gate(db, "android-4.4,safari-26.4-ios", sr, why, sizeof(why)), 0);
    assert_string_equal(why, "");
    assert_int_equal(client_gate(db, "no-such-client", sr, why, sizeof(why)), GATE_REACH);
    assert_non_null(strstr(why, "no-such-client"));
    results_free(sr);
    free(all);
}

static void test_clients_gate_unsimulated_client_is_lost(void **state)
{
    (void)state;
    struct scan_results *sr = results_new();
    assert_non_null(sr);
    char why[512];
    assert_int_equal(client_gate(db, "java-17", sr, why, sizeof(why)), GATE_REACH);
    assert_string_equal(why, "java-17: not simulated in this scan\n");
    assert_int_equal(client_gate(db, "", sr, why, sizeof(why)), 0);
    results_free(sr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clients_judge_no_shared_suite),
        cmocka_unit_test(test_clients_judge_ats_no_ecdhe),
        cmocka_unit_test(test_clients_judge_connects_tls13),
        cmocka_unit_test(test_clients_judge_connects_rsa_kex),
        cmocka_unit_test(test_clients_judge_tls13_required),
        cmocka_unit_test(test_clients_judge_server_too_old),
        cmocka_unit_test(test_clients_judge_refine_keeps_reason_with_common_version),
        cmocka_unit_test(test_clients_judge_refine_no_shared_group),
        cmocka_unit_test(test_clients_judge_dh_too_small),
        cmocka_unit_test(test_clients_judge_dh_too_large),
        cmocka_unit_test(test_clients_judge_ats_rsa_key_too_small),
        cmocka_unit_test(test_clients_judge_ats_sha1_signature),
        cmocka_unit_test(test_clients_judge_ats_version),
        cmocka_unit_test(test_clients_judge_suite_not_offered),
        cmocka_unit_test(test_clients_judge_version_not_offered),
        cmocka_unit_test(test_clients_judge_curve_not_offered),
        cmocka_unit_test(test_clients_judge_tls13_group_without_share),
        cmocka_unit_test(test_clients_judge_hrr),
        cmocka_unit_test(test_clients_judge_requires_sha2),
        cmocka_unit_test(test_clients_judge_rsa_below_minimum),
        cmocka_unit_test(test_clients_judge_legacy_kx_signature),
        cmocka_unit_test(test_clients_judge_inconclusive),
        cmocka_unit_test(test_clients_judge_sslv2_answer),
        cmocka_unit_test(test_clients_gate_names_lost_ats_clients),
        cmocka_unit_test(test_clients_gate_unsimulated_client_is_lost),
    };
    return cmocka_run_group_tests(tests, db_setup, db_teardown);
}
