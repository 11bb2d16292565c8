/* cmocka.h needs these system headers first; keep clang-format from sorting them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade.h"

#define GROUP_SECP256R1 23
#define GROUP_SECP384R1 24
#define GROUP_SECP521R1 25
#define GROUP_X25519    29
#define GROUP_X448      30
#define GROUP_FFDHE2048 256
#define GROUP_MLKEM768  513
#define GROUP_P256MLKEM 4587
#define GROUP_X25519MLK 4588

static struct cert_result cert_make(const char *type, int bits, const char *sig, long exponent,
                                    const char *curve)
{
    struct cert_result c;

    memset(&c, 0, sizeof(c));
    c.present = true;
    snprintf(c.key_type, sizeof(c.key_type), "%.15s", type);
    c.key_bits = bits;
    snprintf(c.sig_alg, sizeof(c.sig_alg), "%.63s", sig);
    c.rsa_exponent = exponent;
    snprintf(c.curve, sizeof(c.curve), "%s", curve ? curve : "");
    return c;
}

static struct cert_result rsa_cert(int bits)
{
    return cert_make("RSA", bits, "sha256WithRSAEncryption", 65537, NULL);
}

static void grade_code(uint32_t code, const struct suite_result *sr, uint16_t version,
                       const struct cert_result *cert, struct suite_grade *g)
{
    const struct suite_info *s = suite_find(code);

    assert_non_null(s);
    grade_suite(s, sr, version, cert, g);
}

static bool has_reason(const struct suite_grade *g, const char *text)
{
    for (size_t i = 0; i < g->n_reasons; i++) {
        if (strcmp(g->reasons[i], text) == 0) {
            return true;
        }
    }
    return false;
}

/* Plain RSA key exchange lets k be set exactly: k = the certificate's bits. */
static char rsa_letter(uint32_t code, int rsa_bits, double *score)
{
    struct suite_result sr = {.code = code};
    struct cert_result cert = rsa_cert(rsa_bits);
    struct suite_grade g;

    grade_code(code, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, rsa_bits);
    *score = g.score;
    return g.letter;
}

#define DHE_AES128   0x009E /* TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 */
#define RSA_AES128   0x002F /* TLS_RSA_WITH_AES_128_CBC_SHA */
#define RSA_AES256   0x0035 /* TLS_RSA_WITH_AES_256_CBC_SHA */
#define RSA_3DES     0x000A /* TLS_RSA_WITH_3DES_EDE_CBC_SHA */
#define RSA_DES      0x0009 /* TLS_RSA_WITH_DES_CBC_SHA */
#define ECDHE_AES128 0xC02F
#define ECDHE_RC4    0xC011
#define TLS13_AES128 0x1301

/* The whole kex band x cipher band matrix of scanners.md (b) 4, at both
 * edges of every kex band. */
static void test_grade_matrix_band_edges(void **state)
{
    static const struct {
        uint32_t code;
        int rsa_bits;
        char letter;
        double score;
    } cases[] = {
        {RSA_3DES, 511, 'E', 0.200},    {RSA_3DES, 512, 'E', 0.286},
        {RSA_3DES, 1023, 'E', 0.286},   {RSA_3DES, 1024, 'D', 0.458},
        {RSA_3DES, 2047, 'D', 0.458},   {RSA_3DES, 2048, 'C', 0.501},
        {RSA_3DES, 4095, 'C', 0.501},   {RSA_3DES, 4096, 'C', 0.544},
        {RSA_DES, 4096, 'C', 0.544},    {RSA_AES128, 1, 'C', 0.542},
        {RSA_AES128, 511, 'C', 0.542},  {RSA_AES128, 512, 'C', 0.628},
        {RSA_AES128, 1023, 'C', 0.628}, {RSA_AES128, 1024, 'A', 0.800},
        {RSA_AES128, 2048, 'A', 0.843}, {RSA_AES128, 4096, 'A', 0.886},
        {RSA_AES256, 511, 'B', 0.656},  {RSA_AES256, 512, 'B', 0.742},
        {RSA_AES256, 1023, 'B', 0.742}, {RSA_AES256, 1024, 'A', 0.914},
        {RSA_AES256, 2048, 'A', 0.957}, {RSA_AES256, 4096, 'A', 1.000},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double score = -1;
        char letter = rsa_letter(cases[i].code, cases[i].rsa_bits, &score);

        print_message("0x%04X rsa %d: %c %.3f\n", cases[i].code, cases[i].rsa_bits, letter, score);
        assert_int_equal(letter, cases[i].letter);
        assert_true(fabs(score - cases[i].score) < 0.0005);
    }
}

/* IEEE doubles give exactly 0.8 and 0.2 at the two ties, so they land on
 * the higher letter, as in nmap. */
static void test_grade_ties_land_on_higher_letter(void **state)
{
    double score;

    (void)state;
    assert_int_equal(rsa_letter(RSA_AES128, 1024, &score), 'A');
    assert_true(score >= 0.80);
    assert_int_equal(rsa_letter(RSA_3DES, 300, &score), 'E');
    assert_true(score >= 0.20);
}

static void test_grade_rc4_capped_to_c(void **state)
{
    struct suite_result sr = {.code = ECDHE_RC4, .group = GROUP_X25519};
    struct cert_result cert = rsa_cert(4096);
    struct suite_grade g;

    (void)state;
    grade_code(ECDHE_RC4, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.cipher_bits, 80);
    assert_int_equal(g.kex_bits, 3072);
    assert_int_equal(g.letter, 'C');
    assert_string_equal(g.reasons[0], "RC4 (RFC 7465)");
    assert_true(has_reason(&g, "cipher below 128 bits"));
}

static void test_grade_3des_and_des_are_c_with_strong_kex(void **state)
{
    struct suite_result sr = {.code = RSA_3DES};
    struct cert_result cert = rsa_cert(2048);
    struct suite_grade g;

    (void)state;
    grade_code(RSA_3DES, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.letter, 'C');
    assert_int_equal(g.cipher_bits, 112);
    assert_string_equal(g.reasons[0], "64-bit block cipher (SWEET32)");
    assert_true(has_reason(&g, "cipher below 128 bits"));
    assert_true(has_reason(&g, "no forward secrecy"));

    sr.code = 0x0009; /* TLS_RSA_WITH_DES_CBC_SHA */
    grade_code(0x0009, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.cipher_bits, 56);
    assert_int_equal(g.letter, 'C');
}

static void test_grade_export_is_e_not_f(void **state)
{
    struct suite_result sr = {.code = 0x0003}; /* TLS_RSA_EXPORT_WITH_RC4_40_MD5 */
    struct cert_result cert = rsa_cert(2048);
    struct suite_grade g;

    (void)state;
    /* Without a ServerKeyExchange only the export step applies: k = 512. */
    grade_code(0x0003, &sr, VERSION_TLS10, &cert, &g);
    assert_int_equal(g.kex_bits, 512);
    assert_int_equal(g.cipher_bits, 40);
    assert_int_equal(g.letter, 'E');
    assert_string_equal(g.reasons[0], "export-grade key exchange");
    assert_true(has_reason(&g, "key exchange below 2048 bits (export)"));
    assert_true(has_reason(&g, "MD5 MAC"));

    /* nmap's quirk: the temporary RSA key counts in bytes, 512 bits -> 64. */
    sr.rsa_export_bytes = 64;
    grade_code(0x0003, &sr, VERSION_TLS10, &cert, &g);
    assert_int_equal(g.kex_bits, 64);
    assert_int_equal(g.letter, 'E');
    assert_true(has_reason(&g, "key exchange weaker than the certificate key"));
    assert_true(has_reason(&g, "key exchange below 2048 bits (RSA export key, 64 bytes)"));

    /* DHE export with 512-bit params: export and params agree, no warning. */
    sr = (struct suite_result){.code = 0x0014, .dh_bits = 512};
    grade_code(0x0014, &sr, VERSION_TLS10, &cert, &g);
    assert_int_equal(g.kex_bits, 512);
    assert_int_equal(g.letter, 'E');
    assert_false(has_reason(&g, "key exchange weaker than the certificate key"));
    assert_true(has_reason(&g, "no forward secrecy"));
}

static void test_grade_anonymous_is_f_even_when_export(void **state)
{
    struct suite_result sr = {.code = 0x0034, .dh_bits = 2048}; /* DH_anon AES128 */
    struct suite_grade g;

    (void)state;
    grade_code(0x0034, &sr, VERSION_TLS12, NULL, &g);
    assert_int_equal(g.kex_bits, 0);
    assert_int_equal(g.letter, 'F');
    assert_string_equal(g.reasons[0], "anonymous key exchange");
    assert_string_equal(g.kex_desc, "DH 2048");

    /* nmap applies the export step first, then anonymous: still 0. */
    sr = (struct suite_result){.code = 0x0017, .dh_bits = 512}; /* DH_anon_EXPORT RC4_40 */
    grade_code(0x0017, &sr, VERSION_TLS10, NULL, &g);
    assert_int_equal(g.kex_bits, 0);
    assert_int_equal(g.letter, 'F');
    assert_true(has_reason(&g, "export-grade key exchange"));

    sr = (struct suite_result){.code = 0x0000};
    grade_code(0x0000, &sr, VERSION_TLS10, NULL, &g); /* TLS_NULL_WITH_NULL_NULL */
    assert_int_equal(g.letter, 'F');
    assert_string_equal(g.reasons[0], "NULL cipher");
}

static void test_grade_null_cipher_is_f(void **state)
{
    struct suite_result sr = {.code = 0x0002}; /* TLS_RSA_WITH_NULL_SHA */
    struct cert_result cert = rsa_cert(4096);
    struct suite_grade g;

    (void)state;
    grade_code(0x0002, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, 4096);
    assert_int_equal(g.cipher_bits, 0);
    assert_int_equal(g.letter, 'F');
    assert_true(g.score == 0);
    assert_string_equal(g.reasons[0], "NULL cipher");
}

static void test_grade_weak_cert_signature_only_below_tls13(void **state)
{
    static const struct {
        const char *sig;
        const char *reason;
    } weak[] = {
        {"sha1WithRSAEncryption", "certificate signed with SHA-1"},
        {"md5WithRSAEncryption", "certificate signed with MD5"},
        {"md2WithRSAEncryption", "certificate signed with MD2"},
        {"RSA-MD4", "certificate signed with MD4"},
    };
    struct suite_grade g;

    (void)state;
    for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
        struct cert_result cert = cert_make("RSA", 2048, weak[i].sig, 65537, NULL);
        struct suite_result sr = {.code = ECDHE_AES128, .group = GROUP_X25519};

        grade_code(ECDHE_AES128, &sr, VERSION_TLS12, &cert, &g);
        assert_int_equal(g.letter, 'F');
        assert_string_equal(g.reasons[0], weak[i].reason);

        sr = (struct suite_result){.code = TLS13_AES128, .group = GROUP_X25519};
        grade_code(TLS13_AES128, &sr, VERSION_TLS13, &cert, &g);
        assert_int_equal(g.letter, 'A');
        assert_false(has_reason(&g, weak[i].reason));
    }

    /* ECDSA with SHA-1 on an EC certificate */
    struct cert_result ec = cert_make("EC", 256, "ecdsa-with-SHA1", 0, "prime256v1");
    struct suite_result sr = {.code = 0xC02B, .group = GROUP_SECP256R1};
    grade_code(0xC02B, &sr, VERSION_TLS12, &ec, &g);
    assert_int_equal(g.letter, 'F');
}

static void test_grade_tls13_ignores_small_certificate(void **state)
{
    struct cert_result cert = rsa_cert(1024);
    struct suite_result sr = {.code = TLS13_AES128, .group = GROUP_X25519};
    struct suite_grade g;

    (void)state;
    grade_code(TLS13_AES128, &sr, VERSION_TLS13, &cert, &g);
    assert_int_equal(g.kex_bits, 3072);
    assert_int_equal(g.letter, 'A');
    assert_false(has_reason(&g, "no forward secrecy"));

    /* The same certificate in TLS 1.2 limits k to 1024: still A (0.800). */
    sr = (struct suite_result){.code = ECDHE_AES128, .group = GROUP_X25519};
    grade_code(ECDHE_AES128, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, 1024);
    assert_int_equal(g.letter, 'A');
    assert_true(has_reason(&g, "key exchange below 2048 bits (RSA 1024)"));
}

static void test_grade_rsa_exponent_one_is_f(void **state)
{
    struct cert_result cert = cert_make("RSA", 2048, "sha256WithRSAEncryption", 1, NULL);
    struct suite_result sr = {.code = RSA_AES128};
    struct suite_grade g;

    (void)state;
    grade_code(RSA_AES128, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, 0);
    assert_int_equal(g.letter, 'F');
    assert_true(has_reason(&g, "RSA exponent 1"));
}

static void test_grade_unknown_kex(void **state)
{
    struct suite_result sr = {.code = RSA_AES128};
    struct suite_grade g;

    (void)state;
    /* No certificate: plain RSA stays unknown, as in nmap without OpenSSL. */
    grade_code(RSA_AES128, &sr, VERSION_TLS12, NULL, &g);
    assert_int_equal(g.letter, '?');
    assert_int_equal(g.kex_bits, -1);
    assert_true(has_reason(&g, "key exchange strength unknown"));

    /* A certificate of the wrong key type is not used either. */
    struct cert_result ec = cert_make("EC", 256, "ecdsa-with-SHA256", 0, "prime256v1");
    grade_code(RSA_AES128, &sr, VERSION_TLS12, &ec, &g);
    assert_int_equal(g.letter, '?');

    /* PSK and Kerberos have no key size at all. */
    sr.code = 0x008C; /* TLS_PSK_WITH_AES_128_CBC_SHA */
    grade_code(0x008C, &sr, VERSION_TLS12, NULL, &g);
    assert_int_equal(g.letter, '?');
    sr.code = 0x001E; /* TLS_KRB5_WITH_DES_CBC_SHA */
    grade_code(0x001E, &sr, VERSION_TLS12, NULL, &g);
    assert_int_equal(g.letter, '?');

    /* A code the registry does not know */
    grade_suite(NULL, &sr, VERSION_TLS12, NULL, &g);
    assert_int_equal(g.letter, '?');
    assert_string_equal(g.reasons[0], "suite not in the registry");
}

static void test_grade_named_group_strengths(void **state)
{
    static const struct {
        uint16_t group;
        int kex_bits;
    } groups[] = {
        {GROUP_X25519, 3072},
        {GROUP_X448, 7680},
        {GROUP_SECP256R1, 3072},
        {GROUP_SECP384R1, 7680},
        {GROUP_SECP521R1, 15360},
        {GROUP_FFDHE2048, 2048},
        {GROUP_X25519MLK, 15360}, /* nmap reads "X25519MLKEM768" as 25519 bits */
        {GROUP_P256MLKEM, 3072},  /* "SecP256r1MLKEM768" as 256 */
        {GROUP_MLKEM768, 15360},  /* "MLKEM768" as a 768-bit curve */
        {19, 1024},               /* secp192r1 */
        {16, 1024},               /* secp160r1 */
        {1, 1024},                /* sect163k1 */
    };
    struct suite_grade g;

    (void)state;
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        struct suite_result sr = {.code = TLS13_AES128, .group = groups[i].group};

        grade_code(TLS13_AES128, &sr, VERSION_TLS13, NULL, &g);
        print_message("group %u\n", groups[i].group);
        assert_int_equal(g.kex_bits, groups[i].kex_bits);
        assert_string_equal(g.kex_desc, group_find(groups[i].group)->name);
    }
}

static void test_grade_explicit_curve_and_srp_quirks(void **state)
{
    struct cert_result cert = rsa_cert(4096);
    struct suite_grade g;

    (void)state;
    /* log2(order) of a 256-bit curve is just under 256: nmap gives 2048. */
    struct suite_result sr = {.code = ECDHE_AES128, .explicit_ec_bits = 256};
    grade_code(ECDHE_AES128, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, 2048);
    assert_int_equal(g.letter, 'A');

    /* SRP: a 2048-bit N counts as 256 "bits" (its byte length). */
    sr = (struct suite_result){.code = 0xC01E, .dh_bits = 2048}; /* SRP_SHA_RSA AES128 */
    grade_code(0xC01E, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, 256);
    assert_int_equal(g.letter, 'C');
}

static void test_grade_cert_key_type_must_match_kex(void **state)
{
    struct cert_result rsa = rsa_cert(1024);
    struct suite_grade g;

    (void)state;
    /* ECDHE_ECDSA with an RSA certificate: only the curve counts. */
    struct suite_result sr = {.code = 0xC02B, .group = GROUP_SECP256R1};
    grade_code(0xC02B, &sr, VERSION_TLS12, &rsa, &g);
    assert_int_equal(g.kex_bits, 3072);

    struct cert_result ec = cert_make("EC", 256, "ecdsa-with-SHA256", 0, "prime256v1");
    grade_code(0xC02B, &sr, VERSION_TLS12, &ec, &g);
    assert_int_equal(g.kex_bits, 3072);
    assert_string_equal(g.kex_desc, "secp256r1");

    /* Static ECDH_RSA relies on an EC key in the certificate. */
    sr = (struct suite_result){.code = 0xC00E}; /* ECDH_RSA AES128 */
    grade_code(0xC00E, &sr, VERSION_TLS12, &ec, &g);
    assert_int_equal(g.kex_bits, 3072);
    assert_string_equal(g.kex_desc, "prime256v1");
}

/* nmap sizes p by its bytes: a 1023-bit p counts as 1024, a 1025-bit as 1032. */
static void test_grade_dh_counts_whole_bytes(void **state)
{
    struct cert_result cert = rsa_cert(4096);
    struct suite_result sr = {.code = DHE_AES128, .dh_bits = 1023};
    struct suite_grade g;

    (void)state;
    grade_code(DHE_AES128, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, 1024);
    assert_int_equal(g.letter, 'A');
    assert_string_equal(g.kex_desc, "DH 1024");
    sr.dh_bits = 1025;
    grade_code(DHE_AES128, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, 1032);
}

static void test_grade_weaker_ephemeral_warns(void **state)
{
    struct cert_result cert = rsa_cert(4096);
    struct suite_result sr = {.code = DHE_AES128, .dh_bits = 1024};
    struct suite_grade g;

    (void)state;
    grade_code(DHE_AES128, &sr, VERSION_TLS12, &cert, &g);
    assert_int_equal(g.kex_bits, 1024);
    assert_int_equal(g.letter, 'A');
    assert_true(has_reason(&g, "key exchange weaker than the certificate key"));
    assert_true(has_reason(&g, "key exchange below 2048 bits (DH 1024)"));
    assert_string_equal(g.kex_desc, "DH 1024");
}

static void test_grade_warnings_never_change_letters(void **state)
{
    struct cert_result cert = rsa_cert(2048);
    struct suite_result sr = {.code = RSA_AES128};
    struct suite_grade g;

    (void)state;
    /* SSLv3 AES-CBC without forward secrecy is still A. */
    grade_code(RSA_AES128, &sr, VERSION_SSL3, &cert, &g);
    assert_int_equal(g.letter, 'A');
    assert_true(has_reason(&g, "CBC in SSLv3 (POODLE)"));
    assert_true(has_reason(&g, "no forward secrecy"));

    /* MD5 MAC and a 64-bit block: A with warnings. */
    sr.code = 0x050080; /* SSL_CK_IDEA_128_CBC_WITH_MD5 */
    grade_code(0x050080, &sr, VERSION_SSL2, &cert, &g);
    assert_int_equal(g.letter, 'A');
    assert_true(has_reason(&g, "MD5 MAC"));
    assert_true(has_reason(&g, "64-bit block cipher (SWEET32)"));

    /* A TLS 1.2 suite reported for TLS 1.3 */
    sr = (struct suite_result){.code = ECDHE_AES128, .group = GROUP_X25519};
    grade_code(ECDHE_AES128, &sr, VERSION_TLS13, &cert, &g);
    assert_true(has_reason(&g, "non-TLS 1.3 suite chosen for TLS 1.3"));
}

static void test_grade_letter_order(void **state)
{
    (void)state;
    assert_int_equal(grade_letter_rank('A'), 0);
    assert_int_equal(grade_letter_rank('F'), 5);
    assert_int_equal(grade_letter_rank('?'), 6);
    assert_int_equal(grade_letter_worse(0, 'B'), 'B');
    assert_int_equal(grade_letter_worse('C', 'B'), 'C');
    assert_int_equal(grade_letter_worse('F', '?'), '?');
    assert_int_equal(grade_letter_worse('?', 'A'), '?');
}

/* ---- grade_scan ---- */

static struct scan_results *results_scanned(void)
{
    struct scan_results *r = results_new();

    assert_non_null(r);
    snprintf(r->target, sizeof(r->target), "127.0.0.1:4433");
    r->state = TARGET_SCANNED;
    r->cert = rsa_cert(2048);
    return r;
}

static struct proto_result *proto(struct scan_results *r, uint16_t version)
{
    struct proto_result *p = &r->protos[results_proto_index(version)];

    p->state = PROTO_SUPPORTED;
    p->suites_complete = true;
    return p;
}

static void proto_add(struct proto_result *p, struct suite_result sr)
{
    p->suites[p->n_suites++] = sr;
}

static void test_scan_weak_suite_finding(void **state)
{
    struct scan_results *r = results_scanned();
    struct proto_result *p = proto(r, VERSION_TLS12);
    struct grade_policy policy = {.min_grade = 'A', .require_forward_secrecy = true};
    struct scan_verdict *v = malloc(sizeof(*v));

    (void)state;
    proto_add(p, (struct suite_result){.code = ECDHE_AES128, .group = GROUP_X25519});
    proto_add(p, (struct suite_result){.code = RSA_3DES});
    grade_scan(r, &policy, v);
    assert_int_equal(v->least, 'C');
    assert_int_equal(v->flags, GATE_STRENGTH);
    assert_int_equal(v->n_findings, 1);
    assert_string_equal(v->findings[0], "TLSv1.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA graded C, below "
                                        "the required A: 64-bit block cipher (SWEET32)");

    policy.min_grade = 'C';
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, 0);
    assert_int_equal(v->n_findings, 0);
    assert_int_equal(v->least, 'C');
    free(v);
    results_free(r);
}

/* A server that answers every hello with an alert is a TLS server nobody can
 * use: the gate fails it; one whose probes broke is only incomplete. */
static void test_scan_refusing_everything_breaks_strength(void **state)
{
    struct scan_results *r = results_scanned();
    struct grade_policy policy = {.min_grade = 'A', .require_forward_secrecy = true};
    struct scan_verdict *v = malloc(sizeof(*v));

    (void)state;
    for (size_t i = 0; i < RESULTS_NUM_PROTOS; i++) {
        r->protos[i].state = PROTO_NOT_SUPPORTED;
    }
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, GATE_STRENGTH);
    assert_int_equal(v->n_findings, 1);
    assert_non_null(strstr(v->findings[0], "refused every protocol version"));

    r->protos[results_proto_index(VERSION_TLS13)].state = PROTO_INCONCLUSIVE;
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, GATE_INCOMPLETE);
    free(v);
    results_free(r);
}

/* Suites graded without the certificate they rely on are not a pass. */
static void test_scan_unread_certificate_is_incomplete(void **state)
{
    struct scan_results *r = results_scanned();
    struct grade_policy policy = {.min_grade = 'A', .require_forward_secrecy = true};
    struct scan_verdict *v = malloc(sizeof(*v));

    (void)state;
    proto_add(proto(r, VERSION_TLS13),
              (struct suite_result){.code = TLS13_AES128, .group = GROUP_X25519});
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, 0);

    memset(&r->cert, 0, sizeof(r->cert));
    snprintf(r->cert_error, sizeof(r->cert_error), "the certificate could not be read: reset");
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, GATE_INCOMPLETE);
    assert_string_equal(v->findings[0], "the certificate could not be read: reset");
    free(v);
    results_free(r);
}

static void test_scan_no_forward_secrecy(void **state)
{
    struct scan_results *r = results_scanned();
    struct proto_result *p = proto(r, VERSION_TLS12);
    struct grade_policy policy = {.min_grade = 'A', .require_forward_secrecy = true};
    struct scan_verdict *v = malloc(sizeof(*v));

    (void)state;
    proto_add(p, (struct suite_result){.code = RSA_AES128});
    proto_add(p, (struct suite_result){.code = 0x009D}); /* RSA AES256 GCM */
    grade_scan(r, &policy, v);
    assert_int_equal(v->least, 'A');
    assert_int_equal(v->flags, GATE_STRENGTH);
    assert_int_equal(v->n_findings, 1);
    assert_string_equal(v->findings[0], "no forward-secret key exchange on any protocol");

    policy.require_forward_secrecy = false;
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, 0);

    /* One forward-secret suite on another protocol is enough. */
    policy.require_forward_secrecy = true;
    proto_add(proto(r, VERSION_TLS13),
              (struct suite_result){.code = TLS13_AES128, .group = GROUP_X25519});
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, 0);

    /* NULL policy: min A, forward secrecy required */
    grade_scan(r, NULL, v);
    assert_int_equal(v->flags, 0);
    free(v);
    results_free(r);
}

static void test_scan_unknown_sorts_after_f(void **state)
{
    struct scan_results *r = results_scanned();
    struct proto_result *p = proto(r, VERSION_TLS12);
    struct grade_policy policy = {.min_grade = 'F', .require_forward_secrecy = false};
    struct scan_verdict *v = malloc(sizeof(*v));

    (void)state;
    proto_add(p, (struct suite_result){.code = 0x0002}); /* NULL-SHA: F */
    proto_add(p, (struct suite_result){.code = 0x008C}); /* PSK: unknown */
    grade_scan(r, &policy, v);
    assert_int_equal(v->least, '?');
    assert_int_equal(v->flags, GATE_STRENGTH);
    assert_int_equal(v->n_findings, 1);
    assert_string_equal(v->findings[0],
                        "TLSv1.2 TLS_PSK_WITH_AES_128_CBC_SHA graded unknown, below the required "
                        "F: key exchange strength unknown");
    free(v);
    results_free(r);
}

static void test_scan_incomplete(void **state)
{
    struct scan_results *r = results_scanned();
    struct grade_policy policy = {.min_grade = 'A', .require_forward_secrecy = true};
    struct scan_verdict *v = malloc(sizeof(*v));
    struct client_result clients[1];

    (void)state;
    /* Nothing accepted yet nothing wrong: passes (no suite, no FS finding). */
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, 0);
    assert_int_equal(v->least, 0);

    struct proto_result *p11 = &r->protos[results_proto_index(VERSION_TLS11)];
    p11->state = PROTO_INCONCLUSIVE;
    snprintf(p11->reason, sizeof(p11->reason), "timeout after 5 s");
    struct proto_result *p12 = proto(r, VERSION_TLS12);
    proto_add(p12, (struct suite_result){.code = ECDHE_AES128, .group = GROUP_X25519});
    p12->suites_complete = false;
    snprintf(p12->incomplete_reason, sizeof(p12->incomplete_reason), "connection reset");
    memset(clients, 0, sizeof(clients));
    clients[0].id = "android-4.4";
    clients[0].verdict = CLIENT_INCONCLUSIVE;
    r->clients = clients;
    r->n_clients = 1;
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, GATE_INCOMPLETE);
    assert_int_equal(v->n_findings, 3);
    assert_string_equal(v->findings[0], "TLSv1.1 inconclusive: timeout after 5 s");
    assert_string_equal(v->findings[1], "TLSv1.2 suite list incomplete: connection reset");
    assert_string_equal(v->findings[2], "client android-4.4 inconclusive: no reason recorded");
    r->clients = NULL;
    r->n_clients = 0;

    results_free(r);
    r = results_new();
    snprintf(r->target, sizeof(r->target), "127.0.0.1:1");
    r->state = TARGET_UNREACHABLE;
    snprintf(r->error, sizeof(r->error), "connection refused");
    grade_scan(r, &policy, v);
    assert_int_equal(v->flags, GATE_INCOMPLETE);
    assert_string_equal(v->findings[0], "127.0.0.1:1 unreachable: connection refused");
    free(v);
    results_free(r);
}

static void test_scan_findings_are_capped(void **state)
{
    struct scan_results *r = results_scanned();
    struct proto_result *p = proto(r, VERSION_TLS12);
    struct scan_verdict *v = malloc(sizeof(*v));
    size_t weak = 0;

    (void)state;
    /* every 3DES / RC4 suite the registry has, all graded C */
    for (size_t i = 0; i < suite_table_len && p->n_suites < RESULTS_MAX_SUITES; i++) {
        const struct suite_info *s = &suite_table[i];

        if ((s->cipher == CIPHER_3DES || s->cipher == CIPHER_RC4) && s->kex == KEX_ECDHE &&
            s->auth == AUTH_RSA) {
            proto_add(p, (struct suite_result){.code = s->code, .group = GROUP_X25519});
            weak++;
        }
    }
    for (size_t i = 0; i < 40; i++) {
        proto_add(p, (struct suite_result){.code = RSA_3DES});
        weak++;
    }
    grade_scan(r, NULL, v);
    assert_int_equal(v->n_findings, GRADE_MAX_FINDINGS);
    char want[64];
    snprintf(want, sizeof(want), "and %zu more findings", weak - (GRADE_MAX_FINDINGS - 1));
    assert_string_equal(v->findings[GRADE_MAX_FINDINGS - 1], want);
    free(v);
    results_free(r);
}

/* ---- vectors from real nmap runs ---- */

struct vector_ctx {
    struct cert_result cert;
    bool have_cert;
    int checked;
};

static uint16_t version_from_name(const char *name)
{
    static const uint16_t all[] = {VERSION_SSL3, VERSION_TLS10, VERSION_TLS11, VERSION_TLS12,
                                   VERSION_TLS13};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(version_name(all[i]), name) == 0) {
            return all[i];
        }
    }
    fail_msg("unknown version %s", name);
    return 0;
}

/* "dh=1024", "group=x25519", "none" */
static void vector_kex(const char *kex, struct suite_result *sr)
{
    char *end = NULL;

    if (strncmp(kex, "dh=", 3) == 0) {
        sr->dh_bits = (uint16_t)strtol(kex + 3, &end, 10);
        assert_true(end != NULL && *end == '\0');
    } else if (strncmp(kex, "group=", 6) == 0) {
        const struct group_info *g = group_find_name(kex + 6);

        assert_non_null(g);
        sr->group = g->code;
    } else {
        assert_string_equal(kex, "none");
    }
}

static void vector_line(struct vector_ctx *ctx, char *line)
{
    char a[64], b[96], c[64], d[64];
    int n = sscanf(line, "%63s %95s %63s %63s", a, b, c, d);

    if (n <= 0 || a[0] == '#') {
        return;
    }
    if (strcmp(a, "cert") == 0) {
        int bits = 0;
        long exponent = 0;
        char curve[32] = "";

        /* cert TYPE BITS SIGALG EXPONENT [CURVE] */
        n = sscanf(line, "cert %63s %d %95s %ld %31s", a, &bits, b, &exponent, curve);
        assert_true(n >= 4);
        ctx->cert = cert_make(a, bits, b, exponent, curve);
        ctx->have_cert = true;
        return;
    }
    assert_int_equal(n, 4);

    /* TLSv1.2 TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 dh=1024 A */
    const struct suite_info *s = suite_find_name(b);
    struct suite_result sr = {0};
    struct suite_grade g;

    assert_non_null(s);
    sr.code = s->code;
    vector_kex(c, &sr);
    grade_suite(s, &sr, version_from_name(a), ctx->have_cert ? &ctx->cert : NULL, &g);
    print_message("%s %s %s: nmap %s, tlsgate %c\n", a, b, c, d, g.letter);
    assert_int_equal(g.letter, strcmp(d, "unknown") == 0 ? '?' : d[0]);
    ctx->checked++;
}

static int vectors_check(const char *path)
{
    FILE *f = fopen(path, "r");
    struct vector_ctx ctx;
    char line[512];
    bool provenance = false;

    memset(&ctx, 0, sizeof(ctx));
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        provenance = provenance || strncmp(line, "# provenance:", 13) == 0;
        vector_line(&ctx, line);
    }
    fclose(f);
    assert_true(provenance);
    return ctx.checked;
}

/* Every tests/vectors/nmap_grades_*.txt, made by tools/nmap_grade_vectors.py
 * from real nmap runs against local servers. */
static void test_grade_matches_nmap_vectors(void **state)
{
    char dir[512];
    int files = 0;
    int total = 0;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/vectors", TESTS_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        size_t len = strlen(e->d_name);
        char path[1024];

        if (strncmp(e->d_name, "nmap_grades_", 12) != 0 || len < 4 ||
            strcmp(e->d_name + len - 4, ".txt") != 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        print_message("vectors %s\n", e->d_name);
        total += vectors_check(path);
        files++;
    }
    closedir(d);
    assert_true(files >= 3);
    assert_true(total >= 100);
}

/* ---- snapshot: every registry suite under one fixed key exchange ---- */

/* Strong SHA-256 certificates, one per key type a key exchange can expect. */
struct snapshot_certs {
    struct cert_result rsa, dsa, ec, dh;
};

static const struct cert_result *snapshot_cert(const struct snapshot_certs *c,
                                               const struct suite_info *s)
{
    if (s->kex == KEX_ECDH || s->auth == AUTH_ECDSA) {
        return &c->ec;
    }
    if (s->kex == KEX_DH) {
        return &c->dh;
    }
    if (s->auth == AUTH_DSS) {
        return &c->dsa;
    }
    return s->auth == AUTH_RSA ? &c->rsa : NULL;
}

static uint16_t snapshot_version(const struct suite_info *s)
{
    if (s->flags & SUITE_SSLV2) {
        return VERSION_SSL2;
    }
    return (s->flags & SUITE_TLS13) ? VERSION_TLS13 : VERSION_TLS12;
}

static void snapshot_render(FILE *out)
{
    struct snapshot_certs certs = {
        .rsa = rsa_cert(2048),
        .dsa = cert_make("DSA", 2048, "dsa_with_SHA256", 0, NULL),
        .ec = cert_make("EC", 256, "ecdsa-with-SHA256", 0, "prime256v1"),
        .dh = cert_make("DH", 2048, "sha256WithRSAEncryption", 0, NULL),
    };

    fprintf(out, "# tlsgate grades for every registry suite (tests/unit/test_grade.c renders\n"
                 "# this; UPDATE_SNAPSHOTS=1 rewrites it). Fixed inputs: RSA/DSA/DH 2048-bit\n"
                 "# or EC P-256 SHA-256 certificate by key exchange, DHE 2048, ECDHE\n"
                 "# secp256r1, TLS 1.3 x25519, RSA export key 64 bytes, SRP N 2048;\n"
                 "# version TLSv1.3, SSLv2 or else TLSv1.2.\n");
    for (size_t i = 0; i < suite_table_len; i++) {
        const struct suite_info *s = &suite_table[i];
        uint16_t tls13_group = GROUP_X25519;
        struct suite_result sr = {.code = s->code,
                                  .group = s->kex == KEX_TLS13 ? tls13_group : GROUP_SECP256R1,
                                  .dh_bits = 2048,
                                  .rsa_export_bytes = 64};
        struct suite_grade g;

        if (s->flags & SUITE_SCSV) {
            continue;
        }
        grade_suite(s, &sr, snapshot_version(s), snapshot_cert(&certs, s), &g);
        fprintf(out, "%s0x%0*X %-45s %c kex=%d cipher=%d", s->code > 0xffff ? "" : "  ",
                s->code > 0xffff ? 6 : 4, (unsigned)s->code, s->name, g.letter, g.kex_bits,
                g.cipher_bits);
        fprintf(out, "%s", g.n_reasons ? " :" : "");
        for (size_t j = 0; j < g.n_reasons; j++) {
            fprintf(out, "%s %s", j ? ";" : "", g.reasons[j]);
        }
        fprintf(out, "\n");
    }
}

static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 1 << 16;
    char *buf = malloc(cap);

    assert_non_null(buf);
    *len = 0;
    for (;;) {
        size_t n = fread(buf + *len, 1, cap - *len, f);

        *len += n;
        if (n == 0) {
            break;
        }
        if (*len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    return buf;
}

static void test_grade_snapshot(void **state)
{
    char path[512];
    size_t got_len = 0;
    size_t want_len = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/snapshots/grades.txt", TESTS_DIR);
    if (getenv("UPDATE_SNAPSHOTS") != NULL) {
        FILE *w = fopen(path, "w");

        assert_non_null(w);
        snapshot_render(w);
        fclose(w);
    }

    FILE *mem = tmpfile();
    assert_non_null(mem);
    snapshot_render(mem);
    rewind(mem);
    char *got = slurp(mem, &got_len);
    fclose(mem);

    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *want = slurp(f, &want_len);
    fclose(f);

    if (got_len != want_len || memcmp(got, want, got_len) != 0) {
        print_message("grades differ from %s; diff against a fresh render with "
                      "UPDATE_SNAPSHOTS=1 and git diff\n",
                      path);
    }
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, got_len);
    free(got);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grade_matrix_band_edges),
        cmocka_unit_test(test_grade_ties_land_on_higher_letter),
        cmocka_unit_test(test_grade_rc4_capped_to_c),
        cmocka_unit_test(test_grade_3des_and_des_are_c_with_strong_kex),
        cmocka_unit_test(test_grade_export_is_e_not_f),
        cmocka_unit_test(test_grade_anonymous_is_f_even_when_export),
        cmocka_unit_test(test_grade_null_cipher_is_f),
        cmocka_unit_test(test_grade_weak_cert_signature_only_below_tls13),
        cmocka_unit_test(test_grade_tls13_ignores_small_certificate),
        cmocka_unit_test(test_grade_rsa_exponent_one_is_f),
        cmocka_unit_test(test_grade_unknown_kex),
        cmocka_unit_test(test_grade_named_group_strengths),
        cmocka_unit_test(test_grade_explicit_curve_and_srp_quirks),
        cmocka_unit_test(test_grade_cert_key_type_must_match_kex),
        cmocka_unit_test(test_grade_dh_counts_whole_bytes),
        cmocka_unit_test(test_grade_weaker_ephemeral_warns),
        cmocka_unit_test(test_grade_warnings_never_change_letters),
        cmocka_unit_test(test_grade_letter_order),
        cmocka_unit_test(test_scan_weak_suite_finding),
        cmocka_unit_test(test_scan_no_forward_secrecy),
        cmocka_unit_test(test_scan_refusing_everything_breaks_strength),
        cmocka_unit_test(test_scan_unread_certificate_is_incomplete),
        cmocka_unit_test(test_scan_unknown_sorts_after_f),
        cmocka_unit_test(test_scan_incomplete),
        cmocka_unit_test(test_scan_findings_are_capped),
        cmocka_unit_test(test_grade_matches_nmap_vectors),
        cmocka_unit_test(test_grade_snapshot),
    };
    return cmocka_run_group_tests_name("grade", tests, NULL, NULL);
}
