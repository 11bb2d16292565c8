/* cmocka.h needs these system headers first; keep clang-format from sorting them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

/* Expected fields of one suite, written out by hand from its IANA name so a
 * generator slip shows up as a test failure, not as a silent table change. */
struct suite_expect {
    uint32_t code;
    const char *name;
    const char *openssl_name;
    enum suite_kex kex;
    enum suite_auth auth;
    enum suite_cipher cipher;
    enum suite_mode mode;
    enum suite_mac mac;
    uint16_t bits;
    uint16_t flags;
};

static const struct suite_expect representative[] = {
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", KEX_DHE, AUTH_RSA,
     CIPHER_DES40, MODE_CBC, MAC_SHA1, 40, SUITE_EXPORT | SUITE_PFS | SUITE_BLOCK64},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", KEX_RSA_EXPORT, AUTH_RSA, CIPHER_RC4,
     MODE_NONE, MAC_MD5, 40, SUITE_EXPORT},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", KEX_DHE, AUTH_ANON, CIPHER_AES,
     MODE_CBC, MAC_SHA1, 128, SUITE_ANON},
    {0x0000, "TLS_NULL_WITH_NULL_NULL", NULL, KEX_NONE, AUTH_ANON, CIPHER_NULL, MODE_NONE, MAC_NONE,
     0, SUITE_ANON},
    {0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", KEX_RSA, AUTH_RSA, CIPHER_NULL, MODE_NONE,
     MAC_SHA1, 0, 0},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", KEX_ECDHE, AUTH_RSA, CIPHER_RC4,
     MODE_NONE, MAC_SHA1, 128, SUITE_PFS},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", KEX_RSA, AUTH_RSA, CIPHER_3DES,
     MODE_CBC, MAC_SHA1, 112, SUITE_BLOCK64},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", KEX_RSA, AUTH_RSA, CIPHER_IDEA, MODE_CBC,
     MAC_SHA1, 128, SUITE_BLOCK64},
    {0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA", KEX_DHE, AUTH_RSA, CIPHER_SEED,
     MODE_CBC, MAC_SHA1, 128, SUITE_PFS},
    {0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384",
     KEX_ECDHE, AUTH_RSA, CIPHER_CAMELLIA, MODE_CBC, MAC_SHA384, 256, SUITE_PFS | SUITE_TLS12},
    {0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384",
     KEX_ECDHE, AUTH_ECDSA, CIPHER_ARIA, MODE_GCM, MAC_NONE, 256,
     SUITE_PFS | SUITE_AEAD | SUITE_TLS12},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", KEX_ECDHE, AUTH_ECDSA,
     CIPHER_AES, MODE_CCM8, MAC_NONE, 128, SUITE_PFS | SUITE_AEAD | SUITE_TLS12},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305",
     KEX_ECDHE, AUTH_RSA, CIPHER_CHACHA20, MODE_POLY1305, MAC_NONE, 256,
     SUITE_PFS | SUITE_AEAD | SUITE_TLS12},
    {0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", NULL, KEX_GOST, AUTH_GOST,
     CIPHER_KUZNYECHIK, MODE_CTR, MAC_GOST, 256, SUITE_TLS12},
    {0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT", "GOST2001-GOST89-GOST89", KEX_GOST, AUTH_GOST,
     CIPHER_GOST28147, MODE_CTR, MAC_GOST, 256, SUITE_BLOCK64 | SUITE_UNOFFICIAL},
    {0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", NULL, KEX_TLS13, AUTH_NONE,
     CIPHER_KUZNYECHIK, MODE_AEAD_OTHER, MAC_NONE, 256, SUITE_PFS | SUITE_AEAD | SUITE_TLS13},
    {0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", KEX_TLS13, AUTH_NONE, CIPHER_AES,
     MODE_GCM, MAC_NONE, 128, SUITE_PFS | SUITE_AEAD | SUITE_TLS13},
    {0x1305, "TLS_AES_128_CCM_8_SHA256", NULL, KEX_TLS13, AUTH_NONE, CIPHER_AES, MODE_CCM8,
     MAC_NONE, 128, SUITE_PFS | SUITE_AEAD | SUITE_TLS13},
    {0x00C6, "TLS_SM4_GCM_SM3", NULL, KEX_TLS13, AUTH_NONE, CIPHER_SM4, MODE_GCM, MAC_NONE, 128,
     SUITE_PFS | SUITE_AEAD | SUITE_TLS13},
    {0x1306, "TLS_AEGIS_256_SHA384", NULL, KEX_TLS13, AUTH_NONE, CIPHER_AEGIS, MODE_AEAD_OTHER,
     MAC_NONE, 256, SUITE_PFS | SUITE_AEAD | SUITE_TLS13},
    {0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA", "EXP-KRB5-RC4-SHA", KEX_KRB5, AUTH_KRB5, CIPHER_RC4,
     MODE_NONE, MAC_SHA1, 40, SUITE_EXPORT},
    {0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK-AES128-CCM8", KEX_DHE_PSK, AUTH_PSK,
     CIPHER_AES, MODE_CCM8, MAC_NONE, 128, SUITE_PFS | SUITE_AEAD | SUITE_TLS12},
    {0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP-RSA-3DES-EDE-CBC-SHA", KEX_SRP, AUTH_RSA,
     CIPHER_3DES, MODE_CBC, MAC_SHA1, 112, SUITE_PFS | SUITE_BLOCK64},
    {0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "DES-CBC3-MD5", KEX_SSL2, AUTH_RSA, CIPHER_3DES,
     MODE_CBC, MAC_MD5, 112, SUITE_BLOCK64 | SUITE_SSLV2 | SUITE_UNOFFICIAL},
    {0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", "EXP-RC4-MD5", KEX_SSL2, AUTH_RSA, CIPHER_RC4,
     MODE_NONE, MAC_MD5, 40, SUITE_EXPORT | SUITE_SSLV2 | SUITE_UNOFFICIAL},
    {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", NULL, KEX_NONE, AUTH_NONE, CIPHER_NULL, MODE_NONE,
     MAC_NONE, 0, SUITE_SCSV},
};

static void test_suite_fields_of_representative_suites(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(representative) / sizeof(representative[0]); i++) {
        const struct suite_expect *e = &representative[i];
        const struct suite_info *s = suite_find(e->code);

        print_message("checking %s\n", e->name);
        assert_non_null(s);
        assert_string_equal(s->name, e->name);
        if (e->openssl_name == NULL) {
            assert_null(s->openssl_name);
        } else {
            assert_non_null(s->openssl_name);
            assert_string_equal(s->openssl_name, e->openssl_name);
        }
        assert_int_equal(s->kex, e->kex);
        assert_int_equal(s->auth, e->auth);
        assert_int_equal(s->cipher, e->cipher);
        assert_int_equal(s->mode, e->mode);
        assert_int_equal(s->mac, e->mac);
        assert_int_equal(s->cipher_bits, e->bits);
        assert_int_equal(s->flags, e->flags);
    }
}

static void test_suite_table_is_sorted_and_unique(void **state)
{
    (void)state;
    for (size_t i = 1; i < suite_table_len; i++) {
        assert_true(suite_table[i - 1].code < suite_table[i].code);
    }
    for (size_t i = 1; i < group_table_len; i++) {
        assert_true(group_table[i - 1].code < group_table[i].code);
    }
    for (size_t i = 1; i < sigalg_table_len; i++) {
        assert_true(sigalg_table[i - 1].code < sigalg_table[i].code);
    }
}

static void test_suite_table_counts(void **state)
{
    size_t tls = 0;
    size_t tls13 = 0;
    size_t sslv2 = 0;
    size_t scsv = 0;

    (void)state;
    for (size_t i = 0; i < suite_table_len; i++) {
        uint16_t f = suite_table[i].flags;

        sslv2 += (f & SUITE_SSLV2) != 0;
        scsv += (f & SUITE_SCSV) != 0;
        tls13 += (f & SUITE_TLS13) != 0;
        tls += !(f & (SUITE_SSLV2 | SUITE_SCSV));
    }
    assert_true(tls >= 340);
    assert_int_equal(sslv2, 8);
    assert_int_equal(scsv, 2);
    /* 0x1301-0x1307, SM4 x2, RFC 9150 x2, RFC 9367 GOST x4 */
    assert_int_equal(tls13, 15);
}

static void test_suite_table_has_no_grease(void **state)
{
    (void)state;
    for (uint32_t v = 0x0a0a; v <= 0xfafa; v += 0x1010) {
        assert_null(suite_find(v));
    }
}

static void test_suite_find_misses(void **state)
{
    (void)state;
    assert_null(suite_find(0x0001c));
    assert_null(suite_find(0xfeff));
    assert_null(suite_find(0xffffff));
    assert_non_null(suite_find(suite_table[0].code));
    assert_non_null(suite_find(suite_table[suite_table_len - 1].code));
}

static void test_suite_find_name_any_case(void **state)
{
    (void)state;
    const struct suite_info *s = suite_find_name("tls_ecdhe_rsa_with_aes_128_gcm_sha256");

    assert_non_null(s);
    assert_int_equal(s->code, 0xC02F);
    s = suite_find_name("ecdhe-rsa-aes128-gcm-sha256");
    assert_non_null(s);
    assert_int_equal(s->code, 0xC02F);
    s = suite_find_name("DES-CBC3-SHA");
    assert_non_null(s);
    assert_int_equal(s->code, 0x000A);
    assert_null(suite_find_name("TLS_RSA_WITH_AES_129_CBC_SHA"));
    assert_null(suite_find_name(""));
    assert_null(suite_find_name(NULL));
}

static void test_suite_find_name_prefers_tls_over_sslv2(void **state)
{
    (void)state;
    /* OpenSSL names both TLS 0x0004 and SSLv2 0x010080 "RC4-MD5". */
    const struct suite_info *s = suite_find_name("RC4-MD5");

    assert_non_null(s);
    assert_int_equal(s->code, 0x0004);
    s = suite_find_name("SSL_CK_RC4_128_WITH_MD5");
    assert_non_null(s);
    assert_int_equal(s->code, 0x010080);
}

static void test_suite_usable_in(void **state)
{
    (void)state;
    const struct suite_info *cbc = suite_find(0x002F);    /* AES128-SHA */
    const struct suite_info *gcm = suite_find(0xC02F);    /* ECDHE-RSA-AES128-GCM-SHA256 */
    const struct suite_info *sha256 = suite_find(0x003C); /* AES128-SHA256 */
    const struct suite_info *tls13 = suite_find(0x1301);
    const struct suite_info *ssl2 = suite_find(0x0700C0);
    const struct suite_info *scsv = suite_find(SUITE_FALLBACK_SCSV);

    assert_true(suite_usable_in(cbc, VERSION_SSL3));
    assert_true(suite_usable_in(cbc, VERSION_TLS12));
    assert_false(suite_usable_in(cbc, VERSION_TLS13));
    assert_false(suite_usable_in(cbc, VERSION_SSL2));
    assert_false(suite_usable_in(gcm, VERSION_TLS11));
    assert_true(suite_usable_in(gcm, VERSION_TLS12));
    assert_false(suite_usable_in(gcm, VERSION_TLS13));
    assert_false(suite_usable_in(sha256, VERSION_TLS10));
    assert_true(suite_usable_in(sha256, VERSION_TLS12));
    assert_false(suite_usable_in(tls13, VERSION_TLS12));
    assert_true(suite_usable_in(tls13, VERSION_TLS13));
    assert_true(suite_usable_in(ssl2, VERSION_SSL2));
    assert_false(suite_usable_in(ssl2, VERSION_SSL3));
    assert_false(suite_usable_in(scsv, VERSION_TLS12));
    assert_false(suite_usable_in(NULL, VERSION_TLS12));
}

static void test_group_facts(void **state)
{
    (void)state;
    static const struct {
        uint16_t code;
        const char *name;
        enum group_kind kind;
        uint16_t bits;
        uint16_t share_len;
    } want[] = {
        {23, "secp256r1", GROUP_EC, 256, 65},
        {24, "secp384r1", GROUP_EC, 384, 97},
        {25, "secp521r1", GROUP_EC, 521, 133},
        {29, "x25519", GROUP_EC, 256, 32},
        {30, "x448", GROUP_EC, 448, 56},
        {256, "ffdhe2048", GROUP_FFDHE, 2048, 256},
        {260, "ffdhe8192", GROUP_FFDHE, 8192, 1024},
        {4588, "X25519MLKEM768", GROUP_HYBRID, 256, 1216},
        {4587, "SecP256r1MLKEM768", GROUP_HYBRID, 256, 1249},
        {4589, "SecP384r1MLKEM1024", GROUP_HYBRID, 384, 1665},
        {513, "MLKEM768", GROUP_PQ, 0, 1184},
        {0xff01, "arbitrary_explicit_prime_curves", GROUP_EXPLICIT, 0, 0},
    };

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct group_info *g = group_find(want[i].code);

        assert_non_null(g);
        assert_string_equal(g->name, want[i].name);
        assert_int_equal(g->kind, want[i].kind);
        assert_int_equal(g->bits, want[i].bits);
        assert_int_equal(g->share_len, want[i].share_len);
        assert_ptr_equal(group_find_name(want[i].name), g);
    }
    assert_ptr_equal(group_find_name("X25519"), group_find(29));
    assert_null(group_find(0x0a0a));
    assert_null(group_find_name("P-256"));
}

static void test_sigalg_find(void **state)
{
    (void)state;
    assert_string_equal(sigalg_find(0x0804)->name, "rsa_pss_rsae_sha256");
    assert_string_equal(sigalg_find(0x0807)->name, "ed25519");
    assert_string_equal(sigalg_find(0x0201)->name, "rsa_pkcs1_sha1");
    /* RFC 5246 pair sha1/dsa, reserved in TLS 1.3 but used by TLS 1.2 servers */
    assert_string_equal(sigalg_find(0x0202)->name, "dsa_sha1");
    assert_null(sigalg_find(0x0000));
    assert_null(sigalg_find(0xfe00));
}

static void test_version_name(void **state)
{
    (void)state;
    assert_string_equal(version_name(VERSION_SSL2), "SSLv2");
    assert_string_equal(version_name(VERSION_SSL3), "SSLv3");
    assert_string_equal(version_name(VERSION_TLS10), "TLSv1.0");
    assert_string_equal(version_name(VERSION_TLS13), "TLSv1.3");
    assert_string_equal(version_name(0x7f1c), "unknown version");
}

/* Splits a line of our generated CSVs (no quoting: no field holds a comma)
 * into at most max fields, in place. */
static size_t csv_split(char *line, char **fields, size_t max)
{
    size_t n = 0;

    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        fields[n++] = line;
        char *comma = strchr(line, ',');
        if (comma == NULL) {
            break;
        }
        *comma = '\0';
        line = comma + 1;
    }
    return n;
}

static FILE *data_open(const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/../data/registry/%s", TESTS_DIR, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    return f;
}

/* The readable CSVs and the compiled tables come from one generator run:
 * a hand edit of either shows up here. */
static void test_suite_csv_matches_table(void **state)
{
    FILE *f = data_open("suites.csv");
    char line[512];
    char *fld[10];
    size_t row = 0;

    (void)state;
    assert_non_null(fgets(line, sizeof(line), f)); /* header */
    while (fgets(line, sizeof(line), f) != NULL) {
        assert_int_equal(csv_split(line, fld, 10), 10);
        assert_true(row < suite_table_len);
        const struct suite_info *s = &suite_table[row++];
        assert_int_equal(strtoul(fld[0], NULL, 16), s->code);
        assert_string_equal(fld[1], s->name);
        assert_string_equal(fld[2], s->openssl_name ? s->openssl_name : "");
        assert_int_equal(strtoul(fld[8], NULL, 10), s->cipher_bits);
    }
    fclose(f);
    assert_int_equal(row, suite_table_len);
}

static void test_group_and_sigalg_csv_match_tables(void **state)
{
    FILE *f = data_open("groups.csv");
    char line[512];
    char *fld[6];
    size_t row = 0;

    (void)state;
    assert_non_null(fgets(line, sizeof(line), f));
    while (fgets(line, sizeof(line), f) != NULL) {
        assert_int_equal(csv_split(line, fld, 6), 6);
        assert_true(row < group_table_len);
        const struct group_info *g = &group_table[row++];
        assert_int_equal(strtoul(fld[0], NULL, 10), g->code);
        assert_string_equal(fld[2], g->name);
        assert_int_equal(strtoul(fld[4], NULL, 10), g->bits);
        assert_int_equal(strtoul(fld[5], NULL, 10), g->share_len);
    }
    fclose(f);
    assert_int_equal(row, group_table_len);

    f = data_open("sigalgs.csv");
    row = 0;
    assert_non_null(fgets(line, sizeof(line), f));
    while (fgets(line, sizeof(line), f) != NULL) {
        assert_int_equal(csv_split(line, fld, 2), 2);
        assert_true(row < sigalg_table_len);
        assert_int_equal(strtoul(fld[0], NULL, 16), sigalg_table[row].code);
        assert_string_equal(fld[1], sigalg_table[row++].name);
    }
    fclose(f);
    assert_int_equal(row, sigalg_table_len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_fields_of_representative_suites),
        cmocka_unit_test(test_suite_table_is_sorted_and_unique),
        cmocka_unit_test(test_suite_table_counts),
        cmocka_unit_test(test_suite_table_has_no_grease),
        cmocka_unit_test(test_suite_find_misses),
        cmocka_unit_test(test_suite_find_name_any_case),
        cmocka_unit_test(test_suite_find_name_prefers_tls_over_sslv2),
        cmocka_unit_test(test_suite_usable_in),
        cmocka_unit_test(test_group_facts),
        cmocka_unit_test(test_sigalg_find),
        cmocka_unit_test(test_version_name),
        cmocka_unit_test(test_suite_csv_matches_table),
        cmocka_unit_test(test_group_and_sigalg_csv_match_tables),
    };
    return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
