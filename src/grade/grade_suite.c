/* Per-suite letters, reproducing nmap's ssl-enum-ciphers (7.9x) so that a
 * team moving from nmap sees the same letters. The rules, in nmap's order:
 *
 * Cipher strength c: the suite's key bits (3DES 112, DES 56, export 40,
 * NULL 0), with RC4 capped at 80 bits.
 *
 * Key-exchange strength k, in RSA-equivalent bits, starts unknown:
 *   1. export key exchange: k = 512;
 *   2. anonymous (incl. TLS_NULL_WITH_NULL_NULL): k = 0; otherwise, when the
 *      key exchange is vouched for by a certificate of the matching key type
 *      and the protocol is not TLS 1.3: k = 0 for an MD2/MD4/MD5/SHA-1
 *      signature, then k = min(k, rsa_equiv(cert key)), and k = 0 for RSA
 *      exponent 1;
 *   3. ephemeral parameters (ServerKeyExchange, or the TLS 1.3 key_share
 *      group): k = min(k, rsa_equiv(params)).
 * rsa_equiv leaves RSA/DSA/DH bits alone and maps EC bits through the
 * SP 800-57 table (<160: 512, <224: 1024, <256: 2048, <384: 3072,
 * <512: 7680, else 15360). Named groups are sized by the digits in their
 * name, so X25519MLKEM768 reads as 25519 bits, as nmap does.
 *
 * Either unknown gives "unknown" ('?'); k <= 0 or c <= 0 gives 0 (F);
 * otherwise score = 0.43 * kex band + 0.57 * cipher band, and the letter
 * comes from fixed score bands. Nothing else (MAC, CBC, version, forward
 * secrecy) changes the letter: those only add reasons. */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "grade/grade.h"

/* RFC 7465 forbids RC4; nmap caps it at 80 bits to put it in the lowest band. */
#define RC4_CAP_BITS      80
#define EXPORT_KEX_BITS   512
#define KEX_WARN_BELOW    2048
#define CIPHER_WARN_BELOW 128
#define GROUP_X25519      29
#define GROUP_CURVE_SM2   41
#define NMAP_X25519_BITS  256

/* Key types as nmap names them: what a certificate holds, what ephemeral
 * parameters are. SRP counts like DH in rsa_equiv. */
enum key_type {
    KEY_NONE = 0,
    KEY_RSA,
    KEY_DSA,
    KEY_EC,
    KEY_DH,
    KEY_SRP,
};

/* Reasons in the order they are listed: what sets the letter comes first. */
enum reason {
    R_UNKNOWN_SUITE,
    R_NULL_CIPHER,
    R_ANON,
    R_EXPORT,
    R_CERT_MD2,
    R_CERT_MD4,
    R_CERT_MD5,
    R_CERT_SHA1,
    R_RSA_EXP1,
    R_KEX_UNKNOWN,
    R_KEX_LOW,
    R_RC4,
    R_SWEET32,
    R_CIPHER_LOW,
    R_MD5_MAC,
    R_POODLE,
    R_NOT_TLS13,
    R_KEX_WEAKER,
    R_NO_FS,
    R_COUNT,
};

static const char *const reason_text[R_COUNT] = {
    [R_UNKNOWN_SUITE] = "suite not in the registry",
    [R_NULL_CIPHER] = "NULL cipher",
    [R_ANON] = "anonymous key exchange",
    [R_EXPORT] = "export-grade key exchange",
    [R_CERT_MD2] = "certificate signed with MD2",
    [R_CERT_MD4] = "certificate signed with MD4",
    [R_CERT_MD5] = "certificate signed with MD5",
    [R_CERT_SHA1] = "certificate signed with SHA-1",
    [R_RSA_EXP1] = "RSA exponent 1",
    [R_KEX_UNKNOWN] = "key exchange strength unknown",
    [R_KEX_LOW] = NULL, /* formatted into kex_reason */
    [R_RC4] = "RC4 (RFC 7465)",
    [R_SWEET32] = "64-bit block cipher (SWEET32)",
    [R_CIPHER_LOW] = "cipher below 128 bits",
    [R_MD5_MAC] = "MD5 MAC",
    [R_POODLE] = "CBC in SSLv3 (POODLE)",
    [R_NOT_TLS13] = "non-TLS 1.3 suite chosen for TLS 1.3",
    [R_KEX_WEAKER] = "key exchange weaker than the certificate key",
    [R_NO_FS] = "no forward secrecy",
};

/* Working state of the key-exchange steps. */
struct kex_state {
    int k;          /* RSA-equivalent bits, -1 unknown */
    char limit[40]; /* what set k to its current value, for the reason text */
    uint32_t why;   /* bit per enum reason */
};

static void kex_set(struct kex_state *ks, int k, const char *desc)
{
    ks->k = k;
    snprintf(ks->limit, sizeof(ks->limit), "%.39s", desc);
}

int grade_letter_rank(char letter)
{
    if (letter >= 'A' && letter <= 'F') {
        return letter - 'A';
    }
    return letter == '?' ? 6 : 7;
}

char grade_letter_worse(char a, char b)
{
    if (a == 0) {
        return b;
    }
    if (b == 0) {
        return a;
    }
    return grade_letter_rank(b) > grade_letter_rank(a) ? b : a;
}

bool grade_suite_forward_secret(const struct suite_info *suite)
{
    if (suite == NULL) {
        return false;
    }
    return (suite->flags & SUITE_PFS) && !(suite->flags & (SUITE_EXPORT | SUITE_ANON));
}

static int rsa_equiv(enum key_type type, int bits)
{
    static const struct {
        int below;
        int rsa;
    } ec_bands[] = {{160, 512}, {224, 1024}, {256, 2048}, {384, 3072}, {512, 7680}};

    if (type != KEY_EC) {
        return bits;
    }
    for (size_t i = 0; i < sizeof(ec_bands) / sizeof(ec_bands[0]); i++) {
        if (bits < ec_bands[i].below) {
            return ec_bands[i].rsa;
        }
    }
    return 15360;
}

static int cipher_strength(const struct suite_info *s)
{
    if (s->cipher == CIPHER_RC4 && s->cipher_bits > RC4_CAP_BITS) {
        return RC4_CAP_BITS;
    }
    return s->cipher_bits;
}

static enum key_type key_type_named(const char *name)
{
    static const struct {
        const char *name;
        enum key_type type;
    } names[] = {{"RSA", KEY_RSA}, {"DSA", KEY_DSA}, {"EC", KEY_EC}, {"DH", KEY_DH}};

    for (size_t i = 0; name != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            return names[i].type;
        }
    }
    return KEY_NONE;
}

/* The certificate key type a key exchange relies on (nmap's kex.pubkey). */
static enum key_type cert_key_expected(const struct suite_info *s)
{
    return key_type_named(suite_cert_key_type(s));
}

static enum key_type cert_key_type(const struct cert_result *cert)
{
    return key_type_named(cert->key_type);
}

/* nmap looks for MD2/MD4/MD5 first, then SHA1, anywhere in the name. */
static int weak_signature(const char *sig_alg)
{
    static const struct {
        const char *needle;
        enum reason why;
    } weak[] = {
        {"md2", R_CERT_MD2}, {"md4", R_CERT_MD4}, {"md5", R_CERT_MD5}, {"sha1", R_CERT_SHA1}};

    for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
        if (strcasestr(sig_alg, weak[i].needle) != NULL) {
            return (int)weak[i].why;
        }
    }
    return -1;
}

static void describe_cert(const struct cert_result *cert, enum key_type type, char *buf, size_t len)
{
    if (type == KEY_EC && cert->curve[0] != '\0') {
        snprintf(buf, len, "%s", cert->curve);
        return;
    }
    snprintf(buf, len, "%s %d", cert->key_type, cert->key_bits);
}

/* Step 2 for authenticated key exchange: the leaf certificate. */
static void kex_cert_step(const struct suite_info *s, uint16_t version,
                          const struct cert_result *cert, struct kex_state *ks,
                          struct suite_grade *out)
{
    enum key_type want = cert_key_expected(s);
    char desc[sizeof(out->kex_desc)];

    /* TLS 1.3 encrypts the Certificate message: nmap never sees it. */
    if (version == VERSION_TLS13 || want == KEY_NONE || cert == NULL || !cert->present) {
        return;
    }
    if (cert_key_type(cert) != want) {
        return;
    }
    describe_cert(cert, want, desc, sizeof(desc));
    snprintf(out->kex_desc, sizeof(out->kex_desc), "%s", desc);

    int weak = weak_signature(cert->sig_alg);
    if (weak >= 0) {
        ks->why |= 1u << weak;
        kex_set(ks, 0, desc);
    }

    int eq = rsa_equiv(want, cert->key_bits);
    if (ks->k < 0 || eq < ks->k) {
        kex_set(ks, eq, desc);
    }
    if (want == KEY_RSA && cert->rsa_exponent == 1) {
        ks->why |= 1u << R_RSA_EXP1;
        kex_set(ks, 0, desc);
    }
}

/* nmap sizes a named group by the digits after its leading letters
 * ("secp384r1" 384, "ffdhe2048" 2048, "X25519MLKEM768" 25519), except that
 * x25519 and curveSM2 count as 256. */
static bool group_strength(uint16_t code, enum key_type *type, int *bits)
{
    const struct group_info *g = group_find(code);

    if (g == NULL || g->kind == GROUP_EXPLICIT) {
        return false;
    }
    *type = g->kind == GROUP_FFDHE ? KEY_DH : KEY_EC;
    if (code == GROUP_X25519 || code == GROUP_CURVE_SM2) {
        *bits = NMAP_X25519_BITS;
        return true;
    }

    const char *p = g->name;
    while (*p != '\0' && (*p < '0' || *p > '9')) {
        p++;
    }
    if (*p == '\0' || p == g->name) {
        return false;
    }
    int n = 0;
    while (*p >= '0' && *p <= '9' && n < 100000) {
        n = n * 10 + (*p++ - '0');
    }
    *bits = n;
    return true;
}

/* What the ephemeral parameters are worth: false when nothing was seen. */
static bool ephemeral_strength(const struct suite_info *s, const struct suite_result *sr,
                               enum key_type *type, int *bits, char *desc, size_t len)
{
    switch (s->kex) {
    case KEX_TLS13:
    case KEX_ECDHE:
    case KEX_ECDHE_PSK:
        if (sr->group != 0 && group_strength(sr->group, type, bits)) {
            snprintf(desc, len, "%s", group_find(sr->group)->name);
            return true;
        }
        if (s->kex != KEX_TLS13 && sr->explicit_ec_bits != 0) {
            /* nmap takes log2(order), just under the order's bit length n;
             * against whole-number thresholds n - 1 gives the same bands. */
            *type = KEY_EC;
            *bits = sr->explicit_ec_bits - 1;
            snprintf(desc, len, "explicit curve, %u-bit order", sr->explicit_ec_bits);
            return true;
        }
        return false;
    case KEX_DHE:
    case KEX_DHE_PSK:
        /* nmap counts the bytes of p, times 8: a 1023-bit p is 1024. */
        *type = KEY_DH;
        *bits = (sr->dh_bits + 7) / 8 * 8;
        snprintf(desc, len, "DH %d", *bits);
        return sr->dh_bits != 0;
    case KEX_RSA_EXPORT:
        *type = KEY_RSA;
        *bits = sr->rsa_export_bytes;
        snprintf(desc, len, "RSA export key, %d bytes", *bits);
        return sr->rsa_export_bytes != 0;
    case KEX_SRP:
        *type = KEY_SRP;
        *bits = (sr->dh_bits + 7) / 8;
        snprintf(desc, len, "SRP %d bytes", *bits);
        return sr->dh_bits != 0;
    default:
        return false;
    }
}

/* Step 3: the ephemeral parameters can only lower k. */
static void kex_ephemeral_step(const struct suite_info *s, const struct suite_result *sr,
                               struct kex_state *ks, struct suite_grade *out)
{
    enum key_type type = KEY_NONE;
    int bits = 0;
    char desc[sizeof(out->kex_desc)];

    if (sr == NULL || !ephemeral_strength(s, sr, &type, &bits, desc, sizeof(desc))) {
        return;
    }
    snprintf(out->kex_desc, sizeof(out->kex_desc), "%s", desc);

    int eq = rsa_equiv(type, bits);
    if (ks->k > eq) {
        ks->why |= 1u << R_KEX_WEAKER;
    }
    if (ks->k < 0 || eq < ks->k) {
        kex_set(ks, eq, desc);
    }
}

static void kex_strength(const struct suite_info *s, const struct suite_result *sr,
                         uint16_t version, const struct cert_result *cert, struct kex_state *ks,
                         struct suite_grade *out)
{
    ks->k = -1;
    if (s->flags & SUITE_EXPORT) {
        ks->why |= 1u << R_EXPORT;
        kex_set(ks, EXPORT_KEX_BITS, "export");
    }
    if (s->flags & SUITE_ANON) {
        ks->why |= 1u << R_ANON;
        kex_set(ks, 0, "anonymous");
    } else {
        kex_cert_step(s, version, cert, ks, out);
    }
    kex_ephemeral_step(s, sr, ks, out);
}

static double kex_band(int k)
{
    static const struct {
        int below;
        double score;
    } bands[] = {{512, 0.2}, {1024, 0.4}, {2048, 0.8}, {4096, 0.9}};

    for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++) {
        if (k < bands[i].below) {
            return bands[i].score;
        }
    }
    return 1.0;
}

static double cipher_band(int c)
{
    if (c < 128) {
        return 0.2;
    }
    return c < 256 ? 0.8 : 1.0;
}

static char letter_of(double score)
{
    static const struct {
        double min;
        char letter;
    } bands[] = {{0.80, 'A'}, {0.65, 'B'}, {0.50, 'C'}, {0.35, 'D'}, {0.20, 'E'}};

    for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++) {
        if (score >= bands[i].min) {
            return bands[i].letter;
        }
    }
    return 'F';
}

static void score_suite(struct suite_grade *out)
{
    int k = out->kex_bits;
    int c = out->cipher_bits;

    if (k < 0 || c < 0) {
        out->letter = '?';
        out->score = 0;
        return;
    }
    if (k == 0 || c == 0) {
        out->letter = 'F';
        out->score = 0;
        return;
    }
    /* SSL Labs' 30/40 key-exchange/cipher weights, renormalised without
     * the protocol part, exactly as nmap computes them. */
    double kex_part = 0.43 * kex_band(k);
    double cipher_part = 0.57 * cipher_band(c);
    out->score = kex_part + cipher_part;
    out->letter = letter_of(out->score);
}

static uint32_t cipher_reasons(const struct suite_info *s, uint16_t version, int c)
{
    uint32_t why = 0;

    if (s->cipher == CIPHER_NULL) {
        why |= 1u << R_NULL_CIPHER;
    }
    if (s->cipher == CIPHER_RC4) {
        why |= 1u << R_RC4;
    }
    if ((s->flags & SUITE_BLOCK64) && s->mode == MODE_CBC) {
        why |= 1u << R_SWEET32;
    }
    if (c > 0 && c < CIPHER_WARN_BELOW) {
        why |= 1u << R_CIPHER_LOW;
    }
    if (s->mac == MAC_MD5) {
        why |= 1u << R_MD5_MAC;
    }
    if (version == VERSION_SSL3 && s->mode == MODE_CBC) {
        why |= 1u << R_POODLE;
    }
    if (version == VERSION_TLS13 && !(s->flags & SUITE_TLS13)) {
        why |= 1u << R_NOT_TLS13;
    }
    if (!grade_suite_forward_secret(s)) {
        why |= 1u << R_NO_FS;
    }
    return why;
}

static void list_reasons(uint32_t why, struct suite_grade *out)
{
    for (int r = 0; r < R_COUNT && out->n_reasons < GRADE_MAX_REASONS; r++) {
        if (!(why & (1u << r))) {
            continue;
        }
        out->reasons[out->n_reasons++] = r == R_KEX_LOW ? out->kex_reason : reason_text[r];
    }
}

void grade_suite(const struct suite_info *suite, const struct suite_result *sr, uint16_t version,
                 const struct cert_result *cert, struct suite_grade *out)
{
    memset(out, 0, sizeof(*out));
    out->kex_bits = -1;
    out->cipher_bits = -1;
    if (suite == NULL) {
        out->letter = '?';
        list_reasons(1u << R_UNKNOWN_SUITE, out);
        return;
    }

    struct kex_state ks = {.k = -1};
    kex_strength(suite, sr, version, cert, &ks, out);
    out->kex_bits = ks.k;
    out->cipher_bits = cipher_strength(suite);
    score_suite(out);

    uint32_t why = ks.why | cipher_reasons(suite, version, out->cipher_bits);
    if (ks.k < 0) {
        why |= 1u << R_KEX_UNKNOWN;
    } else if (ks.k > 0 && ks.k < KEX_WARN_BELOW) {
        snprintf(out->kex_reason, sizeof(out->kex_reason), "key exchange below 2048 bits (%s)",
                 ks.limit);
        why |= 1u << R_KEX_LOW;
    }
    list_reasons(why, out);
}
