#include "checks/cert_parse.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void cert_key_fill(EVP_PKEY *pkey, struct cert_result *out)
{
    int id = EVP_PKEY_get_base_id(pkey);
    out->key_bits = EVP_PKEY_get_bits(pkey);
    const char *type = "unknown";
    switch (id) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: {
        type = id == EVP_PKEY_RSA ? "RSA" : "RSA-PSS";
        BIGNUM *e = NULL;
        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1) {
            BN_ULONG w = BN_get_word(e);
            out->rsa_exponent = w > (BN_ULONG)0x7fffffff ? -1 : (long)w;
        }
        BN_free(e);
        break;
    }
    case EVP_PKEY_EC: {
        type = "EC";
        size_t n = 0;
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, out->curve,
                                       sizeof(out->curve), &n);
        break;
    }
    case EVP_PKEY_DSA:
        type = "DSA";
        break;
    case EVP_PKEY_ED25519:
        type = "Ed25519";
        break;
    case EVP_PKEY_ED448:
        type = "Ed448";
        break;
    default:
        break;
    }
    snprintf(out->key_type, sizeof(out->key_type), "%s", type);
}

static void cert_name_text(const X509_NAME *name, char *buf, size_t len)
{
    buf[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) {
        return;
    }
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        int n = BIO_read(bio, buf, (int)len - 1);
        buf[n > 0 ? n : 0] = '\0';
    }
    BIO_free(bio);
}

static void cert_time_text(const ASN1_TIME *t, char *buf, size_t len)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    buf[0] = '\0';
    if (t != NULL && ASN1_TIME_to_tm(t, &tm) == 1) {
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
}

static void cert_fingerprint(X509 *x, char *hex, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    hex[0] = '\0';
    if (X509_digest(x, EVP_sha256(), md, &n) != 1) {
        return;
    }
    for (unsigned int i = 0; i < n && 2 * i + 2 < len; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
}

enum status cert_parse_der(const uint8_t *der, size_t len, int chain_len, uint16_t version,
                           struct cert_result *out)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL) {
        return ST_MALFORMED;
    }
    memset(out, 0, sizeof(*out));
    out->present = true;
    out->seen_in_version = version;
    out->chain_len = chain_len;

    EVP_PKEY *pkey = X509_get0_pubkey(x);
    if (pkey != NULL) {
        cert_key_fill(pkey, out);
    } else {
        snprintf(out->key_type, sizeof(out->key_type), "unknown");
    }
    int nid = X509_get_signature_nid(x);
    snprintf(out->sig_alg, sizeof(out->sig_alg), "%s",
             nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
    cert_name_text(X509_get_subject_name(x), out->subject, sizeof(out->subject));
    cert_name_text(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
    cert_time_text(X509_get0_notBefore(x), out->not_before, sizeof(out->not_before));
    cert_time_text(X509_get0_notAfter(x), out->not_after, sizeof(out->not_after));
    out->expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
    /* Names match and, when a key is there, the signature verifies with it. */
    out->self_signed = X509_self_signed(x, 1) == 1;
    cert_fingerprint(x, out->sha256, sizeof(out->sha256));
    X509_free(x);
    return ST_OK;
}
