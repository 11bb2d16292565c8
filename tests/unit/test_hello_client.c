/* Hello builders: every hello is parsed back with the reader and checked
 * field by field against RFC 5246 7.4.1.2 / RFC 8446 4.1.2. */
/* cmocka needs these first; clang-format would sort it above them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "registry/registry.h"
#include "wire/hello_client.h"
#include "wire/reader.h"
#include "wire/tls_const.h"

#define MAX_EXTS 16

struct parsed_ext {
    uint16_t type;
    const uint8_t *body;
    size_t len;
};

struct parsed_hello {
    uint8_t rec_type;
    uint16_t rec_version;
    size_t rec_len;
    uint8_t hs_type;
    size_t hs_len;
    uint16_t version;
    const uint8_t *random;
    size_t sid_len;
    size_t n_suites;
    uint16_t suites[512];
    size_t n_comp;
    bool has_ext_block;
    size_t n_exts;
    struct parsed_ext exts[MAX_EXTS];
};

static uint8_t test_random[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* Parses a record-framed ClientHello; every length must agree exactly. */
static void hello_parse(const uint8_t *buf, size_t len, struct parsed_hello *p)
{
    memset(p, 0, sizeof(*p));
    struct reader r = rd_init(buf, len);
    p->rec_type = rd_u8(&r);
    p->rec_version = rd_u16(&r);
    struct reader rec = rd_vec16(&r);
    assert_true(rd_done(&r));
    p->rec_len = rd_len(&rec);
    p->hs_type = rd_u8(&rec);
    struct reader hs = rd_vec24(&rec);
    assert_true(rd_done(&rec));
    p->hs_len = rd_len(&hs) + 4;
    p->version = rd_u16(&hs);
    p->random = rd_bytes(&hs, 32);
    struct reader sid = rd_vec8(&hs);
    p->sid_len = rd_len(&sid);
    struct reader suites = rd_vec16(&hs);
    while (rd_left(&suites) > 0 && p->n_suites < 512) {
        p->suites[p->n_suites++] = rd_u16(&suites);
    }
    assert_true(rd_done(&suites));
    struct reader comp = rd_vec8(&hs);
    p->n_comp = rd_len(&comp);
    assert_true(rd_ok(&hs));
    if (rd_left(&hs) == 0) {
        return;
    }
    p->has_ext_block = true;
    struct reader exts = rd_vec16(&hs);
    assert_true(rd_done(&hs));
    while (rd_left(&exts) > 0) {
        assert_true(p->n_exts < MAX_EXTS);
        struct parsed_ext *e = &p->exts[p->n_exts++];
        e->type = rd_u16(&exts);
        struct reader body = rd_vec16(&exts);
        e->len = rd_len(&body);
        e->body = rd_ptr(&body);
    }
    assert_true(rd_done(&exts));
}

static const struct parsed_ext *ext_find(const struct parsed_hello *p, uint16_t type)
{
    for (size_t i = 0; i < p->n_exts; i++) {
        if (p->exts[i].type == type) {
            return &p->exts[i];
        }
    }
    return NULL;
}

static void test_hello_client_build_explicit_spec(void **state)
{
    (void)state;
    uint8_t sid[32];
    memset(sid, 0xab, sizeof(sid));
    uint16_t suites[] = {0xc02f, 0x009e, 0x002f};
    uint8_t body_a[] = {0x00, 0x02, 0x00, 0x17};
    struct hello_ext exts[] = {{0xff01, (const uint8_t *)"\x00", 1},
                               {EXT_SUPPORTED_GROUPS, body_a, sizeof(body_a)},
                               {EXT_EXTENDED_MASTER_SECRET, NULL, 0}};
    struct hello_spec spec = {.record_version = 0x0301,
                              .legacy_version = 0x0303,
                              .random = test_random,
                              .session_id = sid,
                              .session_id_len = 32,
                              .suites = suites,
                              .n_suites = 3,
                              .exts = exts,
                              .n_exts = 3};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    assert_int_equal(hello_client_build(&spec, out, sizeof(out), &len), ST_OK);

    struct parsed_hello p;
    hello_parse(out, len, &p);
    assert_int_equal(p.rec_type, CT_HANDSHAKE);
    assert_int_equal(p.rec_version, 0x0301);
    assert_int_equal(p.hs_type, HS_CLIENT_HELLO);
    assert_int_equal(p.version, 0x0303);
    assert_memory_equal(p.random, test_random, 32);
    assert_int_equal(p.sid_len, 32);
    assert_int_equal(p.n_suites, 3);
    assert_int_equal(p.suites[0], 0xc02f);
    assert_int_equal(p.suites[2], 0x002f);
    assert_int_equal(p.n_comp, 1);
    assert_int_equal(p.n_exts, 3);
    assert_int_equal(p.exts[0].type, 0xff01);
    assert_int_equal(p.exts[1].type, EXT_SUPPORTED_GROUPS);
    assert_memory_equal(p.exts[1].body, body_a, sizeof(body_a));
    assert_int_equal(p.exts[2].type, EXT_EXTENDED_MASTER_SECRET);
    assert_int_equal(p.exts[2].len, 0);
    /* 5 record + 4 handshake + 2 + 32 + 1+32 + 2+6 + 1+1 + 2 + (5 + 8 + 4) */
    assert_int_equal(len, 5 + 4 + 2 + 32 + 33 + 8 + 2 + 2 + 17);
}

static void test_hello_client_build_sslv3_without_extension_block(void **state)
{
    (void)state;
    uint16_t suites[] = {0x000a};
    struct hello_spec spec = {.record_version = 0x0300,
                              .legacy_version = 0x0300,
                              .random = test_random,
                              .suites = suites,
                              .n_suites = 1,
                              .no_extensions_block = true};
    uint8_t out[256];
    size_t len = 0;
    assert_int_equal(hello_client_build(&spec, out, sizeof(out), &len), ST_OK);
    struct parsed_hello p;
    hello_parse(out, len, &p);
    assert_false(p.has_ext_block);
    assert_int_equal(len, 5 + 4 + 2 + 32 + 1 + 4 + 2);
}

static void test_hello_client_build_rejects_long_session_id(void **state)
{
    (void)state;
    uint8_t sid[33] = {0};
    struct hello_spec spec = {.random = test_random, .session_id = sid, .session_id_len = 33};
    uint8_t out[256];
    size_t len = 0;
    assert_int_equal(hello_client_build(&spec, out, sizeof(out), &len), ST_USAGE);
}

static void test_hello_client_build_rejects_small_buffer(void **state)
{
    (void)state;
    uint16_t suites[] = {0x002f};
    struct hello_spec spec = {.random = test_random, .suites = suites, .n_suites = 1};
    uint8_t out[40];
    size_t len = 0;
    assert_int_equal(hello_client_build(&spec, out, sizeof(out), &len), ST_TOO_BIG);
}

static void test_hello_client_build_rejects_over_one_record(void **state)
{
    (void)state;
    static uint16_t suites[8200];
    for (size_t i = 0; i < 8200; i++) {
        suites[i] = (uint16_t)i;
    }
    struct hello_spec spec = {.random = test_random, .suites = suites, .n_suites = 8200};
    static uint8_t out[HELLO_MAX_LEN * 2];
    size_t len = 0;
    assert_int_equal(hello_client_build(&spec, out, sizeof(out), &len), ST_TOO_BIG);
}

static void scan_build(const struct scan_hello *h, struct parsed_hello *p, uint8_t *out,
                       size_t *len)
{
    assert_int_equal(hello_scan_build(h, out, HELLO_MAX_LEN, len), ST_OK);
    hello_parse(out, *len, p);
}

static void test_hello_scan_tls12_extensions(void **state)
{
    (void)state;
    uint16_t suites[] = {0xc02f, 0x002f};
    struct scan_hello h = {.version = VERSION_TLS12,
                           .suites = suites,
                           .n_suites = 2,
                           .sni = "example.test",
                           .random = test_random};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    struct parsed_hello p;
    scan_build(&h, &p, out, &len);

    assert_int_equal(p.rec_version, VERSION_TLS12);
    assert_int_equal(p.version, VERSION_TLS12);
    uint16_t want[] = {EXT_SERVER_NAME,        EXT_SUPPORTED_GROUPS,
                       EXT_EC_POINT_FORMATS,   EXT_SIGNATURE_ALGORITHMS,
                       EXT_RENEGOTIATION_INFO, EXT_EXTENDED_MASTER_SECRET};
    assert_int_equal(p.n_exts, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(p.exts[i].type, want[i]);
    }

    /* RFC 6066 3: list length, host_name type, name length, name. */
    const uint8_t sni[] = {0x00, 0x0f, 0x00, 0x00, 0x0c, 'e', 'x', 'a', 'm',
                           'p',  'l',  'e',  '.',  't',  'e', 's', 't'};
    assert_int_equal(p.exts[0].len, sizeof(sni));
    assert_memory_equal(p.exts[0].body, sni, sizeof(sni));

    struct reader groups = rd_init(p.exts[1].body, p.exts[1].len);
    struct reader list = rd_vec16(&groups);
    assert_true(rd_done(&groups));
    /* Every default group but the five FFDHE ones (RFC 7919 4, see
     * hello_scan.c), x25519 first. */
    assert_int_equal(rd_len(&list), 2 * (scan_default_groups_len - 5));
    assert_int_equal(rd_u16(&list), 29);
    while (rd_len(&list) > 0) {
        uint16_t g = rd_u16(&list);
        assert_true(g < 0x0100 || g > 0x01ff);
    }

    struct reader sig = rd_init(p.exts[3].body, p.exts[3].len);
    struct reader sigs = rd_vec16(&sig);
    assert_int_equal(rd_len(&sigs), 2 * scan_default_sigalgs_len);
    const uint8_t reneg[] = {0x00};
    assert_memory_equal(p.exts[4].body, reneg, 1);
    assert_int_equal(p.exts[5].len, 0);
}

static void test_hello_scan_tls13_empty_key_share(void **state)
{
    (void)state;
    uint16_t suites[] = {0x1301, 0x1302, 0x1303};
    struct scan_hello h = {.version = VERSION_TLS13,
                           .suites = suites,
                           .n_suites = 3,
                           .sni = "localhost",
                           .random = test_random,
                           .flags = SCAN_HELLO_EMPTY_KEY_SHARE};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    struct parsed_hello p;
    scan_build(&h, &p, out, &len);

    /* RFC 8446 4.1.2 and D.1: the record says 1.0, the hello 1.2. */
    assert_int_equal(p.rec_version, VERSION_TLS10);
    assert_int_equal(p.version, VERSION_TLS12);
    const struct parsed_ext *sv = ext_find(&p, EXT_SUPPORTED_VERSIONS);
    assert_non_null(sv);
    const uint8_t sv_body[] = {0x02, 0x03, 0x04};
    assert_int_equal(sv->len, sizeof(sv_body));
    assert_memory_equal(sv->body, sv_body, sizeof(sv_body));
    const struct parsed_ext *ks = ext_find(&p, EXT_KEY_SHARE);
    assert_non_null(ks);
    assert_int_equal(ks->len, 2);
    assert_int_equal(ks->body[0], 0);
    assert_int_equal(ks->body[1], 0);
    assert_non_null(ext_find(&p, EXT_SUPPORTED_GROUPS));
    assert_non_null(ext_find(&p, EXT_SIGNATURE_ALGORITHMS));
}

static void test_hello_scan_tls13_needs_empty_key_share_flag(void **state)
{
    (void)state;
    uint16_t suites[] = {0x1301};
    struct scan_hello h = {
        .version = VERSION_TLS13, .suites = suites, .n_suites = 1, .random = test_random};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    assert_int_equal(hello_scan_build(&h, out, sizeof(out), &len), ST_UNSUPPORTED);
}

static void test_hello_scan_never_sends_ip_literal_sni(void **state)
{
    (void)state;
    uint16_t suites[] = {0x002f};
    const char *names[] = {"127.0.0.1", "::1", "fe80::1", "", NULL};
    for (size_t i = 0; i < 5; i++) {
        struct scan_hello h = {.version = VERSION_TLS12,
                               .suites = suites,
                               .n_suites = 1,
                               .sni = names[i],
                               .random = test_random};
        uint8_t out[HELLO_MAX_LEN];
        size_t len = 0;
        struct parsed_hello p;
        scan_build(&h, &p, out, &len);
        assert_null(ext_find(&p, EXT_SERVER_NAME));
    }
}

static void test_hello_scan_no_sni_flag(void **state)
{
    (void)state;
    uint16_t suites[] = {0x002f};
    struct scan_hello h = {.version = VERSION_TLS12,
                           .suites = suites,
                           .n_suites = 1,
                           .sni = "a.test",
                           .random = test_random,
                           .flags = SCAN_HELLO_NO_SNI};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    struct parsed_hello p;
    scan_build(&h, &p, out, &len);
    assert_null(ext_find(&p, EXT_SERVER_NAME));
}

static void test_hello_scan_rsa_only_sends_no_groups(void **state)
{
    (void)state;
    uint16_t suites[] = {0x002f, 0x0035, 0x000a};
    struct scan_hello h = {
        .version = VERSION_TLS11, .suites = suites, .n_suites = 3, .random = test_random};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    struct parsed_hello p;
    scan_build(&h, &p, out, &len);
    assert_int_equal(p.rec_version, VERSION_TLS11);
    assert_int_equal(p.version, VERSION_TLS11);
    assert_null(ext_find(&p, EXT_SUPPORTED_GROUPS));
    assert_null(ext_find(&p, EXT_EC_POINT_FORMATS));
    /* signature_algorithms is a TLS 1.2 extension. */
    assert_null(ext_find(&p, EXT_SIGNATURE_ALGORITHMS));
    assert_non_null(ext_find(&p, EXT_RENEGOTIATION_INFO));
}

static void test_hello_scan_dhe_sends_caller_groups(void **state)
{
    (void)state;
    uint16_t suites[] = {0x009e};
    uint16_t groups[] = {256, 257};
    struct scan_hello h = {.version = VERSION_TLS12,
                           .suites = suites,
                           .n_suites = 1,
                           .groups = groups,
                           .n_groups = 2,
                           .random = test_random};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    struct parsed_hello p;
    scan_build(&h, &p, out, &len);
    const struct parsed_ext *g = ext_find(&p, EXT_SUPPORTED_GROUPS);
    assert_non_null(g);
    const uint8_t body[] = {0x00, 0x04, 0x01, 0x00, 0x01, 0x01};
    assert_int_equal(g->len, sizeof(body));
    assert_memory_equal(g->body, body, sizeof(body));
}

static void test_hello_scan_no_extensions_flag(void **state)
{
    (void)state;
    uint16_t suites[] = {0xc02f};
    struct scan_hello h = {.version = VERSION_SSL3,
                           .suites = suites,
                           .n_suites = 1,
                           .sni = "a.test",
                           .random = test_random,
                           .flags = SCAN_HELLO_NO_EXTENSIONS};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    struct parsed_hello p;
    scan_build(&h, &p, out, &len);
    assert_false(p.has_ext_block);
    assert_int_equal(p.rec_version, VERSION_SSL3);
}

/* RFC 7685: every suite count whose hello lands in 256..511 (with or without
 * the record header) is padded to 512. */
static void test_hello_scan_pads_256_to_511_to_512(void **state)
{
    (void)state;
    static uint16_t suites[300];
    for (size_t i = 0; i < 300; i++) {
        suites[i] = (uint16_t)(0x0001 + i);
    }
    size_t padded = 0;
    for (size_t n = 1; n < 300; n++) {
        struct scan_hello h = {.version = VERSION_TLS11,
                               .suites = suites,
                               .n_suites = n,
                               .random = test_random,
                               .flags = SCAN_HELLO_PAD};
        uint8_t out[HELLO_MAX_LEN];
        size_t len = 0;
        struct parsed_hello p;
        scan_build(&h, &p, out, &len);
        assert_true(p.hs_len < PAD_LOW || p.hs_len >= PAD_HIGH);
        /* ... and so is the whole record, header included. */
        assert_true(len < PAD_LOW || p.hs_len >= PAD_HIGH);
        const struct parsed_ext *pad = ext_find(&p, EXT_PADDING);
        if (pad != NULL) {
            padded++;
            /* An extension header is 4 bytes: 509..511 end just past 512. */
            assert_true(p.hs_len >= PAD_HIGH && p.hs_len < PAD_HIGH + 4);
            assert_ptr_equal(pad, &p.exts[p.n_exts - 1]);
            for (size_t i = 0; i < pad->len; i++) {
                assert_int_equal(pad->body[i], 0);
            }
        }
    }
    assert_true(padded > 100);
}

static void test_hello_scan_without_pad_flag_is_unpadded(void **state)
{
    (void)state;
    static uint16_t suites[150];
    for (size_t i = 0; i < 150; i++) {
        suites[i] = (uint16_t)(0x0001 + i);
    }
    struct scan_hello h = {
        .version = VERSION_TLS11, .suites = suites, .n_suites = 150, .random = test_random};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    struct parsed_hello p;
    scan_build(&h, &p, out, &len);
    assert_true(p.hs_len >= PAD_LOW && p.hs_len < PAD_HIGH);
    assert_null(ext_find(&p, EXT_PADDING));
}

static void test_hello_scan_rejects_bad_version(void **state)
{
    (void)state;
    uint16_t suites[] = {0x002f};
    struct scan_hello h = {
        .version = 0x0305, .suites = suites, .n_suites = 1, .random = test_random};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    assert_int_equal(hello_scan_build(&h, out, sizeof(out), &len), ST_USAGE);
}

static void test_hello_sslv2_layout(void **state)
{
    (void)state;
    uint32_t specs[] = {0x010080, 0x0700c0, 0x020080};
    uint8_t challenge[16];
    memset(challenge, 0x5a, sizeof(challenge));
    uint8_t out[256];
    size_t len = 0;
    assert_int_equal(hello_sslv2_build(specs, 3, challenge, out, sizeof(out), &len), ST_OK);

    struct reader r = rd_init(out, len);
    uint16_t hdr = rd_u16(&r);
    assert_int_equal(hdr & 0x8000, 0x8000);
    struct reader body = rd_sub(&r, hdr & 0x7fff);
    assert_true(rd_done(&r));
    assert_int_equal(rd_u8(&body), SSL2_MT_CLIENT_HELLO);
    assert_int_equal(rd_u16(&body), 0x0002);
    assert_int_equal(rd_u16(&body), 9);
    assert_int_equal(rd_u16(&body), 0);
    assert_int_equal(rd_u16(&body), 16);
    assert_int_equal(rd_u24(&body), 0x010080);
    assert_int_equal(rd_u24(&body), 0x0700c0);
    assert_int_equal(rd_u24(&body), 0x020080);
    assert_memory_equal(rd_bytes(&body, 16), challenge, 16);
    assert_true(rd_done(&body));
    assert_int_equal(len, 2 + 9 + 9 + 16);
}

static void test_hello_sslv2_rejects_oversize(void **state)
{
    (void)state;
    static uint32_t specs[11000];
    uint8_t challenge[16] = {0};
    static uint8_t out[40000];
    size_t len = 0;
    assert_int_equal(hello_sslv2_build(specs, 11000, challenge, out, sizeof(out), &len),
                     ST_TOO_BIG);
}

static void test_scan_defaults_cover_registry_names(void **state)
{
    (void)state;
    /* Spot checks of code points the brief names. */
    uint16_t need_groups[] = {29,  30,  23,  24,  25,  26,   27,   28,
                              256, 257, 258, 259, 260, 4588, 4587, 4589};
    for (size_t i = 0; i < sizeof(need_groups) / sizeof(need_groups[0]); i++) {
        bool found = false;
        for (size_t j = 0; j < scan_default_groups_len; j++) {
            found |= scan_default_groups[j] == need_groups[i];
        }
        assert_true(found);
    }
    uint16_t need_sigs[] = {0x0201, 0x0203, 0x0202, 0x0804, 0x0403, 0x0807};
    for (size_t i = 0; i < sizeof(need_sigs) / sizeof(need_sigs[0]); i++) {
        bool found = false;
        for (size_t j = 0; j < scan_default_sigalgs_len; j++) {
            found |= scan_default_sigalgs[j] == need_sigs[i];
        }
        assert_true(found);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_client_build_explicit_spec),
        cmocka_unit_test(test_hello_client_build_sslv3_without_extension_block),
        cmocka_unit_test(test_hello_client_build_rejects_long_session_id),
        cmocka_unit_test(test_hello_client_build_rejects_small_buffer),
        cmocka_unit_test(test_hello_client_build_rejects_over_one_record),
        cmocka_unit_test(test_hello_scan_tls12_extensions),
        cmocka_unit_test(test_hello_scan_tls13_empty_key_share),
        cmocka_unit_test(test_hello_scan_tls13_needs_empty_key_share_flag),
        cmocka_unit_test(test_hello_scan_never_sends_ip_literal_sni),
        cmocka_unit_test(test_hello_scan_no_sni_flag),
        cmocka_unit_test(test_hello_scan_rsa_only_sends_no_groups),
        cmocka_unit_test(test_hello_scan_dhe_sends_caller_groups),
        cmocka_unit_test(test_hello_scan_no_extensions_flag),
        cmocka_unit_test(test_hello_scan_pads_256_to_511_to_512),
        cmocka_unit_test(test_hello_scan_without_pad_flag_is_unpadded),
        cmocka_unit_test(test_hello_scan_rejects_bad_version),
        cmocka_unit_test(test_hello_sslv2_layout),
        cmocka_unit_test(test_hello_sslv2_rejects_oversize),
        cmocka_unit_test(test_scan_defaults_cover_registry_names),
    };
    return cmocka_run_group_tests_name("hello_client", tests, NULL, NULL);
}
