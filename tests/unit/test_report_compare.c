/* The --all-addresses comparison: constructed scans of one name's addresses
 * in, the exact phrases out. */
/* cmocka needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
/* clang-format on */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "report/compare.h"

#define MAX_ADDRS 3

/* A small dual-stack service: TLS 1.2 and 1.3, two suites each in server
 * order, x25519 everywhere, one certificate. */
static struct scan_results *scan_make(const char *address)
{
    struct scan_results *r = results_new();
    assert_non_null(r);
    snprintf(r->target, sizeof(r->target), "dual.test:443");
    snprintf(r->host, sizeof(r->host), "dual.test");
    snprintf(r->address, sizeof(r->address), "%s", address);
    r->state = TARGET_SCANNED;
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        r->protos[i].state = PROTO_NOT_SUPPORTED;
    }
    struct proto_result *p12 = &r->protos[results_proto_index(VERSION_TLS12)];
    p12->state = PROTO_SUPPORTED;
    p12->order = ORDER_SERVER;
    p12->suites[p12->n_suites++].code = 0xC02F;
    p12->suites[p12->n_suites++].code = 0xC030;
    struct proto_result *p13 = &r->protos[results_proto_index(VERSION_TLS13)];
    p13->state = PROTO_SUPPORTED;
    p13->order = ORDER_SERVER;
    p13->suites[p13->n_suites++].code = 0x1301;
    p13->suites[p13->n_suites++].code = 0x1302;
    results_group(r, 0x001D)->tls13 = true;
    results_group(r, 0x001D)->tls12 = true;
    r->cert.present = true;
    memset(r->cert.sha256, 'a', 64);
    return r;
}

struct trio {
    struct scan_results *r[MAX_ADDRS];
    struct address_comparison cmp;
};

static void trio_build(struct trio *t)
{
    t->r[0] = scan_make("127.0.0.1");
    t->r[1] = scan_make("::1");
    t->r[2] = scan_make("192.0.2.7");
}

static void trio_free(struct trio *t)
{
    for (int i = 0; i < MAX_ADDRS; i++) {
        results_free(t->r[i]);
    }
}

static void compare(struct trio *t, size_t n)
{
    report_addresses_compare((const struct scan_results *const *)t->r, n, &t->cmp);
}

static struct proto_result *proto(struct scan_results *r, uint16_t version)
{
    return &r->protos[results_proto_index(version)];
}

/* Exactly these phrases, in this order. */
static void assert_diffs(const struct address_comparison *c, const char *const *want, size_t n)
{
    for (size_t i = 0; i < c->n_diffs && i < n; i++) {
        assert_string_equal(c->diffs[i], want[i]);
    }
    assert_int_equal(c->n_diffs, n);
    assert_int_equal(c->consistent, n == 0);
}

static void test_compare_identical_addresses_agree(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    compare(&t, 3);
    assert_diffs(&t.cmp, NULL, 0);
    trio_free(&t);
}

static void test_compare_protocol_on_one_address_only(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    struct proto_result *p10 = proto(t.r[0], VERSION_TLS10);
    p10->state = PROTO_SUPPORTED;
    p10->suites[p10->n_suites++].code = 0xC013;
    proto(t.r[1], VERSION_TLS11)->state = PROTO_INCONCLUSIVE;
    compare(&t, 2);
    const char *const want[] = {"TLSv1.0 supported on 127.0.0.1 only",
                                "TLSv1.1 not supported on 127.0.0.1, inconclusive on ::1"};
    assert_diffs(&t.cmp, want, 2);
    trio_free(&t);
}

static void test_compare_suites_named_per_address_set(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    struct proto_result *p = proto(t.r[1], VERSION_TLS12);
    p->suites[p->n_suites++].code = 0x002F;
    p->suites[p->n_suites++].code = 0x0035;
    proto(t.r[0], VERSION_TLS13)->n_suites = 1; /* 0x1302 only on ::1 and 192.0.2.7 */
    compare(&t, 3);
    const char *const want[] = {
        "TLSv1.2 suites on ::1 only: TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLSv1.3 suite on ::1 and 192.0.2.7 only: TLS_AES_256_GCM_SHA384"};
    assert_diffs(&t.cmp, want, 2);
    trio_free(&t);
}

static void test_compare_server_order(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    struct proto_result *p = proto(t.r[1], VERSION_TLS12);
    p->suites[0].code = 0xC030;
    p->suites[1].code = 0xC02F;
    proto(t.r[1], VERSION_TLS13)->order = ORDER_CLIENT;
    compare(&t, 2);
    const char *const want[] = {"TLSv1.2 server order differs from position 1: "
                                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 on 127.0.0.1, "
                                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 on ::1",
                                "TLSv1.3 server order on 127.0.0.1, client order on ::1"};
    assert_diffs(&t.cmp, want, 2);
    trio_free(&t);
}

static void test_compare_groups_and_certificate(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    results_group(t.r[1], 0x001E)->tls13 = true; /* x448 */
    results_group(t.r[0], 0x0017)->tls12 = true; /* secp256r1 */
    memset(t.r[1]->cert.sha256, 'b', 64);
    t.r[2]->cert.present = false;
    compare(&t, 3);
    const char *const want[] = {
        "TLSv1.3 group on ::1 only: x448",
        "TLSv1.2 (and earlier) group on 127.0.0.1 only: secp256r1",
        "certificate differs (SHA-256 aaaaaaaaaaaaaaaa on 127.0.0.1, bbbbbbbbbbbbbbbb on ::1, "
        "no certificate on 192.0.2.7)"};
    assert_diffs(&t.cmp, want, 3);
    trio_free(&t);
}

/* Groups of a protocol an address does not support are not a second
 * difference: the protocol's status already is one. */
static void test_compare_groups_only_where_the_protocol_is(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    struct proto_result *p12 = proto(t.r[1], VERSION_TLS12);
    p12->state = PROTO_NOT_SUPPORTED;
    p12->n_suites = 0;
    t.r[1]->groups[0].tls12 = false;
    compare(&t, 2);
    const char *const want[] = {"TLSv1.2 supported on 127.0.0.1 only"};
    assert_diffs(&t.cmp, want, 1);
    trio_free(&t);
}

static void test_compare_unscanned_address(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    t.r[1]->state = TARGET_UNREACHABLE;
    compare(&t, 2);
    const char *const want[] = {"::1 could not be scanned (unreachable)"};
    assert_diffs(&t.cmp, want, 1);
    trio_free(&t);
}

/* A list too long for one phrase is cut, with a count of the rest. */
static void test_compare_long_list_cut(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    struct proto_result *p = proto(t.r[1], VERSION_TLS12);
    for (uint32_t code = 0xC001; code <= 0xC03F; code++) {
        if (code != 0xC02F && code != 0xC030) {
            p->suites[p->n_suites++].code = code;
        }
    }
    compare(&t, 2);
    assert_int_equal(t.cmp.n_diffs, 1);
    const char *d = t.cmp.diffs[0];
    assert_non_null(strstr(d, "TLSv1.2 suites on ::1 only: TLS_ECDH_ECDSA_WITH_NULL_SHA, "));
    assert_non_null(strstr(d, " more"));
    assert_true(strlen(d) < COMPARE_TEXT);
    trio_free(&t);
}

/* Phrases past COMPARE_MAX_DIFFS are counted in the last one. */
static void test_compare_phrase_cap(void **state)
{
    (void)state;
    enum { N = 40 };
    struct scan_results *r[N];
    for (size_t i = 0; i < N; i++) {
        char addr[32];
        snprintf(addr, sizeof(addr), "192.0.2.%zu", i + 1);
        r[i] = scan_make(addr);
        struct proto_result *p = proto(r[i], VERSION_TLS12);
        p->suites[p->n_suites++].code = 0xC001 + (uint32_t)i; /* on this address only */
    }
    struct address_comparison *cmp = malloc(sizeof(*cmp));
    assert_non_null(cmp);
    report_addresses_compare((const struct scan_results *const *)r, N, cmp);
    assert_int_equal(cmp->n_diffs, COMPARE_MAX_DIFFS);
    assert_string_equal(cmp->diffs[0],
                        "TLSv1.2 suite on 192.0.2.1 only: TLS_ECDH_ECDSA_WITH_NULL_SHA");
    char want[64];
    snprintf(want, sizeof(want), "%d more differences not listed", N - (COMPARE_MAX_DIFFS - 1));
    assert_string_equal(cmp->diffs[COMPARE_MAX_DIFFS - 1], want);
    assert_false(cmp->consistent);
    free(cmp);
    for (size_t i = 0; i < N; i++) {
        results_free(r[i]);
    }
}

static void test_compare_addresses_join(void **state)
{
    (void)state;
    struct trio t;
    trio_build(&t);
    char buf[128];
    const struct scan_results *const *r = (const struct scan_results *const *)t.r;
    report_addresses_join(r, 1, buf, sizeof(buf));
    assert_string_equal(buf, "127.0.0.1");
    report_addresses_join(r, 2, buf, sizeof(buf));
    assert_string_equal(buf, "127.0.0.1 and ::1");
    report_addresses_join(r, 3, buf, sizeof(buf));
    assert_string_equal(buf, "127.0.0.1, ::1 and 192.0.2.7");
    trio_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_identical_addresses_agree),
        cmocka_unit_test(test_compare_protocol_on_one_address_only),
        cmocka_unit_test(test_compare_suites_named_per_address_set),
        cmocka_unit_test(test_compare_server_order),
        cmocka_unit_test(test_compare_groups_and_certificate),
        cmocka_unit_test(test_compare_groups_only_where_the_protocol_is),
        cmocka_unit_test(test_compare_unscanned_address),
        cmocka_unit_test(test_compare_long_list_cut),
        cmocka_unit_test(test_compare_phrase_cap),
        cmocka_unit_test(test_compare_addresses_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
